// The knowledge base: search past tests in Japanese and English, by role — client users see only
// their own company's entries, CS and admin all, hackers a cross-client anonymised view (no client,
// URL or revenue) — export it as CSV for Excel, and find what is related to a plan.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { anonymise, exportKnowledgeCsv, relatedKnowledge, searchKnowledge, type KnowledgeQuery } from '../../cycles/knowledge.ts';
import { STAFF } from '../auth.ts';
import { engagementFor } from '../access.ts';
import { badRequest } from '../errors.ts';
import { authErrors, ErrorResponse, Id, Month, Nullable, Tag, Timestamp, FileAnswer } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const Entry = Type.Object({
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
  status: Type.String({ description: 'draft during knowledge capture, then final' }),
  invalidated_at: Nullable(Timestamp),
  invalidation_reason: Nullable(Type.String()),
  created_at: Timestamp,
  relevance_tier: Type.Integer({ description: '1: the words are in the hypothesis or tags; 2: elsewhere; 0: no query' }),
});

/** The hackers' view: what was tried in an industry and how it went, nothing that identifies the client. */
const AnonymisedEntry = Type.Object({
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
  outcome: Type.Optional(Type.Union(['winner', 'loser', 'inconclusive', 'invalid'].map((o) => Type.Literal(o)))),
  lift_min: Type.Optional(Type.Number({ minimum: -100, maximum: 100, description: 'relative lift, e.g. 0.05 = +5%' })),
  lift_max: Type.Optional(Type.Number({ minimum: -100, maximum: 100 })),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 10, description: 'entries with every one of these tags (repeat the parameter)' })),
  month: Type.Optional(Month),
  month_from: Type.Optional(Month),
  month_to: Type.Optional(Month),
  client_id: Type.Optional(Id),
};
const SearchQuery = Type.Object(
  {
    ...filterFields,
    cursor: Type.Optional(Type.String({ maxLength: 40, description: '`next_cursor` of the previous page' })),
    after_id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'legacy cursor for listings without `q`' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
const ExportQuery = Type.Object(filterFields, { additionalProperties: false });

// 1,000 characters of 4-byte UTF-8 are 12,000 bytes percent-encoded: with the rest of the request
// still under Node's 16 KiB header limit, so no text the schema accepts meets Node's 431 (which comes
// before validation) and a longer one is the schema's 400 until the URL itself passes 16 KiB.
const RELATED_TEXT_MAX = 1000;

export function knowledgeRoutes(base: FastifyInstance, { db }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  /** The filters as the caller may apply them: a client user is pinned to its company; a hacker cannot pick a client. */
  function scoped(req: FastifyRequest, q: Static<typeof ExportQuery>): Omit<KnowledgeQuery, 'limit'> {
    const { client_id, ...rest } = q;
    const clientId = req.user.role === 'client' ? req.user.client_id! : req.user.role === 'hacker' ? undefined : client_id;
    return { ...rest, clientId };
  }

  app.get(
    '/v1/knowledge',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Search past tests (Japanese and English, by role)',
        description:
          'Substring search that needs no word splitter (`ボタン` finds `申込ボタンの色を変更`; `解約` finds `解約フローの…`), English case-insensitive, ranked by relevance (hypothesis/tags first, then change/learnings; newest first within). Filters: industry, page type, outcome, lift range, tags, month. Client users see only their own company; hackers get the anonymised cross-client view. Page with `next_cursor`.',
        querystring: SearchQuery,
        response: {
          200: Type.Object({ items: Type.Array(Type.Union([Entry, AnonymisedEntry])), next_cursor: Nullable(Type.String()), next_after_id: Nullable(Id) }),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { cursor, after_id, limit, ...filters } = req.query;
      if (cursor !== undefined && !/^[012]\.\d{1,16}$/.test(cursor)) throw badRequest('/querystring/cursor is not a cursor this API gave', [{ path: '/querystring/cursor', message: 'is not a cursor this API gave' }]);
      const n = limit ?? 100;
      const page = await searchKnowledge(db, { ...scoped(req, filters), cursor, afterId: after_id, limit: n });
      const last = page.items[page.items.length - 1];
      const next_after_id = !filters.q && page.items.length === n && last ? last.id : null;
      if (req.user.role === 'hacker') return { items: await anonymise(db, page.items), next_cursor: page.next_cursor, next_after_id };
      return { items: page.items, next_cursor: page.next_cursor, next_after_id };
    },
  );

  app.get(
    '/v1/knowledge/export.csv',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Export the search as CSV (UTF-8 with BOM for Excel)',
        description: 'Same filters and views as `GET /v1/knowledge`, up to 50,000 rows, relevance order. Hackers get the anonymised columns.',
        querystring: ExportQuery,
        response: { 200: FileAnswer('text/csv', 'UTF-8 CSV starting with a BOM (Excel opens Japanese correctly)'), ...authErrors },
      },
    },
    async (req, reply) => {
      const csv = await exportKnowledgeCsv(db, scoped(req, req.query), req.user.role === 'hacker' ? 'anonymised' : 'full');
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="knowledge.csv"').send(csv);
    },
  );

  app.get(
    '/v1/engagements/:id/related-knowledge',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['knowledge'],
        summary: "The client's past entries most related to a page and a hypothesis (planning)",
        description: 'Same page URL first (across engagements), then by shared words/characters with the text, newest first.',
        params: Type.Object({ id: Id }, { additionalProperties: false }),
        querystring: Type.Object({ page_id: Type.Optional(Id), text: Type.String({ minLength: 1, maxLength: RELATED_TEXT_MAX, description: 'Up to 1,000 characters, so the URL stays under the 16 KiB request-header limit.' }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Type.Intersect([Entry, Type.Object({ same_page: Type.Boolean(), overlap: Type.Integer() })])) }), ...authErrors, 431: { ...ErrorResponse, description: 'The URL passed the 16 KiB request-header limit (refused before validation).' } },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      const page = req.query.page_id ? await db.selectFrom('pages').select('url').where('id', '=', req.query.page_id).where('engagement_id', '=', e.id).executeTakeFirst() : undefined;
      if (req.query.page_id && !page) throw badRequest('/querystring/page_id is not a page of this engagement', [{ path: '/querystring/page_id', message: 'is not a page of this engagement' }]);
      return { items: await relatedKnowledge(db, { clientId: e.client_id, pageUrl: page?.url ?? null, text: req.query.text, limit: req.query.limit ?? 10 }) };
    },
  );
}
