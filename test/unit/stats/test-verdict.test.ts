// The test verdict over several metrics (issue 25): the correction across variants × goal metrics,
// guardrails that block a harmful win, CUPED on a returning-visitor fixture, SRM per segment,
// winsorisation, and validation naming each bad field.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { cuped, percentileCap, runStatsOp, segmentSrm, testVerdict, verdict, winsorize } from '../../../src/domain/stats/index.ts';
import type { MetricArmInput, MetricInput, TestVerdictRequest } from '../../../src/domain/stats/index.ts';

/** mulberry32: a small seeded generator, so fixtures are the same on every run */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

interface Unit {
  orders: number;
  revenue: number;
  pre?: number;
}

/** Aggregates of per-unit data the way ingest keeps them (conversion = ordered at least once). */
function aggregate(arm: string, units: Unit[]): Required<Omit<MetricArmInput, 'pre_n' | 'pre_sum' | 'pre_sum_squares' | 'pre_cross_sum'>> & MetricArmInput {
  const out = { arm, n: units.length, conversions: 0, sum: 0, sum_squares: 0, num_sum: 0, num_sum_squares: 0, den_sum: 0, den_sum_squares: 0, cross_sum: 0 } as ReturnType<typeof aggregate>;
  let preN = 0;
  let preSum = 0;
  let preSq = 0;
  let preCross = 0;
  for (const u of units) {
    if (u.orders > 0) out.conversions++;
    out.sum += u.revenue;
    out.sum_squares += u.revenue * u.revenue;
    out.den_sum += u.orders;
    out.den_sum_squares += u.orders * u.orders;
    out.cross_sum += u.revenue * u.orders;
    const x = u.pre ?? 0;
    if (u.pre !== undefined) preN++;
    preSum += x;
    preSq += x * x;
    preCross += x * u.revenue;
  }
  out.num_sum = out.sum;
  out.num_sum_squares = out.sum_squares;
  if (units.some((u) => u.pre !== undefined)) Object.assign(out, { pre_n: preN, pre_sum: preSum, pre_sum_squares: preSq, pre_cross_sum: preCross });
  return out;
}

function only(kind: MetricInput['kind'], a: ReturnType<typeof aggregate>): MetricArmInput {
  const keys: Record<MetricInput['kind'], string[]> = {
    binomial: ['arm', 'n', 'conversions'],
    mean: ['arm', 'n', 'sum', 'sum_squares', 'pre_n', 'pre_sum', 'pre_sum_squares', 'pre_cross_sum'],
    ratio: ['arm', 'n', 'num_sum', 'num_sum_squares', 'den_sum', 'den_sum_squares', 'cross_sum'],
  };
  return Object.fromEntries(keys[kind].filter((k) => k in a).map((k) => [k, a[k as keyof typeof a]])) as unknown as MetricArmInput;
}

const bin = (arm: string, n: number, conversions: number): MetricArmInput => ({ arm, n, conversions });

