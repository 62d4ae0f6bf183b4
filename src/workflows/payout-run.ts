// One monthly payout run (ID `payout-<YYYY-MM>`): draft → review (finance holds/releases items,
// approves with four eyes or rejects; reminders until decided) → pay (batches of payees, each payee
// guarded by its idempotency key) → remit (reminders until finance records the withholding remittance).
// Postgres is the read model; activities write it and the audit log. The workflow carries ids, counts
// and phases only — never names or bank details.
//
// History bound: payees are paid in batches (default 500 per activity), so a run of 100,000 payees is
// ~200 pay activities (~600 events) — well inside one history, no continue-as-new needed. Each batch is
// idempotent per payee; a retried batch skips payees already sent or failed.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  currentUpdateInfo,
  defineQuery,
  defineUpdate,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import type {
  DecisionRequest,
  HoldRequest,
  PayoutPhase,
  PayoutRunInput,
  PayoutRunView,
  RemittanceRequest,
} from '../payouts/types.ts';
import { payoutWorkflowId } from '../payouts/types.ts';
import { PayoutMonthKey, PayoutStatusKey } from './search-attributes.ts';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const payActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export const payoutStatusQuery = defineQuery<PayoutRunView>('payoutStatus');
export const holdItemUpdate = defineUpdate<PayoutRunView, [HoldRequest]>('holdItem');
export const releaseItemUpdate = defineUpdate<PayoutRunView, [HoldRequest]>('releaseItem');
export const approveRunUpdate = defineUpdate<PayoutRunView, [DecisionRequest]>('approve');
export const rejectRunUpdate = defineUpdate<PayoutRunView, [DecisionRequest]>('reject');
export const recordRemittanceUpdate = defineUpdate<PayoutRunView, [RemittanceRequest]>('recordRemittance');

const DAY_MS = 86_400_000;

function invalid(message: string, type = 'InvalidPayoutRequest'): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

/** An activity's rule failure becomes the update's failure (message and type kept). */
async function asUpdateFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? 'PayoutRule');
    }
    throw err;
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

