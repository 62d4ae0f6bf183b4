// What one payment to a payee consists of, and how a negative balance is carried forward.
//
// A payout run pays, per payee, every unpaid ledger line up to the run's month in ONE payment:
// earnings (positive lines) less deductions (negative lines, e.g. a reversed win bonus). Deductions net
// first against earnings of their own withholding category, then against the other category, so the
// withholding base is the net design fee. When deductions reach or exceed the earnings, nothing is paid:
// the lines stay unpaid and the balance (≤ 0) is carried forward to the next run, where later earnings
// absorb it. composePayment turns a payee's plan into the payment a run drafts. Integer yen throughout.
import type { HackerKind, Residency } from '../../shared/payouts.ts';
import { payeeConsumptionTax } from '../billing/payee-tax.ts';
import { applyBp } from '../billing/tax.ts';
import { unpayableReason, type PayabilityFacts, type UnpayableCode } from './payability.ts';
import { bpToPercent, computeWithholding, type IncomeSource, type Payee as WithholdingPayee, type PayeeType, type WithholdingLine, type WithholdingResult } from './withholding.ts';

export interface PayeeLines {
  /** Σ positive design lines. */
  design_earned: number;
  /** Σ |negative design lines|. */
  design_deducted: number;
  /** Σ positive lines of category `none`. */
  other_earned: number;
  /** Σ |negative lines of category `none`|. */
  other_deducted: number;
}

export type PaymentPlan =
  | {
      kind: 'pay';
      /** Net design fee (subject to withholding). */
      design: number;
      /** Net other fee. */
      other: number;
      /** design + other: what the payment is worth before tax. */
      fee_total: number;
      /** Σ deductions netted into this payment (≥ 0). */
      deductions: number;
    }
  | {
      kind: 'carry_forward';
      /** earnings − deductions, ≤ 0: carried to the next run. */
      balance: number;
      deductions: number;
    };

export function planPayment(l: PayeeLines): PaymentPlan {
  const deductions = l.design_deducted + l.other_deducted;
  const balance = l.design_earned + l.other_earned - deductions;
  if (balance <= 0) return { kind: 'carry_forward', balance, deductions };
  let design = l.design_earned - l.design_deducted;
  let other = l.other_earned - l.other_deducted;
  if (design < 0) {
    other += design;
    design = 0;
  }
  if (other < 0) {
    design += other;
    other = 0;
  }
  return { kind: 'pay', design, other, fee_total: design + other, deductions };
}

/** The withholding category of a payee: a corporation, else a resident or non-resident individual. */
export function payeeType(kind: HackerKind, residency: Residency): PayeeType {
  if (kind === 'corporation') return 'corporation';
  return residency === 'non_resident' ? 'nonresident_individual' : 'resident_individual';
}

/** The withholding payee from the payee master's columns (a treaty counts only when its form is filed). */
export function withholdingPayee(type: PayeeType, treatyFiled: boolean | null, treatyBp: number | null): WithholdingPayee {
  if (type !== 'nonresident_individual' || !treatyFiled || treatyBp == null) return { type };
  return { type, treaty: { form_filed: true, limit_rate_percent: bpToPercent(treatyBp) } };
}

/** What a payout run knows of one payee when it drafts: its unpaid lines summed, and its master data. */
export interface PayeeFacts extends PayeeLines {
  kind: HackerKind;
  residency: Residency;
  treaty_form_filed: boolean | null;
  treaty_limit_rate_bp: number | null;
  income_source: IncomeSource | null;
  invoice_registration_number: string | null;
  invoice_registered_on: string | null;
  invoice_expires_on: string | null;
  has_bank: boolean;
  /** The payee's open change request (0023): explains a hold, never lifts it. */
  open_change?: PayabilityFacts['open_change'];
  /** Lines delivered more than 60 days before the payment date (Freelance Act). */
  overdue_lines: number;
}

/** Why finance looks at an item: a Freelance-Act deadline passed; no account to pay into. */
export type PaymentFlag = 'freelance_act_overdue' | 'missing_bank_details';

export type ComposedPayment =
  | { kind: 'carry_forward'; balance: number; deductions: number }
  | {
      kind: 'pay';
      payee_type: PayeeType;
      /** Held (not paid) until the payee has bank details; else pending. */
      status: 'pending' | 'held';
      hold_reason: string | null;
      hold_code: UnpayableCode | null;
      flags: PaymentFlag[];
      /** The payment's lines as withheld: design fees, other fees, each with its share of the tax. */
      lines: WithholdingLine[];
      fee_total: number;
      deductions: number;
      /** Consumption tax added to the fee (registered payees only), computed once on the payment. */
      consumption_tax_yen: number;
    } & WithholdingResult;

/**
 * One payee's payment in a run paying on `paymentDate`: the plan (planPayment: nothing to pay carries
 * the balance forward), the consumption tax of a payee registered as a qualified-invoice issuer on
 * that date (fee + tax, computed once on the payment and shown separately, so withholding ignores it;
 * an unregistered payee is paid the agreed fee), the withholding on the whole payment, the net
 * transfer, and the flags. Pure; integer yen.
 */
export function composePayment(p: PayeeFacts, paymentDate: string): ComposedPayment {
  const plan = planPayment(p);
  if (plan.kind === 'carry_forward') return plan;
  const type = payeeType(p.kind, p.residency);
  const source = p.income_source ?? 'domestic';
  const registration = { registration_number: p.invoice_registration_number, registered_on: p.invoice_registered_on, expires_on: p.invoice_expires_on };
  const ct = payeeConsumptionTax(plan.fee_total, registration, paymentDate);
  // The tax split over the two categories: the design share floored, the rest to the other fees.
  const designTax = plan.other > 0 ? applyBp(plan.design, ct.rate_bp, 'floor') : ct.consumption_tax_yen;
  const lines: WithholdingLine[] = [];
  if (plan.design > 0) {
    lines.push({ fee: plan.design, consumption_tax: ct.registered ? designTax : 0, consumption_tax_separated: ct.registered, category: 'design', income_source: source });
  }
  if (plan.other > 0) {
    const otherTax = ct.registered ? ct.consumption_tax_yen - (plan.design > 0 ? designTax : 0) : 0;
    lines.push({ fee: plan.other, consumption_tax: otherTax, consumption_tax_separated: ct.registered, category: 'none', income_source: source });
  }
  const w = computeWithholding({ payment_date: paymentDate, payee: withholdingPayee(type, p.treaty_form_filed, p.treaty_limit_rate_bp), lines });
  const flags: PaymentFlag[] = [];
  if (p.overdue_lines > 0) flags.push('freelance_act_overdue');
  if (!p.has_bank) flags.push('missing_bank_details');
  const unpayable = unpayableReason(p);
  return {
    kind: 'pay',
    payee_type: type,
    status: unpayable ? 'held' : 'pending',
    hold_reason: unpayable?.message ?? null,
    hold_code: unpayable?.code ?? null,
    flags,
    lines,
    fee_total: plan.fee_total,
    deductions: plan.deductions,
    consumption_tax_yen: ct.consumption_tax_yen,
    ...w,
  };
}
