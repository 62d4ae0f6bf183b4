// Types shared by the payout workflow, its activities and the API. Dependency-free: workflow code
// imports it. Nothing here carries bank details or names: workflows see ids, amounts and phases only.

export type PayoutPhase = 'drafting' | 'review' | 'paying' | 'remitting' | 'completed' | 'rejected';

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

export interface HoldRequest {
  itemId: number;
  reason: string;
  by: number;
}

export interface DecisionRequest {
  by: number;
  reason?: string;
}

export interface RemittanceRequest {
  by: number;
  remittedOn: string;
  note?: string;
}

export interface DraftSummary {
  runId: number;
  items: number;
  held: number;
  flagged: number;
  skipped: number;
  paymentDate: string;
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

export const payoutWorkflowId = (month: string) => `payout-${month}`;
export const PAYOUT_SCHEDULE_ID = 'payout-monthly';
