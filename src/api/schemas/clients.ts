// Request and response shapes of clients (the companies an engagement improves).
import { Type } from 'typebox';
import { Id, Name, Nullable, Timestamp } from './common.ts';

export const Client = Type.Object({ id: Id, name: Type.String(), industry: Type.String(), created_at: Timestamp });
export const NewClient = Type.Object(
  { name: Name, industry: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9_-]*$' }) },
  { additionalProperties: false, examples: [{ name: '株式会社サンプル', industry: 'finance' }] },
);

// The client's persistent holdout and the measured total effect of its tests.
const Interval = Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }));
export const Holdout = Type.Object({
  client_id: Id,
  holdout_percent: Type.Number(),
  holdout: Type.Object({ n: Type.Integer(), conversions: Type.Integer() }),
  rest: Type.Object({ n: Type.Integer(), conversions: Type.Integer() }),
  effect: Type.Object({ holdout_rate: Nullable(Type.Number()), rest_rate: Nullable(Type.Number()), absolute: Nullable(Type.Number()), absolute_ci: Interval, relative: Nullable(Type.Number()), relative_ci: Interval }),
});
export const HoldoutBody = Type.Object({ holdout_percent: Type.Number({ minimum: 0, maximum: 50 }) }, { additionalProperties: false, examples: [{ holdout_percent: 5 }] });
export const HoldoutSet = Type.Object({ id: Id, holdout_percent: Type.Number() });
