// Behaviour of the engine beyond the reference vectors: degenerate input, decisions, SRM,
// adjustments, power / MDE / sample-size consistency, validation errors.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  adjust,
  mde,
  power,
  runStatsOp,
  sampleSize,
  srm,
  STATS_OPS,
  verdict,
} from '../../../src/domain/stats/index.ts';
import type { ArmInput, VerdictRequest } from '../../../src/domain/stats/index.ts';

const ctl: ArmInput = { arm: 'control', n: 10000, conversions: 1000 };
const up: ArmInput = { arm: 'up', n: 10000, conversions: 1150 };
const down: ArmInput = { arm: 'down', n: 10000, conversions: 850 };
const flat: ArmInput = { arm: 'flat', n: 10000, conversions: 1010 };

function req(engine: VerdictRequest['engine'], arms: ArmInput[], extra: Partial<VerdictRequest> = {}): VerdictRequest {
  return { engine, metric_type: 'binomial', arms, ...extra };
}

function validationDetails(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
}

describe('degenerate input', () => {
  it('zero users: error per variant, decision invalid, no NaN', () => {
    for (const engine of ['frequentist', 'sequential', 'bayesian'] as const) {
      const out = verdict(req(engine, [{ arm: 'control', n: 0, conversions: 0 }, { arm: 'B', n: 0, conversions: 0 }]));
      expect(out.decision.outcome).toBe('invalid');
      expect(out.variants[0]!.error).toMatch(/no units/);
      expect(out.variants[0]!.ci).toEqual([0, 0]);
      expect(JSON.stringify(out)).not.toMatch(/NaN|null/);
    }
  });
  it('Bayesian no data: chance 0.5, expected 0, ci [0,0], risk [0,0]', () => {
    const v = verdict(req('bayesian', [ctl, { arm: 'B', n: 0, conversions: 0 }])).variants[0]!;
    expect(v).toMatchObject({ chance_to_win: 0.5, expected: 0, ci: [0, 0], risk: [0, 0] });
    expect(typeof v.error).toBe('string');
  });
  it('zero variance (0 conversions) and zero control mean', () => {
    const zeroVar = verdict(req('frequentist', [{ arm: 'control', n: 100, conversions: 0 }, up]));
    expect(zeroVar.variants[0]!.error).toMatch(/variance/);
    expect(zeroVar.variants[0]!.p_value).toBe(1);
    expect(zeroVar.decision.outcome).toBe('invalid');
    const zeroMean = verdict({
      engine: 'frequentist',
      metric_type: 'mean',
      arms: [
        { arm: 'control', n: 10, sum: 0, sum_squares: 40 },
        { arm: 'B', n: 10, sum: 5, sum_squares: 40 },
      ],
    });
    expect(zeroMean.variants[0]!.error).toMatch(/control mean is zero/);
    const abs = verdict({ ...req('frequentist', []), metric_type: 'mean', difference: 'absolute', arms: [
      { arm: 'control', n: 10, sum: 0, sum_squares: 40 },
      { arm: 'B', n: 10, sum: 5, sum_squares: 40 },
    ] });
    expect(abs.variants[0]!.error).toBeUndefined();
  });
  it('one arm only', () => {
    const out = verdict(req('sequential', [ctl]));
    expect(out.variants).toEqual([]);
    expect(out.decision.outcome).toBe('invalid');
    expect(out.decision.reason).toMatch(/one arm/);
  });
  it('n = 1 mean arm has no variance estimate', () => {
    const out = verdict({ engine: 'frequentist', metric_type: 'mean', arms: [
      { arm: 'control', n: 1, sum: 3, sum_squares: 9 },
      { arm: 'B', n: 50, sum: 160, sum_squares: 600 },
    ] });
    expect(out.variants[0]!.error).toBeDefined();
  });
});

