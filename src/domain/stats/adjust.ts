// Multiple-testing adjustment across (variant × metric) p-values; output in input order.
import type { AdjustMethod } from './types.ts';

function ascendingOrder(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i);
  idx.sort((i, j) => p[i]! - p[j]! || i - j);
  return idx;
}

/** Holm–Bonferroni: sorted ascending, p_(i)·(m − i + 1) capped at 1, then a running maximum. */
export function holm(p: readonly number[]): number[] {
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m);
  let running = 0;
  for (let r = 0; r < m; r++) {
    const i = order[r]!;
    const v = Math.min(1, Math.max(p[i]!, p[i]! * (m - r)));
    running = Math.max(running, v);
    out[i] = running;
  }
  return out;
}

/** Benjamini–Hochberg: p_(i)·m/i capped at 1, then a running minimum from the largest down. */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    // max with the raw p guards against p·m/m rounding below p
    const v = Math.min(1, Math.max(p[i]!, (p[i]! * m) / (r + 1)));
    running = Math.min(running, v);
    out[i] = running;
  }
  return out;
}

export function adjustPValues(p: readonly number[], method: AdjustMethod): number[] {
  return method === 'holm' ? holm(p) : benjaminiHochberg(p);
}
