// The main pages in a real Chromium against the real stack, in Japanese and English: no missing
// message key, no serious or critical axe violation, a screenshot of each; a client sees only its own
// engagements (another client's URL says "not found"); a bad value shows the API's message next to
// the field it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

async function engagement(csAuth: { authorization: string }, clientId: number) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/engagements',
    headers: csAuth,
    payload: {
      client_id: clientId,
      offer_mode: 'open',
      monthly_fee_yen: 1_234_567,
      month_length_seconds: 3600,
      settings: { planning_seconds: 600 },
      pages: [{ url: 'https://shop.example/cart', page_type: 'cart', baseline_rate: 0.05, daily_visitors: 4000, value_per_conversion_yen: 9000 }],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number };
}

describe.skipIf(!HAVE_CHROMIUM)('pages in the browser', () => {
  it('render in Japanese and English with no missing keys and no serious accessibility violation', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const client = await makeClient(h.db, '株式会社デモショップ');
    const e = await engagement(cs.auth, client.id);
    await eventually(async () => (await h.app.inject({ url: `/v1/engagements/${e.id}/timeline`, headers: cs.auth })).json().cycles.length > 0);
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: 'Web Hacker', kind: 'individual', residency: 'resident', skills: ['design'], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const hacker = await userWithToken(h.db, 'hacker', { hackerId: hackerRow.id });
    const siteKey = await h.app.inject({ method: 'POST', url: `/v1/clients/${client.id}/site-keys`, headers: admin.auth, payload: { origins: ['https://shop.example'], label: 'shop.example production' } });
    expect(siteKey.statusCode, siteKey.body).toBe(201);

    const pages: { who: string; token: string; path: string; name: string; ready: RegExp }[] = [
      { who: 'admin', token: admin.token, path: '/', name: 'tasks', ready: /My tasks|マイタスク/ },
      { who: 'admin', token: admin.token, path: '/engagements', name: 'engagements', ready: /Engagements|契約/ },
      { who: 'admin', token: admin.token, path: `/engagements/${e.id}`, name: 'engagement', ready: /^(Engagement|契約) \d+$/ },
      { who: 'admin', token: admin.token, path: '/engagements/new', name: 'engagement-new', ready: /New engagement|新規契約/ },
      { who: 'admin', token: admin.token, path: '/knowledge', name: 'knowledge', ready: /Knowledge|ナレッジ/ },
      { who: 'admin', token: admin.token, path: '/admin', name: 'admin', ready: /Admin|管理/ },
      { who: 'admin', token: admin.token, path: `/site-keys?client=${client.id}`, name: 'site-keys', ready: /Site keys|サイトキー/ },
      { who: 'hacker', token: hacker.token, path: '/offers', name: 'offers', ready: /Offers|募集/ },
      { who: 'hacker', token: hacker.token, path: '/statements', name: 'statements', ready: /My monthly statements|月次支払明細/ },
    ];
    for (const lang of ['en', 'ja'] as const) {
      const sessions = new Map<string, Awaited<ReturnType<typeof signedIn>>>();
      for (const p of pages) {
        if (!sessions.has(p.who)) sessions.set(p.who, await signedIn(web, p.token, lang));
        const { page } = sessions.get(p.who)!;
        await page.goto(web.base + p.path);
        await page.getByRole('heading', { level: 1 }).filter({ hasText: p.ready }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        await screenshot(page, `${p.name}-${lang}`);
        await expectAccessible(page, `${p.name} (${lang})`);
        expect(await missingKeys(page), `${p.name} (${lang})`).toEqual([]);
      }
      // Money as ¥1,234,567 in both languages.
      const { page } = sessions.get('admin')!;
      await page.goto(`${web.base}/engagements/${e.id}`);
      await page.getByText('¥1,234,567').first().waitFor();
      for (const s of sessions.values()) await s.context.close();
    }

    // The language switch in the header changes the page at once.
    const { page, context } = await signedIn(web, admin.token, 'ja');
    await page.getByRole('heading', { name: 'マイタスク' }).waitFor();
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    expect(await missingKeys(page)).toEqual([]);
    await context.close();
    // 18 page visits with an axe scan each: minutes when the machine is busy with the whole suite.
  }, 420_000);

  it('a client sees only its own engagements; another client’s engagement URL shows "not found"', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const mine = await makeClient(h.db, 'Mine Co');
    const theirs = await makeClient(h.db, 'Theirs Co');
    const e1 = await engagement(cs.auth, mine.id);
    const e2 = await engagement(cs.auth, theirs.id);
    const cu = await userWithToken(h.db, 'client', { clientId: mine.id });
    const { page, context } = await signedIn(web, cu.token, 'en');
    await page.getByRole('link', { name: 'Engagements' }).click();
    await page.getByRole('link', { name: `Engagement ${e1.id}` }).waitFor();
    const listed = await page.getByRole('link', { name: /^Engagement \d+$/ }).allTextContents();
    expect(listed).toEqual([`Engagement ${e1.id}`]);
    await page.goto(`${web.base}/engagements/${e2.id}`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByTestId('not-found').textContent()).toMatch(/Not found/);
    expect(await page.getByText('Theirs Co').count()).toBe(0);
    // No admin page for a client: the navigation does not offer it and the URL is not a page.
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await context.close();
  });

  it('a form with a bad value shows the API message next to that field', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    await makeClient(h.db, 'Form Shop');
    const { page, context } = await signedIn(web, cs.token, 'en');
    await page.goto(`${web.base}/engagements/new`);
    await page.getByLabel('Client', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Form Shop' }).first().click();
    await page.getByLabel('Monthly fee').fill('500000');
    await page.getByLabel('URL').fill('https://form.example/checkout');
    await page.getByLabel('Page type').fill('checkout');
    await page.getByLabel('Baseline conversion rate').fill('1.5');
    await page.getByLabel('Daily visitors').fill('1000');
    await page.getByLabel('Value per conversion').fill('5000');
    await page.getByRole('button', { name: 'Create the engagement' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const field = page.getByLabel('Baseline conversion rate');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await field.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-error'))!;
    // In words from the catalogue (the API's field code `below`, limit 1), not the validator's "must be < 1".
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe('Enter a value below 1.');
    // Nothing else is marked.
    expect(await page.getByLabel('Monthly fee').getAttribute('aria-invalid')).not.toBe('true');
    await screenshot(page, 'form-error-en');
    await context.close();
  });
  it('an admin creates a user in the UI, sees its token once, and the token signs in; revoking it ends that session', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const { page, context } = await signedIn(web, admin.token, 'en');
    await page.getByRole('link', { name: 'Admin' }).click();
    const name = `Finance ${Date.now().toString(36)}`;
    await page.getByLabel('Name', { exact: true }).first().fill(name);
    await page.getByLabel('Role', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Finance' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const token = (await shown.locator('pre').textContent())!.trim();
    expect(token).toMatch(/^kzd_/);
    // The token is in the page once, never in the URL or the browser's storage.
    expect(page.url()).not.toContain(token);
    expect(JSON.stringify(await context.storageState())).not.toContain(token);
    const fresh = await signedIn(web, token, 'en');
    expect(await fresh.page.getByTestId('whoami').textContent()).toContain(name);
    const cookie = (await fresh.context.cookies()).find((c) => c.name === 'kaizen_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(await fresh.page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('kaizen_session');

    // Revoke it from the user's token list (asked first): the new user's browser session ends.
    await page.getByRole('row').filter({ hasText: name }).getByRole('button', { name: 'Tokens' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke' }).getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('dialog').getByText('Revoked').waitFor();
    await fresh.page.reload();
    await fresh.page.getByLabel('API token').waitFor();
    await fresh.context.close();
    await context.close();
  });
});