describe('correction across variants × goal metrics', () => {
  // three treatments against one control: the best raw p is about 0.03, the others larger
  const arms = [bin('control', 10000, 1000), bin('B', 10000, 1092), bin('C', 10000, 1050), bin('D', 10000, 1020)];
  const request: TestVerdictRequest = { engine: 'frequentist', metrics: [{ id: 'conversion', kind: 'binomial', role: 'primary', arms }] };

  it('a three-variant test whose best raw p is 0.03 is not a winner under Holm at alpha 0.05', () => {
    const out = testVerdict(request);
    const raw = out.variants.map((v) => v.p_value!);
    expect(raw[0]).toBeGreaterThan(0.025);
    expect(raw[0]).toBeLessThan(0.05);
    expect(Math.min(...raw.slice(1))).toBeGreaterThan(raw[0]!);
    // the uncorrected rule (the single-metric verdict) calls it a win
    expect(verdict({ engine: 'frequentist', metric_type: 'binomial', arms: arms as never }).decision.outcome).toBe('winner');
    expect(out.correction).toEqual({ method: 'holm', comparisons: 3 });
    expect(out.variants[0]!.p_value_adjusted).toBeCloseTo(raw[0]! * 3, 12);
    expect(out.decision.outcome).toBe('inconclusive');
    expect(out.decision.reason).toContain('Holm-corrected over 3 comparisons');
    expect(out.decision.correction).toEqual({ method: 'holm', comparisons: 3 });
  });

  it('without the correction (an engagement setting) the same data wins; the verdict says so', () => {
    const out = testVerdict({ ...request, correction: 'none' });
    expect(out.decision.outcome).toBe('winner');
    expect(out.decision.arm).toBe('B');
    expect(out.decision.reason).toContain('uncorrected, 3 comparisons');
    expect(out.decision.evidence!.p_value_adjusted).toBe(out.decision.evidence!.p_value);
  });

  it('Benjamini-Hochberg adjusts by rank; secondary metrics count as comparisons, guardrails do not', () => {
    const secondary: MetricInput = { id: 'signup', kind: 'binomial', role: 'secondary', arms: arms.map((a) => ({ ...a, conversions: 500 })) };
    const guard: MetricInput = { id: 'g', kind: 'binomial', role: 'guardrail', arms };
    const out = testVerdict({ ...request, correction: 'benjamini-hochberg', metrics: [...request.metrics, secondary, guard] });
    expect(out.correction.comparisons).toBe(6);
    const ps = out.metrics.slice(0, 2).flatMap((m) => m.variants.map((v) => v.p_value!));
    expect(out.metrics[0]!.variants.map((v) => v.p_value_adjusted)).toEqual(
      (runStatsOp('adjust', { p_values: ps, method: 'benjamini-hochberg' }) as { adjusted: number[] }).adjusted.slice(0, 3),
    );
    expect(out.metrics[2]!.variants[0]!.p_value_adjusted).toBeUndefined();
  });

  it('the Bayesian engine corrects the chance-to-win bar: 0.97 wins alone, not against three comparisons', () => {
    const two = [bin('control', 10000, 1000), bin('B', 10000, 1080)];
    const single = testVerdict({ engine: 'bayesian', metrics: [{ id: 'c', kind: 'binomial', role: 'primary', arms: two }] });
    const ctw = single.variants[0]!.chance_to_win!;
    expect(ctw).toBeGreaterThan(0.95);
    expect(ctw).toBeLessThan(0.983);
    expect(single.decision.outcome).toBe('winner');
    const three = testVerdict({ engine: 'bayesian', metrics: [{ id: 'c', kind: 'binomial', role: 'primary', arms: [...two, bin('C', 10000, 1000), bin('D', 10000, 1001)] }] });
    expect(three.variants[0]!.chance_to_win).toBe(ctw);
    expect(three.variants[0]!.chance_to_win_adjusted).toBeCloseTo(1 - 3 * (1 - ctw), 12);
    expect(three.decision.outcome).toBe('inconclusive');
  });

  it('the sequential engine keeps always-valid intervals after the correction: wider, at alpha/comparisons', () => {
    const out = testVerdict({ ...request, engine: 'sequential' });
    for (const v of out.variants) {
      expect(v.ci_adjusted![0]!).toBeLessThan(v.ci[0]!);
      expect(v.ci_adjusted![1]!).toBeGreaterThan(v.ci[1]!);
      expect(v.p_value_adjusted!).toBeGreaterThanOrEqual(v.p_value!);
    }
    const at = verdict({ engine: 'sequential', metric_type: 'binomial', alpha: 0.05 / 3, arms: arms.slice(0, 2) as never });
    expect(out.variants[0]!.ci_adjusted).toEqual(at.variants[0]!.ci);
  });
});

