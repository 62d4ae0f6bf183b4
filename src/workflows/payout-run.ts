// One monthly payout run (ID `payout-<YYYY-MM>`): draft → review (finance holds/releases items,
// approves with four eyes or rejects; reminders until decided) → pay (batches of payees, each payee
// guarded by its idempotency key) → remit (reminders until finance records the withholding remittance).
// Postgres is the read model; activities write it and the audit log. The workflow carries ids, counts
// and phases only — never names or bank details.
//
// History bound: payees are paid in batches (default 500 per activity), so a run of 100,000 payees is
// ~200 pay activities (~600 events) — well inside one history, no continue-as-new needed. Each batch is
// idempotent per payee; a retried batch skips payees already handed over or failed.
//
// After the hand-over the run settles (patch payout-transfer-results): only a result (the bank's file,
// a manual mark) confirms a transfer; while any failed or returned one waits for finance the run is
// needs_attention. The workflow asks how the run stands (settlePayoutRun) when woken by
// `transfersChanged` (sent by the API after a result, a retry, a move or a cancel) or once per reminder
// interval, hands retried items over again, and finishes (remit or complete) once nothing is awaited
// or unresolved. Each wait is a handful of events: bounded by the people acting and the days waited.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  currentUpdateInfo,
  defineQuery,
  defineSignal,
  defineUpdate,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import { NOT_YET_FAILURE } from '../domain/errors.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import { decisionStateRefusal, FOUR_EYES_FAILURE, fourEyesRefusal, itemChangeRefusal, remittanceRefusal } from '../domain/payouts/four-eyes.ts';
import type {
  DecisionRequest,
  HoldRequest,
  PayoutPhase,
  PayoutRunInput,
  PayoutRunView,
  RemittanceRequest,
} from '../shared/payouts.ts';
import { payoutUpdateUser, payoutWorkflowId } from '../shared/payouts.ts';
import { notify } from './notify.ts';
import { PayoutMonthKey, PayoutStatusKey } from './search-attributes.ts';

// Activities heartbeat every second while they run (withLiveness): a killed worker's activity is
// retried after the 5 s heartbeat timeout, not its start-to-close timeout.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const payActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export const payoutStatusQuery = defineQuery<PayoutRunView>('payoutStatus');
export const holdItemUpdate = defineUpdate<PayoutRunView, [HoldRequest]>('holdItem');
export const releaseItemUpdate = defineUpdate<PayoutRunView, [HoldRequest]>('releaseItem');
export const approveRunUpdate = defineUpdate<PayoutRunView, [DecisionRequest]>('approve');
export const rejectRunUpdate = defineUpdate<PayoutRunView, [DecisionRequest]>('reject');
export const recordRemittanceUpdate = defineUpdate<PayoutRunView, [RemittanceRequest]>('recordRemittance');
/** A transfer's state changed (a result, a retry, a move, a cancel): the run settles again now. */
export const transfersChangedSignal = defineSignal('transfersChanged');

const DAY_MS = 86_400_000;

/** Patch ids (replay safety for histories recorded before them). */
const PATCH_BLOCKED = 'payout-blocked-visible';
const PATCH_START_ONLY_DRAFTING = 'payout-start-only-drafting';
const PATCH_TRANSFER_RESULTS = 'payout-transfer-results';

function invalid(message: string, type = 'InvalidPayoutRequest'): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

/** An activity's rule failure becomes the update's failure (message, type and details — the rule's kind — kept). */
async function asUpdateFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      const { message, type, details } = err.cause;
      throw ApplicationFailure.create({ message, type: type ?? 'PayoutRule', nonRetryable: true, details: details ?? undefined });
    }
    throw err;
  }
}

/**
 * Updates name the deciding user as `actor` ({ userId, role }); updates recorded before Actor carry
 * `by` (the user id) and replay unchanged: both give the same user id, so the same activity inputs.
 */
