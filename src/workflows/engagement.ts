// A monthly contract: one run per Tokyo month, continued-as-new at each boundary with its state in
// one JSON input, until an `end` update stops it (at a month boundary, or immediately with a reason).
import {
  allHandlersFinished,
  ApplicationFailure,
  getExternalWorkflowHandle,
  patched,
  ParentClosePolicy,
  startChild,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { engagementActivities } from '../activities/engagements.ts';
import type { networkActivities } from '../activities/network.ts';
import { endRequestProblem } from '../domain/engagements.ts';
import { addMonths, monthEndUtcMs, monthStartUtcMs } from '../domain/months.ts';
import { cycleWorkflowId } from '../shared/cycles.ts';
import type { EndRequest, EngagementView, EngagementWorkflowState } from '../shared/engagements.ts';
import type { TeamDecisionInput, TeamDecisionResult } from '../shared/network.ts';
import { improvementCycleWorkflow } from './cycle.ts';
import { EngagementStatusKey } from './search-attributes.ts';

const acts = proxyActivities<ReturnType<typeof engagementActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

const network = proxyActivities<ReturnType<typeof networkActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export const engagementStatusQuery = defineQuery<EngagementView>('status');
/** CS accepts or dismisses a team-review suggestion (who and why are recorded with it). */
export const decideTeamSuggestionUpdate = defineUpdate<TeamDecisionResult, [TeamDecisionInput]>('decideTeamSuggestion');
export const endEngagementUpdate = defineUpdate<EngagementView, [EndRequest]>('end');

/** When the current month ends, in epoch ms (deterministic: depends on state only). */
export function monthBoundary(state: EngagementWorkflowState): number {
  if (state.monthLengthMs !== undefined && state.monthStartedAt !== undefined) {
    return state.monthStartedAt + state.monthLengthMs;
  }
  return monthEndUtcMs(state.month);
}


export async function engagementWorkflow(input: EngagementWorkflowState): Promise<EngagementView> {
  const state: EngagementWorkflowState = {
    ...input,
    monthStartedAt: input.monthStartedAt ?? Math.max(Date.now(), monthStartUtcMs(input.month)),
  };
  const boundary = monthBoundary(state);
  const view = (): EngagementView => ({
    engagementId: state.engagementId,
    status: state.status,
    month: state.month,
    monthsCompleted: state.monthsCompleted,
    monthEndsAt: new Date(boundary).toISOString(),
    ...(state.endReason ? { endReason: state.endReason } : {}),
  });
  const describe = () =>
    setCurrentDetails(
      state.status === 'ended'
        ? `Ended: ${state.endReason ?? ''}`
        : `Month ${state.month} (${state.status}); next boundary ${new Date(boundary).toISOString()}`,
    );

  setHandler(engagementStatusQuery, view);
  setHandler(
    endEngagementUpdate,
    async (req) => {
      const ending = req.mode === 'at_month_end';
      const status = ending ? 'ending' : 'ended';
      await acts.recordEngagementStatus({
        engagementId: state.engagementId,
        status,
        reason: req.reason?.trim() || 'ended at month end',
        actor: req.actor,
        effectiveAt: new Date(ending ? boundary : Date.now()).toISOString(),
      });
      state.status = status;
      state.endReason = req.reason?.trim() || 'ended at month end';
      upsertSearchAttributes([{ key: EngagementStatusKey, value: status }]);
      describe();
      log.info('engagement end requested', { engagementId: state.engagementId, mode: req.mode });
      return view();
    },
    {
      validator: (req) => {
        const problem = endRequestProblem(state, req);
        if (problem) throw ApplicationFailure.nonRetryable(problem.path ? `${problem.path.slice(1)} ${problem.message}` : problem.message, 'InvalidEndRequest');
      },
    },
  );

  setHandler(
    decideTeamSuggestionUpdate,
    (req) => network.decideTeamSuggestion({ ...req, engagementId: state.engagementId }),
    {
      validator: (req) => {
        if (req.decision !== 'accept' && req.decision !== 'dismiss') throw ApplicationFailure.nonRetryable('decision must be accept or dismiss', 'InvalidRequest');
        if (!req.reason?.trim()) throw ApplicationFailure.nonRetryable('a team decision needs a reason', 'InvalidRequest');
        if (state.status === 'ended') throw ApplicationFailure.nonRetryable('the engagement has ended', 'InvalidRequest');
      },
    },
  );

  upsertSearchAttributes([{ key: EngagementStatusKey, value: state.status }]);
  describe();
  await acts.recordEngagementMonth({ engagementId: state.engagementId, month: state.month });
  await startMonthlyCycle(state, boundary);

  // Sleep until the month boundary unless ended immediately in the meantime.
  await condition(() => state.status === 'ended', Math.max(boundary - Date.now(), 1));
  await condition(allHandlersFinished);
  // Ended immediately: the cycles still running (this month's, last month's finishing its tests) are
  // cancelled; each closes its offers and tests and keeps what was earned.
  if (state.status === 'ended' && patched('cancel-cycles-on-end')) {
    for (const c of state.cycles ?? []) await getExternalWorkflowHandle(c.workflowId).cancel().catch(() => undefined);
  }

  if (state.status === 'ending') {
    await acts.recordEngagementStatus({
      engagementId: state.engagementId,
      status: 'ended',
      reason: state.endReason,
      effectiveAt: new Date(Date.now()).toISOString(),
    });
    state.status = 'ended';
    upsertSearchAttributes([{ key: EngagementStatusKey, value: 'ended' }]);
    describe();
  }
  if (state.status === 'ended') return view();

  // The month's team review (members by contribution, a replacement suggestion for CS); written once
  // per engagement and month. Older histories crossed this point without it.
  if (patched('team-review-at-month-end')) {
    await network.reviewTeam({ engagementId: state.engagementId, month: state.month });
    await condition(allHandlersFinished);
  }

  // Search attributes carry over to the next run.
  return continueAsNew<typeof engagementWorkflow>({
    ...state,
    month: addMonths(state.month, 1),
    monthsCompleted: state.monthsCompleted + 1,
    monthStartedAt: boundary,
  });
}

/**
 * One improvement cycle per month, as a child that outlives this run (abandon policy): the engagement
 * continues-as-new at the month boundary while the cycle finishes its tests. The ID is the business
 * key, so a second start for the same month is a no-op.
 */
async function startMonthlyCycle(state: EngagementWorkflowState, monthEndsAt: number): Promise<void> {
  if (state.status === 'ended') return;
  try {
    await startChild(improvementCycleWorkflow, {
      workflowId: cycleWorkflowId(state.engagementId, state.month),
      args: [{ engagementId: state.engagementId, clientId: state.clientId, month: state.month, monthEndsAt }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Improvement cycle ${state.month} of engagement #${state.engagementId}`,
    });
    state.cycles = [...(state.cycles ?? []), { month: state.month, workflowId: cycleWorkflowId(state.engagementId, state.month) }].slice(-12);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
