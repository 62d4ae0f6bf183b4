// Builds the web back office (web/ → web/dist) with Vite when the built files are missing or stale:
// a stamp in web/dist records the hash of every source the build reads (web/ sources, the lock file).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB = path.join(PROJECT_ROOT, 'web');
export const WEB_DIST = path.join(WEB, 'dist');
const STAMP = path.join(WEB_DIST, '.build-stamp');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== 'dist' && e.name !== 'node_modules')
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** Hash of what the build depends on. */
export function webSourceHash(): string {
  const h = createHash('sha256');
  // The web imports the shared vocabulary and contracts (src/shared) too.
  for (const f of [...files(WEB), ...files(path.join(PROJECT_ROOT, 'src', 'shared')), path.join(PROJECT_ROOT, 'package-lock.json')]) {
    if (!existsSync(f)) continue;
    h.update(path.relative(PROJECT_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

export function webBuildIsFresh(): boolean {
  return existsSync(path.join(WEB_DIST, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === webSourceHash();
}

/** Builds unless fresh; resolves with what it did. The build runs as its own process (vite build). */
export async function ensureWebBuild(log?: Pick<Logger, 'info'>, opts: { force?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  if (!opts.force && webBuildIsFresh()) return { built: false, ms: 0 };
  log?.info('building the web back office (vite build)…');
  const vite = path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      // Always a production build: under vitest NODE_ENV is 'test', which made Vite bundle React's
      // development build (twice the JavaScript).
      env: { ...process.env, NODE_ENV: 'production', KAIZEN_WEB_STAMP: webSourceHash() },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code})`))));
  });
  const ms = Date.now() - started;
  log?.info({ ms }, 'web back office built');
  return { built: true, ms };
}

export function distSizeBytes(): number {
  if (!existsSync(WEB_DIST)) return 0;
  return files(WEB_DIST).reduce((n, f) => n + statSync(f).size, 0);
}
