// What each planning calculator and ad-hoc verdict op takes (documented, not enforced: the domain
// module validates each body and names every bad field) and answers.
import { Type, type TSchema } from 'typebox';
import type { StatsOp } from '../../domain/stats/index.ts';
import { Nullable } from './common.ts';

const Decision = Type.Object({ outcome: Type.String({ description: 'winner, loser, inconclusive or invalid' }), arm: Type.Optional(Type.String()), reason: Type.String() });
const VariantResult = Type.Object({
  arm: Type.String(),
  expected: Type.Number({ description: 'the effect (relative by default)' }),
  ci: Type.Array(Nullable(Type.Number()), { minItems: 2, maxItems: 2 }),
  uplift_stddev: Type.Number(),
  p_value: Type.Optional(Type.Number()),
  chance_to_win: Type.Optional(Type.Number()),
  risk: Type.Optional(Type.Array(Type.Number())),
  error: Type.Optional(Type.String()),
});
const design = '`baseline_rate` (binomial) or `mean` + `stddev`; optional `alpha` (0.05), `variants` (2, incl. control), `engine` (frequentist | sequential), `sequential_tuning_parameter`';

export const OPS: Record<StatsOp, { summary: string; fields: string; example: object; result: TSchema }> = {
  verdict: {
    summary: 'A verdict on arm data (sequential, frequentist or bayesian)',
    fields: '`engine`, `metric_type` (binomial | mean), `arms` [{arm, n, conversions} or {arm, n, sum, sum_squares}], optional `weights`, `alpha`, `side`, `difference`, `prior`, `sequential_tuning_parameter`, `risk_threshold`',
    example: { engine: 'sequential', metric_type: 'binomial', arms: [{ arm: 'control', n: 5000, conversions: 500 }, { arm: 'B', n: 5000, conversions: 580 }], weights: [0.5, 0.5] },
    result: Type.Object({ variants: Type.Array(VariantResult), srm_p_value: Type.Optional(Type.Number()), decision: Decision }),
  },
  srm: {
    summary: 'Sample ratio mismatch check (χ² over arms)',
    fields: '`users` (units per arm; null = missing), `weights` (planned split)',
    example: { users: [5000, 4700], weights: [0.5, 0.5] },
    result: Type.Object({ p_value: Type.Number(), chi_square: Type.Number(), df: Type.Integer() }),
  },
  adjust: {
    summary: 'Adjust p-values for multiple comparisons (Holm, Benjamini-Hochberg)',
    fields: '`p_values`, `method` (holm | benjamini-hochberg)',
    example: { p_values: [0.01, 0.04, 0.2], method: 'holm' },
    result: Type.Object({ adjusted: Type.Array(Type.Number()) }),
  },
  'sample-size': {
    summary: 'Visitors a test needs for an effect (power 0.8 by default)',
    fields: `\`mde_relative\`, optional \`power\`, \`daily_traffic\` (→ days); ${design}`,
    example: { baseline_rate: 0.031, mde_relative: 0.1, daily_traffic: 12000 },
    result: Type.Object({ n_total: Type.Integer(), n_per_variant: Type.Integer(), days: Type.Optional(Type.Integer()) }),
  },
  power: {
    summary: 'Power of a test of n visitors for an effect',
    fields: `\`mde_relative\`, \`n_total\`; ${design}`,
    example: { baseline_rate: 0.031, mde_relative: 0.1, n_total: 100000 },
    result: Type.Object({ power: Type.Number() }),
  },
  mde: {
    summary: 'Smallest effect a test of n visitors detects',
    fields: `\`n_total\`, optional \`power\`; ${design}`,
    example: { baseline_rate: 0.031, n_total: 100000 },
    result: Type.Object({ mde_relative: Nullable(Type.Number()), error: Type.Optional(Type.String()) }),
  },
};

/** A stats op's body: any object (the domain names a bad field), documented by its example. */
export const StatsBody = (example: object) => Type.Object({}, { additionalProperties: true, examples: [example] });
