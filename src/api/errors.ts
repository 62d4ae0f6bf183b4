import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, NOT_YET_FAILURE, NOT_YET_RETRY_AFTER_SECONDS, RuleError, ruleFailureDetail, ValidationError, type ErrorDetail, type RuleFailureDetail } from '../domain/errors.ts';
import { FOUR_EYES_FAILURE } from '../domain/payouts/four-eyes.ts';
import type { FieldErrorCode } from '../domain/messages.ts';
import { calendarDateProblem } from '../domain/payouts/validate.ts';
import { TAG_PATTERN } from '../domain/tags.ts';
import { allowHeader } from './input.ts';

/** An error with an HTTP status and a stable machine code; thrown by handlers. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Sent as `Retry-After`: the same request may succeed after this many seconds. */
    readonly retryAfterSeconds?: number,
    /** Fill the code's sentence in a page's catalogue (e.g. `rule`: the broken rule's own code). */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'your role may not do this') => new HttpError(403, 'forbidden', message);
export const conflict = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(409, 'conflict', message, details);
export const badRequest = (message: string, details: ErrorDetail[]) =>
  new HttpError(400, 'validation_error', message, details);

/**
 * A broken rule as the API answers it, by its kind: conflict 409, not_found 404, forbidden 403,
 * invalid 400 naming the offending body field (the rule's path) as an error detail.
 */
function ruleHttpError(rule: RuleFailureDetail, message: string): HttpError {
  const mapped = ruleKindError(rule, message);
  if (!rule.code) return mapped;
  return new HttpError(mapped.statusCode, mapped.code, mapped.message, mapped.details, mapped.retryAfterSeconds, { ...mapped.params, rule: rule.code });
}

function ruleKindError(rule: RuleFailureDetail, message: string): HttpError {
  switch (rule.kind) {
    case 'not_found':
      return new HttpError(404, 'not_found', sentence(message));
    case 'forbidden':
      return forbidden(sentence(message));
    case 'invalid': {
      if (!rule.path) return badRequest(sentence(message), []);
      const path = `/body${rule.path}`;
      // Messages of path rules start with the path ("/from_month a price change…"): the detail says it once.
      const detail = message.replace(rule.path, '').trim();
      return badRequest(`${path} ${detail}`, [{ path, message: detail, code: 'rule', params: rule.code ? { rule: rule.code } : {} }]);
    }
    case 'conflict':
      return conflict(sentence(message));
  }
}

// The database's guard on issued invoices (a trigger raising P0001 "… immutable …"): a conflict.
const isImmutableGuard = (err: unknown) => (err as { code?: unknown }).code === 'P0001' && /immutable/.test((err as Error).message ?? '');

/** Seconds a caller is asked to wait (`Retry-After`) while a dependency is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

// gRPC codes of a Temporal server that is down or did not answer within the call's deadline.
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
// Postgres refusing or dropping connections: socket errors, SQLSTATE 57P01-57P03 (admin shutdown,
// crash shutdown, cannot connect now) and class 08 (connection exception), pg's own messages for a
// dropped connection and the pool's connect timeout.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_UNAVAILABLE_STATE = /^(57P0[123]|08[0-9A-Z]{3})$/;
const PG_GONE = /^(timeout exceeded when trying to connect|Connection terminated|Connection ended unexpectedly|Client has encountered a connection error)/;

/** The error and its causes (`cause`, an AggregateError's `errors`). */
function chain(err: unknown, seen = new Set<unknown>()): Error[] {
  if (!(err instanceof Error) || seen.has(err)) return [];
  seen.add(err);
  const nested = err instanceof AggregateError ? err.errors : [];
  return [err, ...chain((err as { cause?: unknown }).cause, seen), ...nested.flatMap((e) => chain(e, seen))];
}

/** Which dependency an error says is unreachable (a connection failure, not a refusal), if any. */
export function unavailableDependency(err: unknown): 'database' | 'Temporal' | undefined {
  const errors = chain(err);
  for (const e of errors) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'Temporal';
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)) return 'Temporal';
  }
  for (const e of errors) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_UNAVAILABLE_STATE.test(code))) return 'database';
    if (PG_GONE.test(e.message)) return 'database';
  }
  return undefined;
}

