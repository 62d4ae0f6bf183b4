// The webhooks page in a real Chromium against the real API, Postgres and Temporal: an admin registers
// an endpoint (the secret shown once), an event is delivered to a receiver on another local port and
// the delivery log shows it; the client's user reads the same page in Japanese (no registration form),
// at 390 px too; another client's user sees none of it. axe on each.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverToWebhooks } from '../../src/notify/webhooks.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let receiver: http.Server;
let hookUrl: string;
let clientId: number;
let clientName: string;
const bodies: string[] = [];

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${randomUUID().slice(0, 8)}`;
  clientName = `Hook Shop ${randomUUID().slice(0, 6)}`;
  clientId = (await makeClient(h.db, clientName)).id;
}, 120_000);
afterAll(async () => {
  await web?.close();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('webhooks page in the browser', () => {
  it('an admin registers an endpoint, sees the secret once and the delivery log; the client reads it in Japanese; another client sees nothing', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const { page } = await signedIn(web, admin.token, 'en');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByRole('combobox', { name: 'Client' }).click();
    await page.getByRole('option', { name: clientName }).click();
    await page.getByRole('textbox', { name: 'URL' }).fill(hookUrl);
    await page.getByRole('combobox', { name: 'Event types' }).click();
    await page.getByRole('option', { name: 'test.verdict' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const secret = (await page.getByTestId('new-secret').locator('pre, code').first().textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const row = page.getByTestId('endpoint-row').filter({ hasText: hookUrl });
    await row.getByText('Active').waitFor();
    expect(await row.textContent()).toContain(secret.slice(0, 10));
    expect(await row.textContent()).not.toContain(secret);
    await row.getByText(clientName).waitFor();
    const endpoint = await h.db.selectFrom('webhook_endpoints').select(['id', 'client_id']).where('url', '=', hookUrl).executeTakeFirstOrThrow();
    expect(endpoint.client_id).toBe(clientId);

    // An event of the client reaches the receiver; the log says so.
    const eventId = `test.verdict:${randomUUID()}`;
    await deliverToWebhooks({ db: h.db, temporal: h.temporal, config: h.config }, { id: eventId, type: 'test.verdict', occurredAt: new Date().toISOString(), clientId, data: { test_id: 1 } });
    await eventually(async () => (await h.db.selectFrom('webhook_deliveries').select('status').where('event_id', '=', eventId).executeTakeFirst())?.status === 'succeeded', 60_000);
    expect(bodies.some((b) => b.includes(eventId))).toBe(true);
    await row.getByRole('button', { name: 'Deliveries' }).click();
    const delivery = page.getByTestId('delivery-row').filter({ hasText: eventId });
    await delivery.getByText('Delivered').waitFor();
    expect(await delivery.textContent()).toContain('200');
    await screenshot(page, 'webhooks-en');
    await expectAccessible(page, 'webhooks (admin, en)');
    expect(await missingKeys(page)).toEqual([]);

    // The client's user, in Japanese: reads, cannot register or rotate.
    const own = await userWithToken(h.db, 'client', { clientId });
    const ja = (await signedIn(web, own.token, 'ja')).page;
    await ja.getByRole('link', { name: 'Webhook' }).click();
    await ja.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
    const jaRow = ja.getByTestId('endpoint-row').filter({ hasText: hookUrl });
    await jaRow.getByText('有効').waitFor();
    expect(await ja.getByText('新しいエンドポイント').count()).toBe(0);
    expect(await jaRow.getByRole('button', { name: 'シークレットを更新' }).count()).toBe(0);
    await jaRow.getByRole('button', { name: '配信履歴' }).click();
    await ja.getByTestId('delivery-row').filter({ hasText: eventId }).getByText('配信済み').waitFor();
    await expectAccessible(ja, 'webhooks (client, ja)');
    expect(await missingKeys(ja)).toEqual([]);
    await ja.setViewportSize({ width: 390, height: 844 });
    await jaRow.waitFor();
    // What sticks out, named (tag, test id, class), when the page is wider than the phone.
    const wide = "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.kz-table-scroll')).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))";
    expect([await ja.evaluate('document.documentElement.scrollWidth'), await ja.evaluate(wide)]).toEqual([expect.any(Number), []]);
    // Measured once the layout has settled after the resize (a loaded machine may answer the first read early).
    await expect.poll(() => ja.evaluate('document.documentElement.scrollWidth') as Promise<number>, { timeout: 10_000 }).toBeLessThanOrEqual(390);
    await screenshot(ja, 'webhooks-ja-390');
    await expectAccessible(ja, 'webhooks at 390 px');

    // Another client's user: the page, without this endpoint.
    const stranger = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    const other = (await signedIn(web, stranger.token, 'en')).page;
    await other.getByRole('link', { name: 'Webhooks' }).click();
    await other.getByText('No endpoints yet.').waitFor();
    expect(await other.getByText(hookUrl).count()).toBe(0);
  });
});
