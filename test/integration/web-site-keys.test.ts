// The site keys page in a real Chromium against the real API and Postgres: the client's CS manager
// creates a key for an origin (a bad origin is named next to the field), sees it once with the SDK
// snippet, the key works from that origin only, and after rotating and revoking in the page the old
// keys fail. Client users, hackers and a CS manager of other clients cannot change the keys.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let f: TrafficFixture;
let clientName: string;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  clientName = `Key Shop ${randomUUID().slice(0, 6)}`;
  // A client whose engagement this CS manages, with a running test for the site config to list.
  f = await runningTest(h.db, cs.user.id, [1, 1], (await makeClient(h.db, clientName)).id);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

const SHOP = 'https://shop.key-test.example';
/** The SDK's first call, as the client's site would make it (the Origin header is the browser's). */
const siteConfig = (key: string, origin = SHOP) => fetch(`${web.base}/v1/site/config?key=${encodeURIComponent(key)}`, { headers: { origin } });

describe.skipIf(!HAVE_CHROMIUM)('site keys in the browser', () => {
  it("the client's CS manager creates a key shown once, it works from its origin, rotating and revoking it in the page stop the old keys", async () => {
    const { page, context } = await signedIn(web, cs.token, 'en');
    await page.getByRole('link', { name: 'Site keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'Site keys' }).waitFor();
    await page.getByText(/It is public .* only from the allowed origins/).waitFor();
    await page.getByRole('combobox', { name: 'Client' }).click();
    await page.getByRole('option', { name: clientName }).click();
    expect(new URL(page.url()).searchParams.get('client')).toBe(String(f.clientId));
    await page.getByText('No site key yet.').waitFor();

    // An origin with a path: the API's message is next to the origins field.
    const origins = page.getByLabel('Allowed origins');
    await origins.fill(`${SHOP}/checkout`);
    await page.getByRole('button', { name: 'Create site key' }).click();
    await expect.poll(() => origins.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await origins.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-error'))!;
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toContain('origin must be scheme://host[:port] only');

    await origins.fill(SHOP);
    await page.getByLabel('Label').fill('shop production');
    await page.getByRole('button', { name: 'Create site key' }).click();
    const shown = page.getByTestId('new-site-key');
    await shown.waitFor();
    const key = (await shown.getByTestId('key').textContent())!.trim();
    expect(key).toMatch(/^kzk_/);
    // The snippet to paste names this desk's SDK and the key.
    const snippet = (await shown.getByTestId('snippet').textContent())!;
    expect(snippet).toContain(`import { init } from '${web.base}/sdk/v1.mjs'`);
    expect(snippet).toContain(`init({ key: '${key}' })`);
    await shown.getByRole('button', { name: 'Copy the key' }).click();
    await shown.getByRole('button', { name: 'Copied' }).waitFor();
    const row = page.getByTestId('site-key-row').filter({ hasText: 'shop production' });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain(key.slice(0, 10));
    expect(await row.textContent()).toContain(SHOP);
    await screenshot(page, 'site-keys-en');
    await expectAccessible(page, 'site keys');
    expect(await missingKeys(page)).toEqual([]);
    // Shown once: not in the URL or the browser's storage, and gone after a reload.
    expect(page.url()).not.toContain(key);
    expect(JSON.stringify(await context.storageState())).not.toContain(key);
    await page.reload();
    await row.getByText('Active').waitFor();
    expect(await page.content()).not.toContain(key);

    // The key reads the client's running tests from its origin, and from no other.
    const ok = await siteConfig(key);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { client_id: number; tests: { id: number }[] };
    expect(body.client_id).toBe(f.clientId);
    expect(body.tests.map((t) => t.id)).toContain(f.testId);
    expect((await siteConfig(key, 'https://elsewhere.example')).status).toBe(403);

    // Rotate (no overlap): a new key shown once, the old one is revoked at once.
    await row.getByRole('button', { name: 'Rotate' }).click();
    const rotateDialog = page.getByRole('dialog', { name: 'Rotate this site key?' });
    expect(await rotateDialog.getByLabel('Minutes the old key keeps working').inputValue()).toBe('0');
    await rotateDialog.getByRole('button', { name: 'Confirm' }).click();
    await shown.getByText(`It replaces key ${key.slice(0, 10)}…, which stopped working now.`).waitFor();
    const rotated = (await shown.getByTestId('key').textContent())!.trim();
    expect(rotated).toMatch(/^kzk_/);
    expect(rotated).not.toBe(key);
    expect((await siteConfig(key)).status).toBe(401);
    expect((await siteConfig(rotated)).status).toBe(200);
    const rows = page.getByTestId('site-key-row');
    await expect.poll(() => rows.count()).toBe(2);
    // Newest first: the successor (same label and origin), then the old key shown as revoked.
    await rows.nth(0).getByText('Active').waitFor();
    expect(await rows.nth(0).textContent()).toContain(rotated.slice(0, 10));
    await rows.nth(1).getByText('Revoked').waitFor();
    expect(await rows.nth(1).getByRole('button').count()).toBe(0);

    // Revoke the successor: asked first, then it fails too and both rows say revoked.
    await rows.nth(0).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke this site key?' }).getByRole('button', { name: 'Confirm' }).click();
    await rows.nth(0).getByText('Revoked').waitFor();
    expect((await siteConfig(rotated)).status).toBe(401);
    expect(await rows.getByRole('button').count()).toBe(0);
    // The revoked key just shown is no longer offered for pasting.
    expect(await shown.count()).toBe(0);
    await screenshot(page, 'site-keys-revoked-en');
    // The list says the same (and never holds a key).
    const list = await h.app.inject({ url: `/v1/clients/${f.clientId}/site-keys`, headers: cs.auth });
    expect(list.json().items.map((k: { revoked_at: string | null }) => k.revoked_at !== null)).toEqual([true, true]);
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain(rotated);
    await context.close();
  });

  it('the engagement page links to its client’s site keys, in Japanese too', async () => {
    const { page, context } = await signedIn(web, cs.token, 'ja');
    await page.goto(`${web.base}/engagements/${f.engagementId}`);
    await page.getByRole('main').getByRole('link', { name: 'サイトキー' }).click();
    await page.getByRole('heading', { level: 1, name: 'サイトキー' }).waitFor();
    expect(new URL(page.url()).searchParams.get('client')).toBe(String(f.clientId));
    await page.getByRole('button', { name: 'サイトキーを作成' }).waitFor();
    await page.waitForLoadState('networkidle');
    await expectAccessible(page, 'site keys (ja)');
    expect(await missingKeys(page)).toEqual([]);
    await context.close();
  });

  it('a client user and a hacker cannot open the page; a CS manager of other clients sees no form and cannot create a key', async () => {
    const clientUser = await userWithToken(h.db, 'client', { clientId: f.clientId });
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: 'Key Hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const hacker = await userWithToken(h.db, 'hacker', { hackerId: hackerRow.id });
    for (const who of [clientUser, hacker]) {
      const { page, context } = await signedIn(web, who.token, 'en');
      expect(await page.getByRole('link', { name: 'Site keys' }).count()).toBe(0);
      await page.goto(`${web.base}/site-keys?client=${f.clientId}`);
      await page.getByText('This page does not exist or your role cannot open it.').waitFor();
      expect(await page.getByRole('button', { name: 'Create site key' }).count()).toBe(0);
      await context.close();
    }

    const other = await userWithToken(h.db, 'cs_manager');
    const { page, context } = await signedIn(web, other.token, 'en');
    await page.goto(`${web.base}/site-keys`);
    await page.getByText('No client of yours: you manage the clients of your engagements.').waitFor();
    await page.goto(`${web.base}/site-keys?client=${f.clientId}`);
    await page.getByText(/You manage no engagement of this client/).waitFor();
    expect(await page.getByRole('button', { name: 'Create site key' }).count()).toBe(0);
    await context.close();
    // And the API agrees: not this CS manager's client.
    const res = await h.app.inject({ method: 'POST', url: `/v1/clients/${f.clientId}/site-keys`, headers: other.auth, payload: { origins: [SHOP] } });
    expect(res.statusCode).toBe(403);
  });
});
