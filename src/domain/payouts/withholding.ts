// 源泉徴収 on one payment to one payee (所得税法 204条1項1号, 212条, 213条). Integer yen only: every
// multiplication is done in BigInt and truncated (端数切捨て), never in binary floating point.
import { ValidationError } from '../errors.ts';
import { ratesFor } from './rates.ts';
import type { EffectiveRates } from './rates.ts';
import { Issues, isIsoDate, isNonNegativeYen, isRecord, ptr } from './validate.ts';

export type PayeeType = 'resident_individual' | 'corporation' | 'nonresident_individual';
export type FeeCategory = 'design' | 'none';
/** Non-residents only: where the income is sourced. Residents ignore it. */
export type IncomeSource = 'domestic' | 'domestic_royalty' | 'foreign_service';

export interface TreatyRelief {
  /** 租税条約に関する届出書 filed before the payment; when false the treaty is ignored. */
  form_filed: boolean;
  /** Treaty limit rate in percent (0 = exemption). Up to two decimals. */
  limit_rate_percent?: number;
  /** Full exemption under the treaty (same as limit_rate_percent 0). */
  exempt?: boolean;
}

export interface Payee {
  type: PayeeType;
  treaty?: TreatyRelief;
}

export interface WithholdingLine {
  /** Fee excluding consumption tax, yen. */
  fee: number;
  consumption_tax: number;
  /** The invoice shows consumption tax separately: then it is not in the base. */
  consumption_tax_separated: boolean;
  category: FeeCategory;
  /** Expenses reimbursed to the payee (travel etc.): in the base. */
  reimbursed_expenses?: number;
  /** Non-residents: defaults to 'domestic'. */
  income_source?: IncomeSource;
}

/** All lines are settled in ONE transfer: they form one payment (同一人に対し1回に支払われる金額). */
export interface WithholdingPayment {
  payment_date: string;
  payee: Payee;
  lines: WithholdingLine[];
}

export interface WithholdingResult {
  withholding_base: number;
  withholding: number;
  gross_payable: number;
  net_transfer: number;
}

const PAYEE_TYPES: readonly PayeeType[] = ['resident_individual', 'corporation', 'nonresident_individual'];
const CATEGORIES: readonly FeeCategory[] = ['design', 'none'];
const SOURCES: readonly IncomeSource[] = ['domestic', 'domestic_royalty', 'foreign_service'];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function floorBp(amount: bigint, bp: bigint | number): bigint {
  // amount ≥ 0 and bp ≥ 0, so BigInt division truncation is floor.
  return (amount * BigInt(bp)) / 10_000n;
}

/** Resident individual, design fees: 10.21% up to the threshold, 20.42% on the part above it. */
export function residentDesignTax(base: bigint, rates: EffectiveRates): bigint {
  const threshold = BigInt(rates.residentThresholdYen);
  if (base <= threshold) return floorBp(base, rates.residentLowerBp);
  return floorBp(base - threshold, rates.residentUpperBp) + BigInt(rates.residentThresholdTaxYen);
}

/** Treaty limit rate in basis points, or undefined when no treaty relief applies. */
export function treatyRateBp(treaty: TreatyRelief | undefined): number | undefined {
  if (!treaty || treaty.form_filed !== true) return undefined;
  if (treaty.exempt === true) return 0;
  if (treaty.limit_rate_percent === undefined) return undefined;
  return percentToBp(treaty.limit_rate_percent);
}

/**
 * The one conversion of a treaty limit rate between percent (API, treaty texts: 10, 15, 0.5) and basis
 * points (stored, computed: 1000, 1500, 50): at most two decimals, 0–100 %; undefined otherwise.
 */
export function percentToBp(percent: number): number | undefined {
  const scaled = percent * 100;
  const bp = Math.round(scaled);
  if (!Number.isFinite(scaled) || Math.abs(scaled - bp) > 1e-6 || bp < 0 || bp > 10_000) return undefined;
  return bp;
}

/** Basis points → percent (the inverse of percentToBp; exact for integers 0–10000). */
export function bpToPercent(bp: number): number {
  return bp / 100;
}

function lineBase(l: WithholdingLine): bigint {
  return (
    BigInt(l.fee) + (l.consumption_tax_separated ? 0n : BigInt(l.consumption_tax)) + BigInt(l.reimbursed_expenses ?? 0)
  );
}

function lineGross(l: WithholdingLine): bigint {
  return BigInt(l.fee) + BigInt(l.consumption_tax) + BigInt(l.reimbursed_expenses ?? 0);
}

function isSubject(type: PayeeType, l: WithholdingLine): boolean {
  if (l.category !== 'design') return false;
  if (type === 'resident_individual') return true;
  if (type === 'nonresident_individual') return (l.income_source ?? 'domestic') !== 'foreign_service';
  return false; // corporations: no withholding on design fees
}

/**
 * Withholding on one payment. Throws ValidationError when no rate table entry covers the payment date
 * or a figure would not fit a safe integer. Input is assumed typed; use `parseWithholdingPayment` for
 * untrusted input.
 */
