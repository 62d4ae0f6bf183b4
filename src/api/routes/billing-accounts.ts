// A client's billing account: the name on its invoices, its payer kana and its payment terms.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getBillingAccount, putBillingAccount } from '../../billing/accounts.ts';
import { assertClientAccess, FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { BillingAccount, BillingAccountBody, billingErrors } from '../schemas/billing.ts';
import { IdParams } from '../schemas/common.ts';

export const billingAccountRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.put(
    '/v1/clients/:id/billing',
    { config: { audit: 'billing_account.set', roles: FINANCE }, schema: { summary: "Set a client's billing account and payment terms", tags: ['billing'], description: 'Invoice name, payer kana and payment terms of a client.', params: IdParams, body: BillingAccountBody, response: { 200: BillingAccount, ...billingErrors } } },
    async (req) => putBillingAccount(db, req.params.id, req.body, req.user.id),
  );

  app.get(
    '/v1/clients/:id/billing',
    { config: { roles: [...FINANCE, 'cs_manager', 'client'] }, schema: { summary: "A client's billing account", tags: ['billing'], params: IdParams, response: { 200: BillingAccount, ...billingErrors } } },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const a = await getBillingAccount(db, req.params.id);
      if (!a) throw notFound('billing account');
      return a;
    },
  );
};
