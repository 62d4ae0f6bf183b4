// A/B tests as people read and steer them: lists, one test with its live per-arm figures, the whole
// verdict history (paged), stopping a test, invalidating its verdict, adding learnings; and as the
// client's site feeds them: a visitor's assignment and the exposures and conversions it posts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { learningsOf } from '../../cycles/knowledge.ts';
import { listTests, listVerdicts, stopRefusal, testFigures } from '../../cycles/tests.ts';
import { applyFailureStats, assignVisitor, ingestEvents, loadTestMeta, TrafficError, type TestMeta } from '../../cycles/traffic.ts';
import { applyHealth } from '../../domain/cycles/apply-failures.ts';
import { noTrafficWarning } from '../../domain/cycles/no-traffic.ts';
import { isServing, markShipped, setTestKillSwitch, shipRefusal } from '../../site/serving.ts';
import { invalidateVerdict } from '../../cycles/verdicts.ts';
import { metricReport, setTestMetrics } from '../../cycles/metrics.ts';
import { armsShown } from '../../renders/versions.ts';
import { stopTestUpdate } from '../../workflows/ab-test.ts';
import { addLearningsUpdate } from '../../workflows/cycle.ts';
import { action, assertManages, manageRefusal, routeRefusal, testFor } from '../access.ts';
import { actorOf, assertClientAccess, STAFF } from '../auth.ts';
import { conflict, notFound, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import * as S from '../schemas/tests.ts';
import type { ApiDeps } from '../deps.ts';

export const testRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  const readers = [...STAFF, 'finance', 'client'] as const;

  app.get(
    '/v1/tests',
    {
      config: { roles: readers },
      schema: { tags: ['tests'], summary: 'List tests by engagement or status (client users: their own)', querystring: PagedQuery(S.TestListQuery), response: { 200: PageOf(S.TestSummary), ...authErrors } },
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
      schema: { tags: ['tests'], summary: 'One test: variants, live per-arm figures, final verdict, learnings', params: IdParams, response: { 200: S.TestDetail, ...authErrors } },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      const [figures, learnings, failures, serving, page, metric_report] = await Promise.all([
        testFigures(db, t.id),
        learningsOf(db, [t.id]),
        applyFailureStats(db, t.id),
        isServing(db, t.id),
        db.selectFrom('pages').select('control_since_test_id').where('id', '=', t.page_id).executeTakeFirstOrThrow(),
        metricReport(db, t.id),
      ]);
      // A test is named by what it tries: its offer's hypothesis (never "Test 13" alone).
      const named = await db.selectFrom('offers').innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id').select('hypotheses.problem').where('offers.id', '=', t.offer_id).executeTakeFirst();
      const health = applyHealth(failures);
      const shown = await armsShown(db, figures.variants);
      const arms = figures.arms.map((a) => ({ ...a, ...(shown.get(a.variant_id) ?? { proposal: null, images: [] }) }));
      // What the caller may do, by the write routes' own checks (learnings are taken during knowledge capture).
      const may = (path: string, ...more: (string | undefined)[]) => action(routeRefusal(req, 'POST', `/v1/tests/:id/${path}`), manageRefusal(req, t), ...more);
      const actions = {
        stop: may('stop', stopRefusal(t)?.message),
        invalidate: may('invalidate'),
        add_learnings: may('learnings'),
        set_metrics: may('metrics', stopRefusal(t)?.message),
        kill_switch: action(routeRefusal(req, 'PUT', '/v1/tests/:id/kill-switch'), manageRefusal(req, t)),
        mark_shipped: may('shipped', shipRefusal(t, page.control_since_test_id)),
      };
      const exposures = figures.arms.reduce((n, a) => n + a.n, 0);
      const warnings = [noTrafficWarning({ status: t.status, startedAt: t.started_at, exposures }, new Date(), config.noTrafficHours)].filter((w) => w !== null);
      return { ...t, hypothesis: named?.problem ?? null, ...figures, arms, learnings, serving, metric_report, apply_failures: health.apply_failures, health_warnings: health.warnings, warnings, actions };
    },
  );

  app.get(
    '/v1/tests/:id/verdicts',
    {
      config: { roles: readers },
      schema: { tags: ['tests'], summary: "A test's whole verdict history, in check order (paged)", params: IdParams, querystring: PagedQuery({}), response: { 200: PageOf(S.Verdict), ...authErrors } },
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
        body: S.Reason,
        response: { 200: S.Stopping, ...authErrors, 409: ErrorResponse, 503: ErrorResponse },
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
        body: S.Reason,
        response: { 200: S.Invalidated, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      return { test_id: t.id, ...(await invalidateVerdict(db, t.id, req.body.reason, actorOf(req))) };
    },
  );

  app.post(
    '/v1/tests/:id/metrics',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['tests'],
        summary: "Set a test's metrics before it has traffic (CS, admin)",
        description:
          'One primary metric, any secondary and guardrail metrics (each reading an event the SDK tracks by name), and optionally a pre-registered decision population (the verdict is then computed on that segment only). A 409 once a visitor was exposed: the aggregates are kept per the metrics set.',
        params: IdParams,
        body: S.MetricsBody,
        response: { 200: S.MetricsSet, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      return setTestMetrics(db, t.id, req.body);
    },
  );

  app.put(
    '/v1/tests/:id/kill-switch',
    {
      config: { audit: 'kill_switch.test', roles: STAFF },
      schema: {
        tags: ['tests'],
        summary: "Turn a test's kill switch on or off (CS, admin)",
        description: "On: the test and its served winner leave the site config at once, so every visitor sees the page without its changes within one config cache period (the SDK's). Off: they are back.",
        params: IdParams,
        body: S.KillSwitchBody,
        response: { 200: S.TestKillSwitch, ...authErrors },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      return setTestKillSwitch(db, t.id, req.body.on);
    },
  );

  app.post(
    '/v1/tests/:id/shipped',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['tests'],
        summary: "The winner is in the site's own code now: stop serving it (CS, admin)",
        description: "Only the winner the page's visitors are served (the page's control) can be shipped; a 409 otherwise. Marking it twice answers the first time.",
        params: IdParams,
        response: { 200: S.Shipped, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const t = await testFor(db, req, req.params.id);
      assertManages(req, t);
      return markShipped(db, t.id, actorOf(req));
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
        body: S.Learnings,
        response: { 200: S.TestLearnings, ...authErrors, 409: ErrorResponse },
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

  // The client's site: a visitor's variant and the events it posts (staff may call them too).
  const callers = [...STAFF, 'client'] as const;

  /** 404 for an unknown test, 403 for another client's; the tenant is checked on every request. */
  async function authorize(req: FastifyRequest, testId: number): Promise<TestMeta> {
    const meta = await loadTestMeta(db, testId).catch(rethrow);
    if (!meta) throw notFound('test');
    assertClientAccess(req, meta.client_id);
    return meta;
  }

  app.get(
    '/v1/tests/:id/assignment',
    {
      config: { roles: callers },
      schema: {
        tags: ['traffic'],
        summary: "A visitor's variant of a running test (the client's site)",
        description:
          'The variant a visitor sees: deterministic (sha256 of test and visitor id against the variant weights), so the same visitor always gets the same arm.',
        params: IdParams,
        querystring: S.AssignmentQuery,
        response: { 200: S.AssignmentBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(req, req.params.id);
      return assignVisitor(db, req.params.id, req.query.visitor).catch(rethrow);
    },
  );

  app.post(
    '/v1/tests/:id/events',
    {
      config: { roles: callers },
      schema: {
        tags: ['traffic'],
        summary: 'Post exposures and conversions of a running test (the client\'s site)',
        description:
          'Records exposures and conversions of a running test. An event id counts once per test, so a batch can be retried safely.',
        params: IdParams,
        body: S.EventsBody,
        response: { 200: S.IngestBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(req, req.params.id);
      // Traffic decides the test's verdict: a CS manager posts it only for an engagement they manage.
      assertManages(req, await testFor(db, req, req.params.id));
      return ingestEvents(db, req.params.id, req.body.events).catch(rethrow);
    },
  );
};

function rethrow(err: unknown): never {
  if (err instanceof TrafficError) {
    if (err.reason === 'test_not_found') throw notFound('test');
    throw conflict(err.message);
  }
  throw err;
}
