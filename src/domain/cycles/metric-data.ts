// A test's metrics as the verdict engine reads them, from the aggregates ingest keeps (metric_stats:
// per arm × segment × event slot × value bucket; see src/db/migrations/0021_test_metrics.ts). Pure.
//
// Capping: a metric's per-visitor value is capped at its cap_percentile of the visitors pooled over
// all arms (everyone, whatever segment is being read). The percentile is read from the value buckets
// (quarter octaves: bucket b ≥ 1 holds values in [2^((b-1)/4), 2^(b/4)), bucket 0 values below 1) and
// rounded up to its bucket's upper edge, so the capped sums are exact: every value in a lower bucket
// is below the cap, every value in a higher one at or above it. The cap is then at most 19% above
// the exact percentile, and it is recomputed at each check from at most a few hundred rows.
import type { MetricArmInput, MetricInput } from '../stats/index.ts';

export interface MetricConfig {
  name: string;
  role: 'primary' | 'secondary' | 'guardrail';
  kind: 'binomial' | 'mean' | 'ratio';
  event: string;
  /** mean metrics: Σ of the event's values per visitor (revenue) or of its count (items) */
  per: 'value' | 'count';
  inverse: boolean;
  alpha: number | null;
  cap_percentile: number | null;
}

/** One metric_stats group (slots summed). */
export interface MetricStatsRow {
  variant_id: number;
  segment: string;
  ev: number;
  bucket: number;
  n: number;
  conversions: number;
  sc: number;
  sc2: number;
  sv: number;
  sv2: number;
  scv: number;
  npre: number;
  sxb: number;
  sxby: number;
  sxv: number;
  sxv2: number;
  sxvv: number;
}

/** A test without configured metrics measures what it always did: conversion (or revenue per visitor) of any conversion. */
export function defaultMetrics(metric: 'conversion' | 'revenue'): MetricConfig[] {
  return [{ name: metric, role: 'primary', kind: metric === 'conversion' ? 'binomial' : 'mean', event: '*', per: 'value', inverse: false, alpha: null, cap_percentile: null }];
}

/** The event slot a metric reads: 0 = any conversion, i = tests.events[i − 1]. */
export function slotOf(m: MetricConfig, events: readonly string[]): number {
  return m.event === '*' ? 0 : events.indexOf(m.event) + 1;
}

/** The named events of a metric set, in slot order (what tests.events holds). */
export function eventsOf(metrics: readonly MetricConfig[]): string[] {
  return [...new Set(metrics.filter((m) => m.event !== '*').map((m) => m.event))];
}

export const bucketEdge = (b: number) => (b === 0 ? 1 : 2 ** (b / 4));

/** The cap of a metric: the upper edge of the bucket holding its pooled percentile; null = no cap. */
export function capOf(rows: readonly MetricStatsRow[], slot: number, p: number | null): number | null {
  if (p === null) return null;
  const byBucket = new Map<number, number>();
  for (const r of rows) if (r.segment === 'all' && r.ev === slot) byBucket.set(r.bucket, (byBucket.get(r.bucket) ?? 0) + r.n);
  const total = [...byBucket.values()].reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const b of [...byBucket.keys()].sort((x, y) => x - y)) {
    seen += byBucket.get(b)!;
    if (seen >= p * total) return bucketEdge(b);
  }
  return null;
}

/**
 * The engine's input for each metric of `segment` ('all', 'device:phone', …): arms in `arms` order
 * (control first), capped sums, CUPED sums where the metric has a covariate (binomial: converted in
 * the pre-period; revenue per visitor: its pre-period value; none for counts and ratios).
 */
export function metricInputs(
  metrics: readonly MetricConfig[],
  events: readonly string[],
  arms: readonly { variant_id: number; arm: string }[],
  rows: readonly MetricStatsRow[],
  segment = 'all',
): { inputs: MetricInput[]; caps: Record<string, number | null> } {
  const caps: Record<string, number | null> = {};
  const inputs = metrics.map((m): MetricInput => {
    const slot = slotOf(m, events);
    const cap = m.kind === 'binomial' || (m.kind === 'mean' && m.per === 'count') ? null : capOf(rows, slot, m.cap_percentile);
    caps[m.name] = cap;
    const capBucket = cap === null ? Infinity : Math.max(...rows.filter((r) => r.ev === slot && bucketEdge(r.bucket) <= cap).map((r) => r.bucket), -1);
    const armInputs = arms.map((a): MetricArmInput => {
      const t = { n: 0, conversions: 0, sc: 0, sc2: 0, sv: 0, sv2: 0, scv: 0, npre: 0, sxb: 0, sxby: 0, sxv: 0, sxv2: 0, sxvv: 0 };
      for (const r of rows) {
        if (r.variant_id !== a.variant_id || r.segment !== segment || r.ev !== slot) continue;
        const over = cap !== null && r.bucket > capBucket;
        t.n += r.n;
        t.conversions += r.conversions;
        t.sc += r.sc;
        t.sc2 += r.sc2;
        t.sv += over ? r.n * cap : r.sv;
        t.sv2 += over ? r.n * cap * cap : r.sv2;
        t.scv += over ? r.sc * cap : r.scv;
        t.npre += r.npre;
        t.sxb += r.sxb;
        t.sxby += r.sxby;
        t.sxv += r.sxv;
        t.sxv2 += r.sxv2;
        t.sxvv += over ? r.sxv * cap : r.sxvv;
      }
      if (m.kind === 'binomial') {
        return { arm: a.arm, n: t.n, conversions: t.conversions, pre_n: t.npre, pre_sum: t.sxb, pre_sum_squares: t.sxb, pre_cross_sum: t.sxby };
      }
      if (m.kind === 'ratio') {
        return { arm: a.arm, n: t.n, num_sum: t.sv, num_sum_squares: t.sv2, den_sum: t.sc, den_sum_squares: t.sc2, cross_sum: t.scv };
      }
      if (m.per === 'count') return { arm: a.arm, n: t.n, sum: t.sc, sum_squares: t.sc2 };
      return { arm: a.arm, n: t.n, sum: t.sv, sum_squares: t.sv2, pre_n: t.npre, pre_sum: t.sxv, pre_sum_squares: t.sxv2, pre_cross_sum: t.sxvv };
    });
    return { id: m.name, kind: m.kind, role: m.role, inverse: m.inverse, ...(m.alpha !== null ? { alpha: m.alpha } : {}), arms: armInputs };
  });
  return { inputs, caps };
}

/** Per segment: the arms' exposed visitors (for SRM per segment), from the slot-0 rows. */
export function segmentUsers(arms: readonly { variant_id: number }[], rows: readonly MetricStatsRow[]) {
  const by = new Map<string, number[]>();
  for (const r of rows) {
    if (r.ev !== 0 || r.segment === 'all') continue;
    const users = by.get(r.segment) ?? arms.map(() => 0);
    const i = arms.findIndex((a) => a.variant_id === r.variant_id);
    if (i >= 0) users[i]! += r.n;
    by.set(r.segment, users);
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([segment, users]) => {
    const [dimension, value] = segment.split(':') as [string, string];
    return { dimension, value, users };
  });
}