describe('guardrails', () => {
  // the variant lifts conversion but cuts the order value: each order is worth about 10% less
  function shop(seed: number, n: number, rate: number, orderValue: number): Unit[] {
    const r = rng(seed);
    return Array.from({ length: n }, () => {
      if (r() >= rate) return { orders: 0, revenue: 0 };
      const orders = r() < 0.2 ? 2 : 1;
      let revenue = 0;
      for (let k = 0; k < orders; k++) revenue += Math.round(orderValue * Math.exp(0.4 * normal(r)));
      return { orders, revenue };
    });
  }
  const control = aggregate('control', shop(1, 20000, 0.03, 6000));
  const cheap = aggregate('B', shop(2, 20000, 0.037, 5400));
  const conversion: MetricInput = { id: 'conversion', kind: 'binomial', role: 'primary', arms: [only('binomial', control), only('binomial', cheap)] };
  const aov: MetricInput = { id: 'aov', kind: 'ratio', role: 'guardrail', arms: [only('ratio', control), only('ratio', cheap)] };

  it('an AOV-lowering variant that lifts conversion is blocked by the order-value guardrail', () => {
    const alone = testVerdict({ engine: 'frequentist', metrics: [conversion] });
    expect(alone.decision.outcome).toBe('winner');
    const out = testVerdict({ engine: 'frequentist', metrics: [conversion, aov] });
    expect(out.metrics[1]!.side).toBe('lesser');
    expect(out.metrics[1]!.variants[0]!.expected).toBeLessThan(-0.05);
    expect(out.metrics[1]!.variants[0]!.worse).toBe(true);
    expect(out.decision).toMatchObject({ outcome: 'blocked_by_guardrail', code: 'blocked_by_guardrail', arm: 'B', guardrail: { id: 'aov', alpha: 0.05 } });
    expect(out.decision.reason).toContain('guardrail "aov"');
    // the guardrail only blocks: as a goal it would be a second comparison, not a veto
    expect(out.correction.comparisons).toBe(1);
  });

  it("a guardrail is tested at its own alpha, in its bad direction (inverse: higher is worse)", () => {
    const p = testVerdict({ engine: 'frequentist', metrics: [conversion, aov] }).metrics[1]!.variants[0]!.p_value!;
    const strict = testVerdict({ engine: 'frequentist', metrics: [conversion, { ...aov, alpha: p / 2 }] });
    expect(strict.metrics[1]!.alpha).toBe(p / 2);
    expect(strict.decision.outcome).toBe('winner');
    const loose = testVerdict({ engine: 'frequentist', metrics: [conversion, { ...aov, alpha: p * 2 }] });
    expect(loose.decision.outcome).toBe('blocked_by_guardrail');
    // the same drop on a lower-is-better metric is an improvement, not a breach
    const inverse = testVerdict({ engine: 'frequentist', metrics: [conversion, { ...aov, inverse: true }] });
    expect(inverse.metrics[1]!.side).toBe('greater');
    expect(inverse.metrics[1]!.variants[0]!.worse).toBe(false);
    expect(inverse.decision.outcome).toBe('winner');
  });

  it('the Bayesian and sequential engines block too', () => {
    for (const engine of ['bayesian', 'sequential'] as const) {
      const out = testVerdict({ engine, metrics: [conversion, aov] });
      expect(out.decision.outcome, engine).toBe('blocked_by_guardrail');
    }
  });
});

