// Sequential (always-valid) test: asymptotic confidence sequences, Waudby-Smith et al. (2023),
// as used by GrowthBook gbstats. N is the pairwise total nA + nB; s² = Var(Δ̂)·N.
import type { ArmStats, EffectMoments } from './effects.ts';
import { frequentistDefault } from './frequentist.ts';
import type { Side, VariantResult } from './types.ts';

/** ρ = √((−2 ln a + ln(−2 ln a + 1)) / N*), with a = α (two-sided) or 2α (one-sided). */
export function sequentialRho(alpha: number, tuning: number, twoSided = true): number {
  const a = twoSided ? alpha : 2 * alpha;
  const l = -2 * Math.log(a);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** Two-sided half-width: √s²·√(2(Nρ²+1)/(N²ρ²)·ln(√(Nρ²+1)/α)). */
export function sequentialHalfwidth(s2: number, n: number, alpha: number, rho: number): number {
  const nr2 = n * rho * rho;
  return Math.sqrt(s2) * Math.sqrt(((2 * (nr2 + 1)) / (nr2 * n)) * Math.log(Math.sqrt(nr2 + 1) / alpha));
}

/** One-sided half-width: √(s²·2(Nρ²+1)/(N²ρ²)·ln(1 + √(Nρ²+1)/(2α))). */
export function sequentialHalfwidthOneSided(s2: number, n: number, alpha: number, rho: number): number {
  const nr2 = n * rho * rho;
  return Math.sqrt(s2 * ((2 * (nr2 + 1)) / (nr2 * n)) * Math.log(1 + Math.sqrt(nr2 + 1) / (2 * alpha)));
}

/** Two-sided always-valid p = min(1, 1/E), E = exp(ρ²N t²/(2(Nρ²+1)))/√(Nρ²+1), t = Δ/√Var. */
export function sequentialPValue(estimate: number, variance: number, n: number, rho: number): number {
  const nr2p1 = n * rho * rho + 1;
  const t2 = (estimate * estimate) / variance;
  const logE = (rho * rho * n * t2) / (2 * nr2p1) - 0.5 * Math.log(nr2p1);
  if (logE <= 0) return 1;
  return Math.exp(-logE);
}

const ONE_SIDED_MIN_ALPHA = 1e-5;
const ONE_SIDED_MAX_ALPHA = 0.4999;
const ONE_SIDED_TOL = 1e-6;
const ONE_SIDED_MAX_ITERS = 100;

/**
 * One-sided sequential p-value: the α at which the one-sided confidence bound touches 0, with ρ
 * held at its value for the test's α (computed with 2α). Found exactly the way gbstats does it —
 * bisection on α in [1e-5, 0.4999], stopping when the bound is within 1e-6 of 0 (at most 100
 * steps) and returning the midpoint of the remaining bracket — so results agree with it to the
 * last digit; the result is clipped to [1e-5, 0.4999]. If bisection does not converge (bound too
 * flat in α), the exact root α* = c/(2(e^L − 1)) with c = √(Nρ²+1), L = Δ²/(s²·2(Nρ²+1)/(N²ρ²))
 * is returned instead (clipped the same way).
 */
export function sequentialOneSidedPValue(
  estimate: number,
  s2: number,
  n: number,
  rho: number,
  greater: boolean,
): number {
  const bound = (a: number): number => {
    const hw = sequentialHalfwidthOneSided(s2, n, a, rho);
    return greater ? estimate - hw : estimate + hw;
  };
  let minAlpha = ONE_SIDED_MIN_ALPHA;
  let maxAlpha = ONE_SIDED_MAX_ALPHA;
  // Wider CI at the smallest α: already excludes 0 => p = 1e-5.
  const small = bound(minAlpha);
  if (greater ? small > 0 : small < 0) return minAlpha;
  const big = bound(maxAlpha);
  if (greater ? big < 0 : big > 0) return maxAlpha;
  let alpha = 0.5 * (minAlpha + maxAlpha);
  let diff = 0;
  let iters = 0;
  for (let i = 0; i < ONE_SIDED_MAX_ITERS; i++) {
    iters = i;
    diff = bound(alpha);
    if (greater ? diff < 0 : diff > 0) minAlpha = alpha;
    else maxAlpha = alpha;
    alpha = 0.5 * (minAlpha + maxAlpha);
    if (Math.abs(diff) < ONE_SIDED_TOL) break;
  }
  if (Math.abs(diff) < ONE_SIDED_TOL && iters !== ONE_SIDED_MAX_ITERS) return alpha;
  // exact root of bound(α) = 0
  const nr2 = n * rho * rho;
  const c = Math.sqrt(nr2 + 1);
  const L = (estimate * estimate) / (s2 * ((2 * (nr2 + 1)) / (nr2 * n)));
  const root = c / (2 * Math.expm1(L));
  return Math.min(ONE_SIDED_MAX_ALPHA, Math.max(ONE_SIDED_MIN_ALPHA, root));
}

export function sequentialTest(
  arm: string,
  a: ArmStats,
  b: ArmStats,
  m: EffectMoments,
  alpha: number,
  side: Side,
  tuning: number,
): VariantResult {
  if (m.error !== null) return frequentistDefault(arm, m.error);
  const n = a.n + b.n;
  const s2 = m.variance * n;
  if (side === 'two-sided') {
    const rho = sequentialRho(alpha, tuning, true);
    const hw = sequentialHalfwidth(s2, n, alpha, rho);
    return {
      arm,
      expected: m.estimate,
      ci: [m.estimate - hw, m.estimate + hw],
      uplift_stddev: m.se,
      p_value: sequentialPValue(m.estimate, m.variance, n, rho),
    };
  }
  if (!(alpha < 0.5)) {
    return frequentistDefault(arm, 'alpha must be below 0.5 for a one-sided sequential test');
  }
  const rho = sequentialRho(alpha, tuning, false);
  const hw = sequentialHalfwidthOneSided(s2, n, alpha, rho);
  const greater = side === 'greater';
  return {
    arm,
    expected: m.estimate,
    ci: greater ? [m.estimate - hw, null] : [null, m.estimate + hw],
    uplift_stddev: m.se,
    p_value: sequentialOneSidedPValue(m.estimate, s2, n, rho, greater),
  };
}
