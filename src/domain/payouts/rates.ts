// Dated withholding-rate table. Every rate the payout engine uses lives here so that a tax accountant
// can review one place. Rates are integers: income-tax rates in basis points (1/10000), surtaxes in
// basis points of the income tax. All combined rates must come out as whole basis points.
//
// Sources: 所得税法 204条1項1号 (design fees: 10%, 20% on the part over 1,000,000 of one payment),
// 212条/213条 (non-residents: 20% flat), 復興財源確保法 (2.1% reconstruction surtax from 2013),
// 令和5年度税制改正 / 防衛財源確保 (from 2027-01-01: 1% defence surtax + 1.1% reconstruction surtax).
// The combined rates are 10.21% / 20.42% throughout.

export interface Surtax {
  name: 'reconstruction' | 'defence';
  /** Basis points of the income tax (210 = 2.1%). */
  rateBpOfIncomeTax: number;
}

export interface RateTableEntry {
  /** First day (inclusive) the entry applies to, by payment date. */
  from: string;
  /** Resident individual, design fees (204条): lower-tier income-tax rate in bp. */
  residentLowerBp: number;
  /** Resident individual, rate in bp on the part of one payment above the threshold. */
  residentUpperBp: number;
  /** Threshold (yen) of one payment between the tiers. */
  residentThresholdYen: number;
  /** Non-resident individual, Japan-source income (212条/213条): flat income-tax rate in bp. */
  nonresidentBp: number;
  surtaxes: readonly Surtax[];
}

export const RATE_TABLE: readonly RateTableEntry[] = [
  {
    from: '2013-01-01',
    residentLowerBp: 1000,
    residentUpperBp: 2000,
    residentThresholdYen: 1_000_000,
    nonresidentBp: 2000,
    surtaxes: [{ name: 'reconstruction', rateBpOfIncomeTax: 210 }],
  },
  {
    from: '2027-01-01',
    residentLowerBp: 1000,
    residentUpperBp: 2000,
    residentThresholdYen: 1_000_000,
    nonresidentBp: 2000,
    surtaxes: [
      { name: 'defence', rateBpOfIncomeTax: 100 },
      { name: 'reconstruction', rateBpOfIncomeTax: 110 },
    ],
  },
];

/** Rates in force for a payment date, with the surtaxes folded into combined basis points. */
export interface EffectiveRates {
  from: string;
  /** Combined (income tax + surtaxes) rate below/at the threshold, bp: 1021. */
  residentLowerBp: number;
  /** Combined rate above the threshold, bp: 2042. */
  residentUpperBp: number;
  residentThresholdYen: number;
  /** Tax on exactly the threshold amount: floor(threshold × lower) = 102,100. */
  residentThresholdTaxYen: number;
  /** Combined non-resident rate, bp: 2042. */
  nonresidentBp: number;
  /** Income-tax (without surtax) non-resident rate, bp: 2000; a treaty rate at or above it gets the surtax. */
  nonresidentIncomeTaxBp: number;
  surtaxes: readonly Surtax[];
}

function combine(incomeBp: number, surtaxBp: number): number {
  const num = incomeBp * (10_000 + surtaxBp);
  if (num % 10_000 !== 0) throw new Error(`rate table: combined rate of ${incomeBp}bp is not whole bp`);
  return num / 10_000;
}

/** The entry in force on `date` (YYYY-MM-DD), or undefined before the table starts. */
export function ratesFor(date: string): EffectiveRates | undefined {
  let entry: RateTableEntry | undefined;
  for (const e of RATE_TABLE) if (e.from <= date) entry = e;
  if (!entry) return undefined;
  const surtaxBp = entry.surtaxes.reduce((s, t) => s + t.rateBpOfIncomeTax, 0);
  const residentLowerBp = combine(entry.residentLowerBp, surtaxBp);
  return {
    from: entry.from,
    residentLowerBp,
    residentUpperBp: combine(entry.residentUpperBp, surtaxBp),
    residentThresholdYen: entry.residentThresholdYen,
    residentThresholdTaxYen: Number((BigInt(entry.residentThresholdYen) * BigInt(residentLowerBp)) / 10_000n),
    nonresidentBp: combine(entry.nonresidentBp, surtaxBp),
    nonresidentIncomeTaxBp: entry.nonresidentBp,
    surtaxes: entry.surtaxes,
  };
}
