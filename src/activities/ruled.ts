// One error path for activities: a broken business rule or invalid input never succeeds on retry, so
// it becomes a non-retryable ApplicationFailure whose type says which (`Rule.conflict`,
// `Rule.not_found`, `Rule.forbidden`, `ValidationError`); anything else is retried.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { RuleError, ValidationError } from '../domain/errors.ts';

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

export async function ruled<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RuleError) throw ApplicationFailure.nonRetryable(err.message, `Rule.${err.kind}`);
    if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'ValidationError', err.details);
    throw err;
  }
}

/** Wraps every function of an activity object with `ruled`, heartbeating while it runs (withLiveness). */
export function ruledAll<T extends Record<string, (input: any) => Promise<unknown>>>(acts: T): T {
  return Object.fromEntries(Object.entries(acts).map(([name, fn]) => [name, (input: unknown) => withLiveness(() => ruled(() => fn(input)))])) as T;
}
