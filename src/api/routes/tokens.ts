// API tokens as their owners (and admins) see and revoke them; never the secret. Issuing one is a
// user's sub-resource (users.ts, POST /v1/users/:id/tokens).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listTokens, revokeTokens, tokenOwner } from '../../db/users.ts';
import { ROLES } from '../../shared/actor.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { authErrors, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import { Revoked, Token, TokenQuery } from '../schemas/users.ts';

export const tokenRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/tokens',
    {
      config: { roles: ROLES },
      schema: { tags: ['users'], summary: 'API tokens (admin: anyone\'s; others: their own), never the secret', querystring: PagedQuery(TokenQuery), response: { 200: PageOf(Token), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const userId = req.user.role === 'admin' ? req.query.user_id : req.user.id;
      const items = await listTokens(db, { userId, afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.delete(
    '/v1/tokens/:id',
    {
      config: { audit: 'token.revoke', roles: ROLES },
      schema: { tags: ['users'], summary: 'Revoke a token (admin: any; others: their own); takes effect at once', params: IdParams, response: { 200: Revoked, ...authErrors } },
    },
    async (req) => {
      const token = await tokenOwner(db, req.params.id);
      if (!token || (req.user.role !== 'admin' && token.user_id !== req.user.id)) throw notFound('token');
      await revokeTokens(db, { tokenId: token.id }, req.user.id);
      req.log.info({ tokenId: token.id }, 'token revoked');
      return { id: token.id, revoked: true };
    },
  );
};
