// Billing through the pages only, in a real Chromium against the real API and Postgres: finance opens a
// draft from its task list, edits a line, holds and releases it, issues it (asked to confirm) and
// downloads its PDF and the month's CSV; imports a bank statement CSV, where one receipt matches by
// itself and the other is matched by hand from the waiting queue. A client downloads its own invoice's
// PDF, at phone width too, and gets "not found" for another client's invoice.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { draftMonth } from '../../src/billing/invoicing.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

// Its own database: the receipts queue, the open invoices to match and the month's drafts are this file's alone.
const MONTH = '2026-10';
let h: Harness;
let web: Web;
type Auth = Awaited<ReturnType<typeof userWithToken>>;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl')) });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

/** A client with a billing account (its legal name and payer kana) and an engagement billed `fee` a month. */
async function billedClient(fin: Auth, cs: Auth, legal: string, kana: string, fee: number) {
  const c = await makeClient(h.db, `Invoices ${randomUUID().slice(0, 8)}`);
  const acct = await h.app.inject({ method: 'PUT', url: `/v1/clients/${c.id}/billing`, headers: fin.auth, payload: { legal_name: legal, payer_kana: [kana] } });
  expect(acct.statusCode, acct.body).toBe(200);
  const e = await h.db
    .insertInto('engagements')
    .values({ client_id: c.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: fee, start_month: MONTH, status: 'active', workflow_id: `engagement-web-invoices-${randomUUID()}`, created_by: cs.user.id } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const plan = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: fee } });
  expect(plan.statusCode, plan.body).toBe(200);
  return c.id;
}

async function download(page: Page, testid: string): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return readFileSync((await d.path())!);
}

const confirm = (page: Page, label: string) => page.getByRole('dialog').getByRole('button', { name: label }).click();

