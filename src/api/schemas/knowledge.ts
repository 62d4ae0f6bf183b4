// Request and response shapes of the knowledge base: entries (full and anonymised), search, export
// and what is related to a plan.
import { Type } from 'typebox';
import { ErrorResponse, Id, Month, Nullable, Tag, Timestamp } from './common.ts';
import { ArmImages } from './renders.ts';

export const Entry = Type.Object({
  id: Id,
  test_id: Nullable(Id),
  client_id: Id,
  engagement_id: Id,
  page_id: Id,
  page_type: Type.String(),
  industry: Type.String(),
  month: Type.String(),
  hypothesis: Type.String(),
  change: Type.String(),
  outcome: Type.String(),
  lift: Nullable(Type.Number()),
  ci_low: Nullable(Type.Number()),
  ci_high: Nullable(Type.Number()),
  tags: Type.Array(Type.String()),
  learnings: Nullable(Type.String({ description: 'the learnings joined in order (each is its own entry on GET /v1/tests/:id)' })),
  addenda: Nullable(Type.String({ description: "the offer's Q&A: each answered question as the brief's numbered addendum" })),
  status: Type.String({ description: 'draft during knowledge capture, then final' }),
  invalidated_at: Nullable(Timestamp),
  invalidation_reason: Nullable(Type.String()),
  created_at: Timestamp,
  relevance_tier: Type.Integer({ description: '1: the words are in the hypothesis or tags; 2: elsewhere; 0: no query' }),
  images: Type.Optional(
    Type.Object(
      { control: Type.Array(ArmImages), winner: Type.Array(ArmImages, { description: 'empty unless a variant won' }) },
      { description: "search hits: the test's control and winner screenshots (issue 23), so a later reader sees what was tried" },
    ),
  ),
});

/** The hackers' view: what was tried in an industry and how it went, nothing that identifies the client. */
export const AnonymisedEntry = Type.Object({
  id: Id,
  industry: Type.String(),
  page_type: Type.String(),
  month: Type.String(),
  hypothesis: Type.String({ description: 'client name → [client], URLs → [url]' }),
  change: Type.String(),
  learnings: Nullable(Type.String()),
  outcome: Type.String(),
  lift: Nullable(Type.Number()),
  ci_low: Nullable(Type.Number()),
  ci_high: Nullable(Type.Number()),
  tags: Type.Array(Type.String()),
  status: Type.String(),
  relevance_tier: Type.Integer(),
});

const filterFields = {
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'free text, Japanese or English: substrings of Japanese (1+ characters), English words (case-insensitive), phrases' })),
  industry: Type.Optional(Tag),
  page_type: Type.Optional(Tag),
  outcome: Type.Optional(Type.Union(['winner', 'loser', 'inconclusive', 'invalid', 'blocked_by_guardrail'].map((o) => Type.Literal(o)))),
  lift_min: Type.Optional(Type.Number({ minimum: -100, maximum: 100, description: 'relative lift, e.g. 0.05 = +5%' })),
  lift_max: Type.Optional(Type.Number({ minimum: -100, maximum: 100 })),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 10, description: 'entries with every one of these tags (repeat the parameter)' })),
  month: Type.Optional(Month),
  month_from: Type.Optional(Month),
  month_to: Type.Optional(Month),
  client_id: Type.Optional(Id),
};
export const SearchQuery = Type.Object(
  {
    ...filterFields,
    cursor: Type.Optional(Type.String({ maxLength: 40, description: '`next_cursor` of the previous page' })),
    after_id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'legacy cursor for listings without `q`' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export const ExportQuery = Type.Object(filterFields, { additionalProperties: false });

// 1,000 characters of 4-byte UTF-8 are 12,000 bytes percent-encoded: with the rest of the request
// still under Node's 16 KiB header limit, so no text the schema accepts meets Node's 431 (which comes
// before validation) and a longer one is the schema's 400 until the URL itself passes 16 KiB.
export const RELATED_TEXT_MAX = 1000;

export const KnowledgePage = Type.Object({ items: Type.Array(Type.Union([Entry, AnonymisedEntry])), next_cursor: Nullable(Type.String()), next_after_id: Nullable(Id) });
export const RelatedQuery = Type.Object({ page_id: Type.Optional(Id), text: Type.String({ minLength: 1, maxLength: RELATED_TEXT_MAX, description: 'Up to 1,000 characters, so the URL stays under the 16 KiB request-header limit.' }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) }, { additionalProperties: false });
export const Related = Type.Object({ items: Type.Array(Type.Intersect([Entry, Type.Object({ same_page: Type.Boolean(), overlap: Type.Integer() })])) });
/** Choices for skills, industries, page types and tags: what is in use plus a seed list, normalised. */
export const Vocabularies = Type.Object({
  skills: Type.Array(Type.String()),
  industries: Type.Array(Type.String()),
  page_types: Type.Array(Type.String()),
  tags: Type.Array(Type.String({ description: 'learning tags (client users: their own company\'s)' })),
});
export const UrlTooLong = { ...ErrorResponse, description: 'The URL passed the 16 KiB request-header limit (refused before validation).' };
