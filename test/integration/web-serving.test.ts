// Kill switches and the served winner on a real client site (issue 22, item 6), in Debian Chromium via
// playwright-core against the running API on real Postgres and Temporal: the sample site
// (src/site/sample-site.ts) with the SDK snippet, its visitors put in an arm by choosing their visitor
// id (the kz_vid cookie) with the SDK's own rule (sdk/src/rule.ts).
// The SDK keeps the last site config and decides a repeat view from it while it is younger than the
// server's max-age (sdk/src/config-cache.ts), so a change on the server reaches a returning visitor
// within one cache period: the tests view the page again until it shows, and assert it did within
// that period (read from the server's Cache-Control) plus a margin for the page loads themselves.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, type RuleTest } from '../../sdk/src/rule.ts';
import { createSiteKey } from '../../src/db/site-keys.ts';
import type { ChangeSet } from '../../src/shared/changes.ts';
import { startSampleSite, type SampleSite } from '../../src/site/sample-site.ts';
import type { SiteConfig } from '../../src/site/config.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

const ORIGINAL = 'Handmade tea cups';
const CHANGED = 'Tea cups, fired by hand in Mashiko';
const WON = 'Free shipping on every cup';
/** Page loads on a shared, busy machine, on top of the cache period. */
const MARGIN_MS = 15_000;

let h: Harness;
let web: Web;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
const contexts: BrowserContext[] = [];
const sites: SampleSite[] = [];

interface ClientSite {
  clientId: number;
  origin: string;
  key: string;
}

/** The sample site on its own origin for one client, with a site key for that origin. */
async function siteOf(clientId: number): Promise<ClientSite> {
  let key = '';
  // A site key names its origins: created once the site's origin is known, read on each request.
  const site = await startSampleSite({ api: web.base, key: () => key });
  sites.push(site);
  key = (await createSiteKey(h.db, { clientId, origins: [site.origin], createdBy: cs.user.id })).key;
  return { clientId, origin: site.origin, key };
}

/** The site config as the SDK gets it, and its cache period (the server's max-age) in ms. */
async function siteConfig(s: ClientSite): Promise<{ config: SiteConfig; periodMs: number }> {
  const res = await h.app.inject({ url: `/v1/site/config?key=${s.key}`, headers: { origin: s.origin } });
  expect(res.statusCode).toBe(200);
  const maxAge = Number(/max-age=(\d+)/.exec(String(res.headers['cache-control']))?.[1]);
  expect(maxAge).toBeGreaterThan(0);
  return { config: res.json(), periodMs: maxAge * 1000 };
}

/** A visitor id the SDK assigns to `arm` of the test (not held out). */
function visitorIn(clientId: number, test: RuleTest, arm: string, tag: string): string {
  for (let i = 0; ; i++) {
    const id = `${tag}-${arm}-${i}`;
    const a = assign(clientId, test, id);
    if (!a.heldOut && a.variant.arm === arm) return id;
  }
}

// Each page view's posted events, kept for the tab in sessionStorage: they survive the navigation
// whose pagehide flushes them. sendBeacon is taken away so the SDK posts with fetch (keepalive), whose
// body is a string this wrapper reads synchronously (a beacon's Blob cannot be read before unload).
// Runs in the page (a string: DOM types are not in the Node tsconfig).
const RECORD_POSTS = `
  Object.defineProperty(navigator, 'sendBeacon', { value: undefined });
  window.__view = Math.random().toString(36).slice(2);
  const f = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if (url.includes('/v1/site/events') && init && typeof init.body === 'string') {
      const all = JSON.parse(sessionStorage.getItem('__posted') || '[]');
      all.push({ view: window.__view, events: JSON.parse(init.body).events });
      sessionStorage.setItem('__posted', JSON.stringify(all));
    }
    return f.call(this, input, init);
  };`;

interface View {
  id: string;
  headline: string | null;
  /** Whether the view decided with the test running (the page's own kz.variant(test) answers). */
  running: boolean;
}
interface Posted {
  view: string;
  events: { test_id: number; type: string; visitor_id: string }[];
}