describe.skipIf(!HAVE_CHROMIUM)('invoices and receipts in the browser', () => {
  it('finance reviews and issues a draft, downloads its PDF, imports receipts and matches the waiting one; a client sees only its own', async () => {
    const fin = await userWithToken(h.db, 'finance');
    const cs = await userWithToken(h.db, 'cs_manager');
    const a = await billedClient(fin, cs, '株式会社エー商事', 'ｴｰｼｮｳｼﾞ', 300_000);
    const b = await billedClient(fin, cs, '株式会社ビー物産', 'ﾋﾞｰﾌﾞﾂｻﾝ', 200_000);
    await draftMonth(h.db, h.config.billing, MONTH, fin.user.id);
    const drafts = (await h.app.inject({ url: `/v1/invoices?month=${MONTH}`, headers: fin.auth })).json().items as { id: number; client_id: number }[];
    const invA = drafts.find((i) => i.client_id === a)!.id;
    const invB = drafts.find((i) => i.client_id === b)!.id;
    // B is issued through the API; A goes through the pages.
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${invB}/issue`, headers: fin.auth })).statusCode).toBe(200);

    // The task list's draft to review is a link to the invoice page.
    const f = await signedIn(web, fin.token, 'en');
    await f.page.locator(`a[href="/invoices/${invA}"]`).first().click();
    await f.page.getByRole('heading', { name: 'Invoice Draft for 株式会社エー商事' }).waitFor();
    await expect.poll(() => f.page.getByTestId('invoice-total').textContent()).toBe('¥330,000');
    // The month's list, filtered, names the client.
    await f.page.getByRole('link', { name: 'Invoices', exact: true }).click();
    await f.page.getByLabel('Month').fill(MONTH);
    await expect.poll(() => f.page.getByTestId('invoice-row').count()).toBe(2);
    await f.page.getByRole('link', { name: 'Draft for 株式会社エー商事' }).click();

    // Edit the line: totals follow (tax once per rate).
    await f.page.getByRole('button', { name: /^Edit line: プラットフォーム利用料/ }).click();
    await f.page.getByRole('dialog').getByLabel('Amount (tax excl.)').fill('280000');
    await f.page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => f.page.getByTestId('invoice-total').textContent()).toBe('¥308,000');

    // Hold with a reason (asked first): it cannot be issued until released.
    await f.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await f.page.getByRole('dialog').getByLabel('Reason').fill('check the discount with CS');
    await confirm(f.page, 'Confirm');
    await f.page.getByTestId('hold-reason').getByText('Held: check the discount with CS').waitFor();
    expect(await f.page.getByRole('button', { name: 'Issue', exact: true }).count()).toBe(0);
    await f.page.getByRole('button', { name: 'Release' }).click();
    await confirm(f.page, 'Confirm');
    await f.page.getByRole('button', { name: 'Issue', exact: true }).click();
    await f.page.getByRole('dialog').getByText('Issue ¥308,000 to 株式会社エー商事').waitFor();
    await screenshot(f.page, 'invoice-issue-en');
    await confirm(f.page, 'Confirm');
    await f.page.getByRole('heading', { name: /^Invoice INV-\d{7}$/ }).waitFor();
    expect(await f.page.getByRole('button', { name: /^Edit line/ }).count()).toBe(0);
    await f.page.getByText('Issued invoices do not change').waitFor();
    await expectAccessible(f.page, 'invoice (issued)');
    const pdf = await download(f.page, 'invoice-pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The month's export for accounting.
    await f.page.getByRole('link', { name: 'Invoices', exact: true }).click();
    await f.page.getByLabel('Month').fill(MONTH);
    const csv = (await download(f.page, 'export-csv')).toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]).toMatch(/^invoice_number,kind,/);
    expect(csv.filter((r) => r.includes('株式会社エー商事')).length).toBe(1);
    expect(await missingKeys(f.page)).toEqual([]);
    await f.context.close();

    // Receipts, in Japanese: a statement with one payment that matches by itself and one that cannot.
    const r = await signedIn(web, fin.token, 'ja');
    await r.page.getByRole('link', { name: '入金消込' }).click();
    await r.page.getByRole('heading', { name: '入金消込', level: 1 }).waitFor();
    await r.page.getByText('消込待ちの入金はありません。').waitFor();
    await r.page.locator('input[type=file]').setInputFiles({
      name: 'statement.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`date,payer_name,amount\n2026-11-20,ｴｰｼｮｳｼﾞ,308000\n2026-11-21,ﾀﾅｶ ﾀﾛｳ,220000\n`),
    });
    await r.page.getByRole('button', { name: '取り込む' }).click();
    await expect.poll(() => r.page.getByTestId('import-result').textContent()).toBe('2 行を読み込み、新規 2 件（消込 1 件、未消込 1 件）。');
    const waiting = r.page.getByTestId('unmatched-receipt');
    await expect.poll(() => waiting.count()).toBe(1);
    await waiting.getByText('この振込名義の未入金の請求書がありません').waitFor();
    await waiting.getByLabel('請求書').click();
    await r.page.getByRole('option', { name: /株式会社ビー物産/ }).click();
    await expectAccessible(r.page, 'receipts (waiting)');
    await waiting.getByRole('button', { name: '消し込む' }).click();
    await r.page.getByRole('dialog').getByText(/ﾀﾅｶ ﾀﾛｳ からの ¥220,000 を INV-\d{7}（株式会社ビー物産）の入金とします/).waitFor();
    await screenshot(r.page, 'receipt-match-ja');
    await confirm(r.page, '確定');
    await r.page.getByText('消込待ちの入金はありません。').waitFor();
    for (const id of [invA, invB]) {
      const v = (await h.app.inject({ url: `/v1/invoices/${id}`, headers: fin.auth })).json();
      expect([v.payment_status, v.outstanding_yen]).toEqual(['paid', 0]);
    }
    expect(await missingKeys(r.page)).toEqual([]);
    await r.context.close();

    // Client A, in Japanese and at phone width: its own invoice and PDF; B's invoice is "not found".
    const clientA = await userWithToken(h.db, 'client', { clientId: a });
    const c = await signedIn(web, clientA.token, 'ja');
    await c.page.getByRole('link', { name: '請求書', exact: true }).click();
    await expect.poll(() => c.page.getByTestId('invoice-row').count()).toBe(1);
    await c.page.setViewportSize({ width: 390, height: 844 });
    expect(await c.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(c.page, 'client-invoices-390');
    await expectAccessible(c.page, 'client invoices at 390 px');
    await c.page.getByTestId('invoice-row').getByRole('link').click();
    await c.page.getByRole('heading', { name: /^請求書 INV-\d{7}$/ }).waitFor();
    expect(await c.page.getByRole('button', { name: '発行' }).count()).toBe(0);
    expect(await c.page.getByRole('button', { name: /明細を編集/ }).count()).toBe(0);
    expect((await download(c.page, 'invoice-pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await c.page.goto(`${web.base}/invoices/${invB}`);
    await c.page.getByTestId('not-found').waitFor();
    expect(await missingKeys(c.page)).toEqual([]);
    await c.context.close();
  });
});
