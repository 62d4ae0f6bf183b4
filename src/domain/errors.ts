// One error shape for every surface (HTTP, CLI, activities):
// { error: { code, message, details: [{ path, message }] } }.

export interface ErrorDetail {
  /** JSON-pointer-like path of the offending field, e.g. "/arms/1/n" or "body.monthly_fee_yen". */
  path: string;
  message: string;
  /** What is wrong, as a code a page translates (src/domain/messages.ts FIELD_ERROR_CODES); default `invalid`. */
  code?: string;
  params?: Record<string, string | number>;
}

/** Input that can never succeed: HTTP 400, CLI exit 2, non-retryable in activities. */
export class ValidationError extends Error {
  readonly code = 'validation_error';
  constructor(
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** `code` and `params` (and each detail's) are for pages to say it in the reader's language; `message` stays for API users. */
export function errorBody(code: string, message: string, details: ErrorDetail[] = [], params: Record<string, string | number> = {}) {
  return { error: { code, message, params, details: details.map((d) => ({ path: d.path, message: d.message, code: d.code ?? 'invalid', params: d.params ?? {} })) } };
}

/** What a broken rule means to a caller: HTTP 409 / 404 / 403 / 400. */
export type RuleKind = 'conflict' | 'not_found' | 'forbidden' | 'invalid';

/** What a rule failure carries across Temporal (an ApplicationFailure's first detail). */
export interface RuleFailureDetail {
  kind: RuleKind;
  code?: string;
  /** The offending field (e.g. "/from_month"), for `invalid`. */
  path?: string;
}

/**
 * A business rule the request breaks (a wrong state, an unknown row, a forbidden actor, a value the
 * rules refuse): never succeeds on retry. The one error every use case throws for a broken rule:
 * activities turn it into a non-retryable failure carrying kind/code/path (src/activities/ruled.ts),
 * the API answers by kind (src/api/errors.ts toHttpError). Messages are sentences.
 */
export class RuleError extends Error {
  readonly code?: string;
  readonly path?: string;
  constructor(
    readonly kind: RuleKind,
    message: string,
    options: { code?: string; path?: string } = {},
  ) {
    super(message);
    this.name = 'RuleError';
    this.code = options.code;
    this.path = options.path;
  }

  get detail(): RuleFailureDetail {
    return { kind: this.kind, ...(this.code ? { code: this.code } : {}), ...(this.path ? { path: this.path } : {}) };
  }
}

/** The failure type of a RuleError in Temporal (`Rule.conflict`…); recorded histories contain these. */
export const ruleFailureType = (kind: RuleKind) => `Rule.${kind}`;

const RULE_KINDS: readonly string[] = ['conflict', 'not_found', 'forbidden', 'invalid'] satisfies RuleKind[];

/** The rule a failure's details carry (see RuleFailureDetail), if any. */
export function ruleFailureDetail(details: readonly unknown[] | null | undefined): RuleFailureDetail | undefined {
  const d = details?.[0] as Partial<RuleFailureDetail> | undefined;
  return d && typeof d === 'object' && typeof d.kind === 'string' && RULE_KINDS.includes(d.kind) ? (d as RuleFailureDetail) : undefined;
}

/**
 * The failure type of a workflow update refused only for now (its workflow has not caught up: a cycle
 * still starting, a run still drafting or busy): HTTP 409 with `Retry-After`, so a client may retry.
 */
export const NOT_YET_FAILURE = 'NotYet';
/** Seconds a caller waits before retrying a NOT_YET_FAILURE refusal. */
export const NOT_YET_RETRY_AFTER_SECONDS = 1;
