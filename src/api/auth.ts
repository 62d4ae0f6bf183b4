import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import type { Role, User } from '../db/schema.ts';
import { findUserByToken } from '../db/users.ts';
import type { Actor } from '../shared/actor.ts';
import { forbidden, HttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route. Required on every /v1 route; absent = public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    user: User;
  }
}

export const STAFF: readonly Role[] = ['admin', 'cs_manager'];

/**
 * Bearer-token authentication and role check, run before body validation so an anonymous caller
 * learns nothing about a route's schema. Refuses to start if a /v1 route forgets to declare roles.
 */
export function registerAuth(app: FastifyInstance, db: Db): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1') && !route.config?.roles) {
      throw new Error(`route ${route.method} ${route.url} declares no roles`);
    }
  });
  app.decorateRequest('user', null as unknown as User);
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const user = await findUserByToken(db, match[1]!);
    if (!user) throw new HttpError(401, 'unauthorized', 'invalid or revoked token');
    request.user = user;
    request.log = request.log.child({ userId: user.id, role: user.role });
    if (!roles.includes(user.role)) throw forbidden(`role ${user.role} may not call this route`);
  });
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
