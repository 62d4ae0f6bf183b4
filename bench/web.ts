// Loading the web app on a slow phone connection (issue 26, item 7): `npm run bench:web`.
//
// Builds web/ (production, pre-compressed, into a temporary folder), serves it from the API on a bench stack (embedded Postgres,
// no Temporal) and loads it in Chromium (playwright-core) with CDP network throttling — 1.6 Mbit/s down,
// 750 kbit/s up, 150 ms round trip — and a cold cache (a fresh context per load, the cache disabled):
//  - the sign-in page, until its token field shows;
//  - the heaviest page (a test's page: the charting library), signed in by cookie, until its chart shows;
// BENCH_WEB_RUNS rounds each (default 5): p50 / p95. Baseline in the same run: the same loads with the
// browser asking for no compression (Accept-Encoding: identity), so JS, CSS and JSON come uncompressed
// as they were served before issue 26 (the code splitting stays: a one-bundle build is not served here).
// Then, unthrottled, the JavaScript bytes on the wire for each role's first page (sign-in included).
// Env: BENCH_WEB_RUNS, CHROMIUM_PATH.
import { chromium, type Browser, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createUserWithToken } from '../src/db/users.ts';
import { PROJECT_ROOT } from '../src/infra/web-build.ts';
import { seedClient, seedTest, startBenchStack } from './common.ts';
import { percentile } from './load.ts';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
const THROTTLE = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0 };
const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

// Its own build in a folder of its own: web/dist is rebuilt by any test run whose sources changed.
const webRoot = mkdtempSync(path.join(tmpdir(), 'kaizen-web-bench-'));
const started = performance.now();
execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(PROJECT_ROOT, 'web/vite.config.ts'), '--logLevel', 'warn'], {
  cwd: PROJECT_ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production', KAIZEN_WEB_OUT_DIR: webRoot },
});
process.stdout.write(`web build: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
const stack = await startBenchStack({ logLevel: 'warn', webRoot });
const browser: Browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'] });

interface Load {
  ms: number;
  js: number;
  css: number;
  api: number;
  total: number;
}

/** One cold load of `path` in a fresh context, throttled (or not), until `ready` shows. */
async function load(path: string, ready: (p: Page) => Promise<unknown>, opts: { throttle: boolean; compressed: boolean; cookie?: string }): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
  try {
    if (opts.cookie) {
      const eq = opts.cookie.indexOf('=');
      await context.addCookies([{ name: opts.cookie.slice(0, eq), value: opts.cookie.slice(eq + 1), url: stack.address }]);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (opts.throttle) await cdp.send('Network.emulateNetworkConditions', THROTTLE);
    if (!opts.compressed) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
    const kinds = new Map<string, string>();
    const sizes = { js: 0, css: 0, api: 0, total: 0 };
    cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, e.type === 'Script' ? 'js' : e.type === 'Stylesheet' ? 'css' : e.response.url.includes('/v1/') ? 'api' : 'other'));
    cdp.on('Network.loadingFinished', (e) => {
      const k = kinds.get(e.requestId);
      if (k && k !== 'other') sizes[k as 'js' | 'css' | 'api'] += e.encodedDataLength;
      sizes.total += e.encodedDataLength;
    });
    const t0 = performance.now();
    await page.goto(stack.address + path, { waitUntil: 'commit' });
    await ready(page).catch(async (err) => {
      throw new Error(`${path} never got ready; the page says: ${(await page.locator('body').textContent())?.slice(0, 300)}`, { cause: err });
    });
    const ms = performance.now() - t0;
    return { ms, ...sizes };
  } finally {
    await context.close();
  }
}

async function rounds(label: string, path: string, ready: (p: Page) => Promise<unknown>, opts: { compressed: boolean; cookie?: string }) {
  await load(path, ready, { ...opts, throttle: false }); // the server's first answer of each file is not a phone's
  const runs: Load[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await load(path, ready, { ...opts, throttle: true }));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const last = runs.at(-1)!;
  process.stdout.write(
    `${label.padEnd(44)} p50 ${Math.round(percentile(ms, 50)).toLocaleString('en-US').padStart(6)} ms  p95 ${Math.round(percentile(ms, 95)).toLocaleString('en-US').padStart(6)} ms  ` +
      `JS ${kB(last.js)}, CSS ${kB(last.css)}, API ${kB(last.api)}, all ${kB(last.total)}\n`,
  );
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), js: last.js };
}

try {
  const seeded = await seedClient(stack.db, 'Web bench shop');
  const { testId } = await seedTest(stack.db, seeded);
  const session = await fetch(`${stack.address}/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${seeded.csToken}` } });
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie.startsWith('kaizen_session=')) throw new Error(`no session cookie (${session.status})`);

  const signInReady = (p: Page) => p.getByLabel('APIトークン').waitFor({ timeout: 60_000 });
  const testReady = (p: Page) => p.locator('main h1').first().waitFor({ timeout: 60_000 });
  process.stdout.write(`throttled cold loads (1.6 Mbit/s down, 150 ms RTT, cache off), ${RUNS} rounds, 390 px:\n`);
  await rounds('sign-in page — as served now (br, split)', '/', signInReady, { compressed: true });
  await rounds('sign-in page — baseline (uncompressed)', '/', signInReady, { compressed: false });
  await rounds('test page (charts) — as served now', `/tests/${testId}`, testReady, { compressed: true, cookie });
  await rounds('test page (charts) — baseline (uncompressed)', `/tests/${testId}`, testReady, { compressed: false, cookie });

  // Each role's first page, unthrottled: sign in through the page, land, count the scripts' bytes.
  const partner = await stack.db.insertInto('partners').values({ name: 'Bench partner', legal_name: 'Bench partner KK' }).returning('id').executeTakeFirstOrThrow();
  const hacker = await stack.db.insertInto('hackers').values({ display_name: 'Bench hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  const tokens: [string, string][] = [
    ['admin', (await createUserWithToken(stack.db, { name: 'Bench admin', role: 'admin' })).token],
    ['cs_manager', seeded.csToken],
    ['finance', (await createUserWithToken(stack.db, { name: 'Bench finance', role: 'finance' })).token],
    ['client', seeded.clientToken],
    ['hacker', (await createUserWithToken(stack.db, { name: 'Bench hacker', role: 'hacker', hackerId: hacker.id })).token],
    ['partner', (await createUserWithToken(stack.db, { name: 'Bench partner', role: 'partner', partnerId: partner.id })).token],
  ];
  process.stdout.write(`JavaScript on the wire for each role's first page (sign-in page + landing page, br / uncompressed):\n`);
  for (const [role, token] of tokens) {
    const signInAndLand = (compressed: boolean) =>
      load(
        '/',
        async (p) => {
          await p.getByLabel('APIトークン').fill(token);
          await p.getByRole('button', { name: 'サインイン' }).click();
          await p.getByTestId('whoami').waitFor();
          await p.locator('main').getByRole('alert').or(p.locator('main h1')).first().waitFor();
          await p.waitForLoadState('networkidle');
        },
        { throttle: false, compressed },
      );
    const [now, raw] = [await signInAndLand(true), await signInAndLand(false)];
    process.stdout.write(`  ${role.padEnd(11)} ${kB(now.js).padStart(9)} / ${kB(raw.js).padStart(9)}${now.js > 200 * 1024 ? '  OVER 200 kB' : ''}\n`);
  }
} finally {
  await browser.close();
  await stack.close();
  rmSync(webRoot, { recursive: true, force: true });
}
