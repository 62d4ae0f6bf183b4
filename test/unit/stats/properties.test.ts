// Property tests (fast-check): structural invariants that hold for any input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjust, runStatsOp, srm, verdict } from '../../../src/domain/stats/index.ts';
import type { ArmInput, VerdictRequest } from '../../../src/domain/stats/index.ts';

const binArm = (name: string) =>
  fc
    .record({ n: fc.integer({ min: 0, max: 2_000_000 }), f: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ n, f }): ArmInput => ({ arm: name, n, conversions: Math.min(n, Math.round(n * f)) }));

const meanArm = (name: string) =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 100_000 }),
      mean: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      sd: fc.double({ min: 0, max: 1e4, noNaN: true }),
    })
    .map(({ n, mean, sd }): ArmInput => {
      const sum = mean * n;
      // sum of squares consistent with the sample variance sd² (n - 1 denominator)
      const sumSquares = n > 0 ? sd * sd * Math.max(n - 1, 0) + (sum * sum) / n : 0;
      return { arm: name, n, sum, sum_squares: sumSquares };
    });

const engine = fc.constantFrom('frequentist', 'bayesian', 'sequential' as const);
const side = fc.constantFrom('two-sided', 'greater', 'lesser' as const);
const difference = fc.constantFrom('relative', 'absolute' as const);

const request = fc
  .record({
    engine,
    side,
    difference,
    inverse: fc.boolean(),
    alpha: fc.double({ min: 0.001, max: 0.49, noNaN: true }),
    binomial: fc.boolean(),
    arms: fc.integer({ min: 1, max: 5 }),
    proper: fc.boolean(),
    seed: fc.array(fc.tuple(binArm('x'), meanArm('x')), { minLength: 5, maxLength: 5 }),
    weights: fc.option(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 })),
  })
  .map((r): VerdictRequest => {
    const arms = r.seed.slice(0, r.arms).map(([b, m], i) => ({ ...(r.binomial ? b : m), arm: i === 0 ? 'control' : `T${i}` }));
    return {
      engine: r.engine,
      metric_type: r.binomial ? 'binomial' : 'mean',
      difference: r.difference,
      side: r.side,
      inverse: r.inverse,
      alpha: r.alpha,
      prior: r.proper ? { proper: true, mean: 0.01, stddev: 0.2 } : { proper: false },
      arms,
      ...(r.weights ? { weights: r.weights.slice(0, r.arms) } : {}),
    };
  });

function assertJsonClean(x: unknown, path = ''): void {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return;
  if (typeof x === 'number') {
    expect(Number.isFinite(x), `${path} = ${x}`).toBe(true);
    return;
  }
  expect(x, `${path} is undefined`).not.toBeUndefined();
  if (Array.isArray(x)) x.forEach((v, i) => assertJsonClean(v, `${path}/${i}`));
  else if (typeof x === 'object') for (const [k, v] of Object.entries(x as object)) assertJsonClean(v, `${path}/${k}`);
  else throw new Error(`${path}: unexpected ${typeof x}`);
}

describe('verdict properties', () => {
  it('every number in the JSON result is finite or null; p-values and chances in [0, 1]', () => {
    fc.assert(
      fc.property(request, (req) => {
        const out = runStatsOp('verdict', JSON.parse(JSON.stringify(req)));
        assertJsonClean(out);
        const r = out as ReturnType<typeof verdict>;
        expect(r.variants).toHaveLength(req.arms.length - 1);
        for (const v of r.variants) {
          if (v.p_value !== undefined) {
            expect(v.p_value).toBeGreaterThanOrEqual(0);
            expect(v.p_value).toBeLessThanOrEqual(1);
          }
          if (v.chance_to_win !== undefined) {
            expect(v.chance_to_win).toBeGreaterThanOrEqual(0);
            expect(v.chance_to_win).toBeLessThanOrEqual(1);
            expect(v.risk![0]).toBeGreaterThanOrEqual(0);
            expect(v.risk![1]).toBeGreaterThanOrEqual(0);
          }
          if (v.ci[0] !== null && v.ci[1] !== null) expect(v.ci[0]).toBeLessThanOrEqual(v.ci[1]);
          if (v.error !== undefined) expect(r.decision.outcome).toBe('invalid');
        }
        if (r.srm_p_value !== undefined) {
          expect(r.srm_p_value).toBeGreaterThanOrEqual(0);
          expect(r.srm_p_value).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('swapping the arms negates the absolute effect and keeps its standard error and two-sided p', () => {
    fc.assert(
      fc.property(binArm('control'), binArm('B'), engine, (a, b, eng) => {
        const base = { engine: eng, metric_type: 'binomial' as const, difference: 'absolute' as const };
        const ab = verdict({ ...base, arms: [a, b] }).variants[0]!;
        const ba = verdict({ ...base, arms: [b, a] }).variants[0]!;
        if (ab.error !== undefined) return;
        expect(ba.expected).toBeCloseTo(-ab.expected, 12);
        expect(ba.uplift_stddev).toBeCloseTo(ab.uplift_stddev, 12);
        if (eng !== 'bayesian') expect(Math.abs(ba.p_value! - ab.p_value!)).toBeLessThan(1e-12);
        else expect(Math.abs(ba.chance_to_win! - (1 - ab.chance_to_win!))).toBeLessThan(1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it('one-sided p-values of opposite sides add up to 1 (fixed horizon)', () => {
    fc.assert(
      fc.property(binArm('control'), binArm('B'), (a, b) => {
        const g = verdict({ engine: 'frequentist', metric_type: 'binomial', side: 'greater', arms: [a, b] }).variants[0]!;
        const l = verdict({ engine: 'frequentist', metric_type: 'binomial', side: 'lesser', arms: [a, b] }).variants[0]!;
        if (g.error !== undefined) return;
        expect(g.p_value! + l.p_value!).toBeCloseTo(1, 12);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SRM and adjustment properties', () => {
  it('a perfect split has p = 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 1, max: 100_000 }),
        (w, unit) => {
          const out = srm({ users: w.map((x) => x * unit), weights: w });
          expect(out.chi_square).toBeLessThan(1e-9);
          expect(out.p_value).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it('SRM p lies in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 1e7 })), fc.double({ min: 0, max: 5, noNaN: true })), { maxLength: 10 }),
        (pairs) => {
          const out = srm({ users: pairs.map((p) => p[0]), weights: pairs.map((p) => p[1]) });
          expect(out.p_value).toBeGreaterThanOrEqual(0);
          expect(out.p_value).toBeLessThanOrEqual(1);
          assertJsonClean(out);
        },
      ),
    );
  });

  it('adjusted p >= raw p, <= 1, Holm >= BH, order of input preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }), (p) => {
        const h = adjust({ p_values: p, method: 'holm' }).adjusted;
        const bh = adjust({ p_values: p, method: 'benjamini-hochberg' }).adjusted;
        p.forEach((x, i) => {
          expect(h[i]!).toBeGreaterThanOrEqual(x);
          expect(bh[i]!).toBeGreaterThanOrEqual(x);
          expect(h[i]!).toBeLessThanOrEqual(1);
          expect(h[i]!).toBeGreaterThanOrEqual(bh[i]! - 1e-15);
        });
        // monotone: a smaller raw p never gets a larger adjusted p
        for (let i = 0; i < p.length; i++) for (let j = 0; j < p.length; j++) {
          if (p[i]! < p[j]!) {
            expect(h[i]!).toBeLessThanOrEqual(h[j]!);
            expect(bh[i]!).toBeLessThanOrEqual(bh[j]!);
          }
        }
      }),
    );
  });
});
