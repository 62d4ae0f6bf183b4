// Sufficient statistics per arm and the effect (difference) moments between two arms.
import type { DifferenceType, MetricType } from './types.ts';

export interface ArmStats {
  n: number;
  mean: number;
  /** per-unit variance: p(1-p) for binomials (no n/(n-1)), unbiased sample variance for means */
  variance: number;
  /**
   * CUPED: the unadjusted mean (gbstats' `unadjusted_mean`), which scales a relative effect and its
   * variance while `mean` is the adjusted one. Absent: `mean`.
   */
  baseline?: number;
}

export function binomialStats(n: number, conversions: number): ArmStats {
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const p = conversions / n;
  return { n, mean: p, variance: p * (1 - p) };
}

export function meanStats(n: number, sum: number, sumSquares: number): ArmStats {
  if (n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  const variance = n <= 1 ? 0 : (sumSquares - (sum * sum) / n) / (n - 1);
  return { n, mean, variance };
}

export function armStats(
  metric: MetricType,
  n: number,
  conversions: number | undefined,
  sum: number | undefined,
  sumSquares: number | undefined,
): ArmStats {
  return metric === 'binomial'
    ? binomialStats(n, conversions ?? 0)
    : meanStats(n, sum ?? 0, sumSquares ?? 0);
}

export const NO_UNITS_MESSAGE = 'no units in the control or the variant: nothing to compare';
export const ZERO_VARIANCE_MESSAGE =
  'zero or negative variance in the control or the variant: the effect cannot be estimated';
export const BASELINE_ZERO_MESSAGE =
  'control mean is zero: a relative effect is undefined (use difference "absolute")';
export const NOT_FINITE_MESSAGE = 'the effect could not be computed with finite numbers';

/** Effect moments of B against A, or an error message for degenerate input. */
export interface EffectMoments {
  error: string | null;
  /** Δ on the chosen scale */
  estimate: number;
  /** Var(Δ̂) */
  variance: number;
  /** √Var */
  se: number;
}

/**
 * absolute: Δ = mB − mA, Var = s²A/nA + s²B/nB.
 * relative: Δ = (mB − mA)/|mA|, Var = s²B/(nB·mA²) + s²A·mB²/(nA·mA⁴) (delta method); with CUPED
 *           the denominators' means are the unadjusted ones (`baseline`), as in gbstats.
 * Degenerate: n = 0 in either arm, variance <= 0 in either arm, mA = 0 on the relative scale.
 */
export function effectMoments(a: ArmStats, b: ArmStats, difference: DifferenceType): EffectMoments {
  if (a.n <= 0 || b.n <= 0) return failed(NO_UNITS_MESSAGE);
  if (!(a.variance > 0) || !(b.variance > 0)) return failed(ZERO_VARIANCE_MESSAGE);
  let estimate: number;
  let variance: number;
  if (difference === 'relative') {
    const baseA = a.baseline ?? a.mean;
    const baseB = b.baseline ?? b.mean;
    if (baseA === 0) return failed(BASELINE_ZERO_MESSAGE);
    const mA2 = baseA * baseA;
    estimate = (b.mean - a.mean) / Math.abs(baseA);
    variance = b.variance / (b.n * mA2) + (a.variance * baseB * baseB) / (a.n * mA2 * mA2);
  } else {
    estimate = b.mean - a.mean;
    variance = a.variance / a.n + b.variance / b.n;
  }
  if (!(variance > 0) || !Number.isFinite(variance) || !Number.isFinite(estimate)) {
    return failed(variance === 0 ? ZERO_VARIANCE_MESSAGE : NOT_FINITE_MESSAGE);
  }
  return { error: null, estimate, variance, se: Math.sqrt(variance) };
}

function failed(error: string): EffectMoments {
  return { error, estimate: 0, variance: 0, se: 0 };
}

/**
 * Welch–Satterthwaite degrees of freedom from the per-unit arm variances (not the lift variance):
 * (s²A/nA + s²B/nB)² / (s²A²/(nA²(nA−1)) + s²B²/(nB²(nB−1))).
 */
export function welchDf(a: ArmStats, b: ArmStats): number {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const num = (va + vb) * (va + vb);
  const den = (va * va) / (a.n - 1) + (vb * vb) / (b.n - 1);
  return num / den;
}