const UNAVAILABLE_MESSAGE = {
  database: `The database is unreachable; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} seconds.`,
  Temporal: `Temporal (the workflow engine) is unreachable or did not answer in time; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} seconds.`,
} as const;

/**
 * The one mapping from domain errors and workflow update rejections to the API's error shape: a
 * RuleError by its kind (ruleHttpError); a refused update or failed activity by the rule its failure
 * carries (details[0].kind, see src/activities/ruled.ts), `NotYet` → 409 with `Retry-After`,
 * `FourEyes` (the workflow's own refusal) → 403, anything else 409. Returns undefined for errors it
 * does not know.
 */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const dependency = unavailableDependency(err);
  if (dependency) return new HttpError(503, 'service_unavailable', UNAVAILABLE_MESSAGE[dependency], [], UNAVAILABLE_RETRY_AFTER_SECONDS, { dependency, seconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
  if (err instanceof RuleError) return ruleHttpError(err.detail, err.message);
  if (isImmutableGuard(err)) return conflict((err as Error).message);
  if (err instanceof WorkflowUpdateFailedError) {
    let cause: unknown = err.cause;
    // An activity's failure inside the update handler: its own cause carries the rule.
    while (cause instanceof Error && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
    const failure = cause instanceof ApplicationFailure ? cause : undefined;
    const message = (cause as Error | undefined)?.message ?? err.message;
    if (failure?.type === NOT_YET_FAILURE) return new HttpError(409, 'conflict', sentence(message), [], NOT_YET_RETRY_AFTER_SECONDS);
    const rule = ruleFailureDetail(failure?.details);
    if (rule) return ruleHttpError(rule, message);
    if (failure?.type === FOUR_EYES_FAILURE) return forbidden(sentence(message));
    return conflict(sentence(message));
  }
  return undefined;
}

/** Messages read as sentences: they end with a full stop. */
function sentence(message: string): string {
  const m = message.trim();
  return m && /[.!?]$/.test(m) ? m : `${m}.`;
}

/**
 * Runs a human decision as a Temporal update: rejections and failures map through toHttpError; a
 * workflow that is gone becomes 409 with `gone`.
 */
export async function viaUpdate<R>(run: () => Promise<R>, gone = 'the workflow is no longer running'): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict(gone);
    throw toHttpError(err) ?? err;
  }
}

/**
 * The outcome of an update already sent under `updateId` (an Idempotency-Key's), or undefined when
 * none completed. A retry whose first attempt Temporal took although its answer was lost (a 503 after
 * the update was accepted) would be refused by the route's own pre-checks, which now see that
 * decision's effect; asking first answers the retry as the first time. Bounded like a query.
 */
