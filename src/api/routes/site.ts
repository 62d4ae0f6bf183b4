// The traffic path of a client's website, with a public site key instead of a user token:
// - management (CS, admin): a client's site keys (site-keys.ts);
// - site-key routes (the browser SDK): the site's running test configuration (ETag) and its events,
//   behind the site gate (../site-gate.ts: key, origin, rate limit, CORS);
// - the SDK itself at stable URLs: /sdk/v1.mjs (ES module) and /sdk/v1.js (classic script).
// A site key has one scope: read its client's running tests and post events to them, from an allowed
// Origin, within its rate limits. Site-key routes log at warn only, so the key (in the query string)
// never reaches a log line.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { etagOf, siteConfig } from '../../site/config.ts';
import { ingestForKey } from '../../site/ingest.ts';
import { previewFor, resolvePreviewKey } from '../../site/preview.ts';
import { SiteKeyCache } from '../../site/keys.ts';
import { onRevocation } from '../../db/revocations.ts';
import { MinuteWindow } from '../../site/limits.ts';
import { sdkFiles, type SdkFile } from '../../site/sdk-build.ts';
import type { ApiDeps } from '../deps.ts';
import { badRequest } from '../errors.ts';
import { authErrors, ErrorResponse, FileAnswer } from '../schemas/common.ts';
import { KeyQuery, PreviewQuery, SiteConfigBody, SiteEventsBody, SiteIngest, SitePreview } from '../schemas/site.ts';
import { siteGate, sitePreflight } from '../site-gate.ts';
import { siteKeyRoutes } from './site-keys.ts';

const SITE_KEY_ROLES = 'Roles: none (a public site key: `?key=` or `X-Site-Key`, from one of its allowed origins).';

// The config's compressed bodies by ETag (the same JSON is answered to every visitor of a client
// until it changes): compressed once, not per request. Bounded: cleared when full.
const encoded = new Map<string, { br: Buffer; gzip: Buffer }>();
function encodings(etag: string, json: string) {
  let e = encoded.get(etag);
  if (!e) {
    if (encoded.size >= 500) encoded.clear();
    const buf = Buffer.from(json);
    e = { br: brotliCompressSync(buf, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: buf.length } }), gzip: gzipSync(buf, { level: 9 }) };
    encoded.set(etag, e);
  }
  return e;
}

export const siteRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  // One key cache per API: the gate reads it; a revocation or rotation in any process drops its entry.
  const keys = new SiteKeyCache(db);
  const unsubscribe = onRevocation((r) => keys.apply(r));
  app.addHook('onClose', async () => void unsubscribe());
  await app.register(siteKeyRoutes, { db });

  // ---------- site-key routes (the browser SDK), in their own scope behind the gate ----------

  const gated: FastifyPluginAsyncTypebox = async (scope) => {
    // Shared by every API process (src/site/limits.ts).
    const requests = new MinuteWindow(db);
    const visitors = new MinuteWindow(db);
    scope.addHook('onClose', async () => {
      await requests.close();
      await visitors.close();
    });
    siteGate(scope, { keys, requests });

    scope.get(
      '/v1/site/config',
      {
        config: { siteKey: true },
        logLevel: 'warn',
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
        const key = req.siteKey!;
        const json = JSON.stringify(await siteConfig(db, key.client_id));
        const etag = etagOf(json);
        // Compressed per Accept-Encoding (the slow link is the visitor's): each coding has its own
        // strong ETag (the JSON's, suffixed), and any of them revalidates the same JSON.
        const accept = String(req.headers['accept-encoding'] ?? '');
        const coding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : undefined;
        const tagged = coding ? `${etag.slice(0, -1)}-${coding}"` : etag;
        // Sent as the very JSON its ETag was computed from (and a 304 with no body): untyped on purpose.
        const raw = reply as FastifyReply;
        raw.header('etag', tagged).header('cache-control', 'public, max-age=30').header('vary', 'Accept-Encoding');
        const asked = String(req.headers['if-none-match'] ?? '').split(/\s*,\s*/).map((t) => t.replace(/^W\//, '').replace(/-(br|gzip)"$/, '"'));
        if (asked.includes(etag)) return raw.status(304).send();
        raw.type('application/json; charset=utf-8');
        if (!coding) return raw.send(json);
        return raw.header('content-encoding', coding).send(encodings(etag, json)[coding]);
      },
    );

    scope.post(
      '/v1/site/events',
      {
        config: { siteKey: true },
        logLevel: 'warn',
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
        const key = req.siteKey!;
        const r = await ingestForKey(db, key, req.body.events, (visitor, n) => visitors.take(`${key.id}:${visitor}`, key.visitor_events_per_minute, n));
        const counted = app.metrics.siteEvents;
        counted.inc({ outcome: 'accepted' }, r.accepted);
        counted.inc({ outcome: 'duplicate' }, r.duplicates);
        counted.inc({ outcome: 'rejected' }, r.rejected);
        counted.inc({ outcome: 'rate_limited' }, r.rate_limited);
        return r;
      },
    );

    scope.get(
      '/v1/site/preview',
      {
        config: { siteKey: true },
        logLevel: 'warn',
        schema: {
          tags: ['site'],
          summary: 'The proposal version a preview token names (browser SDK, preview mode)',
          description: `Only for a genuine, unexpired token of this site key's client; anything else is a 404.\n\n${SITE_KEY_ROLES}`,
          security: [],
          querystring: PreviewQuery,
          response: { 200: SitePreview, ...authErrors, 429: ErrorResponse },
        },
      },
      async (req, reply) => {
        const found = await previewFor(db, resolvePreviewKey(config), req.query.token, req.siteKey!.client_id);
        // Per browser and short-lived: never kept by a shared cache.
        reply.header('cache-control', 'private, no-store');
        return found;
      },
    );

    scope.options('/v1/site/config', { config: { siteKey: true }, logLevel: 'warn', schema: { hide: true } }, sitePreflight);
    scope.options('/v1/site/events', { config: { siteKey: true }, logLevel: 'warn', schema: { hide: true } }, sitePreflight);
    scope.options('/v1/site/preview', { config: { siteKey: true }, logLevel: 'warn', schema: { hide: true } }, sitePreflight);
  };
  await app.register(gated);

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
};
