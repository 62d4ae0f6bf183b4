import type { WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Role } from '../../db/schema.ts';
import { cycleStatusQuery, selectProposalsUpdate, submitPlanUpdate } from '../../workflows/cycle.ts';
import { cycleFor, engagementFor } from '../access.ts';
import { STAFF } from '../auth.ts';
import { badRequest, conflict, forbidden, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Tag, Yen } from '../schemas.ts';
import type { ApiDeps } from '../app.ts';

const OfferKind = Type.Union([Type.Literal('open'), Type.Literal('targeted'), Type.Literal('team')]);
const Seconds = (d: string) => Type.Integer({ minimum: 1, maximum: 366 * 86400, description: d });
export const Settings = Type.Object(
  {
    adoption_fee_yen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    win_bonus_yen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    submission_fee_yen: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    team_retainer_yen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    planning_seconds: Type.Optional(Seconds('planning window')),
    offer_window_seconds: Type.Optional(Seconds('proposal window per offer')),
    selection_seconds: Type.Optional(Seconds('selection window')),
    test_max_seconds: Type.Optional(Seconds('maximum test duration')),
    interim_check_seconds: Type.Optional(Seconds('interval between interim verdicts')),
    learning_seconds: Type.Optional(Seconds('knowledge capture window')),
    min_proposals: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    max_proposals_per_hacker: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    targeted_top_n: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    verdict_engine: Type.Optional(Type.Union([Type.Literal('frequentist'), Type.Literal('bayesian'), Type.Literal('sequential')])),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5 })),
    mde_relative: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
    tuning_parameter: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    risk_threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export const NewPage = Type.Object(
  {
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
    page_type: Tag,
    baseline_rate: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    daily_visitors: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    value_per_conversion_yen: Yen,
  },
  { additionalProperties: false },
);
const Team = Type.Object({ hacker_ids: Type.Array(Id, { maxItems: 30, uniqueItems: true }) }, { additionalProperties: false });
const Plan = Type.Object(
  {
    hypotheses: Type.Array(
      Type.Object(
        {
          author: Type.Union([Type.Literal('client'), Type.Literal('cs')]),
          problem: Type.String({ minLength: 1, maxLength: 5000 }),
          page_id: Id,
          metric: Type.Union([Type.Literal('conversion'), Type.Literal('revenue')]),
          skills: Type.Optional(Type.Array(Tag, { maxItems: 10, uniqueItems: true })),
          offer_kind: Type.Optional(OfferKind),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10 },
    ),
  },
  { additionalProperties: false },
);
const Selection = Type.Object(
  {
    selections: Type.Array(
      Type.Object(
        { offer_id: Id, proposal_ids: Type.Array(Id, { minItems: 1, maxItems: 3, uniqueItems: true }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10 },
    ),
  },
  { additionalProperties: false },
);
const Idem = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
const Any = Type.Object({}, { additionalProperties: true });

export function cycleRoutes(app: FastifyInstance, { db, temporal }: ApiDeps) {
  const readers: readonly Role[] = [...STAFF, 'finance', 'client'];
  const handleOf = (workflowId: string): WorkflowHandle => temporal.workflow.getHandle(workflowId);

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof Settings> }>(
    '/v1/engagements/:id/settings',
    { config: { roles: STAFF }, schema: { tags: ['engagements'], params: IdParams, body: Settings, response: { 200: Any, ...authErrors } } },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      await db
        .insertInto('engagement_settings')
        .values({ engagement_id: req.params.id, ...req.body })
        .onConflict((oc) => (Object.keys(req.body).length ? oc.column('engagement_id').doUpdateSet(req.body) : oc.doNothing()))
        .execute();
      return db.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', req.params.id).executeTakeFirstOrThrow();
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/engagements/:id/settings',
    { config: { roles: readers }, schema: { tags: ['engagements'], params: IdParams, response: { 200: Any, ...authErrors } } },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      await db.insertInto('engagement_settings').values({ engagement_id: req.params.id }).onConflict((oc) => oc.doNothing()).execute();
      return db.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', req.params.id).executeTakeFirstOrThrow();
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NewPage> }>(
    '/v1/engagements/:id/pages',
    { config: { roles: STAFF }, schema: { tags: ['engagements'], params: IdParams, body: NewPage, response: { 201: Any, ...authErrors, 409: ErrorResponse } } },
    async (req, reply) => {
      await engagementFor(db, req, req.params.id);
      const row = await db
        .insertInto('pages')
        .values({ engagement_id: req.params.id, ...req.body })
        .onConflict((oc) => oc.columns(['engagement_id', 'url']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw conflict(`page ${req.body.url} is already registered for this engagement`);
      return reply.status(201).send(row);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/engagements/:id/pages',
    { config: { roles: readers }, schema: { tags: ['engagements'], params: IdParams, response: { 200: Any, ...authErrors } } },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      return { items: await db.selectFrom('pages').selectAll().where('engagement_id', '=', req.params.id).orderBy('id').execute() };
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof Team> }>(
    '/v1/engagements/:id/team',
    {
      config: { roles: STAFF },
      schema: { tags: ['engagements'], description: 'The standing growth team: each member gives 10% of their time.', params: IdParams, body: Team, response: { 200: Any, ...authErrors } },
    },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      const known = await db.selectFrom('hackers').select('id').where('id', 'in', req.body.hacker_ids.length ? req.body.hacker_ids : [0]).execute();
      const missing = req.body.hacker_ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.some((k) => k.id === id));
      if (missing.length) throw badRequest('unknown hacker', missing.map(({ i }) => ({ path: `/body/hacker_ids/${i}`, message: 'no such hacker' })));
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('growth_team_members').where('engagement_id', '=', req.params.id).execute();
        if (req.body.hacker_ids.length) {
          await trx.insertInto('growth_team_members').values(req.body.hacker_ids.map((h) => ({ engagement_id: req.params.id, hacker_id: h, share_percent: 10 }))).execute();
        }
      });
      return { engagement_id: req.params.id, hacker_ids: req.body.hacker_ids, share_percent: 10 };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/engagements/:id/timeline',
    {
      config: { roles: readers },
      schema: { tags: ['engagements'], description: 'Cycles month by month with phases, offers, tests and outcomes.', params: IdParams, response: { 200: Any, ...authErrors } },
    },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      const cycles = await db.selectFrom('cycles').selectAll().where('engagement_id', '=', req.params.id).orderBy('month').execute();
      const ids = cycles.map((c) => c.id);
      const offers = ids.length ? await db.selectFrom('offers').select(['id', 'cycle_id', 'kind', 'status', 'deadline', 'extended', 'widen_reason']).where('cycle_id', 'in', ids).execute() : [];
      const tests = ids.length
        ? await db
            .selectFrom('tests')
            .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
            .select(['tests.id', 'tests.cycle_id', 'tests.offer_id', 'tests.status', 'tests.stop_reason', 'verdicts.outcome'])
            .where('tests.cycle_id', 'in', ids)
            .execute()
        : [];
      return {
        engagement_id: req.params.id,
        cycles: cycles.map((c) => ({
          ...c,
          offers: offers.filter((o) => o.cycle_id === c.id),
          tests: tests.filter((t) => t.cycle_id === c.id),
        })),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/cycles/:id',
    {
      config: { roles: readers },
      schema: { tags: ['cycles'], description: 'The cycle row plus the workflow\'s live view (incl. past tests on the same pages).', params: IdParams, response: { 200: Any, ...authErrors } },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      const live = await temporal.connection.withDeadline(Date.now() + 3_000, () => handleOf(c.workflow_id).query(cycleStatusQuery)).catch(() => null);
      return { ...c, live };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Plan>; Headers: Static<typeof Idem> }>(
    '/v1/cycles/:id/plan',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['cycles'],
        description: 'Submit the month\'s plan: 1+ hypotheses; the client\'s and CS\'s hypotheses each get their own offer and test.',
        params: IdParams,
        headers: Idem,
        body: Plan,
        response: { 200: Any, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      const details: { path: string; message: string }[] = [];
      const pages = await db.selectFrom('pages').select('id').where('engagement_id', '=', c.engagement_id).execute();
      req.body.hypotheses.forEach((h, i) => {
        if (!pages.some((p) => p.id === h.page_id)) details.push({ path: `/body/hypotheses/${i}/page_id`, message: 'is not a page of this engagement' });
        if (req.user.role === 'client' && h.author !== 'client') details.push({ path: `/body/hypotheses/${i}/author`, message: 'a client may only author client hypotheses' });
      });
      if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      const result = await viaUpdate(() =>
        handleOf(c.workflow_id).executeUpdate(submitPlanUpdate, {
          args: [{ hypotheses: req.body.hypotheses, requestedBy: req.user.id }],
          ...(req.headers['idempotency-key'] ? { updateId: `plan-${c.id}-${req.headers['idempotency-key']}` } : {}),
        }),
      );
      return { cycle_id: c.id, hypothesis_ids: result.hypothesisIds };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Selection>; Headers: Static<typeof Idem> }>(
    '/v1/cycles/:id/selection',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['cycles'],
        description: 'Select 1–3 submitted proposals per offer; the others are rejected.',
        params: IdParams,
        headers: Idem,
        body: Selection,
        response: { 200: Any, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const c = await cycleFor(db, req, req.params.id);
      const details: { path: string; message: string }[] = [];
      for (const [i, s] of req.body.selections.entries()) {
        const offer = await db.selectFrom('offers').select(['id', 'cycle_id']).where('id', '=', s.offer_id).executeTakeFirst();
        if (!offer || offer.cycle_id !== c.id) {
          details.push({ path: `/body/selections/${i}/offer_id`, message: 'is not an offer of this cycle' });
          continue;
        }
        const rows = await db.selectFrom('proposals').select(['id', 'offer_id', 'status']).where('id', 'in', s.proposal_ids).execute();
        s.proposal_ids.forEach((pid, j) => {
          const p = rows.find((r) => r.id === pid);
          if (!p || p.offer_id !== s.offer_id) details.push({ path: `/body/selections/${i}/proposal_ids/${j}`, message: `proposal ${pid} does not belong to offer ${s.offer_id}` });
          else if (p.status !== 'submitted') details.push({ path: `/body/selections/${i}/proposal_ids/${j}`, message: `proposal ${pid} is ${p.status}, not submitted` });
        });
      }
      if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      const result = await viaUpdate(() =>
        handleOf(c.workflow_id).executeUpdate(selectProposalsUpdate, {
          args: [{ selections: req.body.selections, requestedBy: req.user.id }],
          ...(req.headers['idempotency-key'] ? { updateId: `select-${c.id}-${req.headers['idempotency-key']}` } : {}),
        }),
      );
      return { cycle_id: c.id, pending_offers: result.pendingOffers };
    },
  );

  app.get(
    '/v1/tasks',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: { tags: ['tasks'], description: 'What the caller must do now.', response: { 200: Type.Object({ items: Type.Array(Any) }), ...authErrors } },
    },
    async (req) => ({ items: await tasksFor(req) }),
  );

  async function tasksFor(req: FastifyRequest) {
    const u = req.user;
    if (u.role === 'hacker') {
      const offers = await db
        .selectFrom('offers')
        .select(['offers.id', 'offers.deadline', 'offers.kind'])
        .where('offers.status', '=', 'open')
        .where('offers.deadline', '>', new Date())
        .where((eb) =>
          eb.or([
            eb('offers.kind', '=', 'open'),
            eb('offers.id', 'in', eb.selectFrom('offer_invitations').select('offer_id').where('hacker_id', '=', u.hacker_id!)),
          ]),
        )
        .orderBy('offers.deadline')
        .limit(200)
        .execute();
      return offers.map((o) => ({ kind: 'submit_proposal', offer_id: o.id, offer_kind: o.kind, due_at: o.deadline.toISOString() }));
    }
    let q = db
      .selectFrom('cycles')
      .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
      .select(['cycles.id', 'cycles.engagement_id', 'cycles.month', 'cycles.phase', 'cycles.due_at', 'cycles.overdue', 'cycles.waiting_for'])
      .where('cycles.completed_at', 'is', null)
      .orderBy('cycles.due_at');
    if (u.role === 'client') q = q.where('engagements.client_id', '=', u.client_id!).where('cycles.phase', 'in', ['planning', 'selection']);
    else if (u.role === 'cs_manager') q = q.where('engagements.cs_manager_id', '=', u.id).where('cycles.phase', 'in', ['planning', 'selection']);
    else if (u.role === 'admin') q = q.where('cycles.phase', 'in', ['planning', 'selection']);
    else throw forbidden();
    const rows = await q.limit(500).execute();
    return rows.map((c) => ({
      kind: c.phase === 'planning' ? 'submit_plan' : 'select_proposals',
      cycle_id: c.id,
      engagement_id: c.engagement_id,
      month: c.month,
      overdue: c.overdue,
      due_at: c.due_at ? c.due_at.toISOString() : null,
      waiting_for: c.waiting_for,
    }));
  }
}

