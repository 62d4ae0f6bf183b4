// Deterministic A/B assignment: a visitor always lands in the same variant of a test, on any process,
// any machine, any day, with no state to store.
//
// Hash: SHA-256 of the UTF-8 string `${testId}:${visitorId}`. The first 8 bytes of the digest are read
// as a big-endian unsigned 64-bit integer and its top 53 bits (exactly representable as a double) are
// divided by 2^53, giving a point u in [0, 1). The test id is an integer, so the first ':' separates
// the two parts unambiguously; salting with the test id makes assignments of different tests
// independent of each other.
//
// Variant choice: variants sorted by `position`, weights normalised by their total; the variant whose
// cumulative interval [c_{i-1}, c_i) contains u * total is chosen. A weight of 0 is an empty interval
// and is never chosen.
import * as crypto from 'node:crypto';

export interface WeightedVariant {
  position: number;
  weight: number;
}

const TWO_POW_53 = 2 ** 53;

// crypto.hash (Node >= 20.12) is a one-shot digest, about 3x faster than a Hash object; the hex
// digest is the same bytes either way.
const sha256Hex: (input: string) => string =
  typeof crypto.hash === 'function'
    ? (input) => crypto.hash('sha256', input, 'hex')
    : (input) => crypto.createHash('sha256').update(input, 'utf8').digest('hex');

/** The visitor's point in [0, 1) for this test: top 53 bits of sha256(`${testId}:${visitorId}`) / 2^53. */
export function assignmentPoint(testId: number, visitorId: string): number {
  const hex = sha256Hex(`${testId}:${visitorId}`);
  const high = parseInt(hex.slice(0, 8), 16); // bits 0..31
  const low = parseInt(hex.slice(8, 14), 16) >>> 3; // bits 32..52 (21 of the next 24 bits)
  return (high * 2 ** 21 + low) / TWO_POW_53;
}

/** Variants in position order; throws when a weight is negative/non-finite or all weights are 0. */
export function orderVariants<V extends WeightedVariant>(variants: readonly V[]): V[] {
  const sorted = [...variants].sort((a, b) => a.position - b.position);
  let total = 0;
  for (const v of sorted) {
    if (!Number.isFinite(v.weight) || v.weight < 0) throw new RangeError(`variant weight must be finite and >= 0, got ${v.weight}`);
    total += v.weight;
  }
  if (!(total > 0)) throw new RangeError('at least one variant needs a positive weight');
  return sorted;
}

/**
 * Picks the variant for point u in [0, 1) by cumulative weights. `ordered` must come from
 * orderVariants (sorted by position, validated); call that once per test, not per visitor.
 */
export function pickVariant<V extends WeightedVariant>(ordered: readonly V[], u: number): V {
  let total = 0;
  for (const v of ordered) total += v.weight;
  const target = u * total;
  let cumulative = 0;
  let lastPositive: V | undefined;
  for (const v of ordered) {
    if (v.weight <= 0) continue;
    cumulative += v.weight;
    lastPositive = v;
    if (target < cumulative) return v;
  }
  // Only reachable through rounding at u close to 1: the last variant that can be chosen.
  if (!lastPositive) throw new RangeError('at least one variant needs a positive weight');
  return lastPositive;
}

/** The variant of `visitorId` in test `testId` (variants in any order; they are sorted by position). */
export function assignVariant<V extends WeightedVariant>(testId: number, visitorId: string, variants: readonly V[]): V {
  return pickVariant(orderVariants(variants), assignmentPoint(testId, visitorId));
}
