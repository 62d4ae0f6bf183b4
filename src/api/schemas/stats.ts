// Each stats op's request (TypeBox, so OpenAPI and the fuzzer see the fields) and answer. The
// schemas check shapes and ranges; the domain module (src/domain/stats/validate.ts) still checks
// what a schema cannot (conversions ≤ n, one primary metric, the same arms across metrics…) and
// names every bad field, and it is what `kaizen stats <op>` runs.
import { Type, type TSchema } from 'typebox';
import type { StatsOp } from '../../domain/stats/index.ts';
import { Nullable } from './common.ts';

const MAX_ARMS = 1000;
const Str = Type.String({ minLength: 1, maxLength: 200 });
const Alpha = Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 });
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Sum = Type.Number();
const SumSquares = Type.Number({ minimum: 0 });
const Engine = Type.Union([Type.Literal('frequentist'), Type.Literal('bayesian'), Type.Literal('sequential')]);
const Side = Type.Union([Type.Literal('two-sided'), Type.Literal('greater'), Type.Literal('lesser')]);
const Difference = Type.Union([Type.Literal('relative'), Type.Literal('absolute')]);
const Prior = Type.Object(
  { proper: Type.Boolean(), mean: Type.Optional(Type.Number()), stddev: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) },
  { additionalProperties: false, description: 'prior on the relative effect (flat unless proper; proper default mean 0, sd 0.3)' },
);
const Weights = Type.Array(Type.Number({ minimum: 0 }), { maxItems: MAX_ARMS, description: 'planned split, one per arm' });
const Tuning = Type.Number({ exclusiveMinimum: 0, description: 'sequential N* (default 5000)' });
const Ci = Type.Array(Nullable(Type.Number()), { minItems: 2, maxItems: 2, description: '[low, high]; null = unbounded' });

const Decision = Type.Object({ outcome: Type.String({ description: 'winner, loser, inconclusive or invalid' }), arm: Type.Optional(Type.String()), reason: Type.String() });
const variantFields = {
  arm: Type.String(),
  expected: Type.Number({ description: 'the effect (relative by default)' }),
  ci: Ci,
  uplift_stddev: Type.Number(),
  p_value: Type.Optional(Type.Number()),
  chance_to_win: Type.Optional(Type.Number()),
  risk: Type.Optional(Type.Array(Type.Number())),
  error: Type.Optional(Type.String()),
};
const VariantResult = Type.Object(variantFields);
const MetricVariantResult = Type.Object({
  ...variantFields,
  p_value_adjusted: Type.Optional(Type.Number({ description: 'corrected across variants × goal metrics' })),
  chance_to_win_adjusted: Type.Optional(Type.Number({ description: 'Bayesian: 1 − corrected chance that the sign is wrong' })),
  ci_adjusted: Type.Optional(Ci),
  worse: Type.Optional(Type.Boolean({ description: 'guardrail: significantly worse (one-sided, its own alpha)' })),
  cuped: Type.Optional(Type.Object({ theta: Type.Number(), variance_reduction: Type.Number({ description: '1 − Var(adjusted effect)/Var(unadjusted effect)' }) })),
});
const CupedOffReason = Type.String({ description: 'disabled, no_covariate, below_min_share, ratio_metric' });
const Correction = Type.Object({ method: Type.String({ description: 'holm, benjamini-hochberg or none' }), comparisons: Type.Integer() });

const Arm = Type.Object(
  { arm: Str, n: Count, conversions: Type.Optional(Count), sum: Type.Optional(Sum), sum_squares: Type.Optional(SumSquares) },
  { additionalProperties: false },
);
const MetricArm = Type.Object(
  {
    arm: Str,
    n: Count,
    conversions: Type.Optional(Count),
    sum: Type.Optional(Sum),
    sum_squares: Type.Optional(SumSquares),
    num_sum: Type.Optional(Sum),
    num_sum_squares: Type.Optional(SumSquares),
    den_sum: Type.Optional(Sum),
    den_sum_squares: Type.Optional(SumSquares),
    cross_sum: Type.Optional(Sum),
    pre_n: Type.Optional(Count),
    pre_sum: Type.Optional(Sum),
    pre_sum_squares: Type.Optional(SumSquares),
    pre_cross_sum: Type.Optional(Sum),
  },
  { additionalProperties: false, description: 'binomial: conversions; mean: sum, sum_squares; ratio: num_*, den_*, cross_sum; CUPED covariate: pre_n, pre_sum, pre_sum_squares, pre_cross_sum' },
);
const MetricArms = Type.Array(MetricArm, { minItems: 1, maxItems: MAX_ARMS, description: 'control first' });
const Metric = Type.Object(
  {
    id: Str,
    kind: Type.Union([Type.Literal('binomial'), Type.Literal('mean'), Type.Literal('ratio')]),
    role: Type.Union([Type.Literal('primary'), Type.Literal('secondary'), Type.Literal('guardrail')]),
    inverse: Type.Optional(Type.Boolean({ description: 'lower is better' })),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "a guardrail's own one-sided alpha" })),
    arms: MetricArms,
  },
  { additionalProperties: false },
);