describe('CUPED', () => {
  // returning visitors: this period's revenue tracks their revenue in the 14 days before
  function visitors(seed: number, n: number, lift: number, returning: number): Unit[] {
    const r = rng(seed);
    return Array.from({ length: n }, () => {
      const propensity = Math.max(0, 3000 + 2500 * normal(r));
      const back = r() < returning;
      const revenue = Math.max(0, propensity * (1 + lift) + 1200 * normal(r));
      return back ? { orders: 1, revenue, pre: Math.max(0, propensity + 1200 * normal(r)) } : { orders: 1, revenue, pre: undefined };
    });
  }
  const a = aggregate('control', visitors(11, 3000, 0, 0.9));
  const b = aggregate('B', visitors(12, 3000, 0.03, 0.9));
  const revenue = (arms: MetricArmInput[]): MetricInput => ({ id: 'revenue', kind: 'mean', role: 'primary', arms });

  it('narrows the interval on a returning-visitor fixture and reports the variance reduction', () => {
    const on = testVerdict({ engine: 'frequentist', metrics: [revenue([only('mean', a), only('mean', b)])] });
    const off = testVerdict({ engine: 'frequentist', cuped: { enabled: false }, metrics: [revenue([only('mean', a), only('mean', b)])] });
    expect(on.metrics[0]!.cuped).toEqual({ applied: true, pre_share: (a.pre_n! + b.pre_n!) / 6000 });
    expect(off.metrics[0]!.cuped.off_reason).toBe('disabled');
    const width = (ci: [number | null, number | null]) => ci[1]! - ci[0]!;
    expect(width(on.variants[0]!.ci)).toBeLessThan(0.8 * width(off.variants[0]!.ci));
    const c = on.variants[0]!.cuped!;
    expect(c.theta).toBeGreaterThan(0.3);
    expect(c.variance_reduction).toBeGreaterThan(0.3);
    expect(c.variance_reduction).toBeCloseTo(1 - (on.variants[0]!.uplift_stddev / off.variants[0]!.uplift_stddev) ** 2, 12);
  });

  it('is off when fewer than min_share of the units had a pre-period', () => {
    const out = testVerdict({ engine: 'frequentist', cuped: { min_share: 0.95 }, metrics: [revenue([only('mean', a), only('mean', b)])] });
    expect(out.metrics[0]!.cuped).toMatchObject({ applied: false, off_reason: 'below_min_share' });
    expect(out.variants[0]!.cuped).toBeUndefined();
    const op = cuped({ kind: 'mean', min_share: 0.95, arms: [only('mean', a), only('mean', b)] });
    expect(op.applied).toBe(false);
    expect(op.variants).toEqual(op.unadjusted);
  });
});

describe('segments', () => {
  it('flags SRM on a segment with a skewed split, not on the balanced ones', () => {
    const out = segmentSrm({
      weights: [0.5, 0.5],
      segments: [
        { dimension: 'device', value: 'phone', users: [7000, 6500] },
        { dimension: 'device', value: 'pc', users: [3000, 2990] },
        { dimension: 'visitor', value: 'new', users: [6000, 6050] },
      ],
    });
    expect(out.comparisons).toBe(3);
    expect(out.segments.map((s) => s.srm)).toEqual([true, false, false]);
    expect(out.segments[0]!.p_value).toBeLessThan(out.threshold);
  });

  it('a decision population is echoed with the verdict on its aggregates', () => {
    const out = testVerdict({
      engine: 'frequentist',
      decision_population: { dimension: 'device', value: 'phone' },
      metrics: [{ id: 'c', kind: 'binomial', role: 'primary', arms: [bin('control', 1000, 100), bin('B', 1000, 100)] }],
      weights: [0.5, 0.5],
    });
    expect(out.decision_population).toEqual({ dimension: 'device', value: 'phone' });
    expect(out.decision.outcome).toBe('inconclusive');
  });
});

describe('winsorisation', () => {
  it('caps at the pooled percentile with linear interpolation (numpy / percentile_cont)', () => {
    expect(percentileCap([1, 2, 3, 4, 100], 0.9)).toBeCloseTo(61.6, 12);
    expect(percentileCap([5], 0.99)).toBe(5);
    expect(percentileCap([], 0.99)).toBeNull();
    expect(winsorize(250_000, percentileCap([1000, 2000, 3000, 250_000], 0.5))).toBe(2500);
    expect(winsorize(800, 2500)).toBe(800);
    expect(winsorize(800, null)).toBe(800);
  });
});

