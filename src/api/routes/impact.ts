// Revenue impact, conservative: per test, engagement, client, month or the platform.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { engagementImpact, revenueImpact } from '../../cycles/impact.ts';
import { engagementFor } from '../access.ts';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { authErrors, IdParams } from '../schemas/common.ts';
import { EngagementImpact, EngagementImpactQuery, Impact, ImpactQuery } from '../schemas/impact.ts';

export const impactRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/impact',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: {
        tags: ['network'],
        summary: 'Revenue impact, conservative (per test, engagement, client, month or the platform)',
        description: 'Uplift in yen per month and cumulative from the lower confidence bound of each winner, wins / losses / inconclusive, win rate, fees and ROI. `group_by=month` gives the win rate over time and the uplift in force in each contract month. Client users see only their own.',
        querystring: ImpactQuery,
        response: { 200: Impact, ...authErrors },
      },
    },
    async (req) => {
      const clientId = req.user.role === 'client' ? req.user.client_id! : req.query.client_id;
      return revenueImpact(db, { groupBy: (req.query.group_by ?? 'platform') as 'platform', asOf: req.query.as_of, clientId });
    },
  );

  app.get(
    '/v1/engagements/:id/impact',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: {
        tags: ['network'],
        summary: "An engagement's revenue impact per month (the client's revenue dashboard)",
        description:
          "Per Asia/Tokyo month through `as_of` (this month by default): tests run and won that month, the uplift in force (each winner from the month after its test; the conservative lower bound and the point estimate), fees, and ROI to date; the engagement's total; and the client's persistent holdout with its measured difference (null without a holdout). Client users see only their own engagements.",
        params: IdParams,
        querystring: EngagementImpactQuery,
        response: { 200: EngagementImpact, ...authErrors },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      return engagementImpact(db, e, req.query.as_of);
    },
  );
};
