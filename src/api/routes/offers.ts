// Offers and proposals as hackers, clients and CS see them. Who sees what is decided in
// cycles/offers.ts; when a proposal is accepted, in domain/cycles/proposals.ts.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { offerFor, visibleOffers } from '../../cycles/offers.ts';
import { listProposals, submitProposal, withdrawProposal } from '../../cycles/proposals.ts';
import { proposalSubmittedSignal } from '../../workflows/cycle.ts';
import { STAFF } from '../auth.ts';
import { authErrors, ErrorResponse, Id, IdParams, Idempotency, nextAfter, Nullable, OfferKind, PagedQuery, PageOf, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const Offer = Type.Object({
  id: Id,
  cycle_id: Id,
  engagement_id: Id,
  kind: OfferKind,
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
  status: Type.String({ description: 'submitted, selected, rejected or withdrawn' }),
  created_at: Timestamp,
});
const NewProposal = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 10_000 }),
    design_url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
  },
  { additionalProperties: false, examples: [{ title: 'One-page checkout', description: 'Merge the address and payment steps…', design_url: 'https://figma.example/file/abc' }] },
);
const ListQuery = PagedQuery({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) });

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

export function offerRoutes(base: FastifyInstance, { db, temporal }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const viewers = [...STAFF, 'client', 'hacker'] as const;

  app.get(
    '/v1/offers',
    {
      config: { roles: viewers },
      schema: {
        tags: ['offers'],
        summary: 'Offers I may see',
        description: 'Hackers: open offers and those offered to them (targeted or team); client users: their own; CS and admin: all.',
        querystring: ListQuery,
        response: { 200: PageOf(Offer), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      let q = visibleOffers(db, req.user).orderBy('offers.id').limit(limit);
      if (req.query.status) q = q.where('offers.status', '=', req.query.status);
      if (req.query.after_id) q = q.where('offers.id', '>', req.query.after_id);
      const items = (await q.execute()).map(offerView);
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/offers/:id',
    { config: { roles: viewers }, schema: { tags: ['offers'], summary: 'One offer (404 when it is not offered to me)', params: IdParams, response: { 200: Offer, ...authErrors } } },
    async (req) => offerView(await offerFor(db, req.user, req.params.id)),
  );

  app.post(
    '/v1/offers/:id/proposals',
    {
      config: { roles: ['hacker'], idempotency: 'own' },
      schema: {
        tags: ['proposals'],
        summary: 'Submit a proposal (hackers)',
        description: 'Before the deadline, on an offer open to you; 409 names the deadline or why the offer is closed. Idempotency-Key makes retries safe (the first proposal is returned with 200).',
        params: IdParams,
        headers: Idempotency,
        body: NewProposal,
        response: { 200: Proposal, 201: Proposal, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { proposal, created, offer } = await submitProposal(db, req.user, req.params.id, req.body, req.headers['idempotency-key'] ?? null);
      if (!created) return reply.status(200).send(proposal);
      // The row first (system of record), then tell the workflow; a lost signal loses nothing, as the
      // cycle counts proposals from Postgres when the window closes.
      const cycle = await db.selectFrom('cycles').select('workflow_id').where('id', '=', offer.cycle_id).executeTakeFirstOrThrow();
      await temporal.workflow
        .getHandle(cycle.workflow_id)
        .signal(proposalSubmittedSignal, { offerId: offer.id })
        .catch((err) => req.log.warn({ err: String(err), offerId: offer.id }, 'proposal saved; cycle signal failed'));
      req.log.info({ proposalId: proposal.id, offerId: offer.id }, 'proposal submitted');
      return reply.status(201).send(proposal);
    },
  );

  app.post(
    '/v1/proposals/:id/withdraw',
    {
      config: { roles: ['hacker'] },
      schema: { tags: ['proposals'], summary: 'Withdraw my proposal before the deadline (hackers)', params: IdParams, response: { 200: Proposal, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => withdrawProposal(db, req.user, req.params.id),
  );

  app.get(
    '/v1/offers/:id/proposals',
    {
      config: { roles: viewers },
      schema: { tags: ['proposals'], summary: "An offer's proposals (hackers: only their own), paged", params: IdParams, querystring: PagedQuery({}), response: { 200: PageOf(Proposal), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listProposals(db, req.user, req.params.id, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );
}
