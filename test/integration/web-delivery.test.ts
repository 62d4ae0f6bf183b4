// How the web app is delivered and how its shell behaves (issue 26, items 5–7), over HTTP and in a real
// Chromium against the real API, Postgres and Temporal: JS and CSS pre-compressed (brotli, gzip) with
// immutable caching and index.html never cached; API JSON compressed above 1 kB; each role's first page
// loads only the shell and its own page's code (≤ 200 kB of JavaScript on the wire, no chart library),
// a chart page loads the chart code; a failed request says so in the reader's language with Retry, and
// Retry recovers; an expired session returns to sign-in saying so; a slow API shows a loader inside the
// shell; at 390 px the header covers no page title and the payout table scrolls in its own box.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUserWithToken } from '../../src/db/users.ts';
import { WEB_DIST } from '../../src/infra/web-build.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

// Its own database (the payout run drafts every unpaid line up to its month) and a month no other file uses.
const MONTH = '2097-07';
const JS_BUDGET = 200 * 1024;
let h: Harness;
let web: Web;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl'), 2_070_000_000) });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await web?.close();
  await h?.close();
});

/** The built assets that hold the charting library (recharts draws `recharts-wrapper`). */
function chartChunks(): string[] {
  const dir = path.join(WEB_DIST, 'assets');
  return readdirSync(dir).filter((f) => f.endsWith('.js') && readFileSync(path.join(dir, f), 'utf8').includes('recharts-wrapper'));
}

/** Every script the page fetches, with the bytes that came over the wire (cache off: a cold load). */
async function scriptsOnTheWire(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') urls.set(e.requestId, e.response.url);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (urls.has(e.requestId)) bytes.set(e.requestId, e.encodedDataLength);
  });
  return {
    files: () => [...urls.values()].map((u) => path.basename(new URL(u).pathname)),
    total: () => [...bytes.values()].reduce((a, b) => a + b, 0),
  };
}

async function newPage(lang: 'ja' | 'en', width = 1366): Promise<Page> {
  const context = await web.browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', timezoneId: 'Asia/Tokyo', viewport: { width, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[browser] ${err.message}\n`));
  return page;
}

