// A client's website to run proposals against (sdk/sample-site/): static pages and one client-side
// rendered page, each with the SDK's one-time snippet in its <head>, served on an origin of its own
// (another port than the API) by the browser tests and the demo.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../sdk/sample-site');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export interface SampleSite {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the sample site with the API's origin and the site key filled into its snippet. `key` may be
 * a function, read on each request: a site key names its allowed origins, so it is often created once
 * the site's origin is known.
 */
export async function startSampleSite(o: { api: string; key: string | (() => string); port?: number; host?: string }): Promise<SampleSite> {
  const api = o.api.replace(/\/$/, '');
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://site');
    const name = pathname === '/' ? 'index.html' : pathname.slice(1);
    const type = TYPES[path.extname(name)];
    // Only the folder's own files, by plain name: no path ever leaves ROOT.
    if (!type || !/^[a-z0-9-]+\.[a-z]+$/.test(name)) return void res.writeHead(404).end();
    readFile(path.join(ROOT, name), 'utf8').then(
      (text) => {
        const key = typeof o.key === 'function' ? o.key() : o.key;
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(text.replaceAll('{{API}}', api).replaceAll('{{KEY}}', key));
      },
      () => void res.writeHead(404).end(),
    );
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, host, resolve));
  return {
    origin: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
