// The structured brief (issue 28): drafted during planning by the client or CS, reviewed by CS
// (field comments, return, approve, a recorded checklist override) and posted as the month's plan —
// the offers are posted only from approved briefs whose checklist passes or was overridden.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { blobStoreFor } from '../../blobs/store.ts';
import {
  approveBrief,
  briefPageProblems,
  briefRow,
  checklistOf,
  createBrief,
  overrideChecklist,
  planFromBriefs,
  planSubmitted,
  postRefusal,
  returnBrief,
  submitBrief,
  suggestedKnowledge,
  updateBrief,
  type BriefRow,
} from '../../cycles/brief.ts';
import { powerSentence } from '../../domain/cycles/brief-checklist.ts';
import { BRIEF_TEMPLATES, briefFromTemplate, briefTransitionRefused, type BriefContent } from '../../domain/cycles/brief.ts';
import { planAuthorsFor } from '../../domain/cycles/plan.ts';
import { planProblems } from '../../cycles/plan.ts';
import { submitPlanUpdate } from '../../workflows/cycle.ts';
import { action, assertManages, cycleFor, manageRefusal, routeRefusal } from '../access.ts';
import { actorOf, STAFF } from '../auth.ts';
import { badRequest, conflict, notFound, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, FileAnswer, IdParams } from '../schemas/common.ts';
import * as S from '../schemas/briefs.ts';
import type { ApiDeps } from '../deps.ts';