async function signIn(page: Page, token: string, lang: 'ja' | 'en') {
  await page.getByLabel(lang === 'ja' ? 'APIトークン' : 'API token').fill(token);
  await page.getByRole('button', { name: lang === 'ja' ? 'サインイン' : 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

/** The page's own title (its h1) once shown. */
const title = (page: Page) => page.locator('main h1').first();

describe.skipIf(!HAVE_CHROMIUM)('delivery', () => {
  it('serves JS and CSS pre-compressed (brotli, gzip) with immutable caching; index.html is never cached', async () => {
    const index = await h.app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    const html = readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const raw = readFileSync(path.join(WEB_DIST, asset));
      const br = await h.app.inject({ url: `/${asset}`, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding'], asset).toBe('br');
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
      expect(String(br.headers['content-type'])).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      if (raw.length > 4096) expect(br.rawPayload.length).toBeLessThan(raw.length / 2);
      expect(brotliDecompressSync(br.rawPayload).equals(raw)).toBe(true);
      const gz = await h.app.inject({ url: `/${asset}`, headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.rawPayload).equals(raw)).toBe(true);
      const plain = await h.app.inject({ url: `/${asset}` });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(raw)).toBe(true);
    }
  });

  it('compresses API JSON above 1 kB for a client that accepts it, and leaves small answers alone', async () => {
    const admin = await userWithToken(h.db, 'admin');
    for (let i = 0; i < 30; i++) await makeClient(h.db, `Delivery Client ${i} 株式会社`);
    const big = await h.app.inject({ url: '/v1/clients?limit=100', headers: { ...admin.auth, 'accept-encoding': 'br, gzip' } });
    expect(big.statusCode).toBe(200);
    expect(big.headers['content-encoding']).toBe('br');
    const json = JSON.parse(brotliDecompressSync(big.rawPayload).toString('utf8')) as { items: { name: string }[] };
    expect(json.items.filter((c) => c.name.startsWith('Delivery Client')).length).toBeGreaterThanOrEqual(30);
    const gz = await h.app.inject({ url: '/v1/clients?limit=100', headers: { ...admin.auth, 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const small = await h.app.inject({ url: '/v1/session', headers: { ...admin.auth, 'accept-encoding': 'br, gzip' } });
    expect(small.statusCode).toBe(200);
    expect(small.rawPayload.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    // A client that asks for nothing gets plain JSON.
    const plain = await h.app.inject({ url: '/v1/clients?limit=100', headers: admin.auth });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json()).toEqual(json);
  });

  it("each role's first page loads ≤ 200 kB of JavaScript on the wire and no chart code; a chart page loads it", async () => {
    const charts = chartChunks();
    expect(charts.length).toBeGreaterThan(0);
    const client = await makeClient(h.db, 'Delivery Shop');
    const hacker = await h.db.insertInto('hackers').values({ display_name: 'Delivery Hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const partner = await h.db.insertInto('partners').values({ name: 'Delivery Partner', legal_name: 'Delivery Partner KK' }).returning('id').executeTakeFirstOrThrow();
    const users = [
      { role: 'admin', token: (await userWithToken(h.db, 'admin')).token },
      { role: 'cs_manager', token: (await userWithToken(h.db, 'cs_manager')).token },
      { role: 'finance', token: (await userWithToken(h.db, 'finance')).token },
      { role: 'client', token: (await userWithToken(h.db, 'client', { clientId: client.id })).token },
      { role: 'hacker', token: (await userWithToken(h.db, 'hacker', { hackerId: hacker.id })).token },
      { role: 'partner', token: (await createUserWithToken(h.db, { name: 'Delivery Partner User', role: 'partner', partnerId: partner.id })).token },
    ];
    const report: string[] = [];
    for (const u of users) {
      const page = await newPage('ja');
      const wire = await scriptsOnTheWire(page);
      await page.goto(web.base + '/');
      await signIn(page, u.token, 'ja');
      await page.locator('main').getByRole('alert').or(title(page)).first().waitFor();
      await page.waitForLoadState('networkidle');
      report.push(`${u.role}: ${(wire.total() / 1024).toFixed(1)} kB in ${wire.files().length} scripts`);
      expect(wire.total(), `${u.role}: ${wire.files().join(', ')}`).toBeLessThanOrEqual(JS_BUDGET);
      // Only compressed scripts came (a raw bundle alone is larger than the budget's share).
      expect(wire.files().filter((f) => charts.includes(f)), u.role).toEqual([]);
      if (u.role === 'admin') {
        // A test's page draws charts: going there loads the chart code (the record need not exist).
        await page.goto(web.base + '/tests/2070000999');
        await page.getByTestId('not-found').or(title(page)).first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(wire.files().filter((f) => charts.includes(f)).length).toBeGreaterThan(0);
      }
    }
    process.stdout.write(`first page JS on the wire: ${report.join('; ')}\n`);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('the shell', () => {
  it('a failed request says so in the reader’s language with Retry, and Retry recovers', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const client = await makeClient(h.db, 'Retry Shop');
    const e = await h.db
      .insertInto('engagements')
      .values({ client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 500_000, start_month: MONTH, status: 'active', workflow_id: `engagement-web-delivery-retry-${Date.now()}`, created_by: cs.user.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const lang of ['ja', 'en'] as const) {
      const { context, page } = await signedIn(web, admin.token, lang);
      contexts.push(context);
      let fail = true;
      let served = 0;
      await page.route(/\/v1\/engagements(\?|$)/, async (route) => {
        if (fail) return route.fulfill({ status: 500, contentType: 'text/plain', body: 'Internal Server Error' });
        served++;
        await route.continue();
      });
      await page.goto(web.base + '/engagements');
      const alert = page.getByTestId('error-retry').first();
      await alert.waitFor();
      expect(await alert.textContent()).toContain(lang === 'ja' ? 'サーバーで処理を完了できませんでした' : 'The server could not complete the request');
      expect(await page.locator('main').textContent()).not.toMatch(/Internal Server Error|Failed to fetch/);
      await expectAccessible(page, `error with retry (${lang})`);
      // The shell's and the error's words (other pages' nav entries are their own tests').
      expect((await missingKeys(page)).filter((k) => /^(common|signin|shell)\./.test(k))).toEqual([]);
      if (lang === 'ja') await screenshot(page, 'shell-error-retry-ja');
      fail = false;
      await alert.getByRole('button', { name: lang === 'ja' ? '再試行' : 'Retry' }).click();
      await page.locator(`main a[href="/engagements/${e.id}"]`).waitFor();
      expect(served).toBeGreaterThan(0);
      expect(await page.getByTestId('error-retry').count()).toBe(0);
    }
  });

  it('a network failure says so (not "Failed to fetch"), and the shell is up while the API is slow', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const { context, page } = await signedIn(web, admin.token, 'en');
    contexts.push(context);
    // Slow: the tasks request is held until the loader was seen inside the shell.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/v1\/tasks/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(web.base + '/');
    await page.getByTestId('whoami').waitFor();
    await page.getByRole('navigation').getByRole('link').first().waitFor();
    await page.getByTestId('page-loader').waitFor();
    release();
    await page.getByTestId('page-loader').waitFor({ state: 'detached', timeout: 30_000 });
    await title(page).waitFor();
    await page.unroute(/\/v1\/tasks/);
    // Down: the request never reaches the server.
    await page.route(/\/v1\/engagements(\?|$)/, (route) => route.abort('connectionrefused'));
    await page.getByRole('navigation').getByRole('link', { name: 'Engagements', exact: true }).click();
    const alert = page.getByTestId('error-retry').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The server could not be reached');
    expect(await page.locator('main').textContent()).not.toMatch(/Failed to fetch/);
    await page.unroute(/\/v1\/engagements(\?|$)/);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByTestId('error-retry').count(), { timeout: 20_000 }).toBe(0);
  });

  it('an expired session returns to sign-in saying the session expired', async () => {
    for (const lang of ['ja', 'en'] as const) {
      const cs = await userWithToken(h.db, 'cs_manager');
      const { context, page } = await signedIn(web, cs.token, lang);
      contexts.push(context);
      await title(page).waitFor();
      // The session ends on the server (as when it expires): the next request is a 401.
      await h.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', cs.user.id).execute();
      // The next request finds the session gone: the page's own polling may get there first (a loaded
      // machine) and leave no menu to click, so the click is the trigger only when it is still there.
      await page.getByRole('navigation').getByRole('link', { name: lang === 'ja' ? '契約' : 'Engagements', exact: true }).click({ timeout: 5_000 }).catch(() => undefined);
      const note = page.getByTestId('session-expired');
      await note.waitFor();
      expect(await note.textContent()).toBe(lang === 'ja' ? 'セッションの有効期限が切れました。もう一度サインインしてください。' : 'Your session has expired. Please sign in again.');
      await page.getByLabel(lang === 'ja' ? 'APIトークン' : 'API token').waitFor();
      expect(await page.getByTestId('whoami').count()).toBe(0);
      await expectAccessible(page, `session expired (${lang})`);
      // Signing in again clears the note.
      const again = await userWithToken(h.db, 'cs_manager');
      await signIn(page, again.token, lang);
      expect(await page.getByTestId('session-expired').count()).toBe(0);
    }
  });

  it('at 390 px the header covers no page title, and the payout table scrolls in its own box with its badges in words', async () => {
    const finance = await userWithToken(h.db, 'finance');
    const cs = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const client = await makeClient(h.db, 'Phone Shop');
    const e = await h.db
      .insertInto('engagements')
      .values({ client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 1_000_000, start_month: MONTH, status: 'active', workflow_id: `engagement-web-delivery-${Date.now()}`, created_by: cs.user.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const payee = await h.db.insertInto('hackers').values({ display_name: 'Phone Width Design Studio', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const put = await h.app.inject({
      method: 'PUT', url: `/v1/hackers/${payee.id}/payee`, headers: finance.auth,
      payload: { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '4000001', holder_name: 'ﾌｫﾝ ｽﾀｼﾞｵ' } },
    });
    expect(put.statusCode, put.body).toBe(200);
    await h.db
      .insertInto('earnings_ledger')
      .values({ unique_key: `web-delivery:${payee.id}`, hacker_id: payee.id, engagement_id: e.id, cycle_id: null, offer_id: null, proposal_id: null, kind: 'adoption_fee', amount_yen: 120_000, category: 'design', month: MONTH, delivered_at: `${MONTH}-01T03:00:00Z`, reverses_id: null, description: 'adoption' })
      .execute();
    const run = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finance.auth, payload: { month: MONTH } });
    expect(run.statusCode, run.body).toBe(201);
    const runId = (run.json() as { id: number }).id;
    await eventually(async () => (await h.app.inject({ url: `/v1/payout-runs/${runId}/items`, headers: finance.auth })).json().items?.length > 0, 120_000);

    for (const lang of ['ja', 'en'] as const) {
      const pages: { token: string; path: string; table?: boolean }[] = [
        { token: admin.token, path: '/' },
        { token: admin.token, path: '/engagements', table: true },
        { token: admin.token, path: `/engagements/${e.id}` },
        { token: admin.token, path: '/knowledge' },
        { token: admin.token, path: '/admin' },
        { token: finance.token, path: '/payout-runs' },
        { token: finance.token, path: `/payout-runs/${runId}`, table: true },
      ];
      const sessions = new Map<string, Page>();
      for (const p of pages) {
        let page = sessions.get(p.token);
        if (!page) {
          const s = await signedIn(web, p.token, lang);
          contexts.push(s.context);
          page = s.page;
          await page.setViewportSize({ width: 390, height: 844 });
          sessions.set(p.token, page);
        }
        await page.goto(web.base + p.path);
        await title(page).waitFor();
        const header = await page.locator('header').boundingBox();
        const h1 = await title(page).boundingBox();
        expect(header!.y + header!.height, `${p.path} (${lang}): header bottom vs title top`).toBeLessThanOrEqual(h1!.y);
        // A page with a responsive table (ui.tsx) spills nothing sideways: the table scrolls in its box.
        if (p.table) expect(await page.evaluate('document.documentElement.scrollWidth'), `${p.path} (${lang}) width`).toBeLessThanOrEqual(390);
      }
      const fin = sessions.get(finance.token)!;
      // The payout table: scrolls inside its box, the payee's name stays in view, the badge keeps its words.
      const row = fin.getByTestId('payout-item').first();
      await row.waitFor();
      const scroller = fin.locator('.kz-table-scroll').first();
      // Run in the page (DOM types are not in the Node tsconfig: the element's shape is named here).
      type Box = { scrollWidth: number; clientWidth: number };
      expect(await scroller.evaluate((el: Box) => el.scrollWidth > el.clientWidth)).toBe(true);
      const firstCell = row.locator('td').first();
      expect(await firstCell.evaluate((el) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { position: string } }).getComputedStyle(el).position)).toBe('sticky');
      const badge = row.locator('.mantine-Badge-root').first();
      const label = (await badge.textContent())!;
      expect(label.length).toBeGreaterThan(1);
      const box = (await badge.boundingBox())!;
      expect(await badge.evaluate((el: Box) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      expect(box.width).toBeGreaterThan(30);
      await expectAccessible(fin, `payout run at 390 px (${lang})`);
      await screenshot(fin, `payout-run-390-${lang}`);
      expect((await missingKeys(fin)).filter((k) => /^(common|signin|shell|payouts|status)\./.test(k))).toEqual([]);
    }
  });
});