const designFields = {
  baseline_rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'binomial baseline' })),
  mean: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'mean metric baseline (with stddev)' })),
  stddev: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  alpha: Type.Optional(Alpha),
  variants: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_ARMS, description: 'arms including control (default 2)' })),
  engine: Type.Optional(Type.Union([Type.Literal('frequentist'), Type.Literal('sequential')])),
  sequential_tuning_parameter: Type.Optional(Tuning),
};
const Mde = Type.Number({ exclusiveMinimum: -1, description: 'relative effect, not 0' });
const PowerTarget = Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'default 0.8, above alpha' }));
const Body = <T extends Record<string, TSchema>>(fields: T, example: object) => Type.Object(fields, { additionalProperties: false, examples: [example] });

export const OPS: Record<StatsOp, { summary: string; body: TSchema; result: TSchema }> = {
  verdict: {
    summary: 'A verdict on one binomial or mean metric (sequential, frequentist or bayesian), uncorrected',
    body: Body(
      {
        engine: Engine,
        metric_type: Type.Union([Type.Literal('binomial'), Type.Literal('mean')]),
        difference: Type.Optional(Difference),
        alpha: Type.Optional(Alpha),
        side: Type.Optional(Side),
        inverse: Type.Optional(Type.Boolean()),
        prior: Type.Optional(Prior),
        sequential_tuning_parameter: Type.Optional(Tuning),
        risk_threshold: Type.Optional(Type.Number({ minimum: 0 })),
        arms: Type.Array(Arm, { minItems: 1, maxItems: MAX_ARMS, description: 'control first; binomial: conversions, mean: sum and sum_squares' }),
        weights: Type.Optional(Weights),
      },
      { engine: 'sequential', metric_type: 'binomial', arms: [{ arm: 'control', n: 5000, conversions: 500 }, { arm: 'B', n: 5000, conversions: 580 }], weights: [0.5, 0.5] },
    ),
    result: Type.Object({ variants: Type.Array(VariantResult), srm_p_value: Type.Optional(Type.Number()), decision: Decision }),
  },
  srm: {
    summary: 'Sample ratio mismatch check (χ² over arms)',
    body: Body(
      { users: Type.Array(Nullable(Count), { maxItems: MAX_ARMS, description: 'units per arm; null = missing' }), weights: Weights },
      { users: [5000, 4700], weights: [0.5, 0.5] },
    ),
    result: Type.Object({ p_value: Type.Number(), chi_square: Type.Number(), df: Type.Integer() }),
  },
  adjust: {
    summary: 'Adjust p-values for multiple comparisons (Holm, Benjamini-Hochberg)',
    body: Body(
      {
        p_values: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { maxItems: 100_000 }),
        method: Type.Union([Type.Literal('holm'), Type.Literal('benjamini-hochberg')]),
      },
      { p_values: [0.01, 0.04, 0.2], method: 'holm' },
    ),
    result: Type.Object({ adjusted: Type.Array(Type.Number()) }),
  },
  'sample-size': {
    summary: 'Visitors a test needs for an effect (power 0.8 by default)',
    body: Body(
      { ...designFields, mde_relative: Mde, power: PowerTarget, daily_traffic: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: '→ days' })) },
      { baseline_rate: 0.031, mde_relative: 0.1, daily_traffic: 12000 },
    ),
    result: Type.Object({ n_total: Type.Integer(), n_per_variant: Type.Integer(), days: Type.Optional(Type.Integer()) }),
  },
  power: {
    summary: 'Power of a test of n visitors for an effect',
    body: Body({ ...designFields, mde_relative: Mde, n_total: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { baseline_rate: 0.031, mde_relative: 0.1, n_total: 100000 }),
    result: Type.Object({ power: Type.Number() }),
  },
  mde: {
    summary: 'Smallest effect a test of n visitors detects',
    body: Body({ ...designFields, n_total: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), power: PowerTarget }, { baseline_rate: 0.031, n_total: 100000 }),
    result: Type.Object({ mde_relative: Nullable(Type.Number()), error: Type.Optional(Type.String()) }),
  },
  'test-verdict': {
    summary: 'The verdict of a test over several metrics: corrected goals, guardrails, CUPED',
    body: Body(
      {
        engine: Engine,
        alpha: Type.Optional(Alpha),
        side: Type.Optional(Side),
        difference: Type.Optional(Difference),
        prior: Type.Optional(Prior),
        sequential_tuning_parameter: Type.Optional(Tuning),
        risk_threshold: Type.Optional(Type.Number({ minimum: 0 })),
        correction: Type.Optional(Type.Union([Type.Literal('holm'), Type.Literal('benjamini-hochberg'), Type.Literal('none')], { description: 'across variants × goal metrics (default holm)' })),
        metrics: Type.Array(Metric, { minItems: 1, maxItems: 100, description: 'exactly one primary; the same arms in the same order' }),
        weights: Type.Optional(Weights),
        cuped: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), min_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })) }, { additionalProperties: false })),
        decision_population: Type.Optional(Type.Object({ dimension: Str, value: Str }, { additionalProperties: false })),
      },
      {
        engine: 'frequentist',
        metrics: [
          { id: 'orders', kind: 'binomial', role: 'primary', arms: [{ arm: 'control', n: 10000, conversions: 300 }, { arm: 'B', n: 10000, conversions: 360 }] },
          {
            id: 'aov',
            kind: 'ratio',
            role: 'guardrail',
            arms: [
              { arm: 'control', n: 10000, num_sum: 1650000, num_sum_squares: 1.2e10, den_sum: 330, den_sum_squares: 390, cross_sum: 1.9e6 },
              { arm: 'B', n: 10000, num_sum: 1700000, num_sum_squares: 1.1e10, den_sum: 400, den_sum_squares: 470, cross_sum: 1.95e6 },
            ],
          },
        ],
        weights: [0.5, 0.5],
      },
    ),
    result: Type.Object({
      variants: Type.Array(MetricVariantResult, { description: "the primary metric's" }),
      srm_p_value: Type.Optional(Type.Number()),
      metrics: Type.Array(
        Type.Object({
          id: Type.String(),
          kind: Type.String(),
          role: Type.String(),
          inverse: Type.Boolean(),
          alpha: Type.Number(),
          side: Type.String(),
          arms: Type.Array(Type.Object({ arm: Type.String(), n: Type.Integer(), mean: Type.Number() })),
          cuped: Type.Object({ applied: Type.Boolean(), pre_share: Type.Number(), off_reason: Type.Optional(CupedOffReason) }),
          variants: Type.Array(MetricVariantResult),
        }),
      ),
      correction: Correction,
      decision: Type.Object({
        outcome: Type.String({ description: 'winner, loser, inconclusive, invalid or blocked_by_guardrail' }),
        code: Type.String({ description: 'srm, one_arm, no_data, winner, loser, inconclusive, blocked_by_guardrail' }),
        arm: Type.Optional(Type.String()),
        reason: Type.String(),
        metric: Type.String(),
        correction: Correction,
        evidence: Type.Optional(
          Type.Object({
            expected: Type.Number(),
            alpha: Type.Number(),
            p_value: Type.Optional(Type.Number()),
            p_value_adjusted: Type.Optional(Type.Number()),
            chance_to_win: Type.Optional(Type.Number()),
            chance_to_win_adjusted: Type.Optional(Type.Number()),
            risk: Type.Optional(Type.Number()),
            srm_p_value: Type.Optional(Type.Number()),
          }),
        ),
        guardrail: Type.Optional(
          Type.Object({ id: Type.String(), expected: Type.Number(), p_value: Type.Optional(Type.Number()), chance_to_win: Type.Optional(Type.Number()), alpha: Type.Number() }),
        ),
      }),
      decision_population: Type.Optional(Type.Object({ dimension: Type.String(), value: Type.String() })),
    }),
  },
  'segment-srm': {
    summary: 'Sample ratio mismatch per segment (device, visitor type, source…)',
    body: Body(
      {
        weights: Weights,
        segments: Type.Array(
          Type.Object({ dimension: Str, value: Str, users: Type.Array(Nullable(Count), { maxItems: MAX_ARMS, description: 'units per arm' }) }, { additionalProperties: false }),
          { maxItems: 1000 },
        ),
      },
      { weights: [0.5, 0.5], segments: [{ dimension: 'device', value: 'phone', users: [7000, 6400] }, { dimension: 'device', value: 'pc', users: [3000, 3050] }] },
    ),
    result: Type.Object({
      threshold: Type.Number(),
      comparisons: Type.Integer({ description: 'segments browsed (the page warns about multiple testing)' }),
      segments: Type.Array(Type.Object({ dimension: Type.String(), value: Type.String(), p_value: Type.Number(), chi_square: Type.Number(), df: Type.Integer(), srm: Type.Boolean() })),
    }),
  },
  cuped: {
    summary: 'One metric with and without its CUPED pre-period covariate',
    body: Body(
      {
        engine: Type.Optional(Engine),
        alpha: Type.Optional(Alpha),
        difference: Type.Optional(Difference),
        kind: Type.Union([Type.Literal('binomial'), Type.Literal('mean')]),
        inverse: Type.Optional(Type.Boolean()),
        min_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'default 0.1' })),
        arms: MetricArms,
      },
      {
        kind: 'mean',
        arms: [
          { arm: 'control', n: 5000, sum: 1.5e6, sum_squares: 4.1e9, pre_n: 2500, pre_sum: 1.4e6, pre_sum_squares: 3.9e9, pre_cross_sum: 2.9e9 },
          { arm: 'B', n: 5000, sum: 1.6e6, sum_squares: 4.3e9, pre_n: 2480, pre_sum: 1.38e6, pre_sum_squares: 3.8e9, pre_cross_sum: 2.95e9 },
        ],
      },
    ),
    result: Type.Object({
      applied: Type.Boolean(),
      pre_share: Type.Number(),
      off_reason: Type.Optional(CupedOffReason),
      variants: Type.Array(MetricVariantResult),
      unadjusted: Type.Array(VariantResult),
    }),
  },
};
