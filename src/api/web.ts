// Serves the web back office (web/, built by Vite into web/dist) at `/` from the API's own process:
// hashed assets cached for a year and sent pre-compressed (brotli or gzip), every other path the single-page app's index.html (no cache).
// `/v1`, `/docs` and `/openapi.json` stay the API's.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const API_PREFIXES = ['/v1/', '/v1', '/docs', '/openapi.json', '/codec', '/healthz', '/readyz'];
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Mantine sets CSS variables and a few styles inline.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export async function serveWeb(app: FastifyInstance, root: string = DEFAULT_WEB_ROOT): Promise<void> {
  await app.register(async (scope) => {
    // preCompressed: `<file>.br` / `.gz` written by the build (web/vite-plugins.ts) for a client that accepts them.
    await scope.register(fastifyStatic, { root, serve: false, preCompressed: true });
    const index = (reply: FastifyReply) => {
      if (!existsSync(path.join(root, 'index.html'))) {
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The web back office is not built yet: run `npm run build:web` (npm run dev builds it on start).');
      }
      return reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .sendFile('index.html', { cacheControl: false });
    };
    const handler = async (req: { url: string }, reply: FastifyReply) => {
      const url = req.url.split('?')[0]!;
      if (API_PREFIXES.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`))) return reply.callNotFound();
      let rel: string;
      try {
        rel = decodeURIComponent(url).replace(/^\/+/, '');
      } catch {
        return reply.callNotFound();
      }
      const file = path.resolve(root, rel);
      if (rel && file.startsWith(root + path.sep) && existsSync(file) && statSync(file).isFile()) {
        const immutable = rel.startsWith('assets/');
        return reply
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
          .sendFile(rel, { cacheControl: false });
      }
      // A missing asset is a 404; any other path is a page of the app.
      if (rel.startsWith('assets/')) return reply.callNotFound();
      return index(reply);
    };
    scope.get('/', { schema: { hide: true } }, handler);
    scope.get('/*', { schema: { hide: true } }, handler);
  });
}
