// Revenue impact, conservative: a winner's uplift is the LOWER confidence bound of its lift × the
// page's baseline monthly conversions × value per conversion (report.ts), counted from the month after
// its test (when it ships) through the month asked about. Grouped per test, engagement, client, month
// or the platform, with wins / losses / inconclusive, the win rate, and the platform's fees against
// the uplift (ROI = cumulative uplift ÷ fees of the contract months so far).
import { addMonths } from '../months.ts';

export interface ImpactTest {
  test_id: number;
  client_id: number;
  engagement_id: number;
  /** The cycle's month (YYYY-MM). */
  month: string;
  outcome: 'winner' | 'loser' | 'inconclusive' | 'invalid' | 'blocked_by_guardrail';
  monthly_uplift_yen: number;
  /** The same from the point estimate of the lift (what the winner is expected to bring; the lower bound is what we count). */
  expected_monthly_uplift_yen?: number;
}

export interface FeeMonth {
  engagement_id: number;
  client_id: number;
  month: string;
  fee_yen: number;
}

export type ImpactGroupBy = 'test' | 'engagement' | 'client' | 'month' | 'platform';

export interface ImpactRow {
  key: string;
  tests: number;
  wins: number;
  losses: number;
  inconclusive: number;
  invalid: number;
  /** wins ÷ decided (won + lost + inconclusive); null with none decided. */
  win_rate: number | null;
  /** Σ monthly uplift of the winners counted in this row. */
  monthly_uplift_yen: number;
  /** Σ monthly uplift from the lifts' point estimates (monthly_uplift_yen is their lower bounds). */
  expected_monthly_uplift_yen: number;
  /** Σ over months through `asOf` of the uplift in force (a winner counts from the month after its test). */
  cumulative_uplift_yen: number;
  fees_yen: number;
  /** cumulative uplift ÷ fees (per month: both to date); null without fees. */
  roi: number | null;
}

/** Months from the month after `testMonth` through `asOf`, inclusive (0 if none). */
export function monthsLive(testMonth: string, asOf: string): number {
  let n = 0;
  for (let m = addMonths(testMonth, 1); m <= asOf && n < 1200; m = addMonths(m, 1)) n++;
  return n;
}

export function impactRows(tests: ImpactTest[], fees: FeeMonth[], groupBy: ImpactGroupBy, asOf: string): ImpactRow[] {
  const rows = new Map<string, ImpactRow>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, tests: 0, wins: 0, losses: 0, inconclusive: 0, invalid: 0, win_rate: null, monthly_uplift_yen: 0, expected_monthly_uplift_yen: 0, cumulative_uplift_yen: 0, fees_yen: 0, roi: null }));
    return r;
  };
  const keyOf = (x: { engagement_id: number; client_id: number; month: string; test_id?: number }) =>
    groupBy === 'test' ? `test-${x.test_id}` : groupBy === 'engagement' ? `engagement-${x.engagement_id}` : groupBy === 'client' ? `client-${x.client_id}` : groupBy === 'month' ? x.month : 'platform';
  for (const t of tests) {
    if (t.month > asOf) continue;
    const r = row(keyOf(t));
    r.tests++;
    if (t.outcome === 'winner') r.wins++;
    else if (t.outcome === 'loser') r.losses++;
    // blocked by a guardrail: no win and no loss on the goal (CS decides what follows)
    else if (t.outcome === 'inconclusive' || t.outcome === 'blocked_by_guardrail') r.inconclusive++;
    else r.invalid++;
    if (t.outcome !== 'winner') continue;
    if (groupBy === 'month') {
      // Per contract month: the uplift in force that month, from every earlier winner.
      for (let m = addMonths(t.month, 1); m <= asOf; m = addMonths(m, 1)) {
        const inForce = row(m);
        inForce.monthly_uplift_yen += t.monthly_uplift_yen;
        inForce.expected_monthly_uplift_yen += t.expected_monthly_uplift_yen ?? 0;
      }
    } else {
      r.monthly_uplift_yen += t.monthly_uplift_yen;
      r.expected_monthly_uplift_yen += t.expected_monthly_uplift_yen ?? 0;
      r.cumulative_uplift_yen += t.monthly_uplift_yen * monthsLive(t.month, asOf);
    }
  }
  if (groupBy !== 'test') {
    for (const f of fees) {
      if (f.month > asOf) continue;
      row(keyOf(f)).fees_yen += f.fee_yen;
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let running = 0;
  let feesToDate = 0;
  for (const r of sorted) {
    if (groupBy === 'month') r.cumulative_uplift_yen = running += r.monthly_uplift_yen;
    // A month's ROI is the engagement's to date: its uplift so far against its fees so far.
    const fees = groupBy === 'month' ? (feesToDate += r.fees_yen) : r.fees_yen;
    const decided = r.wins + r.losses + r.inconclusive;
    r.win_rate = decided ? r.wins / decided : null;
    r.roi = fees > 0 ? Math.round((r.cumulative_uplift_yen / fees) * 1000) / 1000 : null;
  }
  return sorted;
}
