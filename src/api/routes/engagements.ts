// Engagements and their sub-resources: settings, pages, growth team (and its monthly review's
// suggestions), the month-by-month timeline, the past knowledge related to a plan, the partner it
// is attributed to.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { timeline } from '../../cycles/views.ts';
import type { Engagement as EngagementRow } from '../../db/schema.ts';
import { withWaitingFor } from '../../domain/messages.ts';
import { endRequestProblem } from '../../domain/engagements.ts';
import { createEngagement, listEngagements, reassignCsManager, startEngagementWorkflow } from '../../engagements/engagements.ts';
import { putAttribution } from '../../billing/accounts.ts';
import { relatedKnowledge } from '../../cycles/knowledge.ts';
import { addPage, getSettings, listPages, pageOf, updateSettings } from '../../engagements/settings.ts';
import { formTeam, setTeam, suggestionOf, teamOf, teamReview } from '../../network/teams.ts';
import { TEAM_DEFAULTS } from '../../domain/network/teams.ts';
import { decideTeamSuggestionUpdate, engagementStatusQuery, endEngagementUpdate } from '../../workflows/engagement.ts';
import { action, assertManages, assertManagesClient, engagementFor, manageRefusal, routeRefusal } from '../access.ts';
import { actorOf, STAFF } from '../auth.ts';
import { badRequest, conflict, earlierUpdate, HttpError, unavailableDependency, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, Idempotency, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import * as S from '../schemas/engagements.ts';
import * as K from '../schemas/knowledge.ts';
import { Attribution, AttributionBody } from '../schemas/partners.ts';
import { billingErrors } from '../schemas/billing.ts';
import type { ApiDeps } from '../deps.ts';

export const engagementRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const { db, temporal, config } = deps;
  const readers = [...STAFF, 'finance', 'client'] as const;

  async function workflowState(e: EngagementRow): Promise<Static<typeof S.WorkflowState>> {
    const handle = temporal.workflow.getHandle(e.workflow_id);
    try {
      // Both are time-boxed by the client (connectClient); a query also needs a worker.
      const description = await handle.describe();
      const live = await handle.query(engagementStatusQuery).catch(() => null);
      return { workflow_id: e.workflow_id, execution_status: description.status.name, live };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { workflow_id: e.workflow_id, execution_status: 'NOT_FOUND', live: null };
      // Temporal down or slow: the engagement as the database has it, without the live view.
      if (unavailableDependency(err) === 'Temporal') return { workflow_id: e.workflow_id, execution_status: 'UNAVAILABLE', live: null };
      throw err;
    }
  }

  app.post(
    '/v1/engagements',
    {
      config: { roles: STAFF, idempotency: 'own' },
      schema: {
        tags: ['engagements'],
        summary: 'Create an engagement (CS, admin)',
        description: 'Persists the engagement with its settings and pages, then starts its monthly workflow. Send an Idempotency-Key to retry safely.',
        headers: Idempotency,
        body: S.NewEngagement,
        response: { 200: S.Engagement, 201: S.Engagement, ...authErrors, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      await assertManagesClient(db, req, req.body.client_id, { unmanagedOk: true });
      const { engagement, replayed } = await createEngagement(db, req.user, req.body, req.headers['idempotency-key']);
      try {
        await startEngagementWorkflow(temporal, config.taskQueue, engagement);
      } catch (err) {
        req.log.error({ err, engagementId: engagement.id }, 'engagement saved but its workflow did not start');
        throw new HttpError(
          503,
          'workflow_unavailable',
          `Engagement ${engagement.id} was saved but its workflow could not start; retry with the same Idempotency-Key (the worker also starts missing workflows when it boots).`,
        );
      }
      req.log.info({ engagementId: engagement.id, replayed }, replayed ? 'engagement create replayed' : 'engagement created');
      return reply.status(replayed ? 200 : 201).send(engagement);
    },
  );

  app.get(
    '/v1/engagements',
    {
      config: { roles: readers },
      schema: { tags: ['engagements'], summary: 'List engagements (client users: their own); page with `after_id`', querystring: PagedQuery(S.EngagementListQuery), response: { 200: PageOf(S.EngagementListItem), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const ownClientId = req.user.role === 'client' ? req.user.client_id! : undefined;
      const items = await listEngagements(db, { ownClientId, clientId: req.query.client_id, status: req.query.status, afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/engagements/:id',
    {
      config: { roles: readers },
      schema: {
        tags: ['engagements'],
        summary: 'One engagement with its live workflow state',
        description: "The Postgres record plus the workflow's live state (a query; null when no worker answers).",
        params: IdParams,
        response: { 200: S.EngagementDetail, ...authErrors },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      // What the caller may change, by the write routes' own checks (declared roles, then CS scope).
      const may = (method: string, path: string) => action(routeRefusal(req, method, `/v1/engagements/:id${path}`), manageRefusal(req, e));
      const actions = {
        end: may('POST', '/end'),
        change_settings: may('PUT', '/settings'),
        add_page: may('POST', '/pages'),
        set_team: may('PUT', '/team'),
        reassign: action(routeRefusal(req, 'PUT', '/v1/engagements/:id/cs-manager')),
        site_keys: action(routeRefusal(req, 'GET', '/v1/clients/:id/site-keys')),
      };
      const names = await db
        .selectFrom('clients')
        .leftJoin('users as cs', (j) => j.on('cs.id', '=', e.cs_manager_id))
        .select(['clients.name as client_name', 'cs.name as cs_manager_name'])
        .where('clients.id', '=', e.client_id)
        .executeTakeFirstOrThrow();
      return { ...e, ...names, workflow: await workflowState(e), actions };
    },
  );

  app.post(
    '/v1/engagements/:id/end',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['engagements'],
        summary: 'End an engagement (CS, admin)',
        description:
          'Ends the engagement at the end of the current month (the month finishes, no new one starts), or immediately with a reason: the running cycle is cancelled (offers close, tests stop, what was earned stays earned).',
        params: IdParams,
        headers: Idempotency,
        body: S.EndRequest,
        response: { 200: S.Engagement, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      assertManages(req, e);
      const handle = temporal.workflow.getHandle(e.workflow_id);
      const updateId = req.headers['idempotency-key'] ? `end-${e.id}-${req.headers['idempotency-key']}` : undefined;
      const problem = endRequestProblem({ status: e.status, month: e.current_month }, req.body);
      if (problem && (await earlierUpdate(handle, updateId)) !== undefined) return engagementFor(db, req, e.id);
      if (problem?.path) throw badRequest(`/body${problem.path} ${problem.message}`, [{ path: `/body${problem.path}`, message: problem.message }]);
      if (problem) throw conflict(`Engagement ${e.id}: ${problem.message}.`);
      await viaUpdate(
        () =>
          handle.executeUpdate(endEngagementUpdate, {
            args: [{ mode: req.body.mode, reason: req.body.reason, actor: { userId: req.user.id, role: req.user.role } }],
            ...(updateId ? { updateId } : {}),
          }),
        `Engagement ${e.id} has no running workflow.`,
      );
      req.log.info({ engagementId: e.id, mode: req.body.mode }, 'engagement end accepted');
      return engagementFor(db, req, e.id);
    },
  );

  app.put(
    '/v1/engagements/:id/settings',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['engagements'],
        summary: 'Change cycle settings (CS, admin)',
        description: 'Fees, phase durations and verdict settings; fields left out keep their value. Refused (400 naming the field) when a test of any page could not be planned with them.',
        params: IdParams,
        body: S.SettingsPatch,
        response: { 200: S.Settings, ...authErrors },
      },
    },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return updateSettings(db, req.params.id, req.body);
    },
  );

  app.get(
    '/v1/engagements/:id/settings',
    { config: { roles: readers }, schema: { tags: ['engagements'], summary: "An engagement's cycle settings", params: IdParams, response: { 200: S.Settings, ...authErrors } } },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      return getSettings(db, req.params.id);
    },
  );

  app.post(
    '/v1/engagements/:id/pages',
    {
      config: { roles: STAFF },
      schema: { tags: ['engagements'], summary: 'Register a page under improvement (CS, admin)', params: IdParams, body: S.NewPage, response: { 201: S.Page, ...authErrors, 409: ErrorResponse } },
    },
    async (req, reply) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return reply.status(201).send(await addPage(db, req.params.id, req.body));
    },
  );

  app.get(
    '/v1/engagements/:id/pages',
    { config: { roles: readers }, schema: { tags: ['engagements'], summary: "An engagement's pages", params: IdParams, response: { 200: S.Pages, ...authErrors } } },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      return { items: await listPages(db, req.params.id) };
    },
  );

  app.put(
    '/v1/engagements/:id/team',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['engagements'],
        summary: 'Set the growth team (CS, admin)',
        description:
          "The standing growth team: each member gives a share of its time (10% by default). A share above the engagement's `team_share_cap_percent`, or a hacker's shares across all teams above 100%, is a 409 naming the hacker and its current total.",
        params: IdParams,
        body: S.Team,
        response: { 200: S.TeamBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      const members = req.body.members ?? (req.body.hacker_ids ?? []).map((hacker_id) => ({ hacker_id, share_percent: TEAM_DEFAULTS.sharePercent }));
      return setTeam(db, req.params.id, members);
    },
  );

  app.put(
    '/v1/engagements/:id/cs-manager',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['engagements'],
        summary: 'Reassign the engagement to another CS manager (admin)',
        params: IdParams,
        body: S.CsManagerBody,
        response: { 200: S.Engagement, ...authErrors },
      },
    },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      if (!(await reassignCsManager(db, req.params.id, req.body.cs_manager_id))) {
        throw badRequest('/body/cs_manager_id is not a CS manager', [{ path: '/body/cs_manager_id', message: 'is not a CS manager' }]);
      }
      req.log.info({ engagementId: req.params.id, csManagerId: req.body.cs_manager_id }, 'engagement reassigned');
      return engagementFor(db, req, req.params.id);
    },
  );

  app.get(
    '/v1/engagements/:id/timeline',
    {
      config: { roles: readers },
      schema: {
        tags: ['engagements'],
        summary: 'Month-by-month timeline',
        description: 'Cycles month by month with phases, offers, tests and outcomes (as they stand now), and who decided what.',
        params: IdParams,
        response: { 200: S.Timeline, ...authErrors },
      },
    },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      return { engagement_id: req.params.id, cycles: (await timeline(db, req.params.id)).map(withWaitingFor) };
    },
  );

  app.get(
    '/v1/engagements/:id/team',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['network'], summary: 'The growth team and its latest monthly review', params: IdParams, response: { 200: S.TeamWithReview, ...authErrors } },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      const may = (method: string, url: string) => action(routeRefusal(req, method, url), manageRefusal(req, e));
      return {
        ...(await teamOf(db, req.params.id)),
        review: await teamReview(db, req.params.id, null),
        actions: {
          set_team: may('PUT', '/v1/engagements/:id/team'),
          form_team: may('POST', '/v1/engagements/:id/team/form'),
          decide_suggestion: may('POST', '/v1/engagements/:id/team/suggestions/:suggestionId/decision'),
        },
      };
    },
  );


  app.post(
    '/v1/engagements/:id/team/form',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: 'Form the growth team from the best-ranked available hackers (CS, admin)',
        description: "Default 10 members at 10% each, ranked for the client's industry (and skills); hackers without room for the share are skipped.",
        params: IdParams,
        body: S.FormTeam,
        response: { 200: S.TeamBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return formTeam(db, req.params.id, { size: req.body.size ?? TEAM_DEFAULTS.size, sharePercent: req.body.share_percent ?? TEAM_DEFAULTS.sharePercent, skills: req.body.skills ?? [] });
    },
  );


  app.post(
    '/v1/engagements/:id/team/suggestions/:suggestionId/decision',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Accept or dismiss a team review's suggestion (CS, admin)",
        description: "A Temporal update on the engagement workflow: recorded with who and why. Accept swaps the members (the new one takes the old one's share); the next team offer reaches the new member, not the old one.",
        params: S.SuggestionParams,
        body: S.SuggestionDecision,
        response: { 200: S.Suggestion, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      assertManages(req, e);
      await viaUpdate(
        () =>
          temporal.workflow.getHandle(e.workflow_id).executeUpdate(decideTeamSuggestionUpdate, {
            args: [{ suggestion_id: req.params.suggestionId, decision: req.body.decision, reason: req.body.reason, actor: actorOf(req) }],
          }),
        `Engagement ${e.id} has no running workflow.`,
      );
      return suggestionOf(db, req.params.suggestionId);
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
        params: IdParams,
        querystring: K.RelatedQuery,
        response: { 200: K.Related, ...authErrors, 431: K.UrlTooLong },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      const page = req.query.page_id ? await pageOf(db, e.id, req.query.page_id) : undefined;
      if (req.query.page_id && !page) throw badRequest('/querystring/page_id is not a page of this engagement', [{ path: '/querystring/page_id', message: 'is not a page of this engagement' }]);
      return { items: await relatedKnowledge(db, { clientId: e.client_id, pageUrl: page?.url ?? null, text: req.query.text, limit: req.query.limit ?? 10 }) };
    },
  );

  app.put(
    '/v1/engagements/:id/partner',
    { config: { roles: ['admin', 'cs_manager', 'finance'] }, schema: { summary: 'Attribute an engagement to a partner', tags: ['partners'], description: 'Attributes an engagement to a partner: referral (commission on the client\'s invoiced fees) or resale (the partner is invoiced at wholesale).', params: IdParams, body: AttributionBody, response: { 200: Attribution, ...billingErrors } } },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return putAttribution(db, req.params.id, req.body, req.user.id);
    },
  );
};
