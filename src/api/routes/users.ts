// Users: admins create them (the token is shown once) and issue them more tokens; everyone may see
// who they are. Listing and revoking tokens: tokens.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createUserWithToken, issueToken, listUsers, userBindingProblems, userExists } from '../../db/users.ts';
import { ROLES } from '../../shared/actor.ts';
import { badRequest, notFound } from '../errors.ts';
import { authErrors, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import { Created, IssuedToken, Me, NewToken, NewUser, User } from '../schemas/users.ts';
import type { ApiDeps } from '../deps.ts';

export const userRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  const expiry = (days?: number) => new Date(Date.now() + (days ?? config.tokenDays) * 86_400_000);

  app.get(
    '/v1/me',
    {
      config: { roles: ROLES },
      schema: { tags: ['users'], summary: 'Who I am: my user, role and the client or hacker I am bound to', response: { 200: Me, ...authErrors } },
    },
    async (req) => ({ id: req.user.id, name: req.user.name, role: req.user.role, client_id: req.user.client_id, hacker_id: req.user.hacker_id }),
  );

  app.post(
    '/v1/users',
    { config: { audit: 'user.create', roles: ['admin'], idempotency: 'secret' }, schema: { tags: ['users'], summary: 'Create a user and its API token, shown once (admin)', body: NewUser, response: { 201: Created, ...authErrors } } },
    async (req, reply) => {
      const details = await userBindingProblems(db, req.body);
      if (req.body.role === 'partner') details.push({ path: '/body/role', message: 'partner users are created with POST /v1/partners/:id/users (bound to their partner)' });
      if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      const tokenExpiresAt = expiry(req.body.token_days);
      const { user, token } = await createUserWithToken(db, {
        name: req.body.name,
        role: req.body.role,
        clientId: req.body.client_id ?? null,
        hackerId: req.body.hacker_id ?? null,
        tokenExpiresAt,
      });
      req.log.info({ newUserId: user.id, newRole: user.role }, 'user created');
      return reply.status(201).send({ ...user, token, token_expires_at: tokenExpiresAt });
    },
  );

  app.get(
    '/v1/users',
    { config: { roles: ['admin'] }, schema: { tags: ['users'], summary: 'List users (admin), newest first', querystring: PagedQuery({}), response: { 200: PageOf(User), ...authErrors } } },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listUsers(db, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.post(
    '/v1/users/:id/tokens',
    {
      config: { audit: 'token.issue', roles: ['admin'], idempotency: 'secret' },
      schema: { tags: ['users'], summary: 'Issue another token for a user, shown once (admin)', params: IdParams, body: NewToken, response: { 201: IssuedToken, ...authErrors } },
    },
    async (req, reply) => {
      if (!(await userExists(db, req.params.id))) throw notFound('user');
      const issued = await issueToken(db, req.params.id, { label: req.body.label ?? null, expiresAt: expiry(req.body.days) });
      req.log.info({ tokenId: issued.id, forUserId: req.params.id }, 'token issued');
      return reply.status(201).send(issued);
    },
  );
};
