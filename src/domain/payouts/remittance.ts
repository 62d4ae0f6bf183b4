// Monthly remittance slips, the annual payment record threshold and the Freelance Act payment deadline.
import { nextBusinessDay, withholdingDueDate } from './calendar.ts';
import type { PayeeType } from './withholding.ts';

const DAY_MS = 86_400_000;

export interface WithheldPayment {
  payee_id: string;
  payee_type: PayeeType;
  /** YYYY-MM-DD: tax is withheld on the day of payment. */
  payment_date: string;
  withholding_base: number;
  withholding: number;
}

export interface RemittanceSlip {
  /** Distinct payees with a payment subject to withholding in the month. */
  payees: number;
  base_total: number;
  tax_total: number;
}

export interface MonthlyRemittance {
  month: string;
  due_date: string;
  /** 報酬・料金等の所得税徴収高計算書 */
  residents: RemittanceSlip;
  /** 非居住者・外国法人の所得についての所得税徴収高計算書 */
  nonresidents: RemittanceSlip;
}

/**
 * What Finance remits for the tax withheld in `month` (YYYY-MM): per slip, the number of payees, Σ base
 * and Σ tax of the payments subject to withholding (base > 0; a treaty exemption counts with tax 0),
 * and the due date. Corporations never appear (base 0).
 */
export function monthlyRemittance(month: string, payments: readonly WithheldPayment[]): MonthlyRemittance {
  const due = withholdingDueDate(month);
  const slip = (type: PayeeType): RemittanceSlip => {
    const ps = payments.filter((p) => p.payee_type === type && p.payment_date.startsWith(`${month}-`) && p.withholding_base > 0);
    return {
      payees: new Set(ps.map((p) => p.payee_id)).size,
      base_total: Number(ps.reduce((s, p) => s + BigInt(p.withholding_base), 0n)),
      tax_total: Number(ps.reduce((s, p) => s + BigInt(p.withholding), 0n)),
    };
  };
  return { month, due_date: due, residents: slip('resident_individual'), nonresidents: slip('nonresident_individual') };
}

/** 支払調書 threshold: payees paid more than ¥50,000 in the calendar year (corporations included). */
export const PAYMENT_RECORD_THRESHOLD_YEN = 50_000;

export function needsPaymentRecord(totalPaidInYearYen: number): boolean {
  return totalPaidInYearYen > PAYMENT_RECORD_THRESHOLD_YEN;
}

/** The 支払調書 for `year` is due 31 January of the next year (next business day if closed). */
export function paymentRecordDueDate(year: number): string {
  return nextBusinessDay(`${String(year + 1).padStart(4, '0')}-01-31`);
}

function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) throw new RangeError(`not a date: ${date}`);
  return new Date(t + days * DAY_MS).toISOString().slice(0, 10);
}

/** フリーランス法 (2024-11): pay within 60 days counted from (and including) the day the deliverable was received. */
export function freelanceActPaymentDeadline(receivedOn: string): string {
  return addDays(receivedOn, 59);
}

/** True when paying on `paymentDate` would be later than the Freelance Act allows: the payout run flags it. */
export function exceedsFreelanceActDeadline(receivedOn: string, paymentDate: string): boolean {
  addDays(paymentDate, 0);
  return paymentDate > freelanceActPaymentDeadline(receivedOn);
}
