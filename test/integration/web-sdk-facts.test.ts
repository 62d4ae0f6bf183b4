// Issue 25 in a real browser: the SDK names its conversions (`track('order', 8000)`, and today's
// object form still works) and sends the visitor's facts with the exposure: device from the user agent
// and touch, new or returning from its stored id, source from the landing URL's utm_* or the referrer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let site: Server;
let siteOrigin: string;
let f: TrafficFixture;
let key: string;

const PAGE = (api: string, key: string, test: number) => `<!doctype html><html><body><button id="buy">Buy</button><button id="old">Old</button>
<script type="module">
  import { init } from '${api}/sdk/v1.mjs';
  const kz = await init({ key: '${key}' });
  kz.variant(${test});
  document.querySelector('#buy').onclick = () => kz.track('order', 8000);
  document.querySelector('#old').onclick = () => kz.track({ type: 'conversion', value: 100 });
  Object.assign(document.body.dataset, { visitor: kz.visitorId });
</script></body></html>`;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  const cs = await userWithToken(h.db, 'cs_manager');
  f = await runningTest(h.db, cs.user.id, [1, 1]);
  site = createServer((req, res) => {
    if (!req.url?.startsWith('/shop')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE(web.base, key, f.testId));
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

const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe.skipIf(!HAVE_CHROMIUM)('SDK event names and visitor facts', () => {
  it('a phone visitor from an ad: its facts come with the exposure, its order by name, the old call form still counts', async () => {
    const context = await web.browser.newContext({ userAgent: PHONE_UA, hasTouch: true, isMobile: true, viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${siteOrigin}/shop?utm_source=google&utm_medium=cpc`);
    await page.waitForSelector('body[data-visitor]');
    const visitor = (await page.getAttribute('body', 'data-visitor'))!;
    await page.click('#buy');
    await page.click('#old');
    const facts = await eventually(
      async () => {
        const r = await h.db.selectFrom('visitor_facts').selectAll().where('test_id', '=', f.testId).where('visitor_id', '=', visitor).executeTakeFirst();
        return r && r.exposed && r.conversions === 2 ? r : undefined;
      },
      20_000,
      250,
    );
    expect({ device: facts.device, visitor_type: facts.visitor_type, source: facts.source }).toEqual({ device: 'phone', visitor_type: 'new', source: 'ads' });
    const events = await h.db.selectFrom('test_events').select(['type', 'event', 'value']).where('test_id', '=', f.testId).where('visitor_id', '=', visitor).execute();
    expect(events).toHaveLength(3);
    expect(events).toEqual(expect.arrayContaining([
      { type: 'exposure', event: null, value: null },
      { type: 'conversion', event: null, value: 100 },
      { type: 'conversion', event: 'order', value: 8000 },
    ]));
    await context.close();
  });

  it('a PC visitor who comes back from a search engine is returning, and direct on its first visit', async () => {
    const context = await web.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteOrigin}/shop`);
    await page.waitForSelector('body[data-visitor]');
    const visitor = (await page.getAttribute('body', 'data-visitor'))!;
    const facts = await eventually(
      async () => h.db.selectFrom('visitor_facts').selectAll().where('test_id', '=', f.testId).where('visitor_id', '=', visitor).where('exposed', '=', true).executeTakeFirst(),
      20_000,
      250,
    );
    expect({ device: facts.device, visitor_type: facts.visitor_type, source: facts.source }).toEqual({ device: 'pc', visitor_type: 'new', source: 'direct' });
    // The same browser again (its cookie), arriving from a search engine: its exposure says returning
    // and search (a duplicate for the server, which keeps the first facts; seen here as posted).
    const again = await context.newPage();
    const posted: { events: Record<string, unknown>[] }[] = [];
    again.on('request', (r) => r.url().includes('/v1/site/events') && r.postData() && posted.push(JSON.parse(r.postData()!)));
    await again.goto(`${siteOrigin}/shop`, { referer: 'https://www.google.com/' });
    await again.waitForSelector('body[data-visitor]');
    const exposure = await eventually(async () => posted.flatMap((b) => b.events).find((e) => e.type === 'exposure'), 20_000, 250);
    expect(exposure).toMatchObject({ visitor_id: visitor, device: 'pc', visitor_type: 'returning', source: 'search' });
    await context.close();
  });
});
