// A hacker's own proposal after submitting it (submitting and listing are offers' sub-resources: offers.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withdrawProposal } from '../../cycles/proposals.ts';
import type { ApiDeps } from '../deps.ts';
import { authErrors, ErrorResponse, IdParams } from '../schemas/common.ts';
import { Proposal } from '../schemas/offers.ts';

export const proposalRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.post(
    '/v1/proposals/:id/withdraw',
    {
      config: { roles: ['hacker'] },
      schema: { tags: ['proposals'], summary: 'Withdraw my proposal before the deadline (hackers)', params: IdParams, response: { 200: Proposal, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => withdrawProposal(db, req.user, req.params.id),
  );
};
