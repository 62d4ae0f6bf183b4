// Proposals that run themselves, in a real browser (Debian Chromium via playwright-core) on a real
// client site (the sample site, src/site/sample-site.ts, on its own origin) against the running API:
// a hacker submits a change set with its proposal (POST /v1/offers/:id/proposals), the test's arm runs
// that version, /v1/site/config serves it, and the SDK snippet in the page's <head> applies it before
// first paint. Visitors are put in an arm by choosing their visitor id (the kz_vid cookie) with the
// SDK's own rule (sdk/src/rule.ts).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign } from '../../sdk/src/rule.ts';
import { createSiteKey } from '../../src/db/site-keys.ts';
import type { ChangeSet } from '../../src/shared/changes.ts';
import { startSampleSite, type SampleSite } from '../../src/site/sample-site.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

const ORIGINAL = 'Handmade tea cups';
const CHANGED = 'Tea cups, fired by hand in Mashiko';

let h: Harness;
let web: Web;
let site: SampleSite;
let key = '';
let clientId: number;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let hacker: Awaited<ReturnType<typeof userWithToken>>;

/**
 * A running test on one of the sample site's pages whose arm A runs a proposal carrying `changes`.
 * The proposal goes through the API (validated and sanitised there); its version is then set on the
 * arm directly, as the cycle's selection would (the cycle workflow is not run here).
 */
