// Cycles: list, read (row + the workflow's live view), and the two human decisions that move a month
// on — the plan and the selection — forwarded to the cycle workflow as updates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkSelection } from '../../cycles/proposals.ts';
import { withWaitingFor } from '../../domain/messages.ts';
import { planAuthorsFor } from '../../domain/cycles/plan.ts';
import { planProblems } from '../../cycles/plan.ts';
import { cycleHasBriefs } from '../../cycles/brief.ts';
import { listCycles } from '../../cycles/views.ts';
import { selectedProposalsOf } from '../../renders/versions.ts';
import type { CyclePhase } from '../../shared/cycles.ts';
import { cycleStatusQuery, selectProposalsUpdate, submitPlanUpdate } from '../../workflows/cycle.ts';
import { action, assertManages, cycleFor, manageRefusal, routeRefusal } from '../access.ts';
import { actorOf, STAFF } from '../auth.ts';
import { badRequest, conflict, earlierUpdate, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, Idempotency, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import * as S from '../schemas/cycles.ts';
import type { ApiDeps } from '../deps.ts';

export const cycleRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal }) => {
  const readers = [...STAFF, 'finance', 'client'] as const;
  const deciders = [...STAFF, 'client'] as const;

  /** A decision on an ended engagement's cycle is refused with the reason, before the workflow. */
  function assertEngagementLive(c: { engagement_status: string; engagement_end_reason: string | null }) {
    const ended = endedRefusal(c);
    if (ended) throw conflict(ended);
  }
  function endedRefusal(c: { engagement_status: string; engagement_end_reason: string | null }): string | undefined {
    if (c.engagement_status === 'ended') return `The engagement has ended (${c.engagement_end_reason ?? 'no reason given'}); its cycles take no more decisions.`;
    return undefined;
  }

  app.get(
    '/v1/cycles',
    {
      config: { roles: readers },
      schema: { tags: ['cycles'], summary: 'List cycles by engagement, phase or month (client users: their own)', querystring: PagedQuery(S.CycleListQuery), response: { 200: PageOf(S.CycleSummary), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listCycles(db, {
        engagementId: req.query.engagement_id,
        phase: req.query.phase as CyclePhase | undefined,
        month: req.query.month,
        clientId: req.user.role === 'client' ? req.user.client_id! : undefined,
        afterId: req.query.after_id,
        limit,
      });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/cycles/:id',
    {
      config: { roles: readers },
      schema: { tags: ['cycles'], summary: 'One cycle with its live view', description: "The cycle row plus the workflow's live view (incl. past tests on the same pages; null when no worker answers).", params: IdParams, response: { 200: S.Cycle, ...authErrors } },
    },
    async (req) => {
      const row = await cycleFor(db, req, req.params.id);
      const { engagement_status: _, engagement_end_reason: __, ...c } = row;
      // Time-boxed by the client (connectClient): no worker or no Temporal → the database's view alone.
      const live = await temporal.workflow.getHandle(c.workflow_id).query(cycleStatusQuery).catch(() => null);
      // Who may decide, by the decision routes' own checks (the phase says which decision is due).
      const decide = (path: string) => action(routeRefusal(req, 'POST', `/v1/cycles/:id/${path}`), manageRefusal(req, row), endedRefusal(row));
      const selected = await selectedProposalsOf(db, c.id);
      return { ...withWaitingFor(c), live, actions: { plan: decide('plan'), select: decide('selection') }, plan_authors: planAuthorsFor(req.user.role), selected };
    },
  );

  app.post(
    '/v1/cycles/:id/plan',
    {
      config: { roles: deciders },
      schema: {
        tags: ['cycles'],
        summary: "Submit the month's plan (client, CS, admin)",
        description: "1+ hypotheses; the client's and CS's hypotheses each get their own offer and test (\"do both\"). A client user may only author client hypotheses.",
        params: IdParams,
        headers: Idempotency,
        body: S.Plan,
        response: { 200: S.PlanResult, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      assertManages(req, c);
      assertEngagementLive(c);
      const handle = temporal.workflow.getHandle(c.workflow_id);
      const updateId = req.headers['idempotency-key'] ? `plan-${c.id}-${req.headers['idempotency-key']}` : undefined;
      const details = await planProblems(db, c.engagement_id, actorOf(req), req.body.hypotheses);
      // A month planned with briefs posts only from them (CS's review and the checklist come first).
      if (await cycleHasBriefs(db, c.id)) throw conflict(`cycle ${c.id} is planned with briefs: post its approved briefs (POST /v1/briefs/:id/post)`);
      if (details.length) {
        const earlier = await earlierUpdate<{ hypothesisIds: number[] }>(handle, updateId);
        if (earlier) return { cycle_id: c.id, hypothesis_ids: earlier.hypothesisIds };
        throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      }
      const result = await viaUpdate(() =>
        handle.executeUpdate(submitPlanUpdate, { args: [{ hypotheses: req.body.hypotheses, actor: actorOf(req) }], ...(updateId ? { updateId } : {}) }),
      );
      return { cycle_id: c.id, hypothesis_ids: result.hypothesisIds };
    },
  );

  app.post(
    '/v1/cycles/:id/selection',
    {
      config: { roles: deciders },
      schema: {
        tags: ['cycles'],
        summary: 'Select proposals to test (client, CS, admin)',
        description: 'Select 1–3 submitted proposals per offer; the others are rejected.',
        params: IdParams,
        headers: Idempotency,
        body: S.Selection,
        response: { 200: S.SelectionResult, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      assertManages(req, c);
      assertEngagementLive(c);
      const handle = temporal.workflow.getHandle(c.workflow_id);
      const updateId = req.headers['idempotency-key'] ? `select-${c.id}-${req.headers['idempotency-key']}` : undefined;
      const details = await checkSelection(db, c.id, req.body.selections);
      if (details.length) {
        const earlier = await earlierUpdate<{ pendingOffers: number[] }>(handle, updateId);
        if (earlier) return { cycle_id: c.id, pending_offers: earlier.pendingOffers };
        throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      }
      const result = await viaUpdate(() =>
        handle.executeUpdate(selectProposalsUpdate, { args: [{ selections: req.body.selections, actor: actorOf(req) }], ...(updateId ? { updateId } : {}) }),
      );
      return { cycle_id: c.id, pending_offers: result.pendingOffers };
    },
  );
};
