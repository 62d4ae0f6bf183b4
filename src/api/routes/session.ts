// Browser sign-in: an API token (in the Authorization header, never a URL) is exchanged once for a
// server-side session whose id travels only in an httpOnly, SameSite=Strict cookie. Sign-out revokes it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ROLES } from '../../shared/actor.ts';
import { createSession, revokeSession, SESSION_HOURS } from '../../db/sessions.ts';
import { routeRefusal } from '../access.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { authErrors } from '../schemas/common.ts';
import { CAN, CAN_NAMES, type Can, OWN, Session, SignedOut } from '../schemas/session.ts';
import type { ApiDeps } from '../deps.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  const can = (req: FastifyRequest) =>
    Object.fromEntries(
      CAN_NAMES.map((n) => [n, routeRefusal(req, CAN[n][0], CAN[n][1]) === undefined && (!OWN.has(n) || req.user.hacker_id != null)]),
    ) as Record<Can, boolean>;
  const view = (req: FastifyRequest, via: 'session' | 'bearer', expiresAt: Date | null) => ({
    user: { id: req.user.id, name: req.user.name, role: req.user.role, client_id: req.user.client_id, hacker_id: req.user.hacker_id },
    via,
    expires_at: expiresAt ? expiresAt.toISOString() : null,
    temporal_ui_url: req.user.role === 'admin' ? `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}` : null,
    can: can(req),
  });

  app.post(
    '/v1/session',
    {
      config: { audit: 'session.sign_in', roles: ROLES },
      schema: {
        tags: ['session'],
        summary: 'Sign in: exchange the API token for a browser session cookie',
        description: `Send the token as \`Authorization: Bearer <token>\`. Sets an httpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\` valid for ${SESSION_HOURS} hours (less if the token ends sooner; revoking or expiring the token ends it at once); the API then accepts the cookie instead of the token (state-changing cookie requests must carry this site's Origin).`,
        response: { 201: Session, ...authErrors },
      },
    },
    async (req, reply) => {
      if (req.auth.via !== 'bearer') throw badRequest('sign in with your API token in the Authorization header', [{ path: '/headers/authorization', message: 'is required to sign in' }]);
      const session = await createSession(db, req.user.id, { id: req.auth.tokenId, expiresAt: req.auth.tokenExpiresAt });
      reply.setCookie(SESSION_COOKIE, session.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        expires: session.expiresAt,
      });
      req.log.info({ userId: req.user.id }, 'browser session started');
      return reply.status(201).send(view(req, 'session', session.expiresAt));
    },
  );

  app.get(
    '/v1/session',
    { config: { roles: ROLES }, schema: { tags: ['session'], summary: 'The current session: who I am and until when', response: { 200: Session, ...authErrors } } },
    async (req) => view(req, req.auth.via, req.auth.via === 'session' ? req.auth.expiresAt : null),
  );

  app.delete(
    '/v1/session',
    {
      config: { audit: 'session.sign_out', roles: ROLES },
      schema: { tags: ['session'], summary: 'Sign out: revoke the browser session and clear its cookie', response: { 200: SignedOut, ...authErrors } },
    },
    async (req, reply) => {
      if (req.auth.via === 'session') await revokeSession(db, req.auth.sessionRowId);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
      req.log.info({ userId: req.user.id }, 'browser session ended');
      return { signed_out: req.auth.via === 'session' };
    },
  );
};
