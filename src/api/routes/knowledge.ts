// The knowledge base: search past tests; client users see only their own company's entries.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { searchKnowledge } from '../../cycles/knowledge.ts';
import { STAFF } from '../auth.ts';
import { authErrors, Id, nextAfter, Nullable, PagedQuery, PageOf, Tag, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

const Entry = Type.Object({
  id: Id,
  test_id: Id,
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
});

export function knowledgeRoutes(base: FastifyInstance, { db }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/knowledge',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Search past tests',
        description: 'Full text over hypothesis, change and learnings, newest first; page with `after_id`. Client users see only their own.',
        querystring: PagedQuery({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          page_type: Type.Optional(Tag),
          outcome: Type.Optional(Type.Union(['winner', 'loser', 'inconclusive', 'invalid'].map((o) => Type.Literal(o)))),
          client_id: Type.Optional(Id),
        }),
        response: { 200: PageOf(Entry), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await searchKnowledge(db, {
        q: req.query.q,
        page_type: req.query.page_type,
        outcome: req.query.outcome,
        clientId: req.user.role === 'client' ? req.user.client_id! : req.query.client_id,
        afterId: req.query.after_id,
        limit,
      });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );
}
