// Consumption tax on payouts: a payee's monthly payment statement (支払通知書, JSON or PDF) and the
// month's input-tax figures for finance. Thin: parse, authorise, call, shape.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { inputTaxReport, paymentStatement } from '../../billing/payout-tax.ts';
import { paymentStatementPdf } from '../../billing/pdf.ts';
import { notFound } from '../errors.ts';
import { FileAnswer } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';
import { InputTax, PaymentStatement } from './billing-schemas.ts';
import { BId, BMonth, billingErrors, FINANCE } from './billing-common.ts';

const Params = Type.Object({ id: BId, month: BMonth }, { additionalProperties: false });
const MonthQuery = Type.Object({ month: BMonth }, { additionalProperties: false });

export function payoutTaxRoutes(app: FastifyInstance, { db, config }: ApiDeps) {
  const issuer = { name: config.billing.issuerName, registrationNumber: config.billing.issuerRegistrationNumber };
  /** Finance sees every payee; a hacker only itself; a partner user only its partner's payee record. */
  const load = async (req: { user: { role: string; hacker_id: number | null; partner_id: number | null } }, hackerId: number, month: string) => {
    const u = req.user;
    if (u.role === 'hacker' && u.hacker_id !== hackerId) throw notFound('payment statement');
    if (u.role === 'partner') {
      const p = await db.selectFrom('partners').select('payee_hacker_id').where('id', '=', u.partner_id!).executeTakeFirst();
      if (p?.payee_hacker_id !== hackerId) throw notFound('payment statement');
    }
    const s = await paymentStatement(db, hackerId, month, issuer);
    if (!s) throw notFound('payment statement');
    return s;
  };

  app.get<{ Params: Static<typeof Params> }>(
    '/v1/payees/:id/payment-statements/:month',
    { config: { roles: [...FINANCE, 'hacker', 'partner'] }, schema: { summary: "A payee's monthly payment statement (支払通知書)", tags: ['payouts'], description: '支払通知書 of the month\'s payout run: lines, fee, consumption tax (registered payees), withholding, net.', params: Params, response: { 200: PaymentStatement, ...billingErrors } } },
    async (req) => load(req, req.params.id, req.params.month),
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/v1/payees/:id/payment-statements/:month/pdf',
    { config: { roles: [...FINANCE, 'hacker', 'partner'] }, schema: { summary: 'Download a payment statement as PDF', tags: ['payouts'], description: 'The 支払通知書 as a PDF (A4, Japanese).', params: Params, response: { 200: FileAnswer('application/pdf', 'the payment statement, A4, Japanese'), ...billingErrors } } },
    async (req, reply) => {
      const s = await load(req, req.params.id, req.params.month);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="payment-statement-${req.params.month}-${req.params.id}.pdf"`).send(await paymentStatementPdf(s));
    },
  );

  app.get<{ Querystring: Static<typeof MonthQuery> }>(
    '/v1/reports/input-tax',
    { config: { roles: FINANCE }, schema: { summary: "Input tax of a month's payout run", tags: ['payouts'], description: 'Input-tax figures of the month\'s payout run: registered payees (tax paid), unregistered (deemed tax × transitional credit 80%/50%/0).', querystring: MonthQuery, response: { 200: InputTax, ...billingErrors } } },
    async (req) => {
      const r = await inputTaxReport(db, req.query.month);
      if (!r) throw notFound('payout run');
      return r;
    },
  );
}
