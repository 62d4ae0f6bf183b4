// A/B tests as people read and steer them: lists, one test with its live per-arm figures, the whole
// verdict history (paged), stopping a test, invalidating its verdict, adding learnings.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { learningsOf } from '../../cycles/knowledge.ts';
import { listTests, listVerdicts, stopRefusal } from '../../cycles/tests.ts';
import { armStats } from '../../cycles/traffic.ts';
import { invalidateVerdict } from '../../cycles/verdicts.ts';
import { stopTestUpdate } from '../../workflows/ab-test.ts';
import { addLearningsUpdate } from '../../workflows/cycle.ts';
import { assertManages, testFor } from '../access.ts';
import { actorOf, STAFF } from '../auth.ts';
import { viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, nextAfter, Nullable, PagedQuery, PageOf, Tag, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const Reason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false, examples: [{ reason: 'tracking tag fired twice on variant A' }] });
const Learnings = Type.Object(
  { learnings: Type.String({ minLength: 1, maxLength: 10_000 }), tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })) },
  { additionalProperties: false, examples: [{ learnings: 'Fewer fields beat reassurance badges', tags: ['forms'] }] },
);
const TestStatus = Type.Union(['running', 'completed', 'invalid', 'cancelled'].map((s) => Type.Literal(s)));
const TestSummary = Type.Object({
  id: Id,
  cycle_id: Id,
  offer_id: Id,
  page_id: Id,
  engagement_id: Id,
  client_id: Id,
  month: Type.String(),
  metric: Type.String(),
  status: Type.String(),
  planned_sample_total: Type.Integer(),
  stop_reason: Nullable(Type.String()),
  started_at: Timestamp,
  stopped_at: Nullable(Timestamp),
  outcome: Nullable(Type.String({ description: 'final verdict as it stands now (invalidated → invalid)' })),
  invalidated: Type.Boolean(),
});
// Every figure the engine returned (src/domain/stats/types.ts); further fields pass through.
const VariantResult = Type.Object(
  {
    arm: Type.String(),
    expected: Type.Optional(Type.Number({ description: 'the effect (relative lift by default)' })),
    ci: Type.Optional(Type.Array(Nullable(Type.Number()), { description: '[low, high]; null = unbounded' })),
    uplift_stddev: Type.Optional(Type.Number()),
    p_value: Type.Optional(Type.Number()),
    chance_to_win: Type.Optional(Type.Number()),
    risk: Type.Optional(Type.Array(Type.Number())),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const VerdictResult = Type.Object(
  {
    variants: Type.Array(VariantResult, { description: 'one per treatment, compared with the control' }),
    srm_p_value: Type.Optional(Type.Number()),
    decision: Type.Object({ outcome: Type.String(), arm: Type.Optional(Type.String()), reason: Type.Optional(Type.String()) }, { additionalProperties: true }),
  },
  { additionalProperties: true, description: 'every figure the engine returned: per variant lift, CI, p-value; srm_p_value; decision' },
);
const Verdict = Type.Object({
  id: Id,
  test_id: Id,
  kind: Type.String({ description: 'interim (one per check) or final' }),
  check_no: Type.Integer(),
  engine: Type.String(),
  outcome: Type.String(),
  winner_variant_id: Nullable(Id),
  request: Type.Unknown({ description: 'the verdict engine request (arms, weights, settings)' }),
  result: Type.Unsafe<unknown>(VerdictResult),
  invalidated_at: Nullable(Timestamp),
  invalidation_reason: Nullable(Type.String()),
  invalidated_by: Nullable(Id),
  created_at: Timestamp,
});
const Arm = Type.Object({ variant_id: Id, arm: Type.String(), n: Type.Integer(), conversions: Type.Integer(), sum: Type.Number(), sum_squares: Type.Number() });
const Variant = Type.Object({ id: Id, test_id: Id, arm: Type.String(), position: Type.Integer(), proposal_id: Nullable(Id), weight: Type.Number() });
const Learning = Type.Object({ id: Id, test_id: Id, text: Type.String(), author_user_id: Id, author_name: Type.String(), created_at: Timestamp });
const TestDetail = Type.Object({
  id: Id,
  cycle_id: Id,
  offer_id: Id,
  page_id: Id,
  engagement_id: Id,
  client_id: Id,
  metric: Type.String(),
  status: Type.String(),
  planned_sample_total: Type.Integer(),
  baseline_rate: Nullable(Type.Number()),
  workflow_id: Type.String(),
  stop_reason: Nullable(Type.String()),
  stopped_by: Nullable(Id),
  started_at: Timestamp,
  stopped_at: Nullable(Timestamp),
  variants: Type.Array(Variant),
  arms: Type.Array(Arm),
  final_verdict: Nullable(Verdict),
  interim_checks: Type.Integer({ description: 'how many interim verdicts there are: GET /v1/tests/:id/verdicts pages through them' }),
  learnings: Type.Array(Learning),
});

export function testRoutes(base: FastifyInstance, { db, temporal }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const readers = [...STAFF, 'finance', 'client'] as const;

  app.get(
    '/v1/tests',
    {
      config: { roles: readers },
      schema: { tags: ['tests'], summary: 'List tests by engagement or status (client users: their own)', querystring: PagedQuery({ engagement_id: Type.Optional(Id), status: Type.Optional(TestStatus) }), response: { 200: PageOf(TestSummary), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listTests(db, {
        engagementId: req.query.engagement_id,
        status: req.query.status as 'running' | undefined,
        clientId: req.user.role === 'client' ? req.user.client_id! : undefined,
        afterId: req.query.after_id,
        limit,
      });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/tests/:id',
    {
      config: { roles: readers },
      schema: { tags: ['tests'], summary: 'One test: variants, live per-arm figures, final verdict, learnings', params: IdParams, response: { 200: TestDetail, ...authErrors } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      const [variants, arms, final, interim, learnings] = await Promise.all([
        db.selectFrom('variants').selectAll().where('test_id', '=', t.id).orderBy('position').execute(),
        armStats(db, t.id),
        db.selectFrom('verdicts').selectAll().where('test_id', '=', t.id).where('kind', '=', 'final').executeTakeFirst(),
        db.selectFrom('verdicts').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', t.id).where('kind', '=', 'interim').executeTakeFirstOrThrow(),
        learningsOf(db, [t.id]),
      ]);
      return { ...t, variants, arms, final_verdict: final ?? null, interim_checks: Number(interim.n), learnings };
    },
  );

  app.get(
    '/v1/tests/:id/verdicts',
    {
      config: { roles: readers },
      schema: { tags: ['tests'], summary: "A test's whole verdict history, in check order (paged)", params: IdParams, querystring: PagedQuery({}), response: { 200: PageOf(Verdict), ...authErrors } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      const limit = req.query.limit ?? 100;
      const items = await listVerdicts(db, t.id, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.post(
    '/v1/tests/:id/stop',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['tests'],
        summary: 'Stop a running test with a reason (CS, admin)',
        description:
          'The final verdict follows on the data collected. Who stopped it and why is recorded by the test workflow once it accepted the stop: a 503 (Temporal unreachable) records nothing, so the same request can be retried.',
        params: IdParams,
        body: Reason,
        response: { 200: Type.Object({ test_id: Id, stopping: Type.Boolean() }), ...authErrors, 409: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      const refusal = stopRefusal(t);
      if (refusal) throw refusal;
      await viaUpdate(
        () => temporal.workflow.getHandle(t.workflow_id).executeUpdate(stopTestUpdate, { args: [{ reason: req.body.reason, actor: actorOf(req) }] }),
        `Test ${t.id} is no longer running.`,
      );
      return { test_id: t.id, stopping: true };
    },
  );

  app.post(
    '/v1/tests/:id/invalidate',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['tests'],
        summary: 'Invalidate a final verdict later found wrong (CS, admin)',
        description:
          "Undoes what followed from it: the win bonus is reversed by a new ledger line, the page gets back the control the winner replaced, the cycle report and the knowledge entry say invalid. A second invalidation is a 409.",
        params: IdParams,
        body: Reason,
        response: { 200: Type.Object({ test_id: Id, invalidated: Type.Boolean(), reversed: Type.Integer(), control_restored: Type.Boolean() }), ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      return { test_id: t.id, ...(await invalidateVerdict(db, t.id, req.body.reason, actorOf(req))) };
    },
  );

  app.post(
    '/v1/tests/:id/learnings',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['knowledge'],
        summary: 'Add a learning during knowledge capture (CS, admin)',
        description: 'Each learning is kept as its own entry (who, when, text), in order; tags are added to the entry.',
        params: IdParams,
        body: Learnings,
        response: { 200: Type.Object({ test_id: Id, learnings: Type.Array(Learning) }), ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      await viaUpdate(() =>
        temporal.workflow
          .getHandle(t.cycle_workflow_id)
          .executeUpdate(addLearningsUpdate, { args: [{ test_id: t.id, learnings: req.body.learnings, tags: req.body.tags, actor: actorOf(req) }] }),
      );
      return { test_id: t.id, learnings: await learningsOf(db, [t.id]) };
    },
  );
}
