// The cycle report: per test, the outcome as it stands now (an invalidated verdict counts as invalid)
// and a conservative revenue uplift; per cycle, the winners and their sum.
import type { VerdictResult } from '../stats/index.ts';

/**
 * Revenue uplift estimate for a month: the LOWER confidence bound of the winner's relative lift (never
 * the optimistic point estimate; negative bounds count as 0) × baseline monthly conversions × value
 * per conversion. Integer yen, rounded down.
 */
export function revenueUpliftEstimate(
  liftLowerBound: number | null,
  baselineRate: number,
  dailyVisitors: number,
  valuePerConversionYen: number,
  daysPerMonth = 30,
): number {
  if (liftLowerBound === null || !(liftLowerBound > 0)) return 0;
  const monthlyConversions = baselineRate * dailyVisitors * daysPerMonth;
  return Math.floor(liftLowerBound * monthlyConversions * valuePerConversionYen);
}

export interface ReportTestInput {
  test_id: number;
  offer_id: number;
  result: VerdictResult;
  /** Set when the final verdict was invalidated later. */
  invalidated: boolean;
  /** The baseline the test had to beat (the page's rate when it was planned). */
  baseline_rate: number;
  daily_visitors: number;
  value_per_conversion_yen: number;
}

export interface ReportTest {
  test_id: number;
  offer_id: number;
  outcome: 'winner' | 'loser' | 'inconclusive' | 'invalid' | 'blocked_by_guardrail';
  winner_arm: string | null;
  lift: number | null;
  lift_ci: [number | null, number | null] | null;
  monthly_revenue_uplift_yen: number;
  invalidated: boolean;
}

export interface CycleReport {
  tests: ReportTest[];
  winners: number;
  monthly_revenue_uplift_yen: number;
  basis: string;
}

export function reportTest(t: ReportTestInput): ReportTest {
  const r = t.result;
  const outcome = t.invalidated ? 'invalid' : r.decision.outcome;
  const best = r.variants.find((v) => v.arm === r.decision.arm);
  const won = outcome === 'winner' && best !== undefined;
  return {
    test_id: t.test_id,
    offer_id: t.offer_id,
    outcome,
    winner_arm: won ? (r.decision.arm ?? null) : null,
    lift: t.invalidated ? null : (best?.expected ?? null),
    lift_ci: t.invalidated ? null : (best?.ci ?? null),
    monthly_revenue_uplift_yen: won
      ? revenueUpliftEstimate(best.ci[0], t.baseline_rate, t.daily_visitors, t.value_per_conversion_yen)
      : 0,
    invalidated: t.invalidated,
  };
}

export function cycleReport(tests: ReportTestInput[]): CycleReport {
  const perTest = tests.map(reportTest);
  return {
    tests: perTest,
    winners: perTest.filter((t) => t.outcome === 'winner').length,
    monthly_revenue_uplift_yen: perTest.reduce((s, t) => s + t.monthly_revenue_uplift_yen, 0),
    basis: 'lower confidence bound of the lift × baseline monthly conversions × value per conversion',
  };
}
