// One error shape for every surface (HTTP, CLI, activities):
// { error: { code, message, details: [{ path, message }] } }.

export interface ErrorDetail {
  /** JSON-pointer-like path of the offending field, e.g. "/arms/1/n" or "body.monthly_fee_yen". */
  path: string;
  message: string;
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

export function errorBody(code: string, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}

/**
 * A business rule the request breaks (a wrong state, an unknown row, a forbidden actor): never
 * succeeds on retry. HTTP 409 / 404 / 403 by kind; non-retryable in activities (type `Rule.<kind>`).
 */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly kind: 'conflict' | 'not_found' | 'forbidden' = 'conflict',
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

/**
 * The failure type of a workflow update refused only for now (its workflow has not caught up: a cycle
 * still starting, a run still drafting or busy): HTTP 409 with `Retry-After`, so a client may retry.
 */
export const NOT_YET_FAILURE = 'NotYet';
/** Seconds a caller waits before retrying a NOT_YET_FAILURE refusal. */
export const NOT_YET_RETRY_AFTER_SECONDS = 1;
