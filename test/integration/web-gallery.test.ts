// The gallery and the arms (issue 23 items 4–5) in a real Chromium against the real API, Postgres,
// Temporal and render worker: a hacker's proposal on the sample site's page is rendered at PC and
// phone width; CS passes it and returns another with a comment from the offer page; the hacker reads
// the comment; the client's selection gallery shows the passed one only, its images beside the current
// page's and its checks in words (English and Japanese), a large view; at 390 px no image overlaps
// another or leaves the screen; the client selects it and the test page shows each arm's images.
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { startSampleSite, type SampleSite } from '../../src/site/sample-site.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let site: SampleSite | undefined;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ renderWorker: true });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await web?.close();
  await h?.close();
});

/** Whether an <img> has loaded a real picture (the session cookie opened it; not an error answer). */
const loaded = (img: Locator) =>
  img.evaluate((el) => {
    const i = el as unknown as { complete: boolean; naturalWidth: number };
    return i.complete && i.naturalWidth > 0;
  });
const tokenOf = (u: { auth: { authorization: string } }) => u.auth.authorization.slice('Bearer '.length);

/** The boxes of the visible images in `scope`: none overlaps another, none reaches past the viewport's width. */
async function expectNoOverlap(page: Page, scope: Locator, what: string) {
  const imgs = scope.locator('img');
  const n = await imgs.count();
  expect(n, what).toBeGreaterThan(0);
  const shown = [];
  for (let i = 0; i < n; i++) if (await imgs.nth(i).isVisible()) shown.push(imgs.nth(i));
  // Every image loaded first (a late one moves the others), then the boxes.
  for (const img of shown) {
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => loaded(img), { timeout: 20_000 }).toBe(true);
  }
  const boxes = [];
  for (const img of shown) {
    const b = await img.boundingBox();
    if (b) boxes.push(b);
  }
  await screenshot(page, what.replace(/\W+/g, '-'));
  const width = page.viewportSize()!.width;
  for (const [i, a] of boxes.entries()) {
    expect(a.width, `${what}: image ${i} has a width`).toBeGreaterThan(40);
    expect(a.x, `${what}: image ${i} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(a.x + a.width, `${what}: image ${i} ends on screen`).toBeLessThanOrEqual(width + 0.5);
    for (const b of boxes.slice(i + 1)) {
      const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
      expect(apart, `${what}: two images overlap`).toBe(true);
    }
  }
  // Nothing on the page scrolls sideways at this width.
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${what}: no sideways scroll`).toBe(true);
}

