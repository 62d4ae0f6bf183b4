// Partners: organisations that refer or resell engagements. Partner users are bound to their partner
// and see only its attributed engagements (status and results, never people or bank details), its
// statements and the invoices billed to it; anything else is 404.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { createPartner, putAttribution } from '../../billing/accounts.ts';
import { partnerEngagements, partnerStatement } from '../../billing/queries.ts';
import { generateToken, hashToken } from '../../db/users.ts';
import { assertManages, assertPartnerAccess, engagementFor } from '../access.ts';
import { FINANCE } from '../auth.ts';
import { notFound } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { billingErrors } from '../schemas/billing.ts';
import { CalendarDate, Id, IdParams, Month } from '../schemas/common.ts';
import { Attribution, Partner, PartnerEngagement, PartnerStatement, PartnerUser } from '../schemas/partners.ts';

const PartnerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    legal_name: Type.String({ minLength: 1, maxLength: 200, description: 'legal name (Japanese) for invoices and statements' }),
    invoice: Type.Optional(
      Type.Union([
        Type.Object(
          { registration_number: Type.String({ pattern: '^T[0-9]{13}$' }), registered_on: CalendarDate, expires_on: Type.Optional(Type.Union([CalendarDate, Type.Null()])) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    payer_kana: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10 })),
  },
  { additionalProperties: false, examples: [{ name: 'Staffing Co', legal_name: '株式会社スタッフィング', invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' }, payer_kana: ['ｽﾀﾂﾌｲﾝｸﾞ'] }] },
);
const AttributionBody = Type.Object(
  {
    partner_id: Id,
    mode: Type.Union([Type.Literal('referral'), Type.Literal('resale')]),
    commission_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'referral: commission in basis points of invoiced fees' })),
    commission_from_month: Type.Optional(Month),
    commission_to_month: Type.Optional(Type.Union([Month, Type.Null()])),
    wholesale_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'resale: the partner\'s price in basis points of the list price' })),
  },
  { additionalProperties: false, examples: [{ partner_id: 1, mode: 'referral', commission_bp: 1500, commission_to_month: '2027-03' }] },
);
const UserBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, examples: [{ name: 'Partner staff' }] });
const PE = Type.Object({ id: Id, engagementId: Id }, { additionalProperties: false });
const PM = Type.Object({ id: Id, month: Month }, { additionalProperties: false });

export function partnerRoutes(app: FastifyInstance, { db }: ApiDeps) {
  app.post<{ Body: Static<typeof PartnerBody> }>(
    '/v1/partners',
    { config: { roles: FINANCE }, schema: { summary: 'Create a partner', tags: ['partners'], body: PartnerBody, response: { 201: Partner, ...billingErrors } } },
    async (req, reply) => reply.status(201).send(await createPartner(db, req.body)),
  );

  app.get(
    '/v1/partners',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'List partners', tags: ['partners'], response: { 200: Type.Object({ items: Type.Array(Partner) }), ...billingErrors } } },
    async (req) => {
      let q = db.selectFrom('partners').selectAll().orderBy('id');
      if (req.user.role === 'partner') q = q.where('id', '=', req.user.partner_id!);
      return { items: await q.execute() };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/partners/:id',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'One partner', tags: ['partners'], params: IdParams, response: { 200: Partner, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const p = await db.selectFrom('partners').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!p) throw notFound('partner');
      return p;
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof UserBody> }>(
    '/v1/partners/:id/users',
    { config: { roles: ['admin'], idempotency: 'secret' }, schema: { summary: 'Create a partner user (token shown once)', tags: ['partners'], description: 'Creates a partner user; its token is shown once.', params: IdParams, body: UserBody, response: { 201: PartnerUser, ...billingErrors } } },
    async (req, reply) => {
      const p = await db.selectFrom('partners').select('id').where('id', '=', req.params.id).executeTakeFirst();
      if (!p) throw notFound('partner');
      const token = generateToken();
      const user = await db.transaction().execute(async (trx) => {
        const u = await trx.insertInto('users').values({ name: req.body.name, role: 'partner', client_id: null, hacker_id: null, partner_id: p.id }).returningAll().executeTakeFirstOrThrow();
        await trx.insertInto('api_tokens').values({ user_id: u.id, token_hash: hashToken(token) }).execute();
        return u;
      });
      return reply.status(201).send({ id: user.id, name: user.name, role: 'partner', partner_id: p.id, token });
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof AttributionBody> }>(
    '/v1/engagements/:id/partner',
    { config: { roles: ['admin', 'cs_manager', 'finance'] }, schema: { summary: 'Attribute an engagement to a partner', tags: ['partners'], description: 'Attributes an engagement to a partner: referral (commission on the client\'s invoiced fees) or resale (the partner is invoiced at wholesale).', params: IdParams, body: AttributionBody, response: { 200: Attribution, ...billingErrors } } },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return putAttribution(db, req.params.id, req.body, req.user.id);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/partners/:id/engagements',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: "A partner's attributed engagements", tags: ['partners'], description: 'Attributed engagements: status and results summary (tests, wins, uplift).', params: IdParams, response: { 200: Type.Object({ items: Type.Array(PartnerEngagement) }), ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      return { items: await partnerEngagements(db, req.params.id) };
    },
  );

  app.get<{ Params: Static<typeof PE> }>(
    '/v1/partners/:id/engagements/:engagementId',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: 'One attributed engagement', tags: ['partners'], params: PE, response: { 200: PartnerEngagement, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const [e] = await partnerEngagements(db, req.params.id, req.params.engagementId);
      if (!e) throw notFound('engagement');
      return e;
    },
  );

  app.get<{ Params: Static<typeof PM> }>(
    '/v1/partners/:id/statements/:month',
    { config: { roles: [...FINANCE, 'partner'] }, schema: { summary: "A partner's monthly statement", tags: ['partners'], description: 'Monthly partner statement: commissions, consumption tax when registered, no withholding.', params: PM, response: { 200: PartnerStatement, ...billingErrors } } },
    async (req) => {
      assertPartnerAccess(req, req.params.id);
      const s = await partnerStatement(db, req.params.id, req.params.month);
      if (!s) throw notFound('partner');
      return s;
    },
  );
}
