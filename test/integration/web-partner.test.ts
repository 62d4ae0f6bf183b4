// A partner through the pages only, in a real Chromium against the real API and Postgres: signed in,
// it lands on its partner page (not an error), sees the clients attributed to it with their results,
// the month's commissions line by line and the invoice billed to it (a resale); another partner's
// page is "not found", in English and in Japanese, and at phone width.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { draftMonth } from '../../src/billing/invoicing.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

// Its own database: the month's drafts and the partners' lists are this file's alone.
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

describe.skipIf(!HAVE_CHROMIUM)('partners in the browser', () => {
  it('a partner sees its clients, commissions and invoices, never another partner’s (404 on the direct URL)', async () => {
    const fin = await userWithToken(h.db, 'finance');
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const partner = async (name: string) => {
      const p = await h.app.inject({ method: 'POST', url: '/v1/partners', headers: fin.auth, payload: { name, legal_name: `株式会社${name}`, invoice: { registration_number: 'T5010001008846', registered_on: '2023-10-01' } } });
      expect(p.statusCode, p.body).toBe(201);
      const u = await h.app.inject({ method: 'POST', url: `/v1/partners/${p.json().id}/users`, headers: admin.auth, payload: { name: `${name} staff` } });
      expect(u.statusCode, u.body).toBe(201);
      return { id: p.json().id as number, token: u.json().token as string };
    };
    const engagement = async (clientName: string, fee: number, attribution: object) => {
      const c = await makeClient(h.db, clientName);
      await h.app.inject({ method: 'PUT', url: `/v1/clients/${c.id}/billing`, headers: fin.auth, payload: { legal_name: `株式会社${clientName}` } });
      const e = await h.db
        .insertInto('engagements')
        .values({ client_id: c.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: fee, start_month: MONTH, status: 'active', workflow_id: `engagement-web-partner-${randomUUID()}`, created_by: cs.user.id } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      expect((await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: fee } })).statusCode).toBe(200);
      const put = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/partner`, headers: fin.auth, payload: attribution });
      expect(put.statusCode, put.body).toBe(200);
      return e.id;
    };
    const mine = await partner('北斗紹介');
    const other = await partner('南風エージェント');
    await engagement('Sakura Foods', 400_000, { partner_id: mine.id, mode: 'referral', commission_bp: 1500 });
    await engagement('Umi Travel', 500_000, { partner_id: mine.id, mode: 'resale', wholesale_bp: 7000 });
    await engagement('Yama Outdoor', 300_000, { partner_id: other.id, mode: 'referral', commission_bp: 1000 });
    await draftMonth(h.db, h.config.billing, MONTH, fin.user.id);
    // Issuing accrues the referral commissions; the resale is billed to the partner itself.
    for (const i of (await h.app.inject({ url: `/v1/invoices?month=${MONTH}`, headers: fin.auth })).json().items as { id: number }[]) {
      expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${i.id}/issue`, headers: fin.auth })).statusCode).toBe(200);
    }

    for (const lang of ['en', 'ja'] as const) {
      const w = (en: string, ja: string) => (lang === 'en' ? en : ja);
      const { context, page } = await signedIn(web, mine.token, lang);
      // The partner lands on its pages, with its own partner only.
      await page.getByRole('heading', { name: w('Partners', 'パートナー'), level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId('partner-row').count()).toBe(1);
      await page.getByRole('link', { name: '北斗紹介' }).click();
      await page.getByRole('heading', { name: '北斗紹介', level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId('partner-engagement').count()).toBe(2);
      const sakura = page.getByTestId('partner-engagement').filter({ hasText: 'Sakura Foods' });
      await sakura.getByText(w('Referral', '紹介'), { exact: true }).waitFor();
      await sakura.getByText(w('15% from 2026-10 to open-ended', '15%（2026-10 〜 期限なし）')).waitFor();
      expect(await page.getByText('Yama Outdoor').count()).toBe(0);
      // The month's statement: 15% of the Sakura fee, consumption tax (registered), no withholding.
      await page.getByLabel(w('Month', '対象月')).fill(MONTH);
      await expect.poll(() => page.getByTestId('partner-commissionTotal').textContent()).toBe('¥60,000');
      expect(await page.getByTestId('partner-consumptionTax').textContent()).toBe('¥6,000');
      expect(await page.getByTestId('partner-withholding').textContent()).toBe('¥0');
      expect(await page.getByTestId('partner-payable').textContent()).toBe('¥66,000');
      const line = page.getByTestId('commission-line');
      await expect.poll(() => line.count()).toBe(1);
      await line.getByText('Sakura Foods').waitFor();
      await line.getByText(w('Platform fee', 'プラットフォーム利用料')).waitFor();
      // The resale's invoice is billed to the partner and opens with its PDF.
      await expect.poll(() => page.getByTestId('partner-invoice').count()).toBe(1);
      expect(await page.getByTestId('partner-invoice').textContent()).toContain('¥385,000');
      await expectAccessible(page, `partner page (${lang})`);
      await screenshot(page, `partner-${lang}`);
      if (lang === 'ja') {
        await page.setViewportSize({ width: 390, height: 844 });
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(page, 'partner-390');
        await expectAccessible(page, 'partner page at 390 px');
      }
      await page.getByTestId('partner-invoice').getByRole('link').click();
      await page.getByRole('heading', { name: new RegExp(`^${w('Invoice', '請求書')} INV-\\d{7}$`) }).waitFor();
      await page.getByTestId('invoice-pdf').waitFor();
      // Another partner's page, by its address: not found, as for anything it may not know exists.
      await page.goto(`${web.base}/partners/${other.id}`);
      await page.getByTestId('not-found').waitFor();
      expect(await page.getByText('南風エージェント').count()).toBe(0);
      expect(await missingKeys(page)).toEqual([]);
      await context.close();
    }
  });
});
