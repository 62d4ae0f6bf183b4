// The client's ordering ability per month (issue 28.5): the engagement page's trend chart.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clientOrderingAbility, COMPLETENESS_BASIS } from '../../cycles/ordering-ability.ts';
import { engagementFor } from '../access.ts';
import { STAFF } from '../auth.ts';
import { authErrors, IdParams } from '../schemas/common.ts';
import { OrderingAbility } from '../schemas/questions.ts';
import type { ApiDeps } from '../deps.ts';

export const orderingAbilityRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/engagements/:id/ordering-ability',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['engagements'],
        summary: "The client's ordering ability, month by month (client, CS, admin)",
        description: "Over all of the engagement's client's engagements, per Asia/Tokyo month: brief completeness, questions, proposals and those passing CS's review per offer, selection and win rates, uplift.",
        params: IdParams,
        response: { 200: OrderingAbility, ...authErrors },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      return { engagement_id: e.id, client_id: e.client_id, basis: COMPLETENESS_BASIS, months: await clientOrderingAbility(db, e.client_id) };
    },
  );
};