export async function earlierUpdate<R>(handle: WorkflowHandle, updateId: string | undefined, withinMs = 3_000): Promise<R | undefined> {
  if (!updateId) return undefined;
  const { connection } = handle.client;
  try {
    return await connection.withDeadline(Date.now() + withinMs, () => handle.getUpdateHandle<R>(updateId).result());
  } catch {
    // No such update (or a rejected one, or Temporal unreachable): the pre-checks' answer stands.
    return undefined;
  }
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** The value at a JSON pointer (Ajv's instancePath) inside `data`. */
function at(data: unknown, pointer: string): unknown {
  let v = data;
  for (const key of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

// Named patterns: a field error says what to type ("半角英小文字・数字で…"), not the regular expression.
const FIELD_PATTERNS: Record<string, FieldErrorCode> = {
  '^[a-z0-9][a-z0-9_-]*$': 'slug',
  '^[a-z][a-z0-9_]{0,39}$': 'event_name',
  '^([a-z][a-z0-9_]{0,39}|\\*)$': 'event_name',
  '^20[0-9]{2}-(0[1-9]|1[0-2])$': 'month',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'date',
  [TAG_PATTERN]: 'tag',
};

// Ajv keywords as field error codes, with the parameters their sentences need.
function fieldCode(i: AjvIssue): Pick<ErrorDetail, 'code' | 'params'> {
  const p = i.params;
  switch (i.keyword) {
    case 'required': return { code: 'required', params: {} };
    case 'additionalProperties': return { code: 'not_allowed', params: {} };
    case 'type': return { code: 'type', params: { type: String(p.type) } };
    case 'enum': return { code: 'choice', params: { values: (p.allowedValues as unknown[]).join(', ') } };
    case 'const': case 'anyOf': case 'oneOf': return { code: 'choice', params: {} };
    case 'minLength': return { code: 'min_length', params: { limit: Number(p.limit) } };
    case 'maxLength': return { code: 'max_length', params: { limit: Number(p.limit) } };
    case 'minimum': return { code: 'minimum', params: { limit: Number(p.limit) } };
    case 'exclusiveMinimum': return { code: 'above', params: { limit: Number(p.limit) } };
    case 'maximum': return { code: 'maximum', params: { limit: Number(p.limit) } };
    case 'exclusiveMaximum': return { code: 'below', params: { limit: Number(p.limit) } };
    case 'minItems': return { code: 'min_items', params: { limit: Number(p.limit) } };
    case 'maxItems': return { code: 'max_items', params: { limit: Number(p.limit) } };
    case 'uniqueItems': return { code: 'unique_items', params: {} };
    case 'pattern': return { code: FIELD_PATTERNS[String(p.pattern)] ?? 'pattern', params: {} };
    case 'format': return { code: p.format === 'date' ? 'date' : 'format', params: { format: String(p.format) } };
    default: return { code: 'invalid', params: {} };
  }
}

/** Turns Ajv issues into `{ path, message, code, params }` naming the field, e.g. "/body/monthly_fee_yen". */
function ajvDetails(context: string, issues: AjvIssue[], data?: unknown): ErrorDetail[] {
  return issues.map((i) => {
    let path = `/${context}${i.instancePath}`;
    let message = i.message ?? 'is invalid';
    if (i.keyword === 'required') path += `/${String(i.params.missingProperty)}`, (message = 'is required');
    if (i.keyword === 'additionalProperties') {
      path += `/${String(i.params.additionalProperty)}`;
      message = 'is not an allowed field';
    }
    if (i.keyword === 'enum') message = `must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`;
    // A CalendarDate: say which day does not exist (2031-02-30), as the use cases do.
    if (i.keyword === 'format' && i.params.format === 'date') message = calendarDateProblem(at(data, i.instancePath)) ?? message;
    return { path, message, ...fieldCode(i) };
  });
}

export function registerErrorHandling(app: FastifyInstance, allowedMethods: (path: string) => string[] = () => []): void {
  app.setErrorHandler((err: FastifyError & Partial<HttpError>, request, reply) => {
    const mapped = toHttpError(err);
    // An outage is logged with the cause's message only (never a connection string or a payload).
    if (mapped?.code === 'service_unavailable') request.log.warn({ cause: err.message }, 'dependency unavailable');
    if (mapped) {
      if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(mapped.retryAfterSeconds));
      return reply.status(mapped.statusCode).send(errorBody(mapped.code, mapped.message, mapped.details, mapped.params));
    }
    if (err instanceof ValidationError) {
      const details = err.details.map((d) => ({ ...d, path: `/body${d.path.startsWith('/') ? '' : '/'}${d.path}`, code: d.code ?? 'rule' }));
      return reply.status(400).send(errorBody(err.code, err.message, details));
    }
    if (err.validation) {
      const context = err.validationContext ?? 'body';
      const parts: Record<string, unknown> = { body: request.body, querystring: request.query, params: request.params, headers: request.headers };
      const details = ajvDetails(context, err.validation as AjvIssue[], parts[context]);
      const first = details[0];
      const message = first ? `${first.path} ${first.message}` : 'invalid request';
      return reply.status(400).send(errorBody('validation_error', message, details));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large...
      // Fastify's own codes (fst_err_ctp_invalid_json_body…) are many and not in ERROR_CODES: a page says "bad request" for any of them.
      return reply.status(err.statusCode).send(errorBody(err.code?.toLowerCase() ?? 'bad_request', err.message, [], { status: err.statusCode }));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'internal error; see the server log for request ' + request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(path);
    // A path another method serves (a catch-all of the same method is no answer, so 404 it is).
    if (allowed.length && !allowed.includes(request.method)) {
      return reply
        .status(405)
        .header('allow', allowHeader(allowed))
        .send(errorBody('method_not_allowed', `${path} does not accept ${request.method}; it accepts ${allowed.join(', ')}.`, [], { method: request.method, allowed: allowed.join(', ') }));
    }
    return reply.status(404).send(errorBody('not_found', `There is no route ${request.method} ${path}.`));
  });
}
