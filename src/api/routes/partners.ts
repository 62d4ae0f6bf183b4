// Partners: organisations that refer or resell engagements. Partner users are bound to their partner
// and see only its attributed engagements (status and results, never people or bank details), its
// statements and the invoices billed to it; anything else is 404. Attributing an engagement to a
// partner is engagements.ts (PUT /v1/engagements/:id/partner).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createPartner, getPartner, listPartners, partnerExists } from '../../billing/accounts.ts';
import { partnerEngagements, partnerStatement } from '../../billing/queries.ts';
import { createUserWithToken } from '../../db/users.ts';
import { assertPartnerAccess } from '../access.ts';
import { FINANCE } from '../auth.ts';
import { notFound } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { billingErrors } from '../schemas/billing.ts';
import { IdParams } from '../schemas/common.ts';
import { Partner, PartnerBody, PartnerEngagement, PartnerEngagementParams, PartnerEngagements, Partners, PartnerStatement, PartnerStatementParams, PartnerUser, PartnerUserBody } from '../schemas/partners.ts';

export const partnerRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.post(
    '/v1/partners',
    { config: { roles: FINANCE }, schema: { summary: 'Create a partner', tags: ['partners'], body: PartnerBody, response: { 201: Partner, ...billingErrors } } },
    async (req, reply) => reply.status(201).send(await createPartner(db, req.body)),
  );

  app.get(
    '/v1/partners',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'List partners', tags: ['partners'], response: { 200: Partners, ...billingErrors } } },
    async (req) => {
      return { items: await listPartners(db, req.user.role === 'partner' ? req.user.partner_id! : undefined) };
    },
  );

  app.get(
    '/v1/partners/:id',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'One partner', tags: ['partners'], params: IdParams, response: { 200: Partner, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const p = await getPartner(db, req.params.id);
      if (!p) throw notFound('partner');
      return p;
    },
  );

  app.post(
    '/v1/partners/:id/users',
    { config: { roles: ['admin'], idempotency: 'secret' }, schema: { summary: 'Create a partner user (token shown once)', tags: ['partners'], description: 'Creates a partner user; its token is shown once.', params: IdParams, body: PartnerUserBody, response: { 201: PartnerUser, ...billingErrors } } },
    async (req, reply) => {
      if (!(await partnerExists(db, req.params.id))) throw notFound('partner');
      const { user, token } = await createUserWithToken(db, { name: req.body.name, role: 'partner', partnerId: req.params.id });
      return reply.status(201).send({ id: user.id, name: user.name, role: 'partner', partner_id: req.params.id, token });
    },
  );

  app.get(
    '/v1/partners/:id/engagements',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: "A partner's attributed engagements", tags: ['partners'], description: 'Attributed engagements: status and results summary (tests, wins, uplift).', params: IdParams, response: { 200: PartnerEngagements, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      return { items: await partnerEngagements(db, req.params.id) };
    },
  );

  app.get(
    '/v1/partners/:id/engagements/:engagementId',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'One attributed engagement', tags: ['partners'], params: PartnerEngagementParams, response: { 200: PartnerEngagement, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const [e] = await partnerEngagements(db, req.params.id, req.params.engagementId);
      if (!e) throw notFound('engagement');
      return e;
    },
  );

  app.get(
    '/v1/partners/:id/statements/:month',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: "A partner's monthly statement", tags: ['partners'], description: 'Monthly partner statement: commissions, consumption tax when registered, no withholding.', params: PartnerStatementParams, response: { 200: PartnerStatement, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const s = await partnerStatement(db, req.params.id, req.params.month);
      if (!s) throw notFound('partner');
      return s;
    },
  );
};
