// Verdict of a test over several metrics (issue 25): the goal metrics (primary + secondary) are
// corrected across variants × goals (Holm by default), guardrails can block a win, CUPED where a
// covariate exists. Formulas and references: docs/statistics.md.
import { adjustPValues } from './adjust.ts';
import { BAYES_WIN_PROBABILITY, fmt, variantSignal } from './decision.ts';
import type { ArmStats } from './effects.ts';
import { effectMoments } from './effects.ts';
import { cupedArmStats, cupedTheta, metricArmStats } from './metrics.ts';
import { SRM_THRESHOLD, srmTest } from './srm.ts';
import type {
  CorrectionMethod,
  CupedOffReason,
  CupedRequest,
  CupedResult,
  MetricInput,
  MetricResult,
  MetricVariantResult,
  SegmentSrmRequest,
  SegmentSrmResult,
  Side,
  TestDecision,
  TestVerdictRequest,
  TestVerdictResult,
  VariantResult,
} from './types.ts';
import type { CompareOptions } from './verdict.ts';
import { compareArms, compareOptions } from './verdict.ts';

/** CUPED is off for a metric when fewer than this share of its units had a pre-period. */
export const DEFAULT_CUPED_MIN_SHARE = 0.1;
export const DEFAULT_CORRECTION: CorrectionMethod = 'holm';

interface CupedPlan {
  applied: boolean;
  pre_share: number;
  off_reason?: CupedOffReason;
}

function cupedPlan(m: Pick<MetricInput, 'kind' | 'arms'>, enabled: boolean, minShare: number): CupedPlan {
  const withCovariate = m.arms.every((a) => a.pre_sum !== undefined && a.pre_sum_squares !== undefined && a.pre_cross_sum !== undefined);
  let n = 0;
  let pre = 0;
  for (const a of m.arms) {
    n += a.n;
    pre += withCovariate ? (a.pre_n ?? 0) : 0;
  }
  const share = n > 0 ? pre / n : 0;
  if (m.kind === 'ratio') return { applied: false, pre_share: share, off_reason: 'ratio_metric' };
  if (!withCovariate) return { applied: false, pre_share: 0, off_reason: 'no_covariate' };
  if (!enabled) return { applied: false, pre_share: share, off_reason: 'disabled' };
  if (!(share >= minShare)) return { applied: false, pre_share: share, off_reason: 'below_min_share' };
  return { applied: true, pre_share: share };
}

/** Every treatment of one metric against the control, with CUPED when planned. */
function compareMetric(m: Pick<MetricInput, 'kind' | 'arms'>, o: CompareOptions, plan: CupedPlan): { variants: MetricVariantResult[]; stats: [ArmStats, ArmStats][] } {
  const c = m.arms[0]!;
  const a = metricArmStats(m.kind, c);
  const variants: MetricVariantResult[] = [];
  const stats: [ArmStats, ArmStats][] = [];
  for (let i = 1; i < m.arms.length; i++) {
    const t = m.arms[i]!;
    const b = metricArmStats(m.kind, t);
    if (plan.applied && m.kind !== 'ratio') {
      const theta = cupedTheta(m.kind, c, t);
      // θ = 0 (no variance in a period): unadjusted, as gbstats reverts to the post statistic
      const aa = theta === 0 ? a : cupedArmStats(m.kind, c, theta);
      const bb = theta === 0 ? b : cupedArmStats(m.kind, t, theta);
      const raw = effectMoments(a, b, o.difference);
      const adj = effectMoments(aa, bb, o.difference);
      const reduction = raw.error === null && adj.error === null ? 1 - adj.variance / raw.variance : 0;
      variants.push({ ...compareArms(o, t.arm, aa, bb), cuped: { theta, variance_reduction: reduction } });
      stats.push([aa, bb]);
    } else {
      variants.push(compareArms(o, t.arm, a, b));
      stats.push([a, b]);
    }
  }
  return { variants, stats };
}

