import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { proposalSubmittedSignal } from '../../workflows/cycle.ts';
import { offerFor, visibleOffers } from '../access.ts';
import { STAFF } from '../auth.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Nullable, Timestamp } from '../schemas.ts';
import type { ApiDeps } from '../app.ts';

const Offer = Type.Object({
  id: Id,
  cycle_id: Id,
  engagement_id: Id,
  kind: Type.String(),
  brief: Type.String(),
  adoption_fee_yen: Type.Integer(),
  win_bonus_yen: Type.Integer(),
  submission_fee_yen: Type.Integer(),
  deadline: Timestamp,
  status: Type.String(),
  extended: Type.Boolean(),
  widen_reason: Nullable(Type.String()),
});
const Proposal = Type.Object({
  id: Id,
  offer_id: Id,
  hacker_id: Id,
  title: Type.String(),
  description: Type.String(),
  design_url: Type.String(),
  status: Type.String(),
  created_at: Timestamp,
});
const NewProposal = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 10_000 }),
    design_url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
  },
  { additionalProperties: false },
);
const Idem = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
const ListQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) }, { additionalProperties: false });

const offerView = (o: Awaited<ReturnType<typeof offerFor>>): Static<typeof Offer> => ({
  id: o.id,
  cycle_id: o.cycle_id,
  engagement_id: o.engagement_id,
  kind: o.kind,
  brief: o.brief,
  adoption_fee_yen: o.adoption_fee_yen,
  win_bonus_yen: o.win_bonus_yen,
  submission_fee_yen: o.submission_fee_yen,
  deadline: o.deadline.toISOString(),
  status: o.status,
  extended: o.extended,
  widen_reason: o.widen_reason,
});

export function offerRoutes(app: FastifyInstance, { db, temporal }: ApiDeps) {
  const everyone = [...STAFF, 'finance', 'client', 'hacker'] as const;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/offers',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['offers'],
        description: 'Offers the caller may see. Hackers: open offers and those offered to them (targeted or team).',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(Offer) }), ...authErrors },
      },
    },
    async (req) => {
      let q = visibleOffers(db, req).orderBy('offers.deadline').limit(500);
      if (req.query.status) q = q.where('offers.status', '=', req.query.status);
      return { items: (await q.execute()).map((o) => offerView(o)) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/offers/:id',
    { config: { roles: everyone }, schema: { tags: ['offers'], params: IdParams, response: { 200: Offer, ...authErrors } } },
    async (req) => {
      if (req.user.role === 'finance') throw forbidden();
      return offerView(await offerFor(db, req, req.params.id));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NewProposal>; Headers: Static<typeof Idem> }>(
    '/v1/offers/:id/proposals',
    {
      config: { roles: ['hacker'] },
      schema: {
        tags: ['proposals'],
        description: 'Submit a proposal before the deadline. Idempotency-Key makes retries safe.',
        params: IdParams,
        headers: Idem,
        body: NewProposal,
        response: { 200: Proposal, 201: Proposal, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const offer = await offerFor(db, req, req.params.id);
      const hackerId = req.user.hacker_id!;
      const key = req.headers['idempotency-key'] ?? null;
      if (key) {
        const existing = await db.selectFrom('proposals').selectAll().where('hacker_id', '=', hackerId).where('idempotency_key', '=', key).executeTakeFirst();
        if (existing) return reply.status(200).send(existing);
      }
      if (offer.status !== 'open' || offer.deadline.getTime() <= Date.now()) {
        throw conflict(`the offer closed for proposals at its deadline ${offer.deadline.toISOString()}`, [
          { path: '/offer/deadline', message: offer.deadline.toISOString() },
        ]);
      }
      const settings = await db
        .selectFrom('engagement_settings')
        .select('max_proposals_per_hacker')
        .where('engagement_id', '=', offer.engagement_id)
        .executeTakeFirst();
      const max = settings?.max_proposals_per_hacker ?? 3;
      const mine = await db
        .selectFrom('proposals')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('offer_id', '=', offer.id)
        .where('hacker_id', '=', hackerId)
        .where('status', '!=', 'withdrawn')
        .executeTakeFirstOrThrow();
      if (Number(mine.n) >= max) throw conflict(`you already have ${max} proposals on this offer (the maximum)`);
      // The row first (system of record), then tell the workflow; a lost signal loses nothing, as the
      // cycle counts proposals from Postgres when the window closes.
      const row = await db
        .insertInto('proposals')
        .values({ offer_id: offer.id, hacker_id: hackerId, ...req.body, idempotency_key: key })
        .onConflict((oc) => oc.columns(['hacker_id', 'idempotency_key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const existing = await db.selectFrom('proposals').selectAll().where('hacker_id', '=', hackerId).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
        return reply.status(200).send(existing);
      }
      const cycle = await db.selectFrom('cycles').select('workflow_id').where('id', '=', offer.cycle_id).executeTakeFirstOrThrow();
      await temporal.workflow
        .getHandle(cycle.workflow_id)
        .signal(proposalSubmittedSignal, { offerId: offer.id })
        .catch((err) => req.log.warn({ err: String(err), offerId: offer.id }, 'proposal saved; cycle signal failed'));
      req.log.info({ proposalId: row.id, offerId: offer.id }, 'proposal submitted');
      return reply.status(201).send(row);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/v1/proposals/:id/withdraw',
    {
      config: { roles: ['hacker'] },
      schema: { tags: ['proposals'], params: IdParams, response: { 200: Proposal, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => {
      const p = await db
        .selectFrom('proposals')
        .innerJoin('offers', 'offers.id', 'proposals.offer_id')
        .selectAll('proposals')
        .select(['offers.deadline', 'offers.status as offer_status'])
        .where('proposals.id', '=', req.params.id)
        .where('proposals.hacker_id', '=', req.user.hacker_id!)
        .executeTakeFirst();
      if (!p) throw notFound('proposal');
      if (p.status === 'withdrawn') return p;
      if (p.status !== 'submitted' || p.offer_status !== 'open' || p.deadline.getTime() <= Date.now()) {
        throw conflict(`proposals can be withdrawn only while submitted and before the deadline ${p.deadline.toISOString()}`);
      }
      return db.updateTable('proposals').set({ status: 'withdrawn', updated_at: new Date() }).where('id', '=', p.id).returningAll().executeTakeFirstOrThrow();
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/offers/:id/proposals',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: { tags: ['proposals'], params: IdParams, response: { 200: Type.Object({ items: Type.Array(Proposal) }), ...authErrors } },
    },
    async (req) => {
      const offer = await offerFor(db, req, req.params.id);
      let q = db.selectFrom('proposals').selectAll().where('offer_id', '=', offer.id).orderBy('id');
      if (req.user.role === 'hacker') q = q.where('hacker_id', '=', req.user.hacker_id!);
      return { items: await q.execute() };
    },
  );
}
