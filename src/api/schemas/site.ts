// Shapes of site keys (management) and of the site-key routes the browser SDK calls.
import { Type } from 'typebox';
import { ChangeSet } from './changes.ts';
import { Actions, Id, Nullable, Timestamp } from './common.ts';
import { EventFacts } from './tests.ts';

const ExternalId = Type.String({ minLength: 1, maxLength: 200 });
const Origin = Type.String({ minLength: 8, maxLength: 300, description: 'scheme://host[:port], as browsers send it in Origin' });

export const SiteKeyRow = Type.Object({
  id: Id,
  client_id: Id,
  label: Nullable(Type.String()),
  key_prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  origins: Type.Array(Type.String()),
  rate_per_minute: Type.Integer({ description: 'requests per minute with this key (per API process)' }),
  visitor_events_per_minute: Type.Integer({ description: 'events per visitor per minute; extra events are dropped' }),
  created_by: Nullable(Id),
  created_at: Timestamp,
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
  replaced_by: Nullable(Id),
});
export const NewKeyAnswer = Type.Intersect([SiteKeyRow, Type.Object({ key: Type.String({ description: 'the public site key, shown once' }) })]);
export const NewKeyBody = Type.Object(
  {
    origins: Type.Array(Origin, { minItems: 1, maxItems: 20 }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rate_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    visitor_events_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false, examples: [{ origins: ['https://shop.example'], label: 'shop.example production', rate_per_minute: 6000, visitor_events_per_minute: 300 }] },
);
export const RotateBody = Type.Object(
  { overlap_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, description: 'how long the old key keeps working (default 0: revoked now)' })) },
  { additionalProperties: false, examples: [{ overlap_minutes: 60 }] },
);

export const KeyQuery = Type.Object({ key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the site key (or the X-Site-Key header)' })) }, { additionalProperties: false });
const SiteVariant = Type.Object({
  id: Id,
  arm: Type.String(),
  position: Type.Integer(),
  weight: Type.Number(),
  /** The arm's frozen proposal version's change set (`js` only once approved for that exact text); the control: null. */
  changes: Nullable(ChangeSet),
});
const SiteTest = Type.Object({ id: Id, page_url: Type.String(), metric: Type.Enum(['conversion', 'revenue']), holdout_percent: Type.Number(), variants: Type.Array(SiteVariant) });
export const PreviewQuery = Type.Object(
  { key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), token: Type.String({ minLength: 1, maxLength: 1000, description: 'the kz_preview token of the page URL' }) },
  { additionalProperties: false },
);
export const SitePreview = Type.Object({ proposal_id: Id, version: Type.Integer(), title: Type.String(), page_url: Type.String(), changes: ChangeSet });
const ServedWinner = Type.Object(
  { test_id: Id, page_url: Type.String(), changes: ChangeSet },
  { description: "a winner served to every visitor of its page until CS marks it shipped or a later winner replaces it; a page under test shows it through the test's arms instead" },
);
export const SiteConfigBody = Type.Object({
  client_id: Id,
  tests: Type.Array(SiteTest, { description: 'running tests; a killed test (or every test of a killed client) is absent' }),
  served: Type.Array(ServedWinner),
});
const SiteEvent = Type.Object(
  {
    test_id: Id,
    event_id: ExternalId,
    visitor_id: ExternalId,
    type: Type.Enum(['exposure', 'conversion', 'apply_failure'], { description: "apply_failure: the visitor's arm did not apply (counted per arm, never an exposure)" }),
    ...EventFacts,
    value: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    occurred_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export const SiteEventsBody = Type.Object(
  { events: Type.Array(SiteEvent, { minItems: 1, maxItems: 5000 }) },
  {
    additionalProperties: false,
    examples: [{ events: [{ test_id: 1, event_id: 'x:v1', visitor_id: 'v1', type: 'exposure' }, { test_id: 1, event_id: 'c:order-1', visitor_id: 'v1', type: 'conversion', value: 8000 }] }],
  },
);
export const SiteIngest = Type.Object({
  accepted: Type.Integer({ description: 'events recorded by this call' }),
  duplicates: Type.Integer({ description: 'events whose id was already recorded for the test' }),
  rejected: Type.Integer({ description: "events for a test that is not this client's or not running" }),
  rate_limited: Type.Integer({ description: "events dropped: their visitor was over the key's per-visitor limit" }),
});
/** What the caller may do to this client's keys: create, rotate and revoke (CS managing the client, admin). */
export const SiteKeyActions = Actions(['create', 'rotate', 'revoke'] as const);
export const SiteKeyList = Type.Object({ items: Type.Array(SiteKeyRow), actions: SiteKeyActions });
export const RotateAnswer = Type.Object({ key: NewKeyAnswer, replaced: SiteKeyRow });
