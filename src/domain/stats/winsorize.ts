// Winsorisation: one huge order must not decide a test. The cap is a percentile of the per-unit
// values pooled over all arms (GrowthBook's "capping: percentile"), each unit's value is then
// min(value, cap) before it enters the sums.

/**
 * The p-quantile (0 ≤ p ≤ 1) of `values` with linear interpolation between order statistics
 * (numpy's default, PostgreSQL's percentile_cont): h = (n − 1)·p, x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋).
 * Empty input: null (no cap).
 */
export function percentileCap(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const xs = [...values].sort((x, y) => x - y);
  const h = (xs.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(xs.length - 1, lo + 1);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

/** A unit's value capped from above (null cap: unchanged). */
export function winsorize(value: number, cap: number | null): number {
  return cap === null ? value : Math.min(value, cap);
}
