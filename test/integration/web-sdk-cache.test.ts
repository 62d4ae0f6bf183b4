// The browser SDK's config cache and preview mode on a real page (Debian Chromium via playwright-core)
// against the running API (sdk/src/config-cache.ts, sdk/src/preview.ts):
// - a repeat view decides from the stored config while the config request is held (no round trip
//   before the decision), and a config changed on the server applies from the next view;
// - a stored config older than the server's max-age is not decided with (a kill switch reaches the
//   next view within one cache period);
// - an inline config decides before any request, then revalidates in the background;
// - a preview link shows its proposal version with a bar and sends no events; an invalid token or no
//   token leaves the page normal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { siteConfig } from '../../src/site/config.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let site: Server;
let siteOrigin: string;
let cs: Awaited<ReturnType<typeof userWithToken>>;

// A client's page: the snippet in <head>; the page records when it decided (window.__log) and the arm.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script type="module">
  import { init } from '{{API}}/sdk/v1.mjs';
  const q = new URLSearchParams(location.search);
  const kz = await init({ key: '{{KEY}}', visitorId: q.get('vid') || undefined, config: {{INLINE}} });
  window.__log.push('decided');
  const v = kz.variant({{TEST}});
  document.documentElement.dataset.arm = v ? v.arm : 'none';
</script></head>
<body><h1 id="headline">Handmade tea cups</h1><button id="buy">Buy now</button></body></html>`;

// Every fetch the page makes, in order with its decision (window.fetch is read by the SDK at call time).
const LOG_FETCHES = `window.__log = [];
const f = window.fetch;
window.fetch = function (input, init) { window.__log.push('fetch ' + (typeof input === 'string' ? input : input.url)); return f.call(this, input, init); };`;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  // The client's website on its own origin: /?key=&test=&client=&inline=1 fills the snippet in.
  site = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://site').searchParams;
    void (async () => {
      const inline = q.get('inline') ? JSON.stringify(await siteConfig(h.db, Number(q.get('client')))) : 'undefined';
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(PAGE.replaceAll('{{API}}', web.base).replaceAll('{{KEY}}', q.get('key') ?? '').replaceAll('{{TEST}}', q.get('test') ?? '0').replaceAll('{{INLINE}}', inline));
    })();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await web?.close();
  await new Promise((r) => site?.close(r));
  await h?.close();
});

/** A running test of a client of its own, with a site key for the site's origin. */
async function siteWithTest() {
  const f = await runningTest(h.db, cs.user.id, [1, 1]);
  const key = (await createSiteKey(h.db, { clientId: f.clientId, origins: [siteOrigin], createdBy: cs.user.id })).key;
  return { ...f, key, url: (extra = '') => `${siteOrigin}/?key=${key}&test=${f.testId}&client=${f.clientId}&vid=visitor-1${extra}` };
}

async function newPage(): Promise<Page> {
  const context = await web.browser.newContext();
  await context.addInitScript(LOG_FETCHES);
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[browser] ${e.message}\n`));
  return page;
}

const log = (page: Page) => page.evaluate(() => (globalThis as unknown as { __log: string[] }).__log);
const arm = async (page: Page) => {
  await page.waitForSelector('html[data-arm]');
  return page.getAttribute('html', 'data-arm');
};
const configFetches = (entries: string[]) => entries.filter((e) => e.startsWith('fetch ') && e.includes('/v1/site/config'));
// The SDK's stored config entry (evaluated in the page: DOM types are not in the Node tsconfig).
const entryOf = (page: Page, key: string) => page.evaluate<{ json: string; at: number; maxAge: number }>(`JSON.parse(localStorage.getItem(${JSON.stringify(`kz_cfg:${key}`)}))`);
const stop = (testId: number) => h.db.updateTable('tests').set({ status: 'cancelled' }).where('id', '=', testId).execute();

