// Bayesian test with the Gaussian effect model (gbstats >= 0.8): Δ̂ ~ N(Δ, Var) on the chosen
// scale, prior Δ ~ N(μ₀, σ₀²) stated on the relative scale (flat unless proper).
import { normalCdf, normalPdf, normalQuantile } from './distributions.ts';
import type { ArmStats, EffectMoments } from './effects.ts';
import type { DifferenceType, VariantResult } from './types.ts';

export const DEFAULT_PRIOR_MEAN = 0;
export const DEFAULT_PRIOR_STDDEV = 0.3;

export interface PriorSpec {
  proper: boolean;
  mean: number;
  stddev: number;
}

/** chance_to_win 0.5, expected 0, ci [0, 0], risk [0, 0] plus the reason. */
export function bayesianDefault(arm: string, error: string): VariantResult {
  return { arm, expected: 0, ci: [0, 0], uplift_stddev: 0, chance_to_win: 0.5, risk: [0, 0], error };
}

/**
 * Posterior precision 1/Var + 1/σ₀² (flat prior: 1/Var), mean (Δ̂/Var + μ₀/σ₀²)/precision.
 * Absolute effects scale the relative prior: mean·|mA|, variance·mA².
 * chance_to_win = P(Δ > 0) (inverse: 1 − that); CI = posterior quantiles α/2, 1 − α/2;
 * risk = [E max(Δ,0), E max(−Δ,0)] = [μΦ(μ/σ) + σφ(μ/σ), −μΦ(−μ/σ) + σφ(μ/σ)], swapped if inverse
 * (index 0: risk of keeping the control, index 1: risk of shipping the treatment).
 */
export function bayesianTest(
  arm: string,
  a: ArmStats,
  m: EffectMoments,
  alpha: number,
  difference: DifferenceType,
  prior: PriorSpec,
  inverse: boolean,
): VariantResult {
  if (m.error !== null) return bayesianDefault(arm, m.error);
  let mu = m.estimate;
  let precision = 1 / m.variance;
  if (prior.proper) {
    let pMean = prior.mean;
    let pVar = prior.stddev * prior.stddev;
    if (difference === 'absolute') {
      const base = a.baseline ?? a.mean; // CUPED: the unadjusted control mean, as gbstats
      pMean *= Math.abs(base);
      pVar *= base * base;
    }
    if (!(pVar > 0)) {
      return bayesianDefault(arm, 'control mean is zero: the relative prior cannot be scaled to an absolute effect');
    }
    precision += 1 / pVar;
    mu = (m.estimate / m.variance + pMean / pVar) / precision;
  }
  const sd = Math.sqrt(1 / precision);
  const z = mu / sd;
  const pPos = normalCdf(z);
  const dens = normalPdf(z);
  const riskCtrl = Math.max(0, mu * pPos + sd * dens);
  const riskTrt = Math.max(0, -mu * normalCdf(-z) + sd * dens);
  const q = normalQuantile(1 - alpha / 2) * sd;
  return {
    arm,
    expected: mu,
    ci: [mu - q, mu + q],
    uplift_stddev: sd,
    chance_to_win: inverse ? 1 - pPos : pPos,
    risk: inverse ? [riskTrt, riskCtrl] : [riskCtrl, riskTrt],
  };
}
