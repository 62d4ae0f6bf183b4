// Request and response shapes of the structured brief (issue 28): fields, checklist, review.
import { Type } from 'typebox';
import { BRIEF_FIELDS, CHANGE_KINDS } from '../../domain/cycles/brief.ts';
import { Actions, Id, Nullable, OfferKind, Tag, Timestamp } from './common.ts';

/** A union of string literals typed as their union (a mapped Type.Union types as never). */
const OneOf = <T extends string>(xs: readonly T[], opts: Record<string, unknown> = {}) => Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x)), opts));
const Text = (max: number) => Type.String({ maxLength: max });
const Lines = Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const Licence = Type.Union([Type.Literal('owned'), Type.Literal('licensed'), Type.Literal('needs_clearance')]);
export const BriefField = OneOf(BRIEF_FIELDS);

export const BriefContent = Type.Object(
  {
    goal: Text(1000),
    primary_metric: Type.Union([Type.Literal('conversion'), Type.Literal('revenue')]),
    guardrails: Lines,
    page_ids: Type.Array(Id, { maxItems: 10, uniqueItems: true, description: 'pages of the engagement; the first is where the test runs' }),
    device: Type.Union([Type.Literal('pc'), Type.Literal('phone'), Type.Literal('both')]),
    observation: Text(3000),
    hypothesis: Text(3000),
    expected_change: Text(1000),
    target_visitors: Text(1000),
    must_keep: Lines,
    must_not: Lines,
    constraints: Text(3000),
    mandatory_notices: Lines,
    assets: Type.Array(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), sha256: Sha256, content_type: Type.String({ minLength: 1, maxLength: 100 }), licence: Licence }, { additionalProperties: false }),
      { maxItems: 20 },
    ),
    allowed_changes: Type.Array(OneOf(CHANGE_KINDS), { uniqueItems: true, maxItems: CHANGE_KINDS.length }),
    skills: Type.Array(Tag, { maxItems: 10, uniqueItems: true }),
    visibility: Nullable(OfferKind),
    reviewed_knowledge_ids: Type.Array(Id, { maxItems: 50, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const BriefCreate = Type.Object(
  {
    author: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('cs')], { description: "whose hypothesis: a client user's is the client's" })),
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'an industry template (GET /v1/brief-templates)' })),
    content: Type.Optional(BriefContent),
  },
  { additionalProperties: false, examples: [{ author: 'client', template: 'finance' }] },
);
export const BriefUpdate = Type.Object(
  { content: BriefContent },
  {
    additionalProperties: false,
    examples: [
      {
        content: {
          goal: 'More completed card applications', primary_metric: 'conversion', guardrails: ['application_errors'], page_ids: [1], device: 'phone',
          observation: 'the funnel report: 48% leave at the income field', hypothesis: 'the field looks intrusive', expected_change: 'more completed applications',
          target_visitors: 'first-time applicants on phones', must_keep: ['Interest rate table'], must_not: ['Guaranteed approval wording'],
          constraints: 'No misleading claims about approval (景品表示法)', mandatory_notices: ['貸付条件の表示'], assets: [], allowed_changes: ['copy', 'layout'],
          skills: ['forms'], visibility: 'targeted', reviewed_knowledge_ids: [],
        },
      },
    ],
  },
);
export const BriefReturn = Type.Object(
  { comments: Type.Array(Type.Object({ field: BriefField, body: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 30 }) },
  { additionalProperties: false, examples: [{ comments: [{ field: 'observation', body: 'Which data shows this? Link the funnel report.' }] }] },
);
export const BriefOverride = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false, examples: [{ reason: 'Low-traffic page; the client accepts a longer test.' }] });
export const BriefAssetUpload = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    content_type: Type.String({ pattern: '^[a-z]+/[a-z0-9.+-]+$', maxLength: 100 }),
    data_base64: Type.String({ minLength: 1, maxLength: 1_000_000, pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'the file, base64 (at most ~730 KB)' }),
    licence: Licence,
  },
  { additionalProperties: false, examples: [{ name: 'logo.png', content_type: 'image/png', data_base64: 'iVBORw0KGgo=', licence: 'owned' }] },
);
export const AssetParams = Type.Object({ id: Id, sha256: Sha256 }, { additionalProperties: false });

const ChecklistItem = Type.Object({
  rule: OneOf(['hypothesis_complete', 'metric_measurable', 'detectable_effect', 'knowledge_reviewed', 'visibility_chosen', 'constraints_stated'] as const),
  passed: Type.Boolean(),
  detail: Type.String(),
});
export const Checklist = Type.Object({
  passed: Type.Boolean(),
  score: Type.Number({ description: 'passed items / all items' }),
  items: Type.Array(ChecklistItem),
  power: Nullable(
    Type.Object({
      detectable_relative: Nullable(Type.Number()),
      days: Type.Integer(),
      days_for_target: Nullable(Type.Integer()),
      target_relative: Type.Number(),
    }),
  ),
  power_sentence: Nullable(Type.String({ description: '"with your traffic this test can detect a +X% change in N days"' })),
});

export const BriefSummary = Type.Object({
  id: Id,
  cycle_id: Id,
  author: Type.String(),
  state: Type.String(),
  template: Nullable(Type.String()),
  goal: Type.String(),
  checklist_passed: Type.Boolean(),
  overridden: Type.Boolean(),
  hypothesis_id: Nullable(Id),
  updated_at: Timestamp,
});
export const BriefList = Type.Object({ items: Type.Array(BriefSummary) });

export const Brief = Type.Object({
  id: Id,
  cycle_id: Id,
  engagement_id: Id,
  client_id: Id,
  industry: Type.String(),
  author: Type.String(),
  state: OneOf(['draft', 'in_review', 'approved', 'posted'] as const),
  template: Nullable(Type.String()),
  content: BriefContent,
  checklist: Checklist,
  override: Nullable(Type.Object({ reason: Type.String(), by: Id, at: Timestamp })),
  approved_at: Nullable(Timestamp),
  hypothesis_id: Nullable(Id),
  offer_id: Nullable(Id),
  unreviewed_at_deadline: Nullable(Timestamp),
  comments: Type.Array(Type.Object({ id: Id, field: Type.String(), body: Type.String(), author_user_id: Id, created_at: Timestamp })),
  history: Type.Array(Type.Object({ kind: Type.String(), actor_user_id: Nullable(Id), note: Nullable(Type.String()), created_at: Timestamp })),
  pages: Type.Array(Type.Object({ id: Id, url: Type.String(), page_type: Type.String() }), { description: "the engagement's pages to choose from" }),
  suggested_knowledge: Type.Array(
    Type.Object({ id: Id, month: Type.String(), hypothesis: Type.String(), outcome: Type.String(), lift: Nullable(Type.Number()), same_page: Type.Boolean() }),
    { description: "past entries for the page, by the planning lookup (related-knowledge)" },
  ),
  actions: Actions(['edit', 'submit_for_review', 'approve', 'return', 'override_checklist', 'post'] as const),
});

export const BriefTemplates = Type.Object({
  items: Type.Array(Type.Object({ industry: Type.String(), content: BriefContent })),
});
