// Revenue impact, conservative: per test, engagement, client, month or the platform.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { revenueImpact } from '../../cycles/impact.ts';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { authErrors } from '../schemas/common.ts';
import { Impact, ImpactQuery } from '../schemas/impact.ts';

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
};
