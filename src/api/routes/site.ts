// The traffic path of a client's website, with a public site key instead of a user token:
// - management (CS, admin): create, list, rotate and revoke a client's site keys;
// - site-key routes (the browser SDK): the site's running test configuration (ETag) and its events;
// - the SDK itself at stable URLs: /sdk/v1.mjs (ES module) and /sdk/v1.js (classic script).
// A site key has one scope: read its client's running tests and post events to them, from an allowed
// Origin, within its rate limits. Site-key routes log at warn only, so the key (in the query string)
// never reaches a log line.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ingestEvents, loadTestMeta, TrafficError, type IngestResult, type TrafficEvent } from '../../cycles/traffic.ts';
import type { Db } from '../../db/index.ts';
import { createSiteKey, findLiveSiteKey, getSiteKey, listSiteKeys, normaliseOrigin, revokeSiteKey, rotateSiteKey, type SiteKey } from '../../db/site-keys.ts';
import { TOKEN_CACHE_MS } from '../../db/token-cache.ts';
import { etagOf, siteConfig } from '../../site/config.ts';
import { MinuteWindow } from '../../site/limits.ts';
import { sdkFiles, type SdkFile } from '../../site/sdk-build.ts';
import { assertManagesClient } from '../access.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import { badRequest, conflict, forbidden, HttpError, notFound } from '../errors.ts';
import { authErrors, ErrorResponse, FileAnswer, Id, IdParams, Nullable, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const ExternalId = Type.String({ minLength: 1, maxLength: 200 });
const Origin = Type.String({ minLength: 8, maxLength: 300, description: 'scheme://host[:port], as browsers send it in Origin' });

const SiteKeyRow = Type.Object({
  id: Id,
  client_id: Id,
  label: Nullable(Type.String()),
  key_prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  origins: Type.Array(Type.String()),
  rate_per_minute: Type.Integer({ description: 'requests per minute with this key (per API process)' }),
  visitor_events_per_minute: Type.Integer({ description: 'events per visitor per minute; extra events are dropped' }),
  created_by: Nullable(Id),
  created_at: Timestamp,
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
  replaced_by: Nullable(Id),
});
const NewKeyAnswer = Type.Intersect([SiteKeyRow, Type.Object({ key: Type.String({ description: 'the public site key, shown once' }) })]);
const NewKeyBody = Type.Object(
  {
    origins: Type.Array(Origin, { minItems: 1, maxItems: 20 }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rate_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    visitor_events_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false, examples: [{ origins: ['https://shop.example'], label: 'shop.example production', rate_per_minute: 6000, visitor_events_per_minute: 300 }] },
);
const RotateBody = Type.Object(
  { overlap_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, description: 'how long the old key keeps working (default 0: revoked now)' })) },
  { additionalProperties: false, examples: [{ overlap_minutes: 60 }] },
);

