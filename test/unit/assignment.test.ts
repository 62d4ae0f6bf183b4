import { describe, expect, it } from 'vitest';
import { assignmentPoint, assignVariant, orderVariants, pickVariant } from '../../src/domain/assignment.ts';

interface V {
  id: number;
  arm: string;
  position: number;
  weight: number;
}

function variants(weights: number[]): V[] {
  return weights.map((weight, i) => ({ id: 100 + i, arm: i === 0 ? 'control' : String.fromCharCode(64 + i), position: i, weight }));
}

/** Pearson chi-square of observed counts against expected shares of `total`. */
function chiSquare(observed: number[], weights: number[], total: number): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  let x2 = 0;
  weights.forEach((w, i) => {
    if (w === 0) return;
    const expected = (total * w) / sum;
    x2 += (observed[i]! - expected) ** 2 / expected;
  });
  return x2;
}

function counts(testId: number, vs: V[], visitors: number): number[] {
  const out = new Array(vs.length).fill(0) as number[];
  const ordered = orderVariants(vs);
  for (let i = 0; i < visitors; i++) {
    const v = pickVariant(ordered, assignmentPoint(testId, `visitor-${i}`));
    out[v.position]!++;
  }
  return out;
}

describe('assignmentPoint', () => {
  it('is the top 53 bits of sha256("<test>:<visitor>") over 2^53 (values computed with Python hashlib)', () => {
    expect(assignmentPoint(42, 'visitor-1')).toBe(0.023624561303063785);
    expect(assignmentPoint(7, '訪問者')).toBe(0.10779840816051223);
  });

  it('is deterministic and in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const u = assignmentPoint(9, `v${i}`);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(assignmentPoint(9, `v${i}`)).toBe(u);
    }
  });

  it('differs across tests for the same visitor (assignments of two tests are independent)', () => {
    const a = variants([1, 1]);
    let same = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      if (assignVariant(1, `v${i}`, a).id === assignVariant(2, `v${i}`, a).id) same++;
    }
    // Independent 50/50 arms agree half the time; 4 standard deviations = 4 * sqrt(n/4).
    expect(Math.abs(same - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
  });
});

describe('assignVariant', () => {
  it('gives the same variant for the same inputs, whatever the order variants are listed in', () => {
    const vs = variants([0.5, 0.3, 0.2]);
    const reversed = [...vs].reverse();
    for (let i = 0; i < 2000; i++) {
      const a = assignVariant(5, `visitor-${i}`, vs);
      expect(assignVariant(5, `visitor-${i}`, vs)).toBe(a);
      expect(assignVariant(5, `visitor-${i}`, reversed)).toBe(a);
    }
  });

  it.each([
    [[1, 1]],
    [[0.5, 0.3, 0.2]],
    [[1, 1, 1, 1]],
    [[90, 10]],
  ])('splits 100k visitors close to weights %j (chi-square below the p = 0.001 critical value)', (weights) => {
    const total = 100_000;
    const observed = counts(31, variants(weights), total);
    expect(observed.reduce((a, b) => a + b, 0)).toBe(total);
    // chi-square critical values at p = 0.001 for 1, 2, 3 degrees of freedom.
    const critical = [10.83, 13.82, 16.27][weights.length - 2]!;
    expect(chiSquare(observed, weights, total)).toBeLessThan(critical);
    weights.forEach((w, i) => expect(Math.abs(observed[i]! / total - w / weights.reduce((a, b) => a + b, 0))).toBeLessThan(0.01));
  });

  it('never chooses a variant of weight 0', () => {
    const observed = counts(77, variants([0, 1, 0, 2, 0]), 100_000);
    expect(observed[0]).toBe(0);
    expect(observed[2]).toBe(0);
    expect(observed[4]).toBe(0);
    expect(chiSquare(observed, [0, 1, 0, 2, 0], 100_000)).toBeLessThan(10.83);
  });

  it('maps the edges of [0, 1) to the first and last positive-weight variants', () => {
    const ordered = orderVariants(variants([0, 1, 1, 0]));
    expect(pickVariant(ordered, 0).position).toBe(1);
    expect(pickVariant(ordered, 0.5 - 1e-12).position).toBe(1);
    expect(pickVariant(ordered, 0.5).position).toBe(2);
    expect(pickVariant(ordered, 1 - 2 ** -53).position).toBe(2);
  });

  it('refuses weights that cannot define a split', () => {
    expect(() => orderVariants(variants([0, 0]))).toThrow(RangeError);
    expect(() => orderVariants(variants([1, -1]))).toThrow(RangeError);
    expect(() => orderVariants(variants([1, Number.NaN]))).toThrow(RangeError);
    expect(() => orderVariants([])).toThrow(RangeError);
  });
});
