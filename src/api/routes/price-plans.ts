// An engagement's price plan: the versions finance and its CS set, and what applies when.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pricePlanView, putPricePlan } from '../../billing/accounts.ts';
import { billedEngagement } from '../../billing/queries.ts';
import { assertManages } from '../access.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { billingErrors, PricePlan, PricePlanBody } from '../schemas/billing.ts';
import { IdParams } from '../schemas/common.ts';

export const pricePlanRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  const engagement = async (id: number) => {
    const e = await billedEngagement(db, id);
    if (!e) throw notFound('engagement');
    return e;
  };

  app.put(
    '/v1/engagements/:id/price-plan',
    {
      config: { audit: 'price_plan.set', roles: ['admin', 'cs_manager', 'finance'] },
      schema: {
        summary: "Set an engagement's price plan (from the next month)", tags: ['billing'],
        description: 'Stores a price-plan version (tax-exclusive yen). The first applies from the engagement\'s start month; a change from the next Tokyo month.',
        params: IdParams,
        body: PricePlanBody,
        response: { 200: PricePlan, ...billingErrors },
      },
    },
    async (req) => {
      assertManages(req, await engagement(req.params.id));
      const b = req.body;
      return putPricePlan(db, req.params.id, { platform_fee_yen: b.platform_fee_yen, cs_support_yen: b.cs_support_yen ?? 0, growth_team_yen: b.growth_team_yen ?? 0, ...(b.from_month ? { from_month: b.from_month } : {}) }, req.user.id);
    },
  );

  app.get(
    '/v1/engagements/:id/price-plan',
    { config: { roles: ['admin', 'cs_manager', 'finance', 'client'] }, schema: { summary: "An engagement's price plan: current, upcoming, versions", tags: ['billing'], params: IdParams, response: { 200: PricePlan, ...billingErrors } } },
    async (req) => {
      const e = await engagement(req.params.id);
      // Another client's engagement is not there for this caller (404, not 403).
      if (req.user.role === 'client' && req.user.client_id !== e.client_id) throw notFound('engagement');
      return pricePlanView(db, e.id);
    },
  );
};