export const briefRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  const writers = [...STAFF, 'client'] as const;
  const blobs = blobStoreFor(config);

  /** The brief, or 404 for a caller who may not know it exists (another client's). */
  async function briefFor(req: FastifyRequest, id: number): Promise<BriefRow> {
    const b = await briefRow(db, id).catch(() => null);
    if (!b || (req.user.role === 'client' && req.user.client_id !== b.client_id)) throw notFound('brief');
    return b;
  }
  function endedRefusal(b: { engagement_status: string }): string | undefined {
    return b.engagement_status === 'ended' ? 'The engagement has ended; its briefs take no more changes.' : undefined;
  }
  /** Role, CS scope and engagement: the refusals every change of a brief checks first. */
  const scope = (req: FastifyRequest, b: BriefRow, method: string, url: string) => [routeRefusal(req, method, url), manageRefusal(req, b), endedRefusal(b)];
  /** The route's own checks, as the view's actions state them: CS scope 403, engagement and state 409. */
  function assertMay(req: FastifyRequest, b: BriefRow, ...more: (string | undefined)[]) {
    assertManages(req, b);
    const a = action(endedRefusal(b), ...more);
    if (!a.allowed) throw conflict(a.reason!);
  }

  async function view(req: FastifyRequest, id: number) {
    const b = await briefFor(req, id);
    const [checklist, comments, history, pages, suggested, client, offer, submitted] = await Promise.all([
      checklistOf(db, b),
      db.selectFrom('brief_comments').select(['id', 'field', 'body', 'author_user_id', 'created_at']).where('brief_id', '=', b.id).orderBy('id').execute(),
      db.selectFrom('brief_events').select(['kind', 'actor_user_id', 'note', 'created_at']).where('brief_id', '=', b.id).orderBy('id').execute(),
      db.selectFrom('pages').select(['id', 'url', 'page_type']).where('engagement_id', '=', b.engagement_id).orderBy('id').execute(),
      suggestedKnowledge(db, b),
      db.selectFrom('clients').select('industry').where('id', '=', b.client_id).executeTakeFirstOrThrow(),
      b.hypothesis_id ? db.selectFrom('offers').select('id').where('hypothesis_id', '=', b.hypothesis_id).executeTakeFirst() : undefined,
      planSubmitted(db, b.cycle_id),
    ]);
    const may = (method: string, url: string, ...more: (string | undefined)[]) => action(...scope(req, b, method, url), ...more);
    return {
      id: b.id,
      cycle_id: b.cycle_id,
      engagement_id: b.engagement_id,
      client_id: b.client_id,
      industry: client.industry,
      author: b.author,
      state: b.state,
      template: b.template,
      content: b.content,
      checklist: { ...checklist, power_sentence: checklist.power ? powerSentence(checklist.power) : null },
      override: b.override_reason ? { reason: b.override_reason, by: b.override_by!, at: b.override_at! } : null,
      approved_at: b.approved_at,
      hypothesis_id: b.hypothesis_id,
      offer_id: offer?.id ?? null,
      unreviewed_at_deadline: b.unreviewed_at_deadline,
      comments,
      history,
      pages,
      suggested_knowledge: suggested.map((k) => ({ id: k.id, month: k.month, hypothesis: k.hypothesis, outcome: k.outcome, lift: k.lift, same_page: k.same_page })),
      actions: {
        edit: may('PUT', '/v1/briefs/:id', briefTransitionRefused(b.state, 'edit')),
        submit_for_review: may('POST', '/v1/briefs/:id/submit', briefTransitionRefused(b.state, 'submit_for_review')),
        approve: may('POST', '/v1/briefs/:id/approve', briefTransitionRefused(b.state, 'approve')),
        return: may('POST', '/v1/briefs/:id/return', briefTransitionRefused(b.state, 'return')),
        override_checklist: may('POST', '/v1/briefs/:id/override', b.state === 'posted' ? 'the brief is posted already' : checklist.passed ? 'the checklist passes' : undefined),
        post: may('POST', '/v1/briefs/:id/post', postRefusal(b, checklist, submitted)),
      },
    };
  }

  async function checkPages(b: { engagement_id: number }, content: BriefContent) {
    const details = await briefPageProblems(db, b.engagement_id, content);
    if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
  }

  app.get(
    '/v1/brief-templates',
    {
      config: { roles: writers },
      schema: { tags: ['briefs'], summary: 'Industry templates that prefill a brief', response: { 200: S.BriefTemplates, ...authErrors } },
    },
    async () => ({ items: Object.keys(BRIEF_TEMPLATES).map((industry) => ({ industry, content: briefFromTemplate(industry) })) }),
  );

  app.get(
    '/v1/cycles/:id/briefs',
    {
      config: { roles: writers },
      schema: { tags: ['briefs'], summary: "A cycle's briefs with their state and checklist result", params: IdParams, response: { 200: S.BriefList, ...authErrors } },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      const rows = await db.selectFrom('briefs').select('id').where('cycle_id', '=', c.id).orderBy('id').execute();
      const items = [];
      for (const { id } of rows) {
        const b = await briefRow(db, id);
        const checklist = await checklistOf(db, b);
        items.push({ id: b.id, cycle_id: b.cycle_id, author: b.author, state: b.state, template: b.template, goal: b.content.goal, checklist_passed: checklist.passed, overridden: b.override_reason !== null, hypothesis_id: b.hypothesis_id, updated_at: b.updated_at });
      }
      return { items };
    },
  );

  app.post(
    '/v1/cycles/:id/briefs',
    {
      config: { roles: writers },
      schema: {
        tags: ['briefs'],
        summary: 'Start a brief for the month (client, CS), optionally from an industry template',
        params: IdParams,
        body: S.BriefCreate,
        response: { 201: S.Brief, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const c = await cycleFor(db, req, req.params.id);
      assertManages(req, c);
      const refusal = action(endedRefusal({ engagement_status: c.engagement_status }), c.phase !== 'planning' ? `the cycle is in ${c.phase}; briefs are written during planning` : undefined);
      if (!refusal.allowed) throw conflict(refusal.reason!);
      const author = req.body.author ?? (req.user.role === 'client' ? 'client' : 'cs');
      if (!planAuthorsFor(req.user.role).includes(author)) throw badRequest('/body/author a client may only author client briefs', [{ path: '/body/author', message: 'a client may only author client briefs' }]);
      const template = req.body.template ?? null;
      if (template !== null && !(template in BRIEF_TEMPLATES)) {
        throw badRequest(`/body/template must be one of: ${Object.keys(BRIEF_TEMPLATES).join(', ')}`, [{ path: '/body/template', message: `must be one of: ${Object.keys(BRIEF_TEMPLATES).join(', ')}` }]);
      }
      if (req.body.content) await checkPages({ engagement_id: c.engagement_id }, req.body.content);
      const id = await createBrief(db, { cycleId: c.id, author, userId: req.user.id, template, ...(req.body.content ? { content: req.body.content } : {}) });
      return reply.code(201).send(await view(req, id));
    },
  );

  app.get(
    '/v1/briefs/:id',
    {
      config: { roles: writers },
      schema: {
        tags: ['briefs'],
        summary: 'One brief: fields, live checklist (with the power sentence), comments, history, suggested knowledge, actions',
        params: IdParams,
        response: { 200: S.Brief, ...authErrors },
      },
    },
    async (req) => view(req, req.params.id),
  );

  app.put(
    '/v1/briefs/:id',
    {
      config: { roles: writers },
      schema: { tags: ['briefs'], summary: 'Edit a draft brief (its author side or CS)', params: IdParams, body: S.BriefUpdate, response: { 200: S.Brief, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b, briefTransitionRefused(b.state, 'edit'));
      await checkPages(b, req.body.content);
      await updateBrief(db, b, req.body.content, req.user.id);
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/submit',
    {
      config: { roles: writers },
      schema: { tags: ['briefs'], summary: 'Send a draft brief to CS for review', params: IdParams, response: { 200: S.Brief, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b);
      await submitBrief(db, b, req.user.id);
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/return',
    {
      config: { roles: STAFF },
      schema: { tags: ['briefs'], summary: 'CS sends a brief back with comments on its fields', params: IdParams, body: S.BriefReturn, response: { 200: S.Brief, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b);
      await returnBrief(db, b, req.body.comments, req.user.id);
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/approve',
    {
      config: { roles: STAFF },
      schema: { tags: ['briefs'], summary: 'CS approves a brief in review', params: IdParams, response: { 200: S.Brief, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b);
      await approveBrief(db, b, req.user.id);
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/override',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['briefs'],
        summary: 'CS lets a brief post although its checklist fails (the reason is recorded)',
        params: IdParams,
        body: S.BriefOverride,
        response: { 200: S.Brief, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b);
      await overrideChecklist(db, b, req.body.reason, req.user.id);
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/post',
    {
      config: { roles: writers },
      schema: {
        tags: ['briefs'],
        summary: "Post the month's plan from the cycle's approved briefs (each an offer)",
        description: 'Every approved brief of the cycle becomes a hypothesis of the plan and an offer; each must pass its checklist or carry CS\'s override (409 naming the rules otherwise).',
        params: IdParams,
        response: { 200: S.Brief, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b, postRefusal(b, await checklistOf(db, b), await planSubmitted(db, b.cycle_id)));
      const plan = await planFromBriefs(db, b.cycle_id);
      if (plan.refusals.length) throw conflict(`brief ${plan.refusals[0]!.briefId}: ${plan.refusals[0]!.reason}`);
      // The plan's page rule holds for briefs too (authorship was checked when each brief was started).
      const details = (await planProblems(db, b.engagement_id, actorOf(req), plan.hypotheses)).filter((d) => d.path.endsWith('/page_id'));
      if (details.length) throw conflict(`${details[0]!.path} ${details[0]!.message}`);
      const c = await db.selectFrom('cycles').select('workflow_id').where('id', '=', b.cycle_id).executeTakeFirstOrThrow();
      await viaUpdate(() => temporal.workflow.getHandle(c.workflow_id).executeUpdate(submitPlanUpdate, { args: [{ hypotheses: plan.hypotheses, actor: actorOf(req) }], updateId: `plan-briefs-${b.cycle_id}` }));
      return view(req, b.id);
    },
  );

  app.post(
    '/v1/briefs/:id/assets',
    {
      config: { roles: writers },
      schema: {
        tags: ['briefs'],
        summary: 'Attach a file (image, logo, copy deck) with its licence status to a draft brief',
        params: IdParams,
        body: S.BriefAssetUpload,
        response: { 200: S.Brief, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const b = await briefFor(req, req.params.id);
      assertMay(req, b, briefTransitionRefused(b.state, 'edit'));
      const sha256 = await blobs.put(Buffer.from(req.body.data_base64, 'base64'), req.body.content_type);
      const assets = [...b.content.assets.filter((a) => a.sha256 !== sha256), { name: req.body.name, sha256, content_type: req.body.content_type, licence: req.body.licence }];
      if (assets.length > 20) throw conflict('a brief holds at most 20 assets');
      await updateBrief(db, b, { ...b.content, assets }, req.user.id);
      return view(req, b.id);
    },
  );

  app.get(
    '/v1/briefs/:id/assets/:sha256',
    {
      config: { roles: writers },
      schema: {
        tags: ['briefs'],
        summary: "A brief's asset (its bytes, as uploaded)",
        params: S.AssetParams,
        response: { 200: FileAnswer('application/octet-stream', "the file with its uploaded content type, as an attachment"), ...authErrors },
      },
    },
    async (req, reply) => {
      const b = await briefFor(req, req.params.id);
      const asset = b.content.assets.find((a) => a.sha256 === req.params.sha256);
      const blob = asset ? await blobs.get(asset.sha256) : null;
      if (!asset || !blob) throw notFound('asset');
      // An attachment, never rendered inline on our origin (one person uploads, another opens it).
      return reply.type(blob.contentType).header('content-disposition', 'attachment').header('x-content-type-options', 'nosniff').send(blob.bytes);
    },
  );
};