const USER_REQUIRED = 'The deciding user (actor.userId) must be a positive integer.';

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
    transfersChanged: false,
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
  const reviewWaitingFor = () =>
    `finance to review, then approve (${state.preparedBy == null ? 'any finance user' : `a finance user other than user ${state.preparedBy}, who prepared it`}) or reject`;

  setHandler(payoutStatusQuery, view);
  setHandler(transfersChangedSignal, () => {
    state.transfersChanged = true;
  });

  // Still drafting: review comes next (its record may already say review, before this workflow has
  // taken the draft's result), so a decision or a hold now is "not yet", not "no".
  const notWhileDrafting = () => {
    if (state.phase === 'drafting') invalid(`Payout run ${runId} is still drafting; retry in a moment.`, NOT_YET_FAILURE);
  };
  const holdValidator = (req: HoldRequest) => {
    notWhileDrafting();
    const notReview = itemChangeRefusal(runId, state.phase);
    if (notReview) invalid(notReview);
    if (state.deciding) invalid(`A decision on payout run ${runId} is in progress; its items can no longer change.`);
    if (!isPositiveInt(req?.itemId)) invalid('The item id must be a positive integer.');
    if (!isPositiveInt(payoutUpdateUser(req))) invalid(USER_REQUIRED);
    if (typeof req.reason !== 'string' || !req.reason.trim()) invalid('A reason is required.');
  };
  const holdHandler = (hold: boolean) => async (req: HoldRequest) => {
    state.busy++;
    try {
      await asUpdateFailure(() =>
        acts.setPayoutItemHold({ runId, itemId: req.itemId, hold, reason: req.reason.trim(), by: payoutUpdateUser(req)!, updateId: currentUpdateInfo()!.id }),
      );
      state.lastChangedBy = payoutUpdateUser(req)!;
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
        acts.decidePayoutRun({ runId, approve, by: payoutUpdateUser(req)!, reason: req.reason?.trim(), updateId: currentUpdateInfo()!.id }),
      );
      state.decision = approve ? 'approve' : 'reject';
      state.lastChangedBy = payoutUpdateUser(req)!;
      return view();
    } finally {
      state.deciding = false;
    }
  };
  const decisionValidator = (approve: boolean) => (req: DecisionRequest) => {
    notWhileDrafting();
    const notReview = decisionStateRefusal(runId, state.phase, state.decision);
    if (notReview) invalid(notReview);
    if (state.deciding || state.busy > 0) invalid(`Another change to payout run ${runId} is in progress; retry in a moment.`, NOT_YET_FAILURE);
    const approver = payoutUpdateUser(req);
    if (!isPositiveInt(approver)) invalid(USER_REQUIRED);
    const refusal = approve ? fourEyesRefusal({ approver, preparedBy: state.preparedBy, runId }) : undefined;
    if (refusal) invalid(refusal, FOUR_EYES_FAILURE);
    if (!approve && (typeof req.reason !== 'string' || !req.reason.trim())) invalid('A reason is required to reject a payout run.');
  };
  setHandler(approveRunUpdate, decide(true), { validator: decisionValidator(true) });
  setHandler(rejectRunUpdate, decide(false), { validator: decisionValidator(false) });

  setHandler(
    recordRemittanceUpdate,
    async (req) => {
      await asUpdateFailure(() =>
        acts.recordPayoutRemittance({ runId, by: payoutUpdateUser(req)!, remittedOn: req.remittedOn, note: req.note, updateId: currentUpdateInfo()!.id }),
      );
      state.remitted = true;
      return view();
    },
    {
      validator: (req) => {
        const none = remittanceRefusal(runId, state.phase, state.remitted);
        if (none) invalid(none);
        if (!isPositiveInt(payoutUpdateUser(req))) invalid(USER_REQUIRED);
        if (typeof req.remittedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(req.remittedOn)) invalid('The remittance date must be written YYYY-MM-DD.');
      },
    },
  );

  /** Waits until `done`, writing a reminder each interval. */
  const waitWithReminders = async (phase: string, done: () => boolean) => {
    for (let n = 1; !(await condition(done, reminderMs)); n++) {
      await acts.remindPayoutRun({ runId, phase, n, waitingFor: state.waitingFor });
    }
  };

  /**
   * Runs a step; when a rule stops it (a non-retryable activity failure), the run is recorded as
   * blocked with the reason (status, waiting_for, audit entry) and the workflow ends instead of failing
   * unseen. Returns undefined when blocked.
   */
  const orBlock = async <T>(phase: PayoutPhase, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.nonRetryable && patched(PATCH_BLOCKED)) {
        await acts.blockPayoutRun({ runId, phase, reason: cause.message });
        enter('blocked', `finance: the run is blocked while ${phase}: ${cause.message}`);
        return undefined;
      }
      throw err;
    }
  };

  upsertSearchAttributes([{ key: PayoutMonthKey, value: month }]);
  enter('drafting', 'the draft');
  const draft = await orBlock('drafting', () => acts.draftPayoutRun({ runId, payDay: input.payDay }));
  if (!draft) return view();
  if (draft.items === 0) {
    enter('completed', 'nothing: no unpaid earnings');
    return view();
  }
  if (draft.status !== undefined && draft.status !== 'review') {
    // Defence: this run was already taken further by an earlier workflow; never touch its record.
    enter(draft.status, 'nothing: an earlier workflow handled this run');
    return view();
  }

  // Review.
  enter('review', reviewWaitingFor());
  await acts.notePayoutWaiting({ runId, waitingFor: state.waitingFor });
  // Finance users who may approve (four eyes: not the preparer) hear that it waits for them.
  await notify('notify-payout-awaiting-approval', 'payout.awaiting_approval', runId, null, { runId, month, preparedBy: state.preparedBy });
  await waitWithReminders('review', () => state.decision !== undefined && state.busy === 0 && !state.deciding);
  if (state.decision === 'reject') {
    enter('rejected', 'nothing: rejected');
    return view();
  }

  // Pay, in batches; sweep again from the start until a pass finds nothing pending. False when blocked.
  const handOver = async (): Promise<boolean> => {
    let after = 0;
    for (;;) {
      const r = await orBlock('paying', () => payActs.payPayoutBatch({ runId, afterItemId: after, limit: batchSize }));
      if (!r) return false;
      if (r.processed > 0) {
        after = r.lastItemId;
        continue;
      }
      if (after === 0) return true;
      after = 0;
    }
  };
  enter('paying', 'bank transfers');
  if (!(await handOver())) return view();
  if (patched(PATCH_TRANSFER_RESULTS)) {
    // Settle: wait for the results, hand retried items over again, until nothing is awaited or unresolved.
    for (let n = 1; ; ) {
      state.transfersChanged = false;
      const s = await orBlock('paying', () => acts.settlePayoutRun({ runId }));
      if (!s) return view();
      if (s.settled) break;
      if (s.pending > 0) {
        enter('paying', 'bank transfers');
        if (!(await handOver())) return view();
        continue;
      }
      enter(s.status, s.waitingFor);
      // The payee (to fix their bank details) and finance are told once per failed attempt.
      for (const f of s.failed ?? []) {
        await notify('notify-transfer-failed', 'payout.transfer_failed', `${f.itemId}:${f.attempt}`, null, { runId, month, hackerId: f.hackerId, itemId: f.itemId, status: f.status, reason: f.reason ?? f.status });
      }
      if (!(await condition(() => state.transfersChanged, reminderMs))) {
        await acts.remindPayoutRun({ runId, phase: s.status, n: n++, waitingFor: state.waitingFor });
      }
    }
  }
  const paid = await orBlock('paying', () => acts.finishPayoutRun({ runId }));
  if (!paid) return view();
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
  const { runId, status } = await acts.openPayoutRun({ month, preparedBy: null });
  // One workflow per run: only a run still being drafted gets (or gets again, after a failed one) its
  // workflow; a completed, rejected or blocked run is never restarted.
  const guarded = patched(PATCH_START_ONLY_DRAFTING);
  if (guarded && status !== 'drafting') return { month, runId, started: false };
  try {
    await startChild(payoutRunWorkflow, {
      workflowId: payoutWorkflowId(month),
      ...(guarded ? { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY } : {}),
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
