// Finance's monthly reports: the margin per engagement and the input tax of a month's payout run.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inputTaxReport } from '../../billing/payout-tax.ts';
import { marginReport } from '../../billing/queries.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { billingErrors, InputTax, InputTaxQuery, Margin, MarginQuery } from '../schemas/billing.ts';
import { JsonOrCsv } from '../schemas/common.ts';

export const reportRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/reports/margin',
    { config: { roles: FINANCE }, schema: { summary: 'Margin report', tags: ['billing'], description: 'Per engagement and month (filter by month, client, partner): billed, received, paid to hackers, withheld, commissions, margin.', querystring: MarginQuery, response: { 200: JsonOrCsv(Margin, 'JSON by default, CSV with format=csv'), ...billingErrors } } },
    async (req, reply) => {
      const r = await marginReport(db, req.query);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="margin.csv"').send(r.csv);
      return { items: r.items, totals: r.totals };
    },
  );

  app.get(
    '/v1/reports/input-tax',
    { config: { roles: FINANCE }, schema: { summary: "Input tax of a month's payout run", tags: ['payouts'], description: 'Input-tax figures of the month\'s payout run: registered payees (tax paid), unregistered (deemed tax × transitional credit 80%/50%/0).', querystring: InputTaxQuery, response: { 200: InputTax, ...billingErrors } } },
    async (req) => {
      const r = await inputTaxReport(db, req.query.month);
      if (!r) throw notFound('payout run');
      return r;
    },
  );
};
