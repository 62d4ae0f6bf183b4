// The payout workflow's contract, shared by the workflow, its activities, the API and the database
// types. Dependency-free: workflow code imports it. Nothing here carries bank details or names:
// workflows see ids, amounts and phases only.
import type { Actor } from './actor.ts';

/** What a payee is (hackers.kind) and where they live for tax (hackers.residency). */
export const HACKER_KINDS = ['individual', 'corporation'] as const;
export type HackerKind = (typeof HACKER_KINDS)[number];
export const RESIDENCIES = ['resident', 'non_resident'] as const;
export type Residency = (typeof RESIDENCIES)[number];

/**
 * A payee's item in a run (payout_items.status): pending → handed_to_bank (in a Zengin file / accepted
 * by an adapter) → confirmed | failed | returned (only a result says so: the bank's file or a manual
 * mark); held and cancelled set by finance. A failed or returned item keeps its run `needs_attention`
 * until it is retried (back to pending, a new attempt), moved to the next run or cancelled.
 */
export const PAYOUT_ITEM_STATUSES = ['pending', 'held', 'handed_to_bank', 'confirmed', 'failed', 'returned', 'cancelled'] as const;
export type PayoutItemStatus = (typeof PAYOUT_ITEM_STATUSES)[number];

/** A run's status in Postgres and its workflow's phase: one list. `blocked`: a rule stops it (see waiting_for). */
/** `needs_attention`: a failed or returned transfer waits for finance to retry, move or cancel it. */
export const PAYOUT_RUN_STATUSES = ['drafting', 'review', 'paying', 'needs_attention', 'remitting', 'completed', 'rejected', 'blocked'] as const;
export type PayoutRunStatus = (typeof PAYOUT_RUN_STATUSES)[number];
/** The workflow's phase is the run's status. */
export type PayoutPhase = PayoutRunStatus;
/** Statuses after which a run's record never changes. */
export const FINAL_PAYOUT_RUN_STATUSES: readonly PayoutRunStatus[] = ['completed', 'rejected', 'blocked'];

export interface PayoutRunInput {
  runId: number;
  month: string;
  /** User who asked for the run; null when the schedule started it. */
  preparedBy: number | null;
  /** Day of the month the transfer is planned for (next business day when closed). */
  payDay: number;
  /** Reminder interval while waiting for finance (default one day). */
  reminderMs?: number;
  /** Payees per pay activity (default 500): bounds the history for runs of 100k payees. */
  batchSize?: number;
}

export interface PayoutRunView {
  runId: number;
  month: string;
  phase: PayoutPhase;
  preparedBy: number | null;
  lastChangedBy: number | null;
  waitingFor: string;
}

/**
 * Who decided, in an update to the payout workflow. Updates sent before `actor` existed carry only
 * `by` (the user id); they stay in running workflows' histories, so the workflow reads
 * `actor.userId ?? by` (payoutUpdateUser). New callers send `actor`.
 */
export interface PayoutUpdateBy {
  actor?: Actor;
  /** @deprecated the user id, as updates sent before `actor` carry it; send `actor`. */
  by?: number;
}

/** The deciding user's id of an update: `actor.userId`, or `by` in updates sent before Actor. */
export const payoutUpdateUser = (req: PayoutUpdateBy | undefined): number | undefined => req?.actor?.userId ?? req?.by;

export interface HoldRequest extends PayoutUpdateBy {
  itemId: number;
  reason: string;
}

export interface DecisionRequest extends PayoutUpdateBy {
  reason?: string;
}

export interface RemittanceRequest extends PayoutUpdateBy {
  remittedOn: string;
  note?: string;
}

export interface DraftSummary {
  runId: number;
  items: number;
  held: number;
  flagged: number;
  /** Payees with unpaid lines but nothing to pay (balance ≤ 0). */
  skipped: number;
  /** Of those, payees whose negative balance is carried forward. */
  carriedForward?: number;
  paymentDate: string;
  /** The run's status after the draft (absent in histories recorded before it existed). */
  status?: PayoutRunStatus;
}

export interface PayBatchResult {
  processed: number;
  lastItemId: number;
  sent: number;
  failed: number;
}

export interface PaySummary {
  sent: number;
  failed: number;
  held: number;
  withholding: number;
  next: 'remitting' | 'completed';
}

/** A transfer's result (payout_transfer_results.outcome) and where it came from. */
export const TRANSFER_OUTCOMES = ['confirmed', 'failed', 'returned'] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];
export const TRANSFER_RESULT_SOURCES = ['import', 'manual', 'adapter'] as const;
export type TransferResultSource = (typeof TRANSFER_RESULT_SOURCES)[number];

export const payoutWorkflowId = (month: string) => `payout-${month}`;
export const PAYOUT_SCHEDULE_ID = 'payout-monthly';
