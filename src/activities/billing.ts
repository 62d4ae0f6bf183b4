// Billing activities: thin wrappers over src/billing/. Inputs and outputs are months, ids and counts.
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { draftMonth } from '../billing/invoicing.ts';
import { checkMonth } from '../billing/queries.ts';
import type { DraftMonthSummary, MonthCheck } from '../shared/billing.ts';
import { ruled } from './ruled.ts';

export interface BillingActivityDeps {
  db: Db;
  /** Billing settings from here (KAIZEN_ISSUER_*, KAIZEN_INVOICE_ROUNDING). */
  config: Pick<Config, 'billing'>;
}

export function billingActivities(deps: BillingActivityDeps) {
  const cfg = () => deps.config.billing;
  return {
    /** Idempotent: draft keys are unique per month and bill-to party. */
    async draftInvoicesForMonth(input: { month: string; requestedBy: number | null }): Promise<DraftMonthSummary> {
      return ruled(() => draftMonth(deps.db, cfg(), input.month, input.requestedBy));
    },
    /** Counts what the month still waits for and raises overdue alerts (once per invoice and recipient). */
    async checkInvoicingMonth(input: { month: string }): Promise<MonthCheck> {
      return ruled(() => checkMonth(deps.db, input.month));
    },
  };
}
