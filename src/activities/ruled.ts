// One error path for activities: a broken business rule or invalid input never succeeds on retry, so
// it becomes a non-retryable ApplicationFailure whose type says which (`Rule.conflict`,
// `Rule.not_found`, `Rule.forbidden`, `ValidationError`); anything else is retried.
import { ApplicationFailure } from '@temporalio/activity';
import { RuleError, ValidationError } from '../domain/errors.ts';

export async function ruled<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RuleError) throw ApplicationFailure.nonRetryable(err.message, `Rule.${err.kind}`);
    if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'ValidationError', err.details);
    throw err;
  }
}

/** Wraps every function of an activity object with `ruled`. */
export function ruledAll<T extends Record<string, (input: any) => Promise<unknown>>>(acts: T): T {
  return Object.fromEntries(Object.entries(acts).map(([name, fn]) => [name, (input: unknown) => ruled(() => fn(input))])) as T;
}
