// Browser sign-in: an API token (in the Authorization header, never a URL) is exchanged once for a
// server-side session whose id travels only in an httpOnly, SameSite=Strict cookie. Sign-out revokes it.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ROLES, type Role } from '../../shared/actor.ts';
import { createSession, revokeSession, SESSION_HOURS } from '../../db/sessions.ts';
import { routeRefusal } from '../access.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { authErrors, Id, Nullable } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * What the caller may do, named for the pages and buttons that offer it: each is the role check of
 * the route that does it (app.declaredRoutes, as auth.ts enforces it), so navigation cannot drift
 * from the API. Statements also need a hacker identity to be one's own.
 */
const CAN = {
  view_tasks: ['GET', '/v1/tasks'],
  view_engagements: ['GET', '/v1/engagements'],
  create_engagement: ['POST', '/v1/engagements'],
  view_cycles: ['GET', '/v1/cycles/:id'],
  view_tests: ['GET', '/v1/tests/:id'],
  view_offers: ['GET', '/v1/offers'],
  submit_proposal: ['POST', '/v1/offers/:id/proposals'],
  view_knowledge: ['GET', '/v1/knowledge'],
  view_own_statements: ['GET', '/v1/hackers/:id/statements/:month'],
  view_payouts: ['GET', '/v1/payout-runs'],
  open_payout_run: ['POST', '/v1/payout-runs'],
  manage_site_keys: ['POST', '/v1/clients/:id/site-keys'],
  manage_users: ['POST', '/v1/users'],
  list_users: ['GET', '/v1/users'],
} as const satisfies Record<string, readonly [string, string]>;
type Can = keyof typeof CAN;
const CAN_NAMES = Object.keys(CAN) as Can[];

const Session = Type.Object({
  user: Type.Object({ id: Id, name: Type.String(), role: Type.Unsafe<Role>(Type.Union(ROLES.map((r) => Type.Literal(r)))), client_id: Nullable(Id), hacker_id: Nullable(Id) }),
  via: Type.Union([Type.Literal('session'), Type.Literal('bearer')], { description: 'how this request was authenticated' }),
  expires_at: Nullable(Type.String({ format: 'date-time', description: 'when the browser session ends (null for a bearer token)' })),
  temporal_ui_url: Nullable(Type.String({ description: 'admins: base URL of the Temporal Web UI (namespace included)' })),
  can: Type.Object(Object.fromEntries(CAN_NAMES.map((n) => [n, Type.Boolean()])) as Record<Can, ReturnType<typeof Type.Boolean>>, {
    description: "what the caller may do (pages, navigation): each the role check of the route that does it",
  }),
});

export function sessionRoutes(base: FastifyInstance, { db, config }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const can = (req: FastifyRequest) =>
    Object.fromEntries(
      CAN_NAMES.map((n) => [n, routeRefusal(req, CAN[n][0], CAN[n][1]) === undefined && (n !== 'view_own_statements' || req.user.hacker_id != null)]),
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
      config: { roles: ROLES },
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
      config: { roles: ROLES },
      schema: { tags: ['session'], summary: 'Sign out: revoke the browser session and clear its cookie', response: { 200: Type.Object({ signed_out: Type.Boolean() }), ...authErrors } },
    },
    async (req, reply) => {
      if (req.auth.via === 'session') await revokeSession(db, req.auth.sessionRowId);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
      req.log.info({ userId: req.user.id }, 'browser session ended');
      return { signed_out: req.auth.via === 'session' };
    },
  );
}