describe('validation names each bad field', () => {
  function details(op: string, body: unknown): string[] {
    try {
      runStatsOp(op, body);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).details.map((d) => d.path);
    }
    throw new Error('expected a ValidationError');
  }
  it('test-verdict', () => {
    const paths = details('test-verdict', {
      engine: 'frequentist',
      correction: 'bonferroni',
      metrics: [
        { id: 'a', kind: 'binomial', role: 'primary', arms: [{ arm: 'control', n: 10, conversions: 11 }, { arm: 'B', n: 10, conversions: 1 }] },
        { id: 'a', kind: 'ratio', role: 'primary', alpha: 0.1, arms: [{ arm: 'control', n: 10, num_sum: 1 }, { arm: 'C', n: 10, num_sum: 1, num_sum_squares: 1, den_sum: 1, den_sum_squares: 1, cross_sum: 1, pre_sum: 3 }] },
      ],
      weights: [1],
    });
    expect(paths).toEqual(
      expect.arrayContaining([
        '/correction',
        '/metrics/0/arms/0/conversions',
        '/metrics/1/id',
        '/metrics/1/alpha',
        '/metrics/1/arms/0/den_sum',
        '/metrics/1/arms/1/pre_n',
        '/metrics/1/arms',
        '/metrics',
        '/weights',
      ]),
    );
  });
  it('segment-srm and cuped', () => {
    expect(details('segment-srm', { weights: [0.5, 0.5], segments: [{ dimension: 'device', users: [1, -1, 2] }] })).toEqual(
      expect.arrayContaining(['/segments/0/value', '/segments/0/users', '/segments/0/users/1']),
    );
    expect(details('cuped', { kind: 'ratio', arms: [{ arm: 'control', n: 1, sum: 1, sum_squares: 1 }] })).toEqual(expect.arrayContaining(['/kind', '/arms/0/pre_sum']));
  });
});

describe('degenerate and random aggregates', () => {
  it('any valid request answers with finite figures (or an error per variant) and a decision; never throws', async () => {
    const { default: fc } = await import('fast-check');
    const arm = fc.record({
      n: fc.integer({ min: 0, max: 50_000 }),
      f: fc.double({ min: 0, max: 1, noNaN: true }),
      mean: fc.double({ min: 0, max: 1e5, noNaN: true }),
      sd: fc.double({ min: 0, max: 1e5, noNaN: true }),
      rho: fc.double({ min: -1, max: 1, noNaN: true }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const toArm = (i: number, a: { n: number; f: number; mean: number; sd: number; rho: number; share: number }): MetricArmInput => {
      const n = a.n;
      const ss = (m: number) => (n > 1 ? a.sd * a.sd * (n - 1) + (m * m) / n : m * m);
      const orders = n * a.f;
      return {
        arm: i === 0 ? 'control' : `V${i}`,
        n,
        conversions: Math.floor(n * a.f),
        sum: n * a.mean,
        sum_squares: ss(n * a.mean),
        num_sum: n * a.mean,
        num_sum_squares: ss(n * a.mean),
        den_sum: orders,
        den_sum_squares: orders * 1.2,
        cross_sum: n * a.mean * a.f * (1 + a.rho / 2),
        pre_n: Math.floor(n * a.share),
        pre_sum: n * a.mean * a.share,
        pre_sum_squares: ss(n * a.mean * a.share),
        pre_cross_sum: n * a.mean * a.mean * a.share * (1 + a.rho),
      };
    };
    fc.assert(
      fc.property(
        fc.array(arm, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('frequentist', 'bayesian', 'sequential' as const),
        fc.constantFrom('holm', 'benjamini-hochberg', 'none' as const),
        (arms, engine, correction) => {
          const a = arms.map((x, i) => toArm(i, x));
          const metrics: MetricInput[] = [
            { id: 'c', kind: 'binomial', role: 'primary', arms: a.map((x) => only('binomial', x as never)) },
            { id: 'r', kind: 'mean', role: 'secondary', arms: a },
            { id: 'aov', kind: 'ratio', role: 'guardrail', arms: a.map((x) => only('ratio', x as never)) },
          ];
          const out = runStatsOp('test-verdict', { engine, correction, metrics, weights: a.map(() => 1) }) as ReturnType<typeof testVerdict>;
          expect(out.decision.outcome).toMatch(/^(winner|loser|inconclusive|invalid|blocked_by_guardrail)$/);
          for (const m of out.metrics) {
            for (const v of m.variants) {
              for (const x of [v.expected, v.uplift_stddev, v.p_value, v.p_value_adjusted, v.chance_to_win, v.chance_to_win_adjusted, v.cuped?.theta, v.cuped?.variance_reduction]) {
                if (x !== undefined) expect(Number.isFinite(x), JSON.stringify(v)).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 300, seed: 25 },
    );
  });
});
