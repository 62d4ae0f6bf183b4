// Ending a managed contract (contracting a hacker and listing its contracts: hackers.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { endContract } from '../../network/managed.ts';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { authErrors, ErrorResponse, IdParams } from '../schemas/common.ts';
import { Contract, EndContract } from '../schemas/hackers.ts';

export const managedContractRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.post(
    '/v1/managed-contracts/:id/end',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: 'End a managed contract after a month (CS, admin)',
        description: 'No retainer accrues for months after `end_month`; an earlier end than already set wins, a later one is ignored.',
        params: IdParams,
        body: EndContract,
        response: { 200: Contract, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => endContract(db, { contractId: req.params.id, endMonth: req.body.end_month, actorUserId: req.user.id }),
  );
};