const KeyQuery = Type.Object({ key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the site key (or the X-Site-Key header)' })) }, { additionalProperties: false });
const SiteVariant = Type.Object({ id: Id, arm: Type.String(), position: Type.Integer(), weight: Type.Number() });
const SiteTest = Type.Object({ id: Id, page_url: Type.String(), metric: Type.Enum(['conversion', 'revenue']), holdout_percent: Type.Number(), variants: Type.Array(SiteVariant) });
const SiteConfigBody = Type.Object({ client_id: Id, tests: Type.Array(SiteTest) });
const SiteEvent = Type.Object(
  {
    test_id: Id,
    event_id: ExternalId,
    visitor_id: ExternalId,
    type: Type.Enum(['exposure', 'conversion']),
    value: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
    occurred_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
const SiteEventsBody = Type.Object(
  { events: Type.Array(SiteEvent, { minItems: 1, maxItems: 5000 }) },
  {
    additionalProperties: false,
    examples: [{ events: [{ test_id: 1, event_id: 'x:v1', visitor_id: 'v1', type: 'exposure' }, { test_id: 1, event_id: 'c:order-1', visitor_id: 'v1', type: 'conversion', value: 8000 }] }],
  },
);
const SiteIngest = Type.Object({
  accepted: Type.Integer({ description: 'events recorded by this call' }),
  duplicates: Type.Integer({ description: 'events whose id was already recorded for the test' }),
  rejected: Type.Integer({ description: "events for a test that is not this client's or not running" }),
  rate_limited: Type.Integer({ description: "events dropped: their visitor was over the key's per-visitor limit" }),
});

const SITE_KEY_ROLES = 'Roles: none (a public site key: `?key=` or `X-Site-Key`, from one of its allowed origins).';

interface KeyCacheEntry {
  key: SiteKey;
  until: number;
}

export function siteRoutes(base: FastifyInstance, { db }: ApiDeps) {
  const app = base;
  const requests = new MinuteWindow();
  const visitors = new MinuteWindow();
  // Site key → row, like the token cache: a revocation here is immediate, elsewhere within the TTL.
  const keyCache = new Map<string, KeyCacheEntry>();
  const forgetKey = (id: number) => {
    for (const [k, e] of keyCache) if (e.key.id === id) keyCache.delete(k);
  };
  const keyOf = new WeakMap<FastifyRequest, SiteKey>();

  async function liveKey(clear: string): Promise<SiteKey | undefined> {
    const now = Date.now();
    const hit = keyCache.get(clear);
    if (hit && hit.until > now) return hit.key;
    const key = await findLiveSiteKey(db, clear);
    if (!key) return undefined;
    if (keyCache.size >= 10_000) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(clear, { key, until: Math.min(now + TOKEN_CACHE_MS, key.expires_at ? key.expires_at.getTime() : Infinity) });
    return key;
  }

  /** Site-key authentication, before body validation: key, Origin, then the key's request rate. */
  async function siteAuth(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const origin = req.headers.origin;
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    const header = req.headers['x-site-key'];
    const clear = typeof header === 'string' && header ? header : (req.query as { key?: string } | undefined)?.key;
    if (!clear) throw new HttpError(401, 'unauthorized', 'missing site key (?key= or X-Site-Key)');
    const key = await liveKey(clear);
    if (!key) throw new HttpError(401, 'unauthorized', 'invalid, revoked or expired site key');
    if (!origin || !key.origins.includes(origin)) throw forbidden('this site key is not allowed from this origin (Origin header)');
    if (!requests.take(`k${key.id}`, key.rate_per_minute)) {
      reply.header('retry-after', String(requests.retryAfter()));
      throw new HttpError(429, 'rate_limited', `this site key is over its ${key.rate_per_minute} requests per minute`);
    }
    keyOf.set(req, key);
  }

  async function keyForChange(req: FastifyRequest, id: number): Promise<SiteKey> {
    const key = await getSiteKey(db, id);
    if (!key) throw notFound('site key');
    await assertManagesClient(db, req, key.client_id);
    return key;
  }

  // ---------- management ----------

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NewKeyBody> }>(
    '/v1/clients/:id/site-keys',
    {
      config: { roles: STAFF, idempotency: 'secret' },
      schema: {
        tags: ['site'],
        summary: "Create a public site key for one of the client's sites (CS managing the client, admin)",
        description: 'The key is shown once. It can only read the running test configuration of this client and post its events, from the listed origins.',
        params: IdParams,
        body: NewKeyBody,
        response: { 201: NewKeyAnswer, ...authErrors },
      },
    },
    async (req, reply) => {
      await assertManagesClient(db, req, req.params.id);
      let origins: string[];
      try {
        origins = [...new Set(req.body.origins.map(normaliseOrigin))];
      } catch (err) {
        throw badRequest((err as Error).message, [{ path: '/body/origins', message: (err as Error).message }]);
      }
      const created = await createSiteKey(db, {
        clientId: req.params.id,
        origins,
        label: req.body.label ?? null,
        ratePerMinute: req.body.rate_per_minute,
        visitorEventsPerMinute: req.body.visitor_events_per_minute,
        createdBy: req.user.id,
      });
      return reply.status(201).send(created);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id/site-keys',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['site'], summary: "The client's site keys, live and revoked (never the keys themselves)", params: IdParams, response: { 200: Type.Object({ items: Type.Array(SiteKeyRow) }), ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      return { items: await listSiteKeys(db, req.params.id) };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/site-keys/:id',
    {
      config: { roles: STAFF },
      schema: { tags: ['site'], summary: 'Revoke a site key now (CS managing the client, admin); idempotent', params: IdParams, response: { 200: SiteKeyRow, ...authErrors } },
    },
    async (req) => {
      await keyForChange(req, req.params.id);
      const row = (await revokeSiteKey(db, req.params.id, req.user.id))!;
      forgetKey(row.id);
      return row;
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateBody> }>(
    '/v1/site-keys/:id/rotate',
    {
      config: { roles: STAFF, idempotency: 'secret' },
      schema: {
        tags: ['site'],
        summary: 'Rotate a site key: a new key with the same origins and limits (CS managing the client, admin)',
        description: 'The old key keeps working for overlap_minutes (default 0: revoked now), so pages that loaded it are not cut off.',
        params: IdParams,
        body: RotateBody,
        response: { 201: Type.Object({ key: NewKeyAnswer, replaced: SiteKeyRow }), ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      await keyForChange(req, req.params.id);
      const rotated = await rotateSiteKey(db, req.params.id, req.body?.overlap_minutes ?? 0, req.user.id);
      if (!rotated) throw conflict(`site key ${req.params.id} is revoked: create a new one`);
      forgetKey(req.params.id);
      return reply.status(201).send(rotated);
    },
  );

  // ---------- site-key routes (the browser SDK) ----------

  // Returns the reply: an async handler that sends without returning it lets an onSend hook send twice.
  const cors = async (req: FastifyRequest, reply: FastifyReply) =>
    reply
      .header('access-control-allow-origin', req.headers.origin ?? '*')
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type, x-site-key')
      .header('access-control-max-age', '86400')
      .header('vary', 'Origin')
      .status(204)
      .send();

  app.get<{ Querystring: Static<typeof KeyQuery> }>(
    '/v1/site/config',
    {
      config: { siteKey: true },
      logLevel: 'warn',
      onRequest: siteAuth,
      schema: {
        tags: ['site'],
        summary: "The site's running tests: variants, weights and holdout share (browser SDK)",
        description: `What the SDK needs to assign visitors itself, with exactly the server's rule. Cacheable: answers carry an ETag (If-None-Match → 304).\n\n${SITE_KEY_ROLES}`,
        security: [],
        querystring: KeyQuery,
        response: { 200: SiteConfigBody, 304: Type.Null(), ...authErrors, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const key = keyOf.get(req)!;
      const json = JSON.stringify(await siteConfig(db, key.client_id));
      const etag = etagOf(json);
      reply.header('etag', etag).header('cache-control', 'public, max-age=30');
      if (req.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.post<{ Querystring: Static<typeof KeyQuery>; Body: Static<typeof SiteEventsBody> }>(
    '/v1/site/events',
    {
      config: { siteKey: true },
      logLevel: 'warn',
      onRequest: siteAuth,
      // sendBeacon and fetch without a preflight send text/plain: the same JSON.
      preValidation: async (req) => {
        if (typeof req.body === 'string') {
          try {
            req.body = JSON.parse(req.body);
          } catch {
            throw badRequest('the body is not JSON', [{ path: '/body', message: 'must be JSON' }]);
          }
        }
      },
      schema: {
        tags: ['site'],
        summary: "Post exposures and conversions of the site's running tests (browser SDK)",
        description: `Events of tests that are not this client's, or not running, are rejected (counted, nothing stored); an event id counts once per test, so a batch can be retried. The body may be sent as text/plain (sendBeacon).\n\n${SITE_KEY_ROLES}`,
        security: [],
        querystring: KeyQuery,
        body: SiteEventsBody,
        response: { 200: SiteIngest, ...authErrors, 429: ErrorResponse },
      },
    },
    async (req) => {
      const key = keyOf.get(req)!;
      return ingestForKey(db, key, req.body.events, (visitor, n) => visitors.take(`${key.id}:${visitor}`, key.visitor_events_per_minute, n));
    },
  );

  app.options('/v1/site/config', { config: { siteKey: true }, logLevel: 'warn', schema: { hide: true } }, cors);
  app.options('/v1/site/events', { config: { siteKey: true }, logLevel: 'warn', schema: { hide: true } }, cors);

  // ---------- the SDK ----------

  const serve = (pick: (f: { esm: SdkFile; iife: SdkFile }) => SdkFile) => async (req: FastifyRequest, reply: FastifyReply) => {
    const file = pick(await sdkFiles());
    reply
      .type('text/javascript; charset=utf-8')
      .header('etag', file.etag)
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .header('vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.code);
  };
  app.get(
    '/sdk/v1.mjs',
    { logLevel: 'warn', schema: { tags: ['site'], summary: 'The browser SDK as an ES module (public): import { init } from …/sdk/v1.mjs', security: [], response: { 200: FileAnswer('text/javascript', 'the SDK') } } },
    serve((f) => f.esm),
  );
  app.get(
    '/sdk/v1.js',
    { logLevel: 'warn', schema: { tags: ['site'], summary: 'The browser SDK as a classic script (public): defines window.Kaizen', security: [], response: { 200: FileAnswer('text/javascript', 'the SDK') } } },
    serve((f) => f.iife),
  );
}

/**
 * A site's batch: events grouped by test, each test checked to be the key's client's (else rejected),
 * visitors over their per-minute share dropped, then one ingest statement per test.
 */
export async function ingestForKey(
  db: Db,
  key: Pick<SiteKey, 'client_id'>,
  events: readonly (TrafficEvent & { test_id: number })[],
  allowVisitor: (visitorId: string, n: number) => boolean = () => true,
): Promise<IngestResult & { rejected: number; rate_limited: number }> {
  const byTest = new Map<number, TrafficEvent[]>();
  let rateLimited = 0;
  for (const e of events) {
    if (!allowVisitor(e.visitor_id, 1)) {
      rateLimited++;
      continue;
    }
    let list = byTest.get(e.test_id);
    if (!list) byTest.set(e.test_id, (list = []));
    const { test_id: _t, ...event } = e;
    list.push(event);
  }
  const out = { accepted: 0, duplicates: 0, rejected: 0, rate_limited: rateLimited };
  for (const [testId, list] of byTest) {
    const meta = await loadTestMeta(db, testId).catch(() => undefined);
    if (!meta || meta.client_id !== key.client_id) {
      out.rejected += list.length;
      continue;
    }
    try {
      const r = await ingestEvents(db, testId, list);
      out.accepted += r.accepted;
      out.duplicates += r.duplicates;
    } catch (err) {
      if (!(err instanceof TrafficError)) throw err;
      out.rejected += list.length;
    }
  }
  return out;
}
