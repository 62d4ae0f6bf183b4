// One error path for activities: a broken business rule or invalid input never succeeds on retry, so
// it becomes a non-retryable ApplicationFailure: a RuleError typed `Rule.<kind>` (the type names
// recorded histories contain) with { kind, code, path } as its first detail, which the API maps
// (src/api/errors.ts toHttpError); a ValidationError typed `ValidationError`; anything else is retried.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { RuleError, ruleFailureType, ValidationError } from '../domain/errors.ts';

/** How often a running activity tells the server its worker is alive. */
export const LIVENESS_HEARTBEAT_MS = 1_000;

/**
 * Runs `fn` while heartbeating every second (with `details()` when given). The workflows set a short
 * heartbeatTimeout (seconds), so an activity whose worker was killed is retried elsewhere within
 * seconds instead of waiting out its start-to-close timeout. Outside an activity (a direct call in a
 * test) it just runs `fn`.
 */
export async function withLiveness<T>(fn: () => Promise<T>, details?: () => unknown): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return fn();
  }
  const beat = () => ctx!.heartbeat(details?.());
  beat();
  const timer = setInterval(beat, LIVENESS_HEARTBEAT_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs an activity's use case (heartbeating while it runs, see withLiveness; `details` is what each
 * heartbeat carries) and turns a broken rule into a non-retryable failure. A RangeError from the pure
 * domain (a date outside the tax calendar, a malformed month) is a broken rule too: kind `invalid`.
 */
export async function ruled<T>(fn: () => Promise<T>, details?: () => unknown): Promise<T> {
  try {
    return await withLiveness(fn, details);
  } catch (err) {
    const rule = err instanceof RangeError ? new RuleError('invalid', err.message) : err;
    if (rule instanceof RuleError) {
      throw ApplicationFailure.create({ message: rule.message, type: ruleFailureType(rule.kind), nonRetryable: true, details: [rule.detail] });
    }
    if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'ValidationError', err.details);
    throw err;
  }
}

/** Wraps every function of an activity object with `ruled`. */
export function ruledAll<T extends Record<string, (input: any) => Promise<unknown>>>(acts: T): T {
  return Object.fromEntries(Object.entries(acts).map(([name, fn]) => [name, (input: unknown) => ruled(() => fn(input))])) as T;
}
