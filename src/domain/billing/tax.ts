// Consumption tax on an invoice: ONCE per invoice per rate, on that rate's total of tax-exclusive
// amounts (not per line, then summed). Rounding is the issuer's choice (default floor, 切り捨て) and is
// printed on the invoice. Integer yen only; negative totals (credit notes) round symmetrically, so a
// full credit note cancels its original's tax exactly.

export type Rounding = 'floor' | 'half_up' | 'ceil';
export const ROUNDINGS: readonly Rounding[] = ['floor', 'half_up', 'ceil'];

export const ROUNDING_LABEL_JA: Record<Rounding, string> = { floor: '切り捨て', half_up: '四捨五入', ceil: '切り上げ' };

/** amount × bp / 10000 rounded as asked, exact in integers (BigInt; no floating point). */
export function applyBp(amount: number, bp: number, rounding: Rounding): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(bp)) throw new RangeError('amount and rate must be integers');
  const sign = amount < 0 ? -1n : 1n;
  const num = BigInt(Math.abs(amount)) * BigInt(bp);
  let q = num / 10_000n;
  const r = num % 10_000n;
  if (rounding === 'ceil' && r > 0n) q += 1n;
  if (rounding === 'half_up' && r * 2n >= 10_000n) q += 1n;
  return Number(sign * q);
}

export interface TaxableLine {
  amount_yen: number;
  tax_rate_bp: number;
}

export interface RateTotal {
  rate_bp: number;
  /** Σ tax-exclusive amounts at this rate. */
  taxable_yen: number;
  /** Consumption tax on taxable_yen, rounded once. */
  tax_yen: number;
}

/** One total and one tax per rate, highest rate first. */
export function taxPerRate(lines: readonly TaxableLine[], rounding: Rounding): RateTotal[] {
  const byRate = new Map<number, number>();
  for (const l of lines) byRate.set(l.tax_rate_bp, (byRate.get(l.tax_rate_bp) ?? 0) + l.amount_yen);
  return [...byRate.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([rate_bp, taxable_yen]) => ({ rate_bp, taxable_yen, tax_yen: applyBp(taxable_yen, rate_bp, rounding) }));
}

export interface InvoiceTotals {
  subtotal_yen: number;
  tax_yen: number;
  total_yen: number;
  per_rate: RateTotal[];
}

export function invoiceTotals(lines: readonly TaxableLine[], rounding: Rounding): InvoiceTotals {
  const per_rate = taxPerRate(lines, rounding);
  const subtotal_yen = per_rate.reduce((s, r) => s + r.taxable_yen, 0);
  const tax_yen = per_rate.reduce((s, r) => s + r.tax_yen, 0);
  return { subtotal_yen, tax_yen, total_yen: subtotal_yen + tax_yen, per_rate };
}
