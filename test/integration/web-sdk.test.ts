// The browser SDK on a real page (Debian Chromium via playwright-core) against the running stack:
// a client's page on its own origin loads /sdk/v1.mjs from the API with a site key, renders the
// variant the server would assign, and its exposure and a conversion are counted in the test's arms.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

const SAMPLE = readFileSync(path.resolve(import.meta.dirname, '../../sdk/example/index.html'), 'utf8');

let h: Harness;
let web: Web;
let site: Server;
let siteOrigin: string;
let f: TrafficFixture;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let key: string;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  f = await runningTest(h.db, cs.user.id, [1, 1]);
  // The client's website: another origin (another port) than the API.
  site = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SAMPLE.replaceAll('{{API}}', web.base).replaceAll('{{KEY}}', key).replaceAll('{{TEST}}', String(f.testId)));
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  key = (await createSiteKey(h.db, { clientId: f.clientId, origins: [siteOrigin], createdBy: cs.user.id })).key;
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await web?.close();
  await new Promise((r) => site?.close(r));
  await h?.close();
});

async function arms() {
  const res = await h.app.inject({ url: `/v1/tests/${f.testId}`, headers: cs.auth });
  return (res.json().arms as { arm: string; n: number; conversions: number; sum: number }[]);
}
const total = (a: { n: number; conversions: number; sum: number }[]) => a.reduce((s, x) => ({ n: s.n + x.n, conversions: s.conversions + x.conversions, sum: s.sum + x.sum }), { n: 0, conversions: 0, sum: 0 });

describe.skipIf(!HAVE_CHROMIUM)('browser SDK on a client page', () => {
  it('assigns like the server, and its exposures and a conversion are counted once', async () => {
    const context = await web.browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(siteOrigin + '/');
    await page.waitForSelector('body[data-arm]');
    const arm = (await page.getAttribute('body', 'data-arm'))!;
    const visitor = (await page.getAttribute('body', 'data-visitor'))!;
    const server = (await h.app.inject({ url: `/v1/tests/${f.testId}/assignment?visitor=${encodeURIComponent(visitor)}`, headers: cs.auth })).json();
    expect(arm).toBe(server.arm);
    expect(await page.textContent('#headline')).toBe(arm === 'A' ? 'Tea cups, fired by hand in Mashiko' : 'Handmade tea cups');
    // The visitor id is a first-party cookie of the site.
    expect((await context.cookies(siteOrigin)).find((c) => c.name === 'kz_vid')?.value).toBe(visitor);

    // The exposure arrives in the background (batched), then the conversion.
    await eventually(async () => total(await arms()).n === 1, 20_000, 250);
    await page.click('#buy');
    await eventually(async () => total(await arms()).conversions === 1, 20_000, 250);
    expect(total(await arms())).toEqual({ n: 1, conversions: 1, sum: 8000 });
    expect((await arms()).find((a) => a.arm === arm)).toMatchObject({ n: 1, conversions: 1 });

    // Same visitor again (cookie): its exposure counts once. A second visitor in a fresh browser profile.
    await page.reload();
    await page.waitForSelector('body[data-arm]');
    expect(await page.getAttribute('body', 'data-visitor')).toBe(visitor);
    const other = await web.browser.newContext();
    const second = await other.newPage();
    await second.goto(siteOrigin + '/');
    await second.waitForSelector('body[data-arm]');
    await eventually(async () => total(await arms()).n === 2, 20_000, 250);
    await new Promise((r) => setTimeout(r, 1500));
    expect(total(await arms())).toEqual({ n: 2, conversions: 1, sum: 8000 });
    expect(errors).toEqual([]);
    await other.close();
    await context.close();
  });
});