async function testWith(pagePath: string, changes: ChangeSet): Promise<TrafficFixture> {
  const f = await runningTest(h.db, cs.user.id, [1, 1], clientId);
  const url = site.origin + pagePath;
  await h.db.updateTable('pages').set({ url }).where('id', '=', (await h.db.selectFrom('tests').select('page_id').where('id', '=', f.testId).executeTakeFirstOrThrow()).page_id).execute();
  const offerId = (await h.db.selectFrom('tests').select('offer_id').where('id', '=', f.testId).executeTakeFirstOrThrow()).offer_id;
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/offers/${offerId}/proposals`,
    headers: hacker.auth,
    payload: { title: `Variant for ${pagePath}`, description: 'A clearer headline', design_url: 'https://design.example/x', changes },
  });
  expect(res.statusCode, res.body).toBe(201);
  const proposalId = res.json().id as number;
  const variant = f.variants.find((v) => v.arm === 'A')!;
  await sql`update variants set proposal_id = ${proposalId},
      proposal_version_id = (select id from proposal_versions where proposal_id = ${proposalId} and version = 1)
    where id = ${variant.id}`.execute(h.db);
  return { ...f, pageUrl: url };
}

/** A visitor id the SDK (and the server) assigns to `arm` of every given test. */
function visitorIn(arm: string, ...tests: TrafficFixture[]): string {
  for (let i = 0; ; i++) {
    const id = `vis-${arm}-${i}`;
    if (tests.every((t) => assign(clientId, { id: t.testId, holdout_percent: 0, variants: t.variants }, id).variant.arm === arm)) return id;
  }
}

/**
 * A fresh browser profile with the visitor's cookie set, recording at every animation frame the
 * headline's text while the page is visible (the anti-flicker guard lifted: html's opacity not 0).
 */
async function visit(visitor: string) {
  const context = await web.browser.newContext();
  await context.addCookies([{ name: 'kz_vid', value: visitor, url: site.origin }]);
  // Runs in the page (a string: DOM types are not in the Node tsconfig).
  await context.addInitScript(`
    window.__frames = [];
    const frame = () => {
      const el = document.querySelector('#headline');
      if (el && getComputedStyle(document.documentElement).opacity !== '0') window.__frames.push(el.textContent);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);`);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** The SDK finished deciding (window.kz resolved) and applying (its guard is gone). */
async function settled(page: Page) {
  await page.evaluate('window.kz.then(() => true)');
  await page.waitForFunction("getComputedStyle(document.documentElement).opacity === '1'");
}

const frames = (page: Page) => page.evaluate('window.__frames') as Promise<string[]>;

async function arms(testId: number) {
  const res = await h.app.inject({ url: `/v1/tests/${testId}`, headers: cs.auth });
  return res.json().arms as { arm: string; n: number }[];
}
const exposed = async (testId: number, arm: string) => (await arms(testId)).find((a) => a.arm === arm)?.n ?? 0;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  const hackerId = (await h.db.insertInto('hackers').values({ display_name: `hacker ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
  hacker = await userWithToken(h.db, 'hacker', { hackerId });
  clientId = (await makeClient(h.db)).id;
  // A site key names its origins: created once the site's origin is known, read on each request.
  site = await startSampleSite({ api: web.base, key: () => key });
  key = (await createSiteKey(h.db, { clientId, origins: [site.origin], createdBy: cs.user.id })).key;
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await site?.close();
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('a change set on a client page', () => {
  it('static page: the control sees the original; the variant sees the change from its first painted frame, exposed once applied', async () => {
    const t = await testWith('/product.html', {
      css: '.kz-big { font-size: 2rem }',
      mutations: [
        { selector: '#headline', action: 'set_text', value: CHANGED },
        { selector: '.cta', action: 'add_class', value: 'kz-big' },
        { selector: '.price', action: 'insert_html', position: 'after', value: '<p class="ship">Free shipping</p>' },
        { selector: '#email', action: 'set_attribute', attribute: 'placeholder', value: 'you@example.com' },
        { selector: '.tax', action: 'remove' },
      ],
    });

    const control = await visit(visitorIn('control', t));
    await control.page.goto(site.origin + '/product.html');
    await settled(control.page);
    expect(await control.page.textContent('#headline')).toBe(ORIGINAL);
    expect(await control.page.locator('.ship').count()).toBe(0);
    expect(await control.page.isVisible('.tax')).toBe(true);
    await eventually(async () => (await exposed(t.testId, 'control')) === 1);

    const variant = await visit(visitorIn('A', t));
    await variant.page.goto(site.origin + '/product.html');
    await settled(variant.page);
    expect(await variant.page.textContent('#headline')).toBe(CHANGED);
    expect(await variant.page.getAttribute('.cta', 'class')).toBe('cta kz-big');
    expect(await variant.page.textContent('.price + kz-insert .ship')).toBe('Free shipping');
    expect(await variant.page.getAttribute('#email', 'placeholder')).toBe('you@example.com');
    expect(await variant.page.isVisible('.tax')).toBe(false);
    // Some frames were painted with the headline, and none of them showed the original.
    await variant.page.waitForFunction('window.__frames.length >= 5');
    const painted = await frames(variant.page);
    expect(painted.filter((x) => x !== CHANGED)).toEqual([]);
    await eventually(async () => (await exposed(t.testId, 'A')) === 1);
    expect(await exposed(t.testId, 'control')).toBe(1);
    expect([...control.errors, ...variant.errors]).toEqual([]);
    await control.context.close();
    await variant.context.close();
  });

  it('client-side rendered page: the change is there at first paint and stays through re-renders', async () => {
    const t = await testWith('/app.html', { mutations: [{ selector: '#headline', action: 'set_text', value: CHANGED }] });
    const control = await visit(visitorIn('control', t));
    await control.page.goto(site.origin + '/app.html');
    await settled(control.page);
    await control.page.waitForSelector('#headline');
    expect(await control.page.textContent('#headline')).toBe(ORIGINAL);

    const { page, context, errors } = await visit(visitorIn('A', t));
    await page.goto(site.origin + '/app.html');
    await settled(page);
    expect(await page.textContent('#headline')).toBe(CHANGED);
    // The app sets the headline's text in place every second, and "Refresh" renders new elements.
    await page.waitForFunction('Number(document.body.dataset.ticks) >= 2');
    await page.click('#refresh');
    await page.waitForFunction("document.body.dataset.renders === '2'");
    await page.waitForFunction('Number(document.body.dataset.ticks) >= 3');
    expect(await page.textContent('#headline')).toBe(CHANGED);
    const painted = await frames(page);
    expect(painted.length).toBeGreaterThan(5);
    expect(painted.filter((x) => x !== CHANGED)).toEqual([]);
    await eventually(async () => (await exposed(t.testId, 'A')) === 1);
    expect(errors).toEqual([]);
    await control.context.close();
    await context.close();
  });

  it('a selector that never matches: the page is shown after the guard and one apply failure is posted instead of an exposure', async () => {
    const t = await testWith('/story.html', {
      mutations: [
        { selector: '#headline', action: 'set_text', value: CHANGED },
        { selector: '#no-such-element', action: 'set_text', value: 'never shown' },
      ],
    });
    const visitor = visitorIn('A', t);
    const { page, context, errors } = await visit(visitor);
    await page.goto(site.origin + '/story.html');
    await settled(page);
    // The parts that matched are applied; the test records a failure for this visitor, no exposure.
    expect(await page.textContent('#headline')).toBe(CHANGED);
    const failures = () =>
      h.db.selectFrom('test_events').select(['event_id', 'type']).where('test_id', '=', t.testId).where('visitor_id', '=', visitor).execute();
    await eventually(async () => (await failures()).length > 0);
    // The same visitor again: its failure is posted again with the same id, and counted once.
    const again = page.waitForResponse((r) => r.url().includes('/v1/site/events'));
    await page.reload();
    expect((await again).status()).toBe(200);
    expect(await failures()).toEqual([{ event_id: `f:${visitor}`, type: 'apply_failure' }]);
    expect(await exposed(t.testId, 'A')).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a redirect arm lands on its URL before paint with the query string kept, and never loops', async () => {
    // Index → landing-b for arm A, and a second test sending landing-b's arm A back to the index.
    const there = await testWith('/index.html', { redirect: `${site.origin}/landing-b.html` });
    const back = await testWith('/landing-b.html', { redirect: `${site.origin}/index.html` });
    const { page, context, errors } = await visit(visitorIn('A', there, back));
    const visited: string[] = [];
    page.on('framenavigated', (f) => {
      const u = new URL(f.url());
      if (f === page.mainFrame() && u.origin === site.origin) visited.push(u.pathname + u.search);
    });
    await page.goto(site.origin + '/index.html?utm_source=mail&ref=42#top');
    await page.waitForURL(/landing-b/);
    await settled(page);
    expect(new URL(page.url()).pathname).toBe('/landing-b.html');
    expect(new URL(page.url()).search).toBe('?utm_source=mail&ref=42');
    expect(new URL(page.url()).hash).toBe('#top');
    // Landed: the exposure is recorded on the landing page, and landing-b's own redirect did not fire.
    await eventually(async () => (await exposed(there.testId, 'A')) === 1);
    expect(visited).toEqual(['/index.html?utm_source=mail&ref=42', '/landing-b.html?utm_source=mail&ref=42']);
    expect(await exposed(back.testId, 'A')).toBe(0);

    // The control of the redirect test stays on the index.
    const control = await visit(visitorIn('control', there));
    await control.page.goto(site.origin + '/index.html');
    await settled(control.page);
    expect(new URL(control.page.url()).pathname).toBe('/index.html');
    expect([...errors, ...control.errors]).toEqual([]);
    await control.context.close();
    await context.close();
  });
});