export function computeWithholding(payment: WithholdingPayment): WithholdingResult {
  const rates = ratesFor(payment.payment_date);
  if (!rates) {
    throw new ValidationError('no withholding rate table entry for the payment date', [
      { path: '/payment_date', message: 'before the first dated rate table entry (2013-01-01)' },
    ]);
  }
  const type = payment.payee.type;
  let gross = 0n;
  let base = 0n;
  for (const l of payment.lines) {
    gross += lineGross(l);
    if (isSubject(type, l)) base += lineBase(l);
  }
  let tax = 0n;
  if (type === 'resident_individual') {
    tax = residentDesignTax(base, rates);
  } else if (type === 'nonresident_individual') {
    const treatyBp = treatyRateBp(payment.payee.treaty);
    // A treaty limit rate below the domestic income-tax rate replaces it and carries no surtax; at or
    // above it the treaty does not reduce anything and the domestic rate with surtax applies.
    const bp = treatyBp !== undefined && treatyBp < rates.nonresidentIncomeTaxBp ? treatyBp : rates.nonresidentBp;
    tax = floorBp(base, bp);
  }
  if (gross > MAX_SAFE) {
    throw new ValidationError('payment total is too large', [{ path: '/lines', message: 'sum exceeds 2^53 − 1 yen' }]);
  }
  return {
    withholding_base: Number(base),
    withholding: Number(tax),
    gross_payable: Number(gross),
    net_transfer: Number(gross - tax),
  };
}

/** Validates untrusted input into a WithholdingPayment, naming every bad field. */
export function parseWithholdingPayment(body: unknown): WithholdingPayment {
  const issues = new Issues();
  if (!isRecord(body)) {
    throw new ValidationError('withholding request must be an object', [{ path: '', message: 'must be an object' }]);
  }
  if (!isIsoDate(body.payment_date)) issues.add('/payment_date', 'must be a date YYYY-MM-DD');

  let payee: Payee | undefined;
  const rawPayee = body.payee;
  if (!isRecord(rawPayee)) {
    issues.add('/payee', 'must be an object');
  } else {
    const type = rawPayee.type;
    if (typeof type !== 'string' || !PAYEE_TYPES.includes(type as PayeeType)) {
      issues.add('/payee/type', `must be one of ${PAYEE_TYPES.join(', ')}`);
    }
    let treaty: TreatyRelief | undefined;
    if (rawPayee.treaty !== undefined && rawPayee.treaty !== null) {
      const t = rawPayee.treaty;
      if (!isRecord(t)) {
        issues.add('/payee/treaty', 'must be an object');
      } else {
        let ok = true;
        if (typeof t.form_filed !== 'boolean') {
          issues.add('/payee/treaty/form_filed', 'must be a boolean');
          ok = false;
        }
        if (t.exempt !== undefined && typeof t.exempt !== 'boolean') {
          issues.add('/payee/treaty/exempt', 'must be a boolean');
          ok = false;
        }
        if (t.limit_rate_percent !== undefined) {
          if (typeof t.limit_rate_percent !== 'number' || percentToBp(t.limit_rate_percent) === undefined) {
            issues.add('/payee/treaty/limit_rate_percent', 'must be a number from 0 to 100 with at most two decimals');
            ok = false;
          }
        } else if (t.form_filed === true && t.exempt !== true) {
          issues.add('/payee/treaty/limit_rate_percent', 'required when the treaty form is filed (0 for exemption)');
          ok = false;
        }
        if (ok) {
          treaty = { form_filed: t.form_filed as boolean };
          if (t.limit_rate_percent !== undefined) treaty.limit_rate_percent = t.limit_rate_percent as number;
          if (t.exempt !== undefined) treaty.exempt = t.exempt as boolean;
        }
      }
    }
    payee = { type: type as PayeeType };
    if (treaty) payee.treaty = treaty;
  }

  const lines: WithholdingLine[] = [];
  if (!Array.isArray(body.lines)) {
    issues.add('/lines', 'must be an array of lines');
  } else if (body.lines.length === 0) {
    issues.add('/lines', 'must have at least one line');
  } else {
    body.lines.forEach((raw: unknown, i: number) => {
      if (!isRecord(raw)) {
        issues.add(ptr('lines', i), 'must be an object');
        return;
      }
      for (const f of ['fee', 'consumption_tax'] as const) {
        if (!isNonNegativeYen(raw[f])) issues.add(ptr('lines', i, f), 'must be a non-negative integer (yen)');
      }
      if (raw.reimbursed_expenses !== undefined && !isNonNegativeYen(raw.reimbursed_expenses)) {
        issues.add(ptr('lines', i, 'reimbursed_expenses'), 'must be a non-negative integer (yen)');
      }
      if (typeof raw.consumption_tax_separated !== 'boolean') {
        issues.add(ptr('lines', i, 'consumption_tax_separated'), 'must be a boolean');
      }
      if (typeof raw.category !== 'string' || !CATEGORIES.includes(raw.category as FeeCategory)) {
        issues.add(ptr('lines', i, 'category'), `must be one of ${CATEGORIES.join(', ')}`);
      }
      if (
        raw.income_source !== undefined &&
        (typeof raw.income_source !== 'string' || !SOURCES.includes(raw.income_source as IncomeSource))
      ) {
        issues.add(ptr('lines', i, 'income_source'), `must be one of ${SOURCES.join(', ')}`);
      }
      const line: WithholdingLine = {
        fee: raw.fee as number,
        consumption_tax: raw.consumption_tax as number,
        consumption_tax_separated: raw.consumption_tax_separated as boolean,
        category: raw.category as FeeCategory,
      };
      if (raw.reimbursed_expenses !== undefined) line.reimbursed_expenses = raw.reimbursed_expenses as number;
      if (raw.income_source !== undefined) line.income_source = raw.income_source as IncomeSource;
      lines.push(line);
    });
  }
  issues.throwIfAny('invalid withholding request');
  if (isIsoDate(body.payment_date) && !ratesFor(body.payment_date)) {
    throw new ValidationError('no withholding rate table entry for the payment date', [
      { path: '/payment_date', message: 'before the first dated rate table entry (2013-01-01)' },
    ]);
  }
  return { payment_date: body.payment_date as string, payee: payee as Payee, lines };
}
