// Billing's work lists: the caller's billing tasks and the billing alerts (overdue invoices).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { billingAlerts, billingTasks } from '../../billing/queries.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { BillingAlert, billingErrors, BillingTasks } from '../schemas/billing.ts';
import { nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';

export const billingRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/billing/tasks',
    { config: { roles: ['admin', 'finance', 'cs_manager', 'client'] }, schema: { summary: 'Billing tasks for the caller', tags: ['billing'], description: 'Billing part of the tasks list: drafts to review, overdue invoices, receipts to match.', response: { 200: BillingTasks, ...billingErrors } } },
    async (req) => ({ items: await billingTasks(db, req.user) }),
  );

  app.get(
    '/v1/billing/alerts',
    { config: { roles: [...FINANCE, 'cs_manager'] }, schema: { summary: 'Billing alerts (overdue invoices), newest first, paged', tags: ['billing'], querystring: PagedQuery({}), response: { 200: PageOf(BillingAlert), ...billingErrors } } },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await billingAlerts(db, req.user, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );
};