/** The chance that the sign of a Bayesian effect is wrong: what the correction adjusts for that engine. */
function errorProbability(v: VariantResult): number {
  const ctw = v.chance_to_win!;
  return Math.min(ctw, 1 - ctw);
}

function correct(p: number[], method: CorrectionMethod): number[] {
  return method === 'none' ? p : adjustPValues(p, method);
}

const CORRECTION_NAME: Record<CorrectionMethod, string> = {
  holm: 'Holm',
  'benjamini-hochberg': 'Benjamini-Hochberg',
  none: 'no',
};

function correctionText(method: CorrectionMethod, comparisons: number): string {
  const plural = comparisons === 1 ? 'comparison' : 'comparisons';
  return method === 'none'
    ? `uncorrected, ${comparisons} ${plural}`
    : `${CORRECTION_NAME[method]}-corrected over ${comparisons} ${plural}`;
}

export function computeTestVerdict(req: TestVerdictRequest): TestVerdictResult {
  const base = compareOptions(req);
  const bayes = req.engine === 'bayesian';
  const method = req.correction ?? DEFAULT_CORRECTION;
  const cupedEnabled = req.cuped?.enabled !== false;
  const minShare = req.cuped?.min_share ?? DEFAULT_CUPED_MIN_SHARE;
  const primary = req.metrics.find((m) => m.role === 'primary') ?? req.metrics[0]!;
  const armCount = primary.arms.length;
  const goalCount = req.metrics.filter((m) => m.role !== 'guardrail').length;
  const comparisons = Math.max(0, armCount - 1) * goalCount;
  const correction = { method, comparisons };

  const metrics: MetricResult[] = req.metrics.map((m) => {
    const inverse = m.inverse ?? false;
    const guardrail = m.role === 'guardrail';
    const alpha = guardrail ? (m.alpha ?? base.alpha) : base.alpha;
    // a guardrail is tested one-sided in its bad direction
    const side: Side = guardrail ? (inverse ? 'greater' : 'lesser') : base.side;
    const o: CompareOptions = { ...base, alpha, side, inverse };
    const plan = cupedPlan(m, cupedEnabled, minShare);
    const { variants, stats } = compareMetric(m, o, plan);
    if (guardrail) {
      for (const v of variants) {
        v.worse = v.error === undefined && variantSignal(v, bayes, alpha, side, inverse, undefined, v, alpha) === 'lose';
      }
    } else if (comparisons > 1 && method !== 'none') {
      // the interval at α/comparisons (Bonferroni): simultaneous, and still always-valid for the sequential engine
      const oa: CompareOptions = { ...o, alpha: alpha / comparisons };
      variants.forEach((v, i) => {
        v.ci_adjusted = compareArms(oa, v.arm, stats[i]![0], stats[i]![1]).ci;
      });
    } else {
      for (const v of variants) v.ci_adjusted = v.ci;
    }
    return {
      id: m.id,
      kind: m.kind,
      role: m.role,
      inverse,
      alpha,
      side,
      arms: m.arms.map((a) => ({ arm: a.arm, n: a.n, mean: metricArmStats(m.kind, a).mean })),
      cuped: plan,
      variants,
    };
  });

  // correction across variants × goal metrics
  const goalVariants = metrics.filter((m) => m.role !== 'guardrail').flatMap((m) => m.variants);
  const raw = goalVariants.map((v) => (bayes ? errorProbability(v) : v.p_value!));
  const adjusted = correct(raw, method);
  goalVariants.forEach((v, i) => {
    // a corrected error probability past 0.5 says nothing about the sign: the adjusted chance stops at 0.5
    const e = Math.min(0.5, adjusted[i]!);
    if (bayes) v.chance_to_win_adjusted = v.chance_to_win! >= 0.5 ? 1 - e : e;
    else v.p_value_adjusted = adjusted[i]!;
  });

  const primaryResult = metrics[req.metrics.indexOf(primary)]!;
  let srmP: number | undefined;
  if (req.weights !== undefined) srmP = srmTest(primary.arms.map((a) => a.n), req.weights).p_value;
  const decision = decideTest(req, primaryResult, metrics, srmP, correction);
  const out: TestVerdictResult = { variants: primaryResult.variants, metrics, correction, decision };
  if (srmP !== undefined) out.srm_p_value = srmP;
  if (req.decision_population !== undefined) out.decision_population = req.decision_population;
  return out;
}