describe.skipIf(!HAVE_CHROMIUM)('browser SDK: config cache', () => {
  it('decides a repeat view from the stored config while its request is held, and applies a changed config from the next view', async () => {
    const s = await siteWithTest();
    const page = await newPage();
    const assigned = (await h.app.inject({ url: `/v1/tests/${s.testId}/assignment?visitor=visitor-1`, headers: cs.auth })).json().arm as string;

    // Cold: the config is fetched before the decision.
    await page.goto(s.url());
    expect(await arm(page)).toBe(assigned);
    const cold = await log(page);
    expect(cold.indexOf(configFetches(cold)[0]!)).toBeLessThan(cold.indexOf('decided'));
    expect((await entryOf(page, s.key)).maxAge).toBe(30); // the server's Cache-Control max-age: the kill-switch period

    // The test stops on the server; the next view's config request is held until the page decided.
    await stop(s.testId);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held: string[] = [];
    await page.route('**/v1/site/config**', async (route) => {
      held.push(route.request().url());
      await gate;
      await route.continue();
    });
    await page.reload({ waitUntil: 'commit' });
    // Decided from the stored config (the test still in it) with the request unanswered.
    expect(await arm(page)).toBe(assigned);
    const repeat = await log(page);
    expect(repeat.indexOf('decided')).toBeLessThan(repeat.indexOf(configFetches(repeat)[0]!));
    expect(held).toHaveLength(1); // the background revalidation, sent after the decision
    const answered = page.waitForResponse('**/v1/site/config**');
    release();
    await (await answered).finished();
    await eventually(async () => (JSON.parse((await entryOf(page, s.key)).json) as { tests: unknown[] }).tests.length === 0);

    // The next view decides with the revalidated config: the test is gone.
    await page.unroute('**/v1/site/config**');
    await page.reload();
    expect(await arm(page)).toBe('none');
    await page.context().close();
  });

  it('does not decide with a stored config older than its max-age: a stopped test is gone from the next view', async () => {
    const s = await siteWithTest();
    const page = await newPage();
    await page.goto(s.url());
    expect(await arm(page)).not.toBe('none');
    await stop(s.testId);
    // One cache period passes (the entry's fetch time moved back by its max-age).
    const e = await entryOf(page, s.key);
    await page.evaluate(`localStorage.setItem(${JSON.stringify(`kz_cfg:${s.key}`)}, ${JSON.stringify(JSON.stringify({ ...e, at: e.at - e.maxAge * 1000 }))})`);
    await page.reload();
    expect(await arm(page)).toBe('none');
    const entries = await log(page);
    expect(entries.indexOf(configFetches(entries)[0]!)).toBeLessThan(entries.indexOf('decided'));
    await page.context().close();
  });

  it('decides with an inline config before any request, then revalidates it in the background', async () => {
    const s = await siteWithTest();
    const page = await newPage();
    const assigned = (await h.app.inject({ url: `/v1/tests/${s.testId}/assignment?visitor=visitor-1`, headers: cs.auth })).json().arm as string;
    await page.goto(s.url('&inline=1'));
    expect(await arm(page)).toBe(assigned);
    await page.waitForFunction(() => (globalThis as unknown as { __log: string[] }).__log.some((e) => e.includes('/v1/site/config')));
    const entries = await log(page);
    expect(entries[0]).toBe('decided');
    expect(configFetches(entries)).toHaveLength(1);
    await page.context().close();
  });
});