describe('decision rule', () => {
  it('winner / loser / inconclusive, frequentist and sequential', () => {
    for (const engine of ['frequentist', 'sequential'] as const) {
      expect(verdict(req(engine, [ctl, up])).decision).toMatchObject({ outcome: 'winner', arm: 'up' });
      expect(verdict(req(engine, [ctl, down])).decision).toMatchObject({ outcome: 'loser', arm: 'down' });
      expect(verdict(req(engine, [ctl, flat])).decision.outcome).toBe('inconclusive');
    }
  });
  it('inverse metrics: lower is better', () => {
    expect(verdict(req('frequentist', [ctl, down], { inverse: true })).decision).toMatchObject({ outcome: 'winner', arm: 'down' });
    expect(verdict(req('bayesian', [ctl, up], { inverse: true })).decision).toMatchObject({ outcome: 'loser', arm: 'up' });
    const b = verdict(req('bayesian', [ctl, down], { inverse: true })).variants[0]!;
    const plain = verdict(req('bayesian', [ctl, down])).variants[0]!;
    expect(b.chance_to_win).toBeCloseTo(1 - plain.chance_to_win!, 14);
    expect(b.risk).toEqual([plain.risk![1], plain.risk![0]]);
  });
  it('best of several qualifying treatments wins; a loser alongside does not block it', () => {
    const better: ArmInput = { arm: 'better', n: 10000, conversions: 1250 };
    const out = verdict(req('frequentist', [ctl, up, down, better, flat]));
    expect(out.variants.map((v) => v.arm)).toEqual(['up', 'down', 'better', 'flat']);
    expect(out.decision).toMatchObject({ outcome: 'winner', arm: 'better' });
  });
  it('one-sided tests only decide in their own direction', () => {
    expect(verdict(req('frequentist', [ctl, up], { side: 'greater' })).decision.outcome).toBe('winner');
    expect(verdict(req('frequentist', [ctl, down], { side: 'greater' })).decision.outcome).toBe('inconclusive');
    expect(verdict(req('frequentist', [ctl, down], { side: 'lesser' })).decision.outcome).toBe('loser');
    expect(verdict(req('sequential', [ctl, down], { side: 'lesser', inverse: true })).decision.outcome).toBe('winner');
  });
  it('Bayesian winner needs risk below the threshold when one is given', () => {
    const small: ArmInput = { arm: 'small', n: 10000, conversions: 1085 };
    expect(verdict(req('bayesian', [ctl, small])).decision.outcome).toBe('winner');
    expect(verdict(req('bayesian', [ctl, small], { risk_threshold: 1e-6 })).decision.outcome).toBe('inconclusive');
  });
  it('SRM makes the verdict invalid whatever the lift', () => {
    const skewed: ArmInput = { arm: 'up', n: 12000, conversions: 1500 };
    const out = verdict(req('frequentist', [ctl, skewed], { weights: [0.5, 0.5] }));
    expect(out.srm_p_value!).toBeLessThan(0.001);
    expect(out.decision.outcome).toBe('invalid');
    expect(out.decision.reason).toMatch(/sample ratio mismatch/);
    const ok = verdict(req('frequentist', [ctl, up], { weights: [1, 1] }));
    expect(ok.srm_p_value).toBe(1);
  });
  it('unbounded CI ends are null in JSON', () => {
    const g = verdict(req('sequential', [ctl, up], { side: 'greater' })).variants[0]!;
    expect(g.ci[1]).toBeNull();
    const l = verdict(req('frequentist', [ctl, up], { side: 'lesser' })).variants[0]!;
    expect(l.ci[0]).toBeNull();
    expect(JSON.parse(JSON.stringify(l)).ci[0]).toBeNull();
  });
});

