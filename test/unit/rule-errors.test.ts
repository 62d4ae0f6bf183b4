// One rule error, one activity wrapper, one HTTP mapper: a broken rule answers by its kind, whether a
// route met it directly or a workflow update met it in an activity (the failure carries the kind).
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ruled } from '../../src/activities/ruled.ts';
import { toHttpError } from '../../src/api/errors.ts';
import { NOT_YET_FAILURE, RuleError, ValidationError, type RuleKind } from '../../src/domain/errors.ts';
import { FOUR_EYES_FAILURE } from '../../src/domain/payouts/four-eyes.ts';

/** What an activity's failure looks like to the API after a workflow update carried it. */
const viaUpdate = (failure: ApplicationFailure) =>
  new WorkflowUpdateFailedError('Workflow Update failed', new ActivityFailure('activity failed', 'someActivity', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', failure));

async function failureOf(fn: () => Promise<unknown>): Promise<ApplicationFailure> {
  const err = await ruled(fn).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('a broken rule', () => {
  const cases: { kind: RuleKind; status: number; code: string }[] = [
    { kind: 'conflict', status: 409, code: 'conflict' },
    { kind: 'not_found', status: 404, code: 'not_found' },
    { kind: 'forbidden', status: 403, code: 'forbidden' },
    { kind: 'invalid', status: 400, code: 'validation_error' },
  ];

  it.each(cases)('of kind $kind answers $status from a route and through an activity and update alike', async ({ kind, status, code }) => {
    const rule = new RuleError(kind, 'Payout run 7 is paying, not under review.');
    expect(toHttpError(rule)).toMatchObject({ statusCode: status, code });

    const failure = await failureOf(() => Promise.reject(rule));
    expect(failure).toMatchObject({ type: `Rule.${kind}`, nonRetryable: true, details: [{ kind }] });
    expect(toHttpError(viaUpdate(failure))).toMatchObject({ statusCode: status, code, message: 'Payout run 7 is paying, not under review.', details: [] });
  });

  it('of kind invalid names its field as an error detail, both ways', async () => {
    const rule = new RuleError('invalid', '/from_month a price change takes effect from 2026-06 at the earliest', { path: '/from_month', code: 'price_change_too_early' });
    const expected = {
      statusCode: 400,
      code: 'validation_error',
      message: '/body/from_month a price change takes effect from 2026-06 at the earliest',
      details: [{ path: '/body/from_month', message: 'a price change takes effect from 2026-06 at the earliest' }],
    };
    expect(toHttpError(rule)).toMatchObject(expected);
    const failure = await failureOf(() => Promise.reject(rule));
    expect(failure.details).toEqual([{ kind: 'invalid', code: 'price_change_too_early', path: '/from_month' }]);
    expect(toHttpError(viaUpdate(failure))).toMatchObject(expected);
  });

  it('is answered by the kind its failure carries, never by the failure type name', () => {
    const misleading = ApplicationFailure.create({ message: 'no such item', type: 'PayoutRule.conflict', nonRetryable: true, details: [{ kind: 'not_found' }] });
    expect(toHttpError(viaUpdate(misleading))).toMatchObject({ statusCode: 404 });
    const bare = ApplicationFailure.nonRetryable('payout run 7 is paying', 'Legacy.forbidden');
    expect(toHttpError(viaUpdate(bare))).toMatchObject({ statusCode: 409, code: 'conflict' });
  });

  it('a date outside the rules (a RangeError of the pure domain) is an invalid rule; a ValidationError keeps its type; anything else is retried', async () => {
    expect(await failureOf(() => Promise.reject(new RangeError('Japanese holidays are implemented for 2020–2030, not 2031')))).toMatchObject({
      type: 'Rule.invalid',
      nonRetryable: true,
      details: [{ kind: 'invalid' }],
    });
    expect(await failureOf(() => Promise.reject(new ValidationError('bad n', [{ path: '/n', message: 'must be positive' }])))).toMatchObject({ type: 'ValidationError', nonRetryable: true });
    const transient = new Error('connection reset');
    await expect(ruled(() => Promise.reject(transient))).rejects.toBe(transient);
  });

  it('keeps the workflows’ own refusals: NotYet is 409 with Retry-After, FourEyes 403, other refusals 409', () => {
    expect(toHttpError(viaUpdate(ApplicationFailure.nonRetryable('Payout run 7 is still drafting; retry in a moment.', NOT_YET_FAILURE)))).toMatchObject({ statusCode: 409, retryAfterSeconds: 1 });
    expect(toHttpError(viaUpdate(ApplicationFailure.nonRetryable('four eyes: you prepared this run', FOUR_EYES_FAILURE)))).toMatchObject({ statusCode: 403, code: 'forbidden' });
    expect(toHttpError(viaUpdate(ApplicationFailure.nonRetryable('A reason is required.', 'InvalidPayoutRequest')))).toMatchObject({ statusCode: 409, code: 'conflict' });
  });
});