export async function payoutRunWorkflow(input: PayoutRunInput): Promise<PayoutRunView> {
  const { runId, month } = input;
  const reminderMs = input.reminderMs ?? DAY_MS;
  const batchSize = input.batchSize ?? 500;
  const state = {
    phase: 'drafting' as PayoutPhase,
    preparedBy: input.preparedBy,
    lastChangedBy: input.preparedBy,
    waitingFor: 'the draft',
    decision: undefined as 'approve' | 'reject' | undefined,
    deciding: false,
    busy: 0,
    remitted: false,
  };
  const view = (): PayoutRunView => ({
    runId,
    month,
    phase: state.phase,
    preparedBy: state.preparedBy,
    lastChangedBy: state.lastChangedBy,
    waitingFor: state.waitingFor,
  });
  const enter = (phase: PayoutPhase, waitingFor: string) => {
    state.phase = phase;
    state.waitingFor = waitingFor;
    upsertSearchAttributes([{ key: PayoutStatusKey, value: phase }]);
    setCurrentDetails(`Payout run ${month} (#${runId}): ${phase}. Waiting for ${waitingFor}.`);
  };
  const who = (id: number | null) => (id == null ? 'the schedule' : `user ${id}`);
  const reviewWaitingFor = () => {
    const excluded = [...new Set([state.preparedBy, state.lastChangedBy].filter((x): x is number => x != null))];
    return `finance to review, then approve (a finance user other than ${excluded.map(who).join(' and ') || 'nobody'}) or reject`;
  };

  setHandler(payoutStatusQuery, view);

  const holdValidator = (req: HoldRequest) => {
    if (state.phase !== 'review') invalid(`payout run is ${state.phase}; items can change only during review`);
    if (state.deciding) invalid('a decision on the run is in progress');
    if (!isPositiveInt(req?.itemId)) invalid('itemId must be a positive integer');
    if (!isPositiveInt(req.by)) invalid('by must be a user id');
    if (typeof req.reason !== 'string' || !req.reason.trim()) invalid('a reason is required');
  };
  const holdHandler = (hold: boolean) => async (req: HoldRequest) => {
    state.busy++;
    try {
      await asUpdateFailure(() =>
        acts.setPayoutItemHold({ runId, itemId: req.itemId, hold, reason: req.reason.trim(), by: req.by, updateId: currentUpdateInfo()!.id }),
      );
      state.lastChangedBy = req.by;
      state.waitingFor = reviewWaitingFor();
      setCurrentDetails(`Payout run ${month} (#${runId}): review. Waiting for ${state.waitingFor}.`);
      return view();
    } finally {
      state.busy--;
    }
  };
  setHandler(holdItemUpdate, holdHandler(true), { validator: holdValidator });
  setHandler(releaseItemUpdate, holdHandler(false), { validator: holdValidator });

  const decide = (approve: boolean) => async (req: DecisionRequest) => {
    state.deciding = true;
    try {
      await asUpdateFailure(() =>
        acts.decidePayoutRun({ runId, approve, by: req.by, reason: req.reason?.trim(), updateId: currentUpdateInfo()!.id }),
      );
      state.decision = approve ? 'approve' : 'reject';
      state.lastChangedBy = req.by;
      return view();
    } finally {
      state.deciding = false;
    }
  };
  const decisionValidator = (approve: boolean) => (req: DecisionRequest) => {
    if (state.phase !== 'review' || state.decision) invalid(`payout run is ${state.phase}, not under review`);
    if (state.deciding || state.busy > 0) invalid('another change to the run is in progress; retry');
    if (!isPositiveInt(req?.by)) invalid('by must be a user id');
    if (approve && (req.by === state.preparedBy || req.by === state.lastChangedBy)) {
      invalid(
        `four eyes: user ${req.by} ${req.by === state.preparedBy ? 'prepared' : 'last changed'} this run; another finance user must approve`,
        'FourEyes',
      );
    }
    if (!approve && (typeof req.reason !== 'string' || !req.reason.trim())) invalid('a reason is required to reject');
  };
  setHandler(approveRunUpdate, decide(true), { validator: decisionValidator(true) });
  setHandler(rejectRunUpdate, decide(false), { validator: decisionValidator(false) });

  setHandler(
    recordRemittanceUpdate,
    async (req) => {
      await asUpdateFailure(() =>
        acts.recordPayoutRemittance({ runId, by: req.by, remittedOn: req.remittedOn, note: req.note, updateId: currentUpdateInfo()!.id }),
      );
      state.remitted = true;
      return view();
    },
    {
      validator: (req) => {
        if (state.phase !== 'remitting' || state.remitted) invalid(`payout run is ${state.phase}; there is no remittance to record`);
        if (!isPositiveInt(req?.by)) invalid('by must be a user id');
        if (typeof req.remittedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(req.remittedOn)) invalid('remittedOn must be YYYY-MM-DD');
      },
    },
  );

  /** Waits until `done`, writing a reminder each interval. */
  const waitWithReminders = async (phase: string, done: () => boolean) => {
    for (let n = 1; !(await condition(done, reminderMs)); n++) {
      await acts.remindPayoutRun({ runId, phase, n, waitingFor: state.waitingFor });
    }
  };

  upsertSearchAttributes([{ key: PayoutMonthKey, value: month }]);
  enter('drafting', 'the draft');
  const draft = await acts.draftPayoutRun({ runId, payDay: input.payDay });
  if (draft.items === 0) {
    enter('completed', 'nothing: no unpaid earnings');
    return view();
  }

  // Review.
  enter('review', reviewWaitingFor());
  await acts.notePayoutWaiting({ runId, waitingFor: state.waitingFor });
  await waitWithReminders('review', () => state.decision !== undefined && state.busy === 0 && !state.deciding);
  if (state.decision === 'reject') {
    enter('rejected', 'nothing: rejected');
    return view();
  }

  // Pay, in batches; sweep again from the start until a pass finds nothing pending.
  enter('paying', 'bank transfers');
  let after = 0;
  for (;;) {
    const r = await payActs.payPayoutBatch({ runId, afterItemId: after, limit: batchSize });
    if (r.processed > 0) {
      after = r.lastItemId;
      continue;
    }
    if (after === 0) break;
    after = 0;
  }
  const paid = await acts.finishPayoutRun({ runId });
  if (paid.next === 'completed') {
    enter('completed', 'nothing');
    return view();
  }

  // Remit.
  enter('remitting', `finance to record the remittance of ¥${paid.withholding} withheld`);
  await waitWithReminders('remitting', () => state.remitted);
  enter('completed', 'nothing');
  return view();
}

export interface PayoutScheduleInput {
  payDay: number;
  reminderMs?: number;
  batchSize?: number;
}

/**
 * Started by the monthly Schedule (whose workflow ids carry a timestamp): opens the run for the current
 * Tokyo month and starts `payout-<YYYY-MM>` as an abandoned child. A run already started (e.g. through
 * the API) is left alone.
 */
export async function payoutScheduleWorkflow(input: PayoutScheduleInput): Promise<{ month: string; runId: number; started: boolean }> {
  const month = tokyoMonthOf(Date.now());
  const { runId } = await acts.openPayoutRun({ month, preparedBy: null });
  try {
    await startChild(payoutRunWorkflow, {
      workflowId: payoutWorkflowId(month),
      args: [{ runId, month, preparedBy: null, payDay: input.payDay, reminderMs: input.reminderMs, batchSize: input.batchSize }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: PayoutMonthKey, value: month }, { key: PayoutStatusKey, value: 'drafting' }],
    });
    return { month, runId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { month, runId, started: false };
    throw err;
  }
}
