// Request and response shapes of clients (the companies an engagement improves).
import { Type } from 'typebox';
import { Actions, Id, Name, Nullable, Timestamp } from './common.ts';

export const Client = Type.Object({ id: Id, name: Type.String(), industry: Type.String(), created_at: Timestamp });
/** A client in a list, with what the caller may do to its own things (site keys: the site-keys routes' own checks). */
export const ClientListItem = Type.Intersect([Client, Type.Object({ actions: Actions(['manage_site_keys'] as const) })]);
/** One client: with its kill switch (on: no change of any test reaches its site) and what the caller may do. */
export const ClientDetail = Type.Object({
  id: Id,
  name: Type.String(),
  industry: Type.String(),
  created_at: Timestamp,
  kill_switch: Type.Boolean(),
  actions: Actions(['kill_switch'] as const),
});
export const ClientKillSwitch = Type.Object({ client_id: Id, kill_switch: Type.Boolean() });
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
/** The holdout as CS sees it: whether the caller may change its share (the PUT route's role and CS scope). */
export const HoldoutView = Type.Intersect([Holdout, Type.Object({ actions: Actions(['set'] as const) })]);
export const HoldoutBody = Type.Object({ holdout_percent: Type.Number({ minimum: 0, maximum: 50 }) }, { additionalProperties: false, examples: [{ holdout_percent: 5 }] });
export const HoldoutSet = Type.Object({ id: Id, holdout_percent: Type.Number() });
