// Per-arm statistics of the metric kinds, as gbstats 0.8 defines them (gbstats/models/statistics.py):
// ProportionStatistic, SampleMeanStatistic, RatioStatistic (delta method) and
// RegressionAdjustedStatistic with compute_theta (CUPED).
import type { ArmStats } from './effects.ts';
import { binomialStats, meanStats } from './effects.ts';
import type { MetricArmInput, MetricKind } from './types.ts';

/** Sample covariance from sums: (Σxy − Σx·Σy/n)/(n − 1); 0 for n ≤ 1 (gbstats compute_covariance). */
export function covariance(n: number, sumX: number, sumY: number, sumXY: number): number {
  return n <= 1 ? 0 : (sumXY - (sumX * sumY) / n) / (n - 1);
}

/**
 * Ratio metric R = Σnum/Σden (e.g. revenue/orders) with the delta-method variance per unit:
 * s² = s²_M/μ_D² − 2·cov(M,D)·μ_M/μ_D³ + μ_M²·s²_D/μ_D⁴ (μ, s² the per-unit means and sample
 * variances). Σden = 0 gives mean 0; μ_D = 0 or n ≤ 1 gives variance 0 (no usable data), as gbstats.
 */
export function ratioStats(a: MetricArmInput): ArmStats {
  const n = a.n;
  const num = meanStats(n, a.num_sum ?? 0, a.num_sum_squares ?? 0);
  const den = meanStats(n, a.den_sum ?? 0, a.den_sum_squares ?? 0);
  const mean = (a.den_sum ?? 0) === 0 ? 0 : (a.num_sum ?? 0) / a.den_sum!;
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  if (den.mean === 0 || n <= 1) return { n, mean, variance: 0 };
  const cov = covariance(n, a.num_sum ?? 0, a.den_sum ?? 0, a.cross_sum ?? 0);
  const d = den.mean;
  const variance =
    num.variance / (d * d) - (2 * cov * num.mean) / (d * d * d) + (num.mean * num.mean * den.variance) / (d * d * d * d);
  return { n, mean, variance };
}

/** The unadjusted per-arm statistic of a metric. */
export function metricArmStats(kind: MetricKind, a: MetricArmInput): ArmStats {
  if (kind === 'binomial') return binomialStats(a.n, a.conversions ?? 0);
  if (kind === 'mean') return meanStats(a.n, a.sum ?? 0, a.sum_squares ?? 0);
  return ratioStats(a);
}

/** Σy of the metric over the arm's units (binomial: conversions). */
function postSum(kind: 'binomial' | 'mean', a: MetricArmInput): number {
  return kind === 'binomial' ? (a.conversions ?? 0) : (a.sum ?? 0);
}

/** Per-unit variance of the metric over the pooled units of two arms (binomial: p(1−p)). */
function pooledPostVariance(kind: 'binomial' | 'mean', a: MetricArmInput, b: MetricArmInput): number {
  const n = a.n + b.n;
  return kind === 'binomial'
    ? binomialStats(n, (a.conversions ?? 0) + (b.conversions ?? 0)).variance
    : meanStats(n, (a.sum ?? 0) + (b.sum ?? 0), (a.sum_squares ?? 0) + (b.sum_squares ?? 0)).variance;
}

/**
 * CUPED θ for one comparison = cov(Y, X)/var(X) over the control's and the treatment's units pooled
 * (gbstats compute_theta: pairwise, not over all arms); 0 when either pooled variance is 0, which
 * turns the adjustment off for that comparison.
 */
export function cupedTheta(kind: 'binomial' | 'mean', a: MetricArmInput, b: MetricArmInput): number {
  const n = a.n + b.n;
  const preVar = meanStats(n, (a.pre_sum ?? 0) + (b.pre_sum ?? 0), (a.pre_sum_squares ?? 0) + (b.pre_sum_squares ?? 0)).variance;
  if (preVar === 0 || pooledPostVariance(kind, a, b) === 0) return 0;
  const cov = covariance(n, postSum(kind, a) + postSum(kind, b), (a.pre_sum ?? 0) + (b.pre_sum ?? 0), (a.pre_cross_sum ?? 0) + (b.pre_cross_sum ?? 0));
  return cov / preVar;
}

/**
 * Regression-adjusted arm (gbstats RegressionAdjustedStatistic): mean = ȳ − θ·x̄,
 * variance = s²_y + θ²·s²_x − 2θ·cov(y, x) (0 for n ≤ 1); `baseline` keeps ȳ for relative effects.
 */
export function cupedArmStats(kind: 'binomial' | 'mean', a: MetricArmInput, theta: number): ArmStats {
  const post = metricArmStats(kind, a);
  const pre = meanStats(a.n, a.pre_sum ?? 0, a.pre_sum_squares ?? 0);
  if (post.n <= 0) return post;
  const mean = post.mean - theta * pre.mean;
  const variance =
    a.n <= 1
      ? 0
      : post.variance + theta * theta * pre.variance - 2 * theta * covariance(a.n, postSum(kind, a), a.pre_sum ?? 0, a.pre_cross_sum ?? 0);
  return { n: a.n, mean, variance, baseline: post.mean };
}