/** A returning visitor of a test's page: one browser profile (cookie, stored config) and tab across its views. */
async function visitor(s: ClientSite, id: string, testId: number) {
  const context = await web.browser.newContext();
  contexts.push(context);
  await context.addCookies([{ name: 'kz_vid', value: id, url: s.origin }]);
  await context.addInitScript(RECORD_POSTS);
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  /** One page view, once the SDK decided and applied (its anti-flicker guard lifted). */
  async function view(path: string): Promise<View> {
    await page.goto(s.origin + path);
    await page.evaluate('window.kz.then(() => true)');
    await page.waitForFunction("getComputedStyle(document.documentElement).opacity === '1'");
    return {
      id: (await page.evaluate('window.__view')) as string,
      headline: await page.textContent('#headline'),
      running: (await page.evaluate(`window.kz.then((k) => !!k.variant(${testId}, { expose: false }))`)) as boolean,
    };
  }

  /**
   * Views `path` again until the headline reads `want` with the test `running` or not, at most
   * `boundMs` after `since`: the views and how long it took (a view that started within the bound counts).
   */
  async function viewUntil(path: string, want: string, running: boolean, since: number, boundMs: number) {
    const views: View[] = [];
    for (;;) {
      const started = Date.now();
      const v = await view(path);
      views.push(v);
      if (v.headline === want && v.running === running) return { views, ms: started - since };
      if (Date.now() - since > boundMs) return { views, ms: Infinity };
      await page.waitForTimeout(200);
    }
  }

  /** The events every view so far posted (leaving the last view flushes its queue). */
  async function posted(): Promise<Posted[]> {
    await page.goto(s.origin + '/site.css'); // same origin, no SDK
    return JSON.parse(((await page.evaluate("sessionStorage.getItem('__posted')")) as string | null) ?? '[]') as Posted[];
  }

  return { id, page, errors, view, viewUntil, posted };
}

