// Payout-run histories recorded before the one RuleError (activities then failed with the types
// `PayoutRule.conflict` and `PayoutRule.invalid`, now `Rule.<kind>` carrying the kind in details) replay
// against today's workflow code: the workflow branches on a failure being non-retryable, never on its
// type, so the recorded failures lead to the same commands. Recorded with the code of 9cab500:
// payout-paid-rule-failures (a release refused for missing bank details and an unknown item, both
// activity failures inside updates; four eyes; paid; remitted), payout-blocked-invalid-month (a draft
// refused by the tax calendar: blocked), payout-rejected (a rejected run).
import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal.ts';
import { dataConverter } from '../helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/histories/${name}.json`, import.meta.url), 'utf8');

describe('recorded payout-run histories', () => {
  it('with the old rule-failure types replay without non-determinism', async () => {
    const names = ['payout-paid-rule-failures', 'payout-blocked-invalid-month', 'payout-rejected'];
    const texts = names.map(fixture);
    // The histories hold what they are kept for: the old failure types, an update refused by an activity.
    expect(texts[0]).toContain('"PayoutRule.conflict"');
    expect(texts[0]).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    expect(texts[1]).toContain('"PayoutRule.invalid"');
    const histories = names.map((workflowId, i) => ({ workflowId, history: JSON.parse(texts[i]!) }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath, dataConverter }, histories)) results.push(r);
    expect(results.map((r) => r.workflowId)).toEqual(names);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });
});
