// The invoicing workflow's contract (ids, input, activity results), shared by the workflow, its
// activities, its starters and routes. Dependency-free: workflow code imports it.
export const INVOICING_SCHEDULE_ID = 'invoicing-monthly';
export const invoicingWorkflowId = (month: string) => `invoicing-${month}`;

export interface InvoicingInput {
  month: string;
  /** Null when the schedule started it. */
  requestedBy: number | null;
  /** How often the month is checked for overdue invoices after drafting (default one day). */
  checkEveryMs?: number;
  /** false: draft and stop (no overdue watch). */
  watch?: boolean;
}

export interface DraftMonthSummary {
  month: string;
  /** Invoices drafted by this call. */
  created: number;
  /** Drafts or issued invoices of the month that already existed (a retry, a replay, a second click). */
  existing: number;
  invoice_ids: number[];
}

export interface MonthCheck {
  /** Drafts or held invoices still waiting for finance. */
  drafts: number;
  /** Issued invoices with an outstanding amount. */
  open: number;
  overdue: number;
  alerts_raised: number;
}