/** The events of `testId` posted by the given views. */
const eventsOf = (posted: Posted[], views: View[], testId: number) =>
  posted.filter((p) => views.some((v) => v.id === p.view)).flatMap((p) => p.events.filter((e) => e.test_id === testId).map((e) => e.type));

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  for (const c of contexts) await c.close();
  for (const s of sites) await s.close();
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)("a test's kill switch", () => {
  it('reverts the variant to the original within the cache period, with no exposure; switched off, the change is back on a later view', async () => {
    const s = await siteOf((await makeClient(h.db)).id);
    const changes: ChangeSet = { mutations: [{ selector: '#headline', action: 'set_text', value: CHANGED }] };
    // A running test on /story.html whose arm A runs a proposal's version (submitted through the API,
    // validated there; set on the arm directly, as the cycle's selection would).
    const f = await runningTest(h.db, cs.user.id, [1, 1], s.clientId);
    const test = await h.db.selectFrom('tests').select(['page_id', 'offer_id']).where('id', '=', f.testId).executeTakeFirstOrThrow();
    await h.db.updateTable('pages').set({ url: `${s.origin}/story.html` }).where('id', '=', test.page_id).execute();
    const hackerId = (await h.db.insertInto('hackers').values({ display_name: `hacker ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    const hacker = await userWithToken(h.db, 'hacker', { hackerId });
    const proposal = await d.api('POST', `/v1/offers/${test.offer_id}/proposals`, hacker.auth, { title: 'Say where they are made', description: 'd', design_url: 'https://design.example/x', changes });
    await sql`update variants set proposal_id = ${proposal.id},
        proposal_version_id = (select id from proposal_versions where proposal_id = ${proposal.id} and version = 1)
      where id = ${f.variants.find((v) => v.arm === 'A')!.id}`.execute(h.db);
    const rule = { id: f.testId, holdout_percent: 0, variants: f.variants };

    const v = await visitor(s, visitorIn(s.clientId, rule, 'A', 'ks'), f.testId);
    const before = await v.view('/story.html');
    expect(before).toMatchObject({ headline: CHANGED, running: true });

    // CS switches the test off: within the cache period the same visitor sees the original, and keeps seeing it.
    const { periodMs } = await siteConfig(s);
    let since = Date.now();
    expect(await d.api('PUT', `/v1/tests/${f.testId}/kill-switch`, cs.auth, { on: true })).toEqual({ test_id: f.testId, kill_switch: true });
    const off = await v.viewUntil('/story.html', ORIGINAL, false, since, periodMs + MARGIN_MS);
    expect(off.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    const stays = await v.view('/story.html');
    expect(stays).toMatchObject({ headline: ORIGINAL, running: false });
    // A visitor of arm A new to the site sees the original at once.
    const newcomer = await visitor(s, visitorIn(s.clientId, rule, 'A', 'ks-new'), f.testId);
    const fresh = await newcomer.view('/story.html');
    expect(fresh).toMatchObject({ headline: ORIGINAL, running: false });

    // Switched back on: the change returns on a later view (within the cache period too).
    since = Date.now();
    expect(await d.api('PUT', `/v1/tests/${f.testId}/kill-switch`, cs.auth, { on: false })).toEqual({ test_id: f.testId, kill_switch: false });
    const on = await v.viewUntil('/story.html', CHANGED, true, since, periodMs + MARGIN_MS);
    expect(on.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);

    // The views with the change posted the exposure; the views of the original posted nothing for the test.
    const posted = await v.posted();
    expect(eventsOf(posted, [before], f.testId)).toEqual(['exposure']);
    expect(eventsOf(posted, [off.views.at(-1)!, stays], f.testId)).toEqual([]);
    expect(eventsOf(posted, [on.views.at(-1)!], f.testId)).toEqual(['exposure']);
    expect(await newcomer.posted()).toEqual([]);
    expect([...v.errors, ...newcomer.errors]).toEqual([]);
  }, 240_000);
});

describe.skipIf(!HAVE_CHROMIUM)('the winner is served to everyone after the verdict', () => {
  const WIN: ChangeSet = { css: '.cta { font-weight: bold }', mutations: [{ selector: '#headline', action: 'set_text', value: WON }] };
  let s: ClientSite;
  let testId: number;
  let periodMs: number;
  let verdictAt: number;
  let control: Awaited<ReturnType<typeof visitor>>;
  let variant: Awaited<ReturnType<typeof visitor>>;
  const before: View[] = [];

  // A cycle through the API on Temporal: a proposal with a change set for the sample site's product
  // page is selected, its test runs in the browser, then traffic through the API makes it the winner.
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) return;
    const author = await d.hacker(['design']);
    const ctx = await d.startEngagement({
      planning_seconds: 60,
      offer_window_seconds: 3,
      selection_seconds: 60,
      test_max_seconds: 900,
      interim_check_seconds: 2,
      learning_seconds: 1,
      min_proposals: 1,
      mde_relative: 0.3,
    });
    s = await siteOf(ctx.client.id);
    await h.db.updateTable('pages').set({ url: `${s.origin}/product.html` }).where('id', '=', ctx.pages[0].id).execute();
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').select('id').where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    const proposal = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Free shipping, said first', description: 'd', design_url: 'https://figma.example/s', changes: WIN });
    await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 30_000);
    await d.select(ctx.cycleId, [{ offer_id: offer.id, proposal_ids: [proposal.id] }]);
    const running = await eventually(async () => (await siteConfig(s)).config.tests[0]);
    testId = running.id;
    periodMs = (await siteConfig(s)).periodMs;

    // While it runs: the control sees the original, the variant the change.
    control = await visitor(s, visitorIn(s.clientId, running, 'control', 'win'), running.id);
    variant = await visitor(s, visitorIn(s.clientId, running, 'A', 'win'), running.id);
    before.push(await control.view('/product.html'), await variant.view('/product.html'));
    expect(before.map((v) => [v.headline, v.running])).toEqual([[ORIGINAL, true], [WON, true]]);

    await d.sendTraffic(testId, ctx.clientUser.auth, 1500, { control: 0.1, A: 0.2 }, `w${testId}`);
    await eventually(async () => (await h.db.selectFrom('tests').select('status').where('id', '=', testId).executeTakeFirst())?.status !== 'running', 60_000);
    expect((await d.api('GET', `/v1/tests/${testId}`, cs.auth)).final_verdict.outcome).toBe('winner');
    await eventually(async () => (await siteConfig(s)).config.served.length > 0);
    verdictAt = Date.now();
  }, 240_000);

  it('shows the winner to the control, the variant and newcomers, with no test running and no exposure posted', async () => {
    const { config } = await siteConfig(s);
    expect(config.tests).toEqual([]);
    expect(config.served.map((w) => w.test_id)).toEqual([testId]);

    const c = await control.viewUntil('/product.html', WON, false, verdictAt, periodMs + MARGIN_MS);
    expect(c.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    const a = await variant.viewUntil('/product.html', WON, false, verdictAt, periodMs + MARGIN_MS);
    expect(a.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    const newcomer = await visitor(s, `win-new-${testId}`, testId);
    const first = await newcomer.view('/product.html');
    expect(first).toMatchObject({ headline: WON, running: false });
    expect(await newcomer.page.evaluate("getComputedStyle(document.querySelector('.cta')).fontWeight")).toBe('700');

    // The control's view during the test posted its exposure; no view of the served winner posts one.
    const posted = await control.posted();
    expect(eventsOf(posted, [before[0]!], testId)).toEqual(['exposure']);
    expect(eventsOf(posted, [c.views.at(-1)!], testId)).toEqual([]);
    expect(eventsOf(await variant.posted(), [a.views.at(-1)!], testId)).toEqual([]);
    expect(await newcomer.posted()).toEqual([]);
    expect([...control.errors, ...variant.errors, ...newcomer.errors]).toEqual([]);
  }, 240_000);

  it("the client's kill switch takes the served winner off within the cache period; switched off, it is back", async () => {
    expect((await control.view('/product.html')).headline).toBe(WON);
    let since = Date.now();
    expect(await d.api('PUT', `/v1/clients/${s.clientId}/kill-switch`, cs.auth, { on: true })).toEqual({ client_id: s.clientId, kill_switch: true });
    const off = await control.viewUntil('/product.html', ORIGINAL, false, since, periodMs + MARGIN_MS);
    expect(off.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    expect((await control.view('/product.html')).headline).toBe(ORIGINAL);
    const newcomer = await visitor(s, `killed-new-${testId}`, testId);
    expect((await newcomer.view('/product.html')).headline).toBe(ORIGINAL);

    since = Date.now();
    expect(await d.api('PUT', `/v1/clients/${s.clientId}/kill-switch`, cs.auth, { on: false })).toEqual({ client_id: s.clientId, kill_switch: false });
    const on = await control.viewUntil('/product.html', WON, false, since, periodMs + MARGIN_MS);
    expect(on.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    expect(await newcomer.posted()).toEqual([]);
    expect([...control.errors, ...newcomer.errors]).toEqual([]);
  }, 240_000);

  it('once CS marks it shipped, the SDK stops applying it within the cache period', async () => {
    expect((await variant.view('/product.html')).headline).toBe(WON);
    const since = Date.now();
    expect(await d.api('POST', `/v1/tests/${testId}/shipped`, cs.auth)).toMatchObject({ test_id: testId, serving: false });
    const gone = await variant.viewUntil('/product.html', ORIGINAL, false, since, periodMs + MARGIN_MS);
    expect(gone.ms).toBeLessThanOrEqual(periodMs + MARGIN_MS);
    const newcomer = await visitor(s, `shipped-new-${testId}`, testId);
    expect((await newcomer.view('/product.html')).headline).toBe(ORIGINAL);
    expect((await siteConfig(s)).config.served).toEqual([]);
    expect([...variant.errors, ...newcomer.errors]).toEqual([]);
  }, 240_000);
});
