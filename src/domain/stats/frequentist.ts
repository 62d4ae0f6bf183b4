// Fixed-horizon frequentist test: Welch t for both metric types.
import { studentTCdf, studentTQuantile, studentTSf } from './distributions.ts';
import type { ArmStats, EffectMoments } from './effects.ts';
import { welchDf } from './effects.ts';
import type { Side, VariantResult } from './types.ts';

/** Uninformative output for degenerate input (same shape as gbstats: p = 1, CI [0, 0]). */
export function frequentistDefault(arm: string, error: string): VariantResult {
  return { arm, expected: 0, ci: [0, 0], uplift_stddev: 0, p_value: 1, error };
}

/**
 * t = Δ/√Var, df Welch.
 * two-sided: p = 2(1 − T(|t|)), CI = Δ ± t_{1−α/2}·√Var.
 * greater:   p = 1 − T(t),      CI = [Δ − t_{1−α}·√Var, +∞).
 * lesser:    p = T(t),          CI = (−∞, Δ + t_{1−α}·√Var].
 * Upper tails are evaluated directly (not as 1 − CDF) so small p-values keep their precision.
 */
export function frequentistTest(
  arm: string,
  a: ArmStats,
  b: ArmStats,
  m: EffectMoments,
  alpha: number,
  side: Side,
): VariantResult {
  if (m.error !== null) return frequentistDefault(arm, m.error);
  const df = welchDf(a, b);
  const t = m.estimate / m.se;
  if (side === 'two-sided') {
    const p = Math.min(1, 2 * studentTSf(Math.abs(t), df));
    const w = studentTQuantile(1 - alpha / 2, df) * m.se;
    return { arm, expected: m.estimate, ci: [m.estimate - w, m.estimate + w], uplift_stddev: m.se, p_value: p };
  }
  const w = studentTQuantile(1 - alpha, df) * m.se;
  if (side === 'greater') {
    return { arm, expected: m.estimate, ci: [m.estimate - w, null], uplift_stddev: m.se, p_value: studentTSf(t, df) };
  }
  return { arm, expected: m.estimate, ci: [null, m.estimate + w], uplift_stddev: m.se, p_value: studentTCdf(t, df) };
}
