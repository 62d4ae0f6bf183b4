// One A/B test: interim sequential checks on a timer, early stop when decisive, SRM → invalid, else
// stop at the planned sample or the maximum duration; CS may stop it with a reason.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { cycleActivities } from '../activities/cycles.ts';
import type { TestEnd } from '../domain/cycles/verdict-text.ts';
import type { AbTestInput, StopTestRequest, TestOutcome } from '../shared/cycles.ts';
import { notify } from './notify.ts';

// Activities heartbeat every second (withLiveness): a killed worker's activity is retried after 5 s.
const acts = proxyActivities<Pick<ReturnType<typeof cycleActivities>, 'interimCheck' | 'finalizeTest' | 'recordStop'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { maximumInterval: '1 minute' },
});

export const stopTestUpdate = defineUpdate<{ accepted: true }, [StopTestRequest]>('stopTest');
export const testStatusQuery = defineQuery<{ checks: number; stopping: string | null }>('status');

export async function abTestWorkflow(input: AbTestInput): Promise<TestOutcome> {
  const startedAt = input.startedAt ?? Date.now();
  const endsAt = startedAt + input.maxDurationMs;
  let checks = input.checks ?? 0;
  let stopReason: string | null = null;
  // A stop being recorded (its activity running): a second one is refused, the checks wait for it.
  let recordingStop = false;

  setHandler(testStatusQuery, () => ({ checks, stopping: stopReason }));
  setHandler(
    stopTestUpdate,
    async (req) => {
      // Who stopped it and why is written here, once the workflow has accepted the stop (before, the
      // route wrote it first and kept it when the update never arrived). Older histories stopped
      // without the activity.
      if (patched('stop-recorded-in-update')) {
        recordingStop = true;
        try {
          await acts.recordStop({ testId: input.testId, reason: req.reason.trim(), actor: req.actor });
        } finally {
          recordingStop = false;
        }
      }
      stopReason = `stopped by CS: ${req.reason.trim()}`;
      return { accepted: true as const };
    },
    {
      validator: (req) => {
        if (!req.reason?.trim()) throw ApplicationFailure.nonRetryable('a reason is required', 'InvalidStop');
        if (stopReason || recordingStop) throw ApplicationFailure.nonRetryable('the test is already stopping', 'InvalidStop');
      },
    },
  );

  let reason: string | undefined;
  let srm = false;
  let end: TestEnd['by'] = 'engine';
  while (!reason) {
    setCurrentDetails(`Running test ${input.testId}: ${checks} interim checks so far; ends by ${new Date(endsAt).toISOString()}`);
    const wait = Math.max(1, Math.min(input.interimCheckMs, endsAt - Date.now()));
    await condition(() => stopReason !== null || recordingStop, wait);
    if (recordingStop) {
      // A stop being recorded decides, not the clock; if it failed, the test runs on.
      await condition(() => !recordingStop);
      if (!stopReason) continue;
    }
    if (stopReason) {
      reason = stopReason;
      end = 'cs';
      break;
    }
    checks++;
    const check = await acts.interimCheck({ testId: input.testId, checkNo: checks });
    // Still no visitor long after the start: CS is told once (what to check: the site key, the snippet).
    if (check.noTraffic) await notify('notify-no-traffic', 'test.no_traffic', input.testId, null, { testId: input.testId, hours: check.noTrafficHours });
    if (check.srm) {
      srm = true;
      end = 'srm';
      reason = `sample ratio mismatch (p = ${check.srmPValue.toExponential(2)})`;
    } else if (check.decisive) reason = `stopped early: ${check.outcome} at check ${checks}`;
    else if (check.totalN >= check.plannedTotal) {
      reason = `planned sample of ${check.plannedTotal} reached`;
      end = 'planned_sample';
    } else if (Date.now() >= endsAt) {
      reason = 'maximum duration reached';
      end = 'max_duration';
    } else if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof abTestWorkflow>({ ...input, startedAt, checks });
    }
  }
  // A stop that arrived during the last check finishes its update before the test ends.
  if (recordingStop) await condition(() => !recordingStop);
  setCurrentDetails(`Test ${input.testId} finished: ${reason}`);
  const outcome = await acts.finalizeTest({ testId: input.testId, reason, srm, end });
  // CS hears of a sample ratio mismatch; the client, CS and the winning hacker of the verdict (issue 27).
  if (srm) await notify('notify-test-warning', 'test.warning', `${input.testId}:srm`, null, { testId: input.testId, warning: 'sample ratio mismatch (SRM)' });
  await notify('notify-test-verdict', 'test.verdict', input.testId, null, { testId: input.testId, outcome: outcome.outcome, winnerProposalId: outcome.winnerProposalId });
  return outcome;
}