describe('sequential specifics', () => {
  it('one-sided p-value is clipped to [1e-5, 0.4999]', () => {
    expect(verdict(req('sequential', [ctl, down], { side: 'greater' })).variants[0]!.p_value).toBe(0.4999);
    const huge: ArmInput = { arm: 'huge', n: 10000, conversions: 2000 };
    expect(verdict(req('sequential', [ctl, huge], { side: 'greater' })).variants[0]!.p_value).toBe(1e-5);
  });
  it('always-valid CI is wider than the fixed-horizon one', () => {
    const f = verdict(req('frequentist', [ctl, up])).variants[0]!;
    const s = verdict(req('sequential', [ctl, up])).variants[0]!;
    expect(s.ci[1]! - s.ci[0]!).toBeGreaterThan(f.ci[1]! - f.ci[0]!);
    expect(s.p_value!).toBeGreaterThanOrEqual(f.p_value!);
  });
  it('alpha >= 0.5 is reported for one-sided sequential tests', () => {
    const v = verdict(req('sequential', [ctl, up], { side: 'greater', alpha: 0.6 })).variants[0]!;
    expect(v.error).toMatch(/alpha/);
  });
});

describe('srm and adjust ops', () => {
  it('zero-weight and missing arms are dropped', () => {
    expect(srm({ users: [5000, 77, 5000], weights: [0.5, 0, 0.5] })).toEqual({ p_value: 1, chi_square: 0, df: 1 });
    expect(srm({ users: [5000, null, 5000], weights: [1, 1, 1] }).df).toBe(1);
    expect(srm({ users: [0, 0], weights: [1, 1] }).p_value).toBe(1);
    expect(srm({ users: [10], weights: [1] }).p_value).toBe(1);
  });
  it('Holm and BH in input order', () => {
    expect(adjust({ p_values: [0.04, 0.01, 0.03], method: 'holm' }).adjusted).toEqual([0.06, 0.03, 0.06]);
    const bh = adjust({ p_values: [0.04, 0.01, 0.03], method: 'benjamini-hochberg' }).adjusted;
    bh.forEach((x, i) => expect(x).toBeCloseTo([0.04, 0.03, 0.04][i]!, 15));
    expect(adjust({ p_values: [], method: 'holm' }).adjusted).toEqual([]);
  });
});

describe('power, MDE and sample size', () => {
  const designs = [
    { baseline_rate: 0.1 },
    { baseline_rate: 0.03, variants: 4, alpha: 0.01 },
    { mean: 12.5, stddev: 30 },
    { baseline_rate: 0.2, engine: 'sequential' as const },
    { mean: 3, stddev: 4, engine: 'sequential' as const, sequential_tuning_parameter: 20000, variants: 3 },
  ];
  for (const d of designs) {
    it(`round trip ${JSON.stringify(d)}`, () => {
      const ss = sampleSize({ ...d, mde_relative: 0.05, daily_traffic: 1000 });
      const k = d.variants ?? 2;
      expect(ss.n_total).toBe(ss.n_per_variant * k);
      expect(Number.isInteger(ss.n_per_variant)).toBe(true);
      expect(ss.days).toBe(Math.ceil(ss.n_total / 1000));
      // the returned n reaches the target power, one fewer unit per arm does not
      expect(power({ ...d, mde_relative: 0.05, n_total: ss.n_total }).power).toBeGreaterThanOrEqual(0.8);
      expect(power({ ...d, mde_relative: 0.05, n_total: ss.n_total - k }).power).toBeLessThan(0.8);
      // MDE at that n is at most the planned effect and (one-tail approximation) gives power ~0.8
      const m = mde({ ...d, n_total: ss.n_total }).mde_relative!;
      expect(m).toBeLessThanOrEqual(0.05 + 1e-12);
      expect(m).toBeGreaterThan(0.049);
      const p = power({ ...d, mde_relative: m, n_total: ss.n_total }).power;
      expect(p).toBeGreaterThanOrEqual(0.8 - 1e-9);
      expect(p).toBeLessThan(0.8 + 1e-3);
    });
  }
  it('matches the closed form (p=0.1, +10% relative, 80%, 5%)', () => {
    // Var = p(1-p)(1 + 1.1²)/(nA p²) and Δ/se = K = 1.959964 + 0.841621 give
    // nA = K²·0.09·2.21/(0.01·0.01) = 15,611.6 (one-tail approximation); the exact two-tailed
    // power reaches 0.8 at the same integer.
    const ss = sampleSize({ baseline_rate: 0.1, mde_relative: 0.1 });
    expect(ss.n_per_variant).toBe(15612);
    expect(ss.n_total).toBe(31224);
  });
  it('sequential designs need more units', () => {
    const f = sampleSize({ baseline_rate: 0.1, mde_relative: 0.05 });
    const s = sampleSize({ baseline_rate: 0.1, mde_relative: 0.05, engine: 'sequential' });
    expect(s.n_total).toBeGreaterThan(f.n_total);
  });
  it('MDE reports an error instead of NaN when n is too small', () => {
    const r = mde({ baseline_rate: 0.01, n_total: 10 });
    expect(r.mde_relative).toBeNull();
    expect(r.error).toMatch(/increase n_total/);
  });
});

