import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type, type Static } from 'typebox';
import { armStats } from '../../traffic.ts';
import { invalidateVerdict } from '../../verdicts.ts';
import { stopTestUpdate } from '../../workflows/ab-test.ts';
import { addLearningsUpdate } from '../../workflows/cycle.ts';
import { testFor } from '../access.ts';
import { STAFF } from '../auth.ts';
import { conflict, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, Tag } from '../schemas.ts';
import type { ApiDeps } from '../app.ts';

const Any = Type.Object({}, { additionalProperties: true });
const Stop = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
const Learnings = Type.Object(
  { learnings: Type.String({ minLength: 1, maxLength: 10_000 }), tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })) },
  { additionalProperties: false },
);
const KnowledgeQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    page_type: Type.Optional(Tag),
    outcome: Type.Optional(Type.Union(['winner', 'loser', 'inconclusive', 'invalid'].map((o) => Type.Literal(o)))),
    client_id: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export function testRoutes(app: FastifyInstance, { db, temporal }: ApiDeps) {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/tests/:id',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['tests'], description: 'Test, variants, live per-arm figures and its verdicts.', params: IdParams, response: { 200: Any, ...authErrors } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      const [variants, arms, verdicts] = await Promise.all([
        db.selectFrom('variants').selectAll().where('test_id', '=', t.id).orderBy('position').execute(),
        armStats(db, t.id),
        db.selectFrom('verdicts').selectAll().where('test_id', '=', t.id).orderBy('kind').orderBy('check_no', 'desc').limit(5).execute(),
      ]);
      return { ...t, variants, arms, verdicts };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Stop> }>(
    '/v1/tests/:id/stop',
    {
      config: { roles: STAFF },
      schema: { tags: ['tests'], description: 'CS stops a running test with a reason; the final verdict follows.', params: IdParams, body: Stop, response: { 200: Any, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      if (t.status !== 'running') throw conflict(`test ${t.id} is ${t.status}`);
      await viaUpdate(() => temporal.workflow.getHandle(t.workflow_id).executeUpdate(stopTestUpdate, { args: [{ reason: req.body.reason, requestedBy: req.user.id }] }));
      return { test_id: t.id, stopping: true };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Stop> }>(
    '/v1/tests/:id/invalidate',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['tests'],
        description: 'Invalidate a final verdict later found wrong: its win bonus is reversed by a new ledger line (idempotent).',
        params: IdParams,
        body: Stop,
        response: { 200: Any, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      if (t.status === 'running') throw conflict(`test ${t.id} is still running; stop it instead`);
      return { test_id: t.id, ...(await invalidateVerdict(db, t.id, req.body.reason, req.user.id)) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Learnings> }>(
    '/v1/tests/:id/learnings',
    {
      config: { roles: STAFF },
      schema: { tags: ['knowledge'], description: 'CS adds learnings to the test\'s knowledge entry during the capture window.', params: IdParams, body: Learnings, response: { 200: Any, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      await viaUpdate(() =>
        temporal.workflow
          .getHandle(t.cycle_workflow_id)
          .executeUpdate(addLearningsUpdate, { args: [{ test_id: t.id, learnings: req.body.learnings, tags: req.body.tags, requestedBy: req.user.id }] }),
      );
      return db.selectFrom('knowledge_entries').selectAll().where('test_id', '=', t.id).executeTakeFirstOrThrow();
    },
  );

  app.get<{ Querystring: Static<typeof KnowledgeQuery> }>(
    '/v1/knowledge',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['knowledge'],
        description: 'Search past tests (full text over hypothesis, change, learnings). Clients see only their own.',
        querystring: KnowledgeQuery,
        response: { 200: Type.Object({ items: Type.Array(Any) }), ...authErrors },
      },
    },
    async (req) => {
      let q = db
        .selectFrom('knowledge_entries')
        .select(['id', 'test_id', 'client_id', 'engagement_id', 'page_id', 'page_type', 'industry', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'status', 'created_at'])
        .orderBy('id', 'desc')
        .limit(200);
      if (req.user.role === 'client') q = q.where('client_id', '=', req.user.client_id!);
      else if (req.query.client_id) q = q.where('client_id', '=', req.query.client_id);
      if (req.query.page_type) q = q.where('page_type', '=', req.query.page_type);
      if (req.query.outcome) q = q.where('outcome', '=', req.query.outcome);
      if (req.query.q) q = q.where(sql<boolean>`search @@ plainto_tsquery('simple', ${req.query.q})`);
      return { items: await q.execute() };
    },
  );
}