/** A proposal of the test's offer whose version 1 sets the headline, and its preview link (by the CS manager, through the API). */
async function previewLink(s: Awaited<ReturnType<typeof siteWithTest>>, pageUrl: string) {
  const test = await h.db.selectFrom('tests').select(['offer_id', 'page_id']).where('id', '=', s.testId).executeTakeFirstOrThrow();
  await h.db.updateTable('pages').set({ url: pageUrl }).where('id', '=', test.page_id).execute();
  const hacker = await h.db.insertInto('hackers').values({ display_name: 'Previewing hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  const text = { title: 'Say it is handmade', description: 'd', design_url: 'https://design.example/p' };
  const proposal = await h.db.insertInto('proposals').values({ offer_id: test.offer_id, hacker_id: hacker.id, ...text }).returning('id').executeTakeFirstOrThrow();
  const changes = { mutations: [{ selector: '#headline', action: 'set_text', value: 'Fired by hand in Mashiko' }] };
  await h.db.insertInto('proposal_versions').values({ proposal_id: proposal.id, version: 1, ...text, changes: JSON.stringify(changes) } as never).execute();
  const res = await h.app.inject({ method: 'POST', url: `/v1/proposals/${proposal.id}/preview-link`, headers: cs.auth, payload: {} });
  expect(res.statusCode).toBe(200);
  return res.json() as { url: string; token: string };
}

describe.skipIf(!HAVE_CHROMIUM)('browser SDK: preview', () => {
  it('shows the linked version with a bar for the tab and sends no events; leaving, an invalid token or no token: the normal page', async () => {
    const s = await siteWithTest();
    const pageUrl = `${siteOrigin}/?key=${s.key}&test=${s.testId}&client=${s.clientId}&vid=previewer`;
    const link = await previewLink(s, pageUrl);
    expect(link.url).toBe(`${pageUrl}&kz_preview=${link.token}`);
    const tab = await newPage();
    const posted: { visitor_id: string; type: string }[] = [];
    await tab.context().route('**/v1/site/events**', async (route) => {
      posted.push(...(JSON.parse(route.request().postData() ?? '{}') as { events: { visitor_id: string; type: string }[] }).events);
      await route.continue();
    });
    const headline = (page: Page) => page.textContent('#headline');

    // The link: the version's change, the bar naming the proposal, no test decided.
    await tab.goto(link.url);
    expect(await arm(tab)).toBe('none');
    expect(await headline(tab)).toBe('Fired by hand in Mashiko');
    expect(await tab.textContent('#kz-preview-bar')).toContain('Say it is handmade (version 1)');
    // The tab's next page without the parameter stays in preview.
    await tab.goto(pageUrl);
    expect(await arm(tab)).toBe('none');
    expect(await headline(tab)).toBe('Fired by hand in Mashiko');
    await tab.waitForSelector('#kz-preview-bar');
    await tab.goto('about:blank'); // the pages are left: whatever they queued is sent now

    // Another tab of the same browser is not in preview: its exposure arrives, the previewer's never did.
    const other = await tab.context().newPage();
    await other.goto(s.url().replace('vid=visitor-1', 'vid=normal'));
    expect(await arm(other)).not.toBe('none');
    expect(await headline(other)).toBe('Handmade tea cups');
    expect(await other.$('#kz-preview-bar')).toBeNull();
    await eventually(async () => posted.some((e) => e.visitor_id === 'normal'));
    expect(posted.filter((e) => e.visitor_id === 'previewer')).toEqual([]);

    // "Leave preview": the page again without the parameter, normal.
    await tab.goto(link.url);
    await tab.getByRole('button', { name: 'Leave preview' }).click();
    await tab.waitForURL(pageUrl);
    expect(await arm(tab)).not.toBe('none');
    expect(await headline(tab)).toBe('Handmade tea cups');
    expect(await tab.$('#kz-preview-bar')).toBeNull();

    // An invalid token: the normal page, and the tab is not in preview afterwards.
    await tab.goto(`${pageUrl}&kz_preview=${link.token.slice(0, -2)}xx`);
    expect(await arm(tab)).not.toBe('none');
    expect(await headline(tab)).toBe('Handmade tea cups');
    expect(await tab.$('#kz-preview-bar')).toBeNull();
    await tab.context().close();

    // In Japanese for a Japanese browser.
    const ja = await web.browser.newContext({ locale: 'ja-JP' });
    await ja.addInitScript(LOG_FETCHES);
    const jaTab = await ja.newPage();
    await jaTab.goto(link.url);
    await jaTab.waitForSelector('#kz-preview-bar');
    expect(await jaTab.textContent('#kz-preview-bar')).toContain('Say it is handmade（第1版）');
    expect(await jaTab.getByRole('button', { name: 'プレビューを終了' }).count()).toBe(1);
    await ja.close();
  });
});