describe('validation', () => {
  it('names every bad field with a JSON pointer', () => {
    const d = validationDetails(() =>
      runStatsOp('verdict', {
        engine: 'magic',
        metric_type: 'binomial',
        alpha: 2,
        arms: [{ arm: 'control', n: 10, conversions: 3 }, { arm: '', n: -1, conversions: 1.5 }, { arm: 'C', n: 5, conversions: 9 }],
        weights: [1, 1],
      }),
    );
    const paths = d.map((x) => x.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/engine', '/alpha', '/arms/1/arm', '/arms/1/n', '/arms/1/conversions', '/arms/2/conversions', '/weights']),
    );
    expect(d.find((x) => x.path === '/arms/1/n')!.message).toBe('must be a non-negative integer');
  });
  it('mean arms need sum and sum_squares; body must be an object', () => {
    const d = validationDetails(() => runStatsOp('verdict', { engine: 'bayesian', metric_type: 'mean', arms: [{ arm: 'a', n: 3 }] }));
    expect(d.map((x) => x.path)).toEqual(['/arms/0/sum', '/arms/0/sum_squares']);
    expect(validationDetails(() => runStatsOp('srm', [1, 2]))[0]!.path).toBe('');
    expect(validationDetails(() => runStatsOp('verdict', { engine: 'bayesian', metric_type: 'mean', prior: { proper: 'yes' }, arms: 'x' })).map((x) => x.path)).toEqual(['/prior/proper', '/arms']);
  });
  it('other ops', () => {
    expect(validationDetails(() => runStatsOp('srm', { users: [1, -2], weights: [1] })).map((x) => x.path)).toEqual(['/users/1', '/weights']);
    expect(validationDetails(() => runStatsOp('adjust', { p_values: [0.1, 1.5], method: 'bonferroni' })).map((x) => x.path)).toEqual(['/p_values/1', '/method']);
    expect(validationDetails(() => runStatsOp('sample-size', { mde_relative: 0 })).map((x) => x.path)).toEqual(['/baseline_rate', '/mde_relative']);
    expect(validationDetails(() => runStatsOp('power', { mean: 3, mde_relative: 0.1, n_total: 0 })).map((x) => x.path)).toEqual(['/stddev', '/n_total']);
    expect(validationDetails(() => runStatsOp('mde', { baseline_rate: 0.1, n_total: 1000, power: 0.01 })).map((x) => x.path)).toEqual(['/power']);
  });
  it('unknown op', () => {
    expect(validationDetails(() => runStatsOp('bogus', {}))).toEqual([{ path: '/op', message: expect.stringContaining('verdict') }]);
    expect(STATS_OPS).toEqual(['verdict', 'srm', 'adjust', 'sample-size', 'power', 'mde', 'test-verdict', 'segment-srm', 'cuped']);
  });
});
