// The public gate of the site-key routes (the browser SDK): registered in their plugin, its onRequest
// hook runs before body validation and answers for the key — present and live, called from one of its
// origins, within its request rate — and the CORS headers the browser needs. Its rules live in
// src/site/ (keys.ts, limits.ts); this file only applies them to a request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SiteKey } from '../db/site-keys.ts';
import { originAllowed, type SiteKeyCache } from '../site/keys.ts';
import type { MinuteWindow } from '../site/limits.ts';
import { forbidden, HttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The site key that passed the gate (site-key routes only). */
    siteKey?: SiteKey;
  }
}

export interface SiteGateOptions {
  keys: SiteKeyCache;
  /** Requests per key per minute (the key's rate_per_minute). */
  requests: MinuteWindow;
}

/** Adds the gate to every route of `app` but CORS preflights (which carry no key). */
export function siteGate(app: FastifyInstance, { keys, requests }: SiteGateOptions): void {
  app.decorateRequest('siteKey', undefined);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === 'OPTIONS') return;
    const origin = req.headers.origin;
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    const header = req.headers['x-site-key'];
    const clear = typeof header === 'string' && header ? header : (req.query as { key?: string } | undefined)?.key;
    if (!clear) throw new HttpError(401, 'unauthorized', 'missing site key (?key= or X-Site-Key)');
    const key = await keys.live(clear);
    if (!key) throw new HttpError(401, 'unauthorized', 'invalid, revoked or expired site key');
    if (!originAllowed(key, origin)) throw forbidden('this site key is not allowed from this origin (Origin header)');
    if (!(await requests.takeShared(`k${key.id}`, key.rate_per_minute))) {
      throw new HttpError(429, 'rate_limited', `this site key is over its ${key.rate_per_minute} requests per minute`, [], requests.retryAfter());
    }
    req.siteKey = key;
  });
}

/** The CORS preflight answer of a site-key route. Returns the reply: an async handler that sends without returning it lets an onSend hook send twice. */
export const sitePreflight = async (req: FastifyRequest, reply: FastifyReply) =>
  reply
    .header('access-control-allow-origin', req.headers.origin ?? '*')
    .header('access-control-allow-methods', 'GET, POST')
    .header('access-control-allow-headers', 'content-type, x-site-key')
    .header('access-control-max-age', '86400')
    .header('vary', 'Origin')
    .status(204)
    .send();
