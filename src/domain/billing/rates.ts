// Dated consumption-tax tables (消費税法). Every rate billing uses lives here, in basis points, by the
// date it starts to apply: a tax accountant reviews one place. Never constants in the rules.
//
// Standard rate 10% (national 7.8% + local 2.2%) from 2019-10-01; the reduced 8% rate applies to
// nothing this product sells or buys (kept out on purpose). Input-tax credit on purchases from
// unregistered suppliers (免税事業者等からの課税仕入れ, 経過措置): 80% of the deemed tax until 2026-09-30,
// 50% until 2029-09-30, none after.

export interface ConsumptionTaxEntry {
  /** First day (inclusive, YYYY-MM-DD) the rate applies to, by transaction date. */
  from: string;
  standardBp: number;
}

// The whole history since the tax began, so every month the API accepts (from 2000-01) has a rate.
export const CONSUMPTION_TAX_TABLE: readonly ConsumptionTaxEntry[] = [
  { from: '1989-04-01', standardBp: 300 },
  { from: '1997-04-01', standardBp: 500 },
  { from: '2014-04-01', standardBp: 800 },
  { from: '2019-10-01', standardBp: 1000 },
];

export interface InputTaxCreditEntry {
  from: string;
  /** Share (bp of the deemed input tax) creditable on a purchase from an unregistered supplier. */
  unregisteredCreditBp: number;
}

export const INPUT_TAX_CREDIT_TABLE: readonly InputTaxCreditEntry[] = [
  { from: '2023-10-01', unregisteredCreditBp: 8000 },
  { from: '2026-10-01', unregisteredCreditBp: 5000 },
  { from: '2029-10-01', unregisteredCreditBp: 0 },
];

function inForce<T extends { from: string }>(table: readonly T[], date: string): T | undefined {
  let hit: T | undefined;
  for (const e of table) if (e.from <= date) hit = e;
  return hit;
}

/** The standard consumption-tax rate (bp) on `date` (YYYY-MM-DD). */
export function standardRateBp(date: string): number {
  const e = inForce(CONSUMPTION_TAX_TABLE, date);
  if (!e) throw new RangeError(`no consumption-tax rate in the table for ${date}`);
  return e.standardBp;
}

/** Creditable share (bp) of the deemed input tax on a purchase from an unregistered supplier on `date`. */
export function unregisteredCreditBp(date: string): number {
  const e = inForce(INPUT_TAX_CREDIT_TABLE, date);
  // Before the qualified-invoice system (2023-10-01) the full deemed tax was creditable.
  return e ? e.unregisteredCreditBp : 10_000;
}
