// Sample-ratio mismatch: Pearson χ² goodness of fit of observed units against the planned split.
import { chiSquareSf } from './distributions.ts';
import type { SrmResult } from './types.ts';

/** GrowthBook's DEFAULT_SRM_THRESHOLD: p below this means the split is broken. */
export const SRM_THRESHOLD = 0.001;

/**
 * Arms with weight <= 0 or a missing / non-finite count are dropped entirely.
 * e_i = w_i/Σw · Σ users (over the kept arms), χ² = Σ (o − e)²/e, df = k − 1, p = Q((k−1)/2, χ²/2).
 * Fewer than 2 kept arms or no users: p = 1 (χ² = 0).
 */
export function srmTest(users: ArrayLike<number | null | undefined>, weights: ArrayLike<number>): SrmResult {
  const len = Math.min(users.length, weights.length);
  let k = 0;
  let totalUsers = 0;
  let totalWeight = 0;
  for (let i = 0; i < len; i++) {
    const u = users[i];
    const w = weights[i]!;
    if (u === null || u === undefined || !Number.isFinite(u) || !(w > 0) || !Number.isFinite(w)) continue;
    k++;
    totalUsers += u;
    totalWeight += w;
  }
  if (k < 2 || totalUsers <= 0) return { p_value: 1, chi_square: 0, df: Math.max(0, k - 1) };
  let x = 0;
  for (let i = 0; i < len; i++) {
    const u = users[i];
    const w = weights[i]!;
    if (u === null || u === undefined || !Number.isFinite(u) || !(w > 0) || !Number.isFinite(w)) continue;
    const e = (w / totalWeight) * totalUsers;
    const d = u - e;
    x += (d * d) / e;
  }
  const df = k - 1;
  // expected counts can underflow to 0 with denormal weights: the mismatch is then total
  if (!Number.isFinite(x)) return { p_value: 0, chi_square: Number.MAX_VALUE, df };
  return { p_value: Math.min(1, Math.max(0, chiSquareSf(x, df))), chi_square: x, df };
}
