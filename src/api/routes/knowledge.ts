// The knowledge base: search past tests in Japanese and English, by role — client users see only
// their own company's entries, CS and admin all, hackers a cross-client anonymised view (no client,
// URL or revenue) — and export it as CSV for Excel. What is related to a plan: engagements.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { anonymise, exportKnowledgeCsv, searchKnowledge, type KnowledgeQuery } from '../../cycles/knowledge.ts';
import { vocabularies } from '../../cycles/vocabularies.ts';
import { knowledgeImages } from '../../renders/versions.ts';
import { STAFF } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { authErrors, FileAnswer } from '../schemas/common.ts';
import * as S from '../schemas/knowledge.ts';
import type { ApiDeps } from '../deps.ts';

export const knowledgeRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/vocabularies',
    {
      config: { roles: [...STAFF, 'finance', 'client', 'hacker'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Choices for skills, industries, page types and learning tags',
        description: 'What the data holds plus a seed list, normalised (NFKC, trimmed, lower-case) as the API stores them: forms offer these as suggestions instead of free text.',
        response: { 200: S.Vocabularies, ...authErrors },
      },
    },
    async (req) => vocabularies(db, { clientId: req.user.role === 'client' ? req.user.client_id! : undefined }),
  );

  /** The filters as the caller may apply them: a client user is pinned to its company; a hacker cannot pick a client. */
  function scoped(req: FastifyRequest, q: Static<typeof S.ExportQuery>): Omit<KnowledgeQuery, 'limit'> {
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
        querystring: S.SearchQuery,
        response: { 200: S.KnowledgePage, ...authErrors },
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
      // Screenshots for clients and staff only: they show the client's site (the hackers' view is anonymised).
      const images = await knowledgeImages(db, page.items.flatMap((e) => (e.test_id === null ? [] : [e.test_id])));
      const items = page.items.map((e) => ({ ...e, images: (e.test_id !== null && images.get(e.test_id)) || { control: [], winner: [] } }));
      return { items, next_cursor: page.next_cursor, next_after_id };
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
        querystring: S.ExportQuery,
        response: { 200: FileAnswer('text/csv', 'UTF-8 CSV starting with a BOM (Excel opens Japanese correctly)'), ...authErrors },
      },
    },
    async (req, reply) => {
      const csv = await exportKnowledgeCsv(db, scoped(req, req.query), req.user.role === 'hacker' ? 'anonymised' : 'full');
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="knowledge.csv"').send(csv);
    },
  );
};