/**
 * invalid: SRM, one arm, or a primary comparison without usable data.
 * winner: a treatment significantly better on the primary metric by its corrected p-value (Bayesian:
 *   corrected chance to win ≥ 0.95 and risk below the threshold) and no guardrail significantly worse;
 *   the best such one. blocked_by_guardrail: winners exist but each breaches a guardrail (the best one
 *   is named with its first breached guardrail). loser: no winner, some treatment significantly worse.
 */
function decideTest(
  req: TestVerdictRequest,
  primary: MetricResult,
  metrics: MetricResult[],
  srmP: number | undefined,
  correction: { method: CorrectionMethod; comparisons: number },
): TestDecision {
  const common = { metric: primary.id, correction };
  const corrected = correctionText(correction.method, correction.comparisons);
  if (srmP !== undefined && srmP < SRM_THRESHOLD) {
    return {
      outcome: 'invalid',
      code: 'srm',
      reason: `sample ratio mismatch: SRM p-value ${fmt(srmP)} < ${SRM_THRESHOLD}; the split does not match the planned weights`,
      evidence: { expected: 0, alpha: primary.alpha, srm_p_value: srmP },
      ...common,
    };
  }
  if (primary.arms.length < 2) {
    return { outcome: 'invalid', code: 'one_arm', reason: 'only one arm: there is no treatment to compare with the control', ...common };
  }
  const broken = primary.variants.find((v) => v.error !== undefined);
  if (broken) {
    return { outcome: 'invalid', code: 'no_data', arm: broken.arm, reason: `no usable data for arm "${broken.arm}": ${broken.error}`, ...common };
  }
  const bayes = req.engine === 'bayesian';
  const { alpha, side, inverse } = primary;
  const guardrails = metrics.filter((m) => m.role === 'guardrail');
  const breach = (arm: string) => {
    for (const g of guardrails) {
      const v = g.variants.find((x) => x.arm === arm);
      if (v?.worse) return { g, v };
    }
    return undefined;
  };
  let winner: MetricVariantResult | undefined;
  let blocked: MetricVariantResult | undefined;
  let loser: MetricVariantResult | undefined;
  const score = (v: VariantResult) => (inverse ? -v.expected : v.expected); // larger = better
  for (const v of primary.variants) {
    const s = variantSignal(v, bayes, alpha, side, inverse, req.risk_threshold, {
      p_value: v.p_value_adjusted,
      chance_to_win: v.chance_to_win_adjusted,
    });
    if (s === 'win') {
      if (breach(v.arm)) {
        if (!blocked || score(v) > score(blocked)) blocked = v;
      } else if (!winner || score(v) > score(winner)) winner = v;
    } else if (s === 'lose' && (!loser || score(v) < score(loser))) loser = v;
  }
  const evidence = (v: MetricVariantResult): NonNullable<TestDecision['evidence']> => {
    const e: NonNullable<TestDecision['evidence']> = { expected: v.expected, alpha };
    if (v.p_value !== undefined) e.p_value = v.p_value;
    if (v.p_value_adjusted !== undefined) e.p_value_adjusted = v.p_value_adjusted;
    if (v.chance_to_win !== undefined) e.chance_to_win = v.chance_to_win;
    if (v.chance_to_win_adjusted !== undefined) e.chance_to_win_adjusted = v.chance_to_win_adjusted;
    if (v.risk !== undefined) e.risk = v.risk[1];
    return e;
  };
  const why = (v: MetricVariantResult, win: boolean): string =>
    bayes
      ? `chance to win ${fmt(v.chance_to_win_adjusted!)} ${win ? '>=' : '<='} ${fmt(win ? BAYES_WIN_PROBABILITY : 1 - BAYES_WIN_PROBABILITY)} (${corrected}; uncorrected ${fmt(v.chance_to_win!)})` +
        (win && req.risk_threshold !== undefined ? ` and risk ${fmt(v.risk![1])} < ${fmt(req.risk_threshold)}` : '')
      : `p-value ${fmt(v.p_value_adjusted!)} < alpha ${fmt(alpha)} (${corrected}; uncorrected ${fmt(v.p_value!)})`;
  const direction = inverse ? 'lower is better' : 'higher is better';
  if (winner) {
    return {
      outcome: 'winner',
      code: 'winner',
      arm: winner.arm,
      reason: `"${winner.arm}" beats the control on "${primary.id}" (${direction}): effect ${fmt(winner.expected)}, ${why(winner, true)}`,
      evidence: evidence(winner),
      ...common,
    };
  }
  if (blocked) {
    const { g, v } = breach(blocked.arm)!;
    const guardrail: NonNullable<TestDecision['guardrail']> = { id: g.id, expected: v.expected, alpha: g.alpha };
    if (v.p_value !== undefined) guardrail.p_value = v.p_value;
    if (v.chance_to_win !== undefined) guardrail.chance_to_win = v.chance_to_win;
    const gEvidence = v.p_value !== undefined ? `one-sided p-value ${fmt(v.p_value)} < ${fmt(g.alpha)}` : `chance to win ${fmt(v.chance_to_win!)} <= ${fmt(g.alpha)}`;
    return {
      outcome: 'blocked_by_guardrail',
      code: 'blocked_by_guardrail',
      arm: blocked.arm,
      reason: `"${blocked.arm}" beats the control on "${primary.id}" (${why(blocked, true)}) but is significantly worse on guardrail "${g.id}": effect ${fmt(v.expected)}, ${gEvidence}; no win, CS decides`,
      evidence: evidence(blocked),
      guardrail,
      ...common,
    };
  }
  if (loser) {
    return {
      outcome: 'loser',
      code: 'loser',
      arm: loser.arm,
      reason: `"${loser.arm}" is significantly worse than the control on "${primary.id}" (${direction}): effect ${fmt(loser.expected)}, ${why(loser, false)}`,
      evidence: evidence(loser),
      ...common,
    };
  }
  return {
    outcome: 'inconclusive',
    code: 'inconclusive',
    reason: bayes
      ? `no treatment reaches the winning probability (and risk) bar on "${primary.id}" nor is clearly worse (${corrected}); keep running until the planned sample or maximum duration`
      : `no treatment differs significantly from the control on "${primary.id}" at alpha ${fmt(alpha)} (${corrected}); keep running until the planned sample or maximum duration`,
    ...common,
  };
}

export function computeSegmentSrm(req: SegmentSrmRequest): SegmentSrmResult {
  return {
    threshold: SRM_THRESHOLD,
    comparisons: req.segments.length,
    segments: req.segments.map((s) => {
      const r = srmTest(s.users, req.weights);
      return { dimension: s.dimension, value: s.value, ...r, srm: r.p_value < SRM_THRESHOLD };
    }),
  };
}

export function computeCuped(req: CupedRequest): CupedResult {
  const o = compareOptions({ engine: req.engine ?? 'frequentist', alpha: req.alpha, difference: req.difference, inverse: req.inverse });
  const m = { kind: req.kind, arms: req.arms };
  const plan = cupedPlan(m, true, req.min_share ?? DEFAULT_CUPED_MIN_SHARE);
  const { variants } = compareMetric(m, o, plan);
  const unadjusted = compareMetric(m, o, { applied: false, pre_share: plan.pre_share }).variants;
  return { ...plan, variants, unadjusted };
}