describe.skipIf(!HAVE_CHROMIUM)('the gallery and the arms', () => {
  it('shows rendered proposals beside the current page, reviews them, and shows each test arm', async () => {
    const tag = randomUUID().slice(0, 6);
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const client = await makeClient(h.db, `Mashiko Tea ${tag}`, 'ecommerce');
    const clientUser = await userWithToken(h.db, 'client', { clientId: client.id });
    const author = await d.hacker(['design']);
    const other = await d.hacker(['copywriting']);

    // The client's real page: the sample site on its own origin, with a site key for it.
    let key = '';
    site = await startSampleSite({ api: web.base, key: () => key });
    key = (await createSiteKey(h.db, { clientId: client.id, origins: [site.origin], createdBy: cs.user.id })).key;
    const e = await d.api('POST', '/v1/engagements', cs.auth, {
      client_id: client.id,
      offer_mode: 'open',
      monthly_fee_yen: 900_000,
      month_length_seconds: 3600,
      settings: { planning_seconds: 600, offer_window_seconds: 90, selection_seconds: 600, test_max_seconds: 600, min_proposals: 1 },
      pages: [{ url: `${site.origin}/product.html`, page_type: 'product', baseline_rate: 0.1, daily_visitors: 5000, value_per_conversion_yen: 8000 }],
    });
    const pages = (await d.api('GET', `/v1/engagements/${e.id}/pages`, cs.auth)).items;
    const cycleId = (await eventually(async () => (await d.api('GET', `/v1/engagements/${e.id}/timeline`, cs.auth)).cycles[0])).id as number;
    await d.api('POST', `/v1/cycles/${cycleId}/plan`, clientUser.auth, {
      hypotheses: [{ author: 'client', problem: `Buyers do not see the price ${tag}`, page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').select('id').where('cycle_id', '=', cycleId).where('status', '=', 'open').executeTakeFirst()) ?? undefined, 30_000);

    const submit = (who: { auth: { authorization: string } }, title: string, changes: object) =>
      d.api('POST', `/v1/offers/${offer.id}/proposals`, who.auth, { title, description: `${title}: why it helps ${tag}`, design_url: 'https://figma.example/file', changes });
    const good = await submit(author, 'Price in the headline', { mutations: [{ selector: '#headline', action: 'set_text', value: 'Handmade tea cups from ¥8,000' }], css: '.cta { background: #b3261e; color: #fff; font-size: 1.5rem }' });
    const weak = await submit(other, 'Bigger button', { css: '.cta { padding: 2rem 4rem }' });

    // Both get their PC and phone images from the render worker.
    for (const p of [good, weak]) {
      await eventually(async () => {
        const r = (await d.api('GET', `/v1/proposals/${p.id}`, cs.auth)).renders as { status: string }[];
        return r.length === 2 && r.every((x) => x.status === 'rendered');
      }, 120_000, 1_000);
    }

    // CS on the offer page: each proposal's images and checks; pass one, return the other with a comment.
    const csPage = (await signedIn(web, tokenOf(cs), 'en')).page;
    await csPage.goto(`${web.base}/offers/${offer.id}`);
    const goodCard = csPage.getByTestId('proposal-card').filter({ hasText: 'Price in the headline' });
    const weakCard = csPage.getByTestId('proposal-card').filter({ hasText: 'Bigger button' });
    await goodCard.getByTestId('render-pc').getByRole('button', { name: 'The current page on PC (1366 px)' }).waitFor();
    expect(await goodCard.getByTestId('checks').first().textContent()).toMatch(/Every change found its element/);
    expect(await goodCard.getByTestId('checks').first().textContent()).toMatch(/The proposal visibly changes the page/);
    await goodCard.getByRole('button', { name: 'Pass to the client' }).click();
    await csPage.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await goodCard.getByTestId('review-status').filter({ hasText: 'Passed review' }).waitFor();
    await weakCard.getByRole('button', { name: 'Return for fixing' }).click();
    const dialog = csPage.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
    await dialog.getByLabel('What to fix').fill(`The button covers the price at phone width ${tag}`);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await weakCard.getByTestId('review-status').filter({ hasText: 'Returned for fixing' }).waitFor();
    await screenshot(csPage, 'gallery-cs-review-en');
    await expectAccessible(csPage, 'offer page with renders (CS)');
    expect(await missingKeys(csPage)).toEqual([]);

    // The author of the returned one reads CS's comment beside their images.
    const hp = await signedIn(web, tokenOf(other), 'en');
    await hp.page.goto(`${web.base}/offers/${offer.id}`);
    await hp.page.getByTestId('return-comment').filter({ hasText: `The button covers the price at phone width ${tag}` }).waitFor();
    expect(await hp.page.getByTestId('proposal-card').count()).toBe(1);
    await hp.page.getByTestId('proposal-card').getByTestId('thumb-variant').first().waitFor();
    await hp.context.close();

    // The client's selection gallery: only the passed proposal, its images beside the current page's.
    await eventually(async () => (await d.api('GET', `/v1/cycles/${cycleId}`, cs.auth)).phase === 'selection', 180_000, 1_000);
    const cl = await signedIn(web, tokenOf(clientUser), 'en');
    await cl.page.goto(`${web.base}/cycles/${cycleId}`);
    await cl.page.getByRole('heading', { name: 'Pick the proposals to test' }).waitFor();
    const cards = cl.page.getByTestId('proposal-card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(1);
    const card = cards.first();
    expect(await card.textContent()).toContain('Price in the headline');
    for (const device of ['pc', 'phone']) {
      const r = card.getByTestId(`render-${device}`);
      expect(await r.getAttribute('data-status')).toBe('rendered');
      for (const side of ['control', 'variant']) {
        const src = await r.getByTestId(`thumb-${side}`).locator('img').getAttribute('src');
        expect(src).toMatch(/^\/v1\/images\/[0-9a-f]{64}$/);
        // The session cookie opens the image: a real picture, not an error page.
        await expect.poll(() => loaded(r.getByTestId(`thumb-${side}`).locator('img')), { timeout: 20_000 }).toBe(true);
      }
    }
    expect(await card.getByTestId('explanation').textContent()).toContain(`why it helps ${tag}`);
    // The large view: both images of the device at full resolution.
    await card.getByTestId('render-phone').getByTestId('thumb-variant').click();
    const large = cl.page.getByRole('dialog');
    await large.getByRole('img', { name: 'This proposal' }).waitFor();
    expect(await large.locator('img').count()).toBe(2);
    await cl.page.keyboard.press('Escape');
    await large.waitFor({ state: 'hidden' });
    await screenshot(cl.page, 'gallery-client-en');
    await expectAccessible(cl.page, 'selection gallery (client)');
    expect(await missingKeys(cl.page)).toEqual([]);

    // At phone width nothing overlaps the images.
    await cl.page.setViewportSize({ width: 390, height: 844 });
    await expectNoOverlap(cl.page, card, 'gallery at 390 px');
    await screenshot(cl.page, 'gallery-client-390');
    await cl.page.setViewportSize({ width: 1366, height: 900 });

    // The same gallery in Japanese: the checks in words from the catalogue.
    const ja = await signedIn(web, tokenOf(clientUser), 'ja');
    await ja.page.goto(`${web.base}/cycles/${cycleId}`);
    const jaChecks = ja.page.getByTestId('proposal-card').first().getByTestId('checks').first();
    await jaChecks.waitFor();
    expect(await jaChecks.textContent()).toMatch(/すべての変更が対象の要素に適用/);
    expect(await jaChecks.textContent()).not.toMatch(/unmatched_selectors|visible_change/);
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();

    // The client selects it; the test page shows each arm's images, title and author.
    await card.getByLabel('Test this one').check();
    await cl.page.getByRole('button', { name: 'Confirm the selection' }).click();
    await cl.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const testLink = cl.page.getByTestId('test-link');
    await testLink.first().waitFor({ timeout: 60_000 });
    await testLink.first().click();
    const arms = cl.page.getByTestId('arm-card');
    await arms.first().waitFor();
    expect(await arms.count()).toBe(2);
    const variantArm = cl.page.locator('[data-testid="arm-card"]:not([data-arm="control"])');
    expect(await variantArm.getByTestId('arm-proposal').textContent()).toContain('Price in the headline');
    for (const arm of [cl.page.locator('[data-testid="arm-card"][data-arm="control"]'), variantArm]) {
      for (const device of ['pc', 'phone']) {
        const img = arm.getByTestId(`arm-image-${device}`).locator('img');
        expect(await img.getAttribute('src')).toMatch(/^\/v1\/images\/[0-9a-f]{64}$/);
        await expect.poll(() => loaded(img), { timeout: 20_000 }).toBe(true);
      }
    }
    await screenshot(cl.page, 'test-arms-en');
    await expectAccessible(cl.page, 'test page with arms');
    await cl.page.setViewportSize({ width: 390, height: 844 });
    await expectNoOverlap(cl.page, cl.page.getByTestId('arms-shown'), 'test arms at 390 px');
    expect(await missingKeys(cl.page)).toEqual([]);

    // The cycle page: the hypothesis and the selected proposal with its images.
    await cl.page.setViewportSize({ width: 1366, height: 900 });
    await cl.page.goto(`${web.base}/cycles/${cycleId}`);
    const summary = cl.page.getByTestId('offer-summary');
    await summary.getByTestId('hypothesis-text').filter({ hasText: `Buyers do not see the price ${tag}` }).waitFor();
    await summary.getByTestId('selected-proposal').filter({ hasText: 'Price in the headline' }).getByTestId('thumb-variant').first().waitFor();
    await cl.context.close();
  }, 420_000);
});
