// Offers and proposals as hackers, clients and CS see them. Who sees what is decided in
// cycles/offers.ts; when a proposal is accepted, in domain/cycles/proposals.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { listOffers, offerFor, offerInvitations } from '../../cycles/offers.ts';
import { listProposals, submitProposal } from '../../cycles/proposals.ts';
import { cycleWorkflowOf } from '../../cycles/views.ts';
import { startPendingRenders } from '../../renders/versions.ts';
import { proposalSubmittedSignal } from '../../workflows/cycle.ts';
import { reviewActions } from '../access.ts';
import { STAFF } from '../auth.ts';
import { authErrors, ErrorResponse, IdParams, Idempotency, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import { Invitations, NewProposal, Offer, OfferListQuery, Proposal, ProposalListItem } from '../schemas/offers.ts';
import type { ApiDeps } from '../deps.ts';

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

export const offerRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  const viewers = [...STAFF, 'client', 'hacker'] as const;

  app.get(
    '/v1/offers',
    {
      config: { roles: viewers },
      schema: {
        tags: ['offers'],
        summary: 'Offers I may see',
        description: 'Hackers: open offers and those offered to them (targeted or team); client users: their own; CS and admin: all.',
        querystring: OfferListQuery,
        response: { 200: PageOf(Offer), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = (await listOffers(db, req.user, { status: req.query.status, afterId: req.query.after_id, limit })).map(offerView);
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
      // Its renders were saved pending with it; a retry starts their workflow again if the first start failed.
      await startPendingRenders(db, temporal, config.taskQueue, proposal.id).catch((err) =>
        req.log.warn({ err: String(err), proposalId: proposal.id }, "proposal saved; render workflow not started (the worker's reconcile starts it)"),
      );
      if (!created) return reply.status(200).send(proposal);
      // The row first (system of record), then tell the workflow; a lost signal loses nothing, as the
      // cycle counts proposals from Postgres when the window closes.
      await temporal.workflow
        .getHandle(await cycleWorkflowOf(db, offer.cycle_id))
        .signal(proposalSubmittedSignal, { offerId: offer.id })
        .catch((err) => req.log.warn({ err: String(err), offerId: offer.id }, 'proposal saved; cycle signal failed'));
      req.log.info({ proposalId: proposal.id, offerId: offer.id }, 'proposal submitted');
      return reply.status(201).send(proposal);
    },
  );

  app.get(
    '/v1/offers/:id/proposals',
    {
      config: { roles: viewers },
      schema: { tags: ['proposals'], summary: "An offer's proposals (hackers: only their own), paged", params: IdParams, querystring: PagedQuery({}), response: { 200: PageOf(ProposalListItem), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const { items, ...ctx } = await listProposals(db, req.user, req.params.id, { afterId: req.query.after_id, limit });
      const now = new Date();
      return { items: items.map((p) => ({ ...p, actions: reviewActions(req, p, ctx, now) })), next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/offers/:id/invitations',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Who an offer invited, each score's parts, and who was left out near the cut (CS, admin)",
        params: IdParams,
        response: { 200: Invitations, ...authErrors },
      },
    },
    async (req) => offerInvitations(db, req.params.id),
  );
};
