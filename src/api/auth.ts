import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthFailureLimits } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { Role } from '../shared/actor.ts';
import { userByToken } from '../db/token-cache.ts';
import { findUserBySession } from '../db/sessions.ts';
import type { Actor } from '../shared/actor.ts';
import { AuthLimiter, tooManyFailures } from './auth-limit.ts';
import { forbidden, HttpError } from './errors.ts';

/** A route as declared: who may call it (null: public). The role matrix test walks these. */
export interface DeclaredRoute {
  method: string;
  url: string;
  roles: readonly Role[] | null;
  /** Authenticated by a public site key (the site gate, api/site-gate.ts), not by a user. */
  siteKey?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    declaredRoutes: DeclaredRoute[];
  }
  interface FastifyContextConfig {
    /** Roles allowed to call the route. Required on every /v1 route; absent = public. */
    roles?: readonly Role[];
    /** The route is behind the site gate (api/site-gate.ts): a public site key, no user roles. */
    siteKey?: boolean;
  }
  interface FastifyRequest {
    user: User;
    /** How the caller signed in: a bearer token (its row id and expiry), or a browser session (its row id). */
    auth: { via: 'bearer'; tokenId: number; tokenExpiresAt: Date | null } | { via: 'session'; sessionRowId: number; expiresAt: Date };
  }
}

export const STAFF: readonly Role[] = ['admin', 'cs_manager'];
/** Who reads money: finance and admin (money decisions on payout runs are finance's alone). */
export const FINANCE: readonly Role[] = ['admin', 'finance'];

/** The browser session cookie (httpOnly, SameSite=Strict), set by POST /v1/session. */
export const SESSION_COOKIE = 'kaizen_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A state-changing cookie request must come from this server's own pages (CSRF defence in depth). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    // Normalised both sides (an explicit default port equals none).
    return new URL(origin).host === new URL(`${request.protocol}://${request.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

/**
 * Authentication (a bearer token, or else the session cookie) and role check, run before body validation so an anonymous caller
 * learns nothing about a route's schema. Refuses to start if a /v1 route forgets to declare roles.
 * A credential that matches nothing live counts against the failed-authentication limits (auth-limit.ts).
 */
export function registerAuth(app: FastifyInstance, db: Db, limits: AuthFailureLimits): void {
  const limiter = new AuthLimiter(db, limits);
  /** 429 before any lookup while the caller's address or the credential's prefix is over its limit. */
  const notBlocked = async (request: FastifyRequest, credential: string) => {
    const seconds = await limiter.waitFor(request.ip, credential);
    if (seconds > 0) throw tooManyFailures(seconds);
  };
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD' && !route.schema?.hide) declared.push({ method, url: route.url, roles: roles ?? null, ...(route.config?.siteKey ? { siteKey: true } : {}) });
    }
    if (route.url.startsWith('/v1') && !roles && !route.config?.siteKey) {
      throw new Error(`route ${route.method} ${route.url} declares no roles`);
    }
    // The document says who may call each route, from the same declaration the check uses.
    if (roles && route.schema && !route.schema.description?.includes('Roles:')) {
      const who = `Roles: ${roles.join(', ')}.`;
      route.schema.description = route.schema.description ? `${route.schema.description}\n\n${who}` : who;
    }
  });
  app.decorateRequest('user', null as unknown as User);
  app.decorateRequest('auth', null as never);
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (header || !cookie) {
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match) throw new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>) or session cookie');
      const token = match[1]!;
      // A token this process authenticated moments ago (cached) is never held up; any lookup is.
      const found = await userByToken(db, token, { beforeLookup: () => notBlocked(request, token) });
      if (!found) {
        await limiter.fail(request.ip, token);
        throw new HttpError(401, 'unauthorized', 'invalid or revoked token');
      }
      request.user = found.user;
      request.auth = { via: 'bearer', tokenId: found.tokenId, tokenExpiresAt: found.expiresAt };
    } else {
      await notBlocked(request, cookie);
      const session = await findUserBySession(db, cookie);
      if (!session) {
        await limiter.fail(request.ip, cookie);
        throw new HttpError(401, 'unauthorized', 'your session has expired, was signed out or its token was revoked; sign in again');
      }
      if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
        throw forbidden('a request with a session cookie that changes something must come from this site (Origin header)');
      }
      request.user = session.user;
      request.auth = { via: 'session', sessionRowId: session.sessionRowId, expiresAt: session.expiresAt };
    }
    const user = request.user;
    request.log = request.log.child({ userId: user.id, role: user.role });
    const refusal = roleRefusal(user.role, roles);
    if (refusal) throw forbidden(refusal);
  });
}

/** The role check of a route's declaration: why `role` may not call it, or undefined (views ask it too, access.ts). */
export function roleRefusal(role: Role, roles: readonly Role[]): string | undefined {
  return roles.includes(role) ? undefined : `role ${role} may not call this route`;
}

/** Tenant check: a client user may only touch its own client's data. */
export function assertClientAccess(request: FastifyRequest, clientId: number): void {
  const user = request.user;
  if (user.role === 'client' && user.client_id !== clientId) {
    throw forbidden('this belongs to another client');
  }
}

/** The caller as the actor of a decision. */
export const actorOf = (req: FastifyRequest): Actor => ({ userId: req.user.id, role: req.user.role });
