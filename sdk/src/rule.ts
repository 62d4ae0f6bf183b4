// The assignment rule of the server (src/domain/holdout.ts, then src/domain/assignment.ts), restated
// for the browser with no dependency. test/unit/sdk-rule.test.ts proves both give the same variant
// for 100,000 visitors over several weight layouts and holdout shares; change both or neither.
//
// - held out: percent > 0 and point(`holdout:${clientId}:${visitorId}`) < percent / 100 → the control
//   (the variant at position 0);
// - otherwise point(`${testId}:${visitorId}`) picks the variant by cumulative weight, in position order;
// - point(s) = top 53 bits of SHA-256(UTF-8 s) / 2^53.
import { sha256Words } from './sha256.ts';

export interface RuleVariant {
  id: number;
  arm: string;
  position: number;
  weight: number;
}

export interface RuleTest {
  id: number;
  holdout_percent: number;
  variants: RuleVariant[];
}

// A page view asks for the same points several times (deciding, applying, the page's own variant()
// calls) while the script is still cold: each string is hashed once (bounded, for long-lived pages).
// config-cache.ts keeps this view's points with the stored config, so a repeat view hashes nothing: a
// point is a pure function of its string (which names the visitor), valid under any config.
const points = new Map<string, number>();

/** The points known now (to keep with the stored config). */
export const knownPoints = (): Record<string, number> => Object.fromEntries(points);

/** Points kept by an earlier view of this browser (only finite numbers in [0, 1) are taken). */
export function rememberPoints(p: unknown): void {
  if (!p || typeof p !== 'object') return;
  for (const [s, u] of Object.entries(p)) if (typeof u === 'number' && u >= 0 && u < 1 && points.size < 1000) points.set(s, u);
}

/** Top 53 bits of sha256(s) (first 32-bit word, then 21 bits of the second) / 2^53. */
export function point(s: string): number {
  let u = points.get(s);
  if (u === undefined) {
    const h = sha256Words(new TextEncoder().encode(s));
    u = (h[0]! * 2097152 + (h[1]! >>> 11)) / 9007199254740992;
    if (points.size >= 1000) points.clear();
    points.set(s, u);
  }
  return u;
}

export function inHoldout(clientId: number, visitorId: string, percent: number): boolean {
  return percent > 0 && point(`holdout:${clientId}:${visitorId}`) < percent / 100;
}

/** The variant for point u: weights in position order, the first cumulative bound above u × total. */
export function pick<V extends RuleVariant>(variants: readonly V[], u: number): V {
  const ordered = [...variants].sort((a, b) => a.position - b.position);
  let total = 0;
  for (const v of ordered) total += v.weight;
  const target = u * total;
  let cumulative = 0;
  let last: V | undefined;
  for (const v of ordered) {
    if (v.weight <= 0) continue;
    cumulative += v.weight;
    last = v;
    if (target < cumulative) return v;
  }
  if (!last) throw new RangeError('no variant with a positive weight');
  return last;
}

/** The visitor's variant of `test` and whether the client's holdout kept it on the control. */
export function assign<V extends RuleVariant>(clientId: number, test: RuleTest & { variants: V[] }, visitorId: string): { variant: V; heldOut: boolean } {
  if (inHoldout(clientId, visitorId, test.holdout_percent)) {
    const control = [...test.variants].sort((a, b) => a.position - b.position)[0];
    if (!control) throw new RangeError('no variant');
    return { variant: control, heldOut: true };
  }
  return { variant: pick(test.variants, point(`${test.id}:${visitorId}`)), heldOut: false };
}
