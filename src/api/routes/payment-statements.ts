// A payee's monthly payment statement (支払通知書, JSON or PDF): consumption tax on what the platform
// pays. Finance sees every payee; a hacker only itself; a partner user only its partner's payee record.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { partnerPayeeHackerId, paymentStatement } from '../../billing/payout-tax.ts';
import { paymentStatementPdf } from '../../billing/pdf.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { billingErrors } from '../schemas/billing.ts';
import { FileAnswer } from '../schemas/common.ts';
import { PaymentStatement, PaymentStatementParams } from '../schemas/payment-statements.ts';

export const paymentStatementRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  const issuer = { name: config.billing.issuerName, registrationNumber: config.billing.issuerRegistrationNumber };
  const readers = [...FINANCE, 'hacker', 'partner'] as const;

  /** The statement, or 404 for one the caller may not see (none leaks). */
  const load = async (req: FastifyRequest, hackerId: number, month: string) => {
    const u = req.user;
    if (u.role === 'hacker' && u.hacker_id !== hackerId) throw notFound('payment statement');
    if (u.role === 'partner' && (await partnerPayeeHackerId(db, u.partner_id!)) !== hackerId) throw notFound('payment statement');
    const s = await paymentStatement(db, hackerId, month, issuer);
    if (!s) throw notFound('payment statement');
    return s;
  };

  app.get(
    '/v1/payees/:id/payment-statements/:month',
    { config: { roles: readers }, schema: { summary: "A payee's monthly payment statement (支払通知書)", tags: ['payouts'], description: '支払通知書 of the month\'s payout run: lines, fee, consumption tax (registered payees), withholding, net.', params: PaymentStatementParams, response: { 200: PaymentStatement, ...billingErrors } } },
    async (req) => load(req, req.params.id, req.params.month),
  );

  app.get(
    '/v1/payees/:id/payment-statements/:month/pdf',
    { config: { roles: readers }, schema: { summary: 'Download a payment statement as PDF', tags: ['payouts'], description: 'The 支払通知書 as a PDF (A4, Japanese).', params: PaymentStatementParams, response: { 200: FileAnswer('application/pdf', 'the payment statement, A4, Japanese'), ...billingErrors } } },
    async (req, reply) => {
      const s = await load(req, req.params.id, req.params.month);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="payment-statement-${req.params.month}-${req.params.id}.pdf"`).send(await paymentStatementPdf(s));
    },
  );
};
