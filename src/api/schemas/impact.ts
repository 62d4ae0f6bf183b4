// Request and response shapes of the revenue impact report.
import { Type } from 'typebox';
import { Id, Month, Nullable } from './common.ts';

const ImpactRow = Type.Object({
  key: Type.String({ description: 'test-<id>, engagement-<id>, client-<id>, YYYY-MM or platform' }),
  tests: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  inconclusive: Type.Integer(),
  invalid: Type.Integer(),
  win_rate: Nullable(Type.Number()),
  monthly_uplift_yen: Type.Integer(),
  cumulative_uplift_yen: Type.Integer(),
  fees_yen: Type.Integer(),
  roi: Nullable(Type.Number({ description: 'cumulative uplift ÷ fees' })),
});
export const ImpactQuery = Type.Object(
  { group_by: Type.Optional(Type.Union(['test', 'engagement', 'client', 'month', 'platform'].map((g) => Type.Literal(g)))), as_of: Type.Optional(Month), client_id: Type.Optional(Id) },
  { additionalProperties: false },
);
export const Impact = Type.Object({ group_by: Type.String(), as_of: Month, basis: Type.String(), rows: Type.Array(ImpactRow) });
