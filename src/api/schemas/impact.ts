// Request and response shapes of the revenue impact report.
import { Type } from 'typebox';
import { Id, Month, Nullable } from './common.ts';
import { Holdout } from './clients.ts';

const ImpactRow = Type.Object({
  key: Type.String({ description: 'test-<id>, engagement-<id>, client-<id>, YYYY-MM or platform' }),
  tests: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  inconclusive: Type.Integer(),
  invalid: Type.Integer(),
  win_rate: Nullable(Type.Number()),
  monthly_uplift_yen: Type.Integer({ description: "from each winner's lower confidence bound (conservative; per month: the uplift in force that month)" }),
  expected_monthly_uplift_yen: Type.Integer({ description: 'the same from the point estimate of each lift' }),
  cumulative_uplift_yen: Type.Integer(),
  fees_yen: Type.Integer(),
  roi: Nullable(Type.Number({ description: 'cumulative uplift ÷ fees (per month: both to date)' })),
});
export const ImpactQuery = Type.Object(
  { group_by: Type.Optional(Type.Union(['test', 'engagement', 'client', 'month', 'platform'].map((g) => Type.Literal(g)))), as_of: Type.Optional(Month), client_id: Type.Optional(Id) },
  { additionalProperties: false },
);
export const Impact = Type.Object({ group_by: Type.String(), as_of: Month, basis: Type.String(), rows: Type.Array(ImpactRow) });
export const EngagementImpactQuery = Type.Object({ as_of: Type.Optional(Month) }, { additionalProperties: false });
export const EngagementImpact = Type.Object({
  engagement_id: Id,
  as_of: Month,
  basis: Type.String(),
  months: Type.Array(ImpactRow, { description: 'per Asia/Tokyo month, key YYYY-MM: tests run and won that month, the uplift in force, fees, ROI to date' }),
  total: Nullable(ImpactRow),
  /** The client's persistent holdout and its measured difference; null without one. */
  holdout: Nullable(Holdout),
});
