// A first-time finance user in a real Chromium against the real API, Postgres and Temporal: opens a
// month's payout run, holds an item, is told plainly that they cannot approve the run they prepared;
// a second finance user approves it and downloads the Zengin file (120-byte records); the bank fails
// one transfer: the run needs attention with the reason in words, the second user retries it (asked to
// confirm), the retry goes into a second Zengin file, and once the bank confirms it the run remits.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { confirmTransfers, createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

// Its own database: a run drafts every unpaid line up to its month, so it must not take (or give)
// other files' lines; the month is used by no other test (runs are unique per month in Temporal).
const MONTH = '2098-04';
let h: Harness;
let web: Web;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl')) });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('finance in the browser', () => {
  it('holds an item, cannot approve its own run, a second finance user approves, the Zengin file downloads; a failed transfer is retried', async () => {
    const finA = await userWithToken(h.db, 'finance');
    const finB = await userWithToken(h.db, 'finance');
    const cs = await userWithToken(h.db, 'cs_manager');
    const client = await makeClient(h.db, 'Finance UI Client');
    const e = await h.db
      .insertInto('engagements')
      .values({ client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 1_000_000, start_month: '2098-01', status: 'active', workflow_id: `engagement-web-finance-${randomUUID()}`, created_by: cs.user.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const payees: { id: number; name: string }[] = [];
    for (const [i, name] of ['Aoki Design', 'Baba Studio', 'Chiba Works'].entries()) {
      const row = await h.db.insertInto('hackers').values({ display_name: name, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
      const put = await h.app.inject({
        method: 'PUT',
        url: `/v1/hackers/${row.id}/payee`,
        headers: finA.auth,
        payload: { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: String(3_000_000 + i), holder_name: 'ｱｵｷ ﾃﾞｻﾞｲﾝ' } },
      });
      expect(put.statusCode, put.body).toBe(200);
      await h.db
        .insertInto('earnings_ledger')
        .values({ unique_key: `web:${row.id}`, hacker_id: row.id, engagement_id: e.id, cycle_id: null, offer_id: null, proposal_id: null, kind: 'adoption_fee', amount_yen: 150_000 + i * 10_000, category: 'design', month: MONTH, delivered_at: `${MONTH}-01T03:00:00Z`, reverses_id: null, description: `adoption ${name}` })
        .execute();
      payees.push({ id: row.id, name });
    }

    // Finance A finds the payout runs in the navigation and opens the month's run.
    const a = await signedIn(web, finA.token, 'en');
    await a.page.getByRole('link', { name: 'Payout runs' }).click();
    await a.page.getByRole('heading', { name: 'Payout runs' }).waitFor();
    await a.page.getByLabel('Open the run of a month').fill(MONTH);
    await a.page.getByRole('button', { name: 'Open', exact: true }).click();
    await a.page.getByRole('heading', { name: `Payout run ${MONTH}` }).waitFor();
    await a.page.getByText('In review').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => a.page.getByTestId('payout-item').count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => a.page.getByTestId('total-gross').textContent()).toBe('¥480,000');

    // Hold one item with a reason (asked to confirm).
    const row = a.page.getByTestId('payout-item').filter({ hasText: 'Baba Studio' });
    await row.getByRole('button', { name: 'Hold' }).click();
    await a.page.getByRole('dialog').getByLabel('Reason').fill('invoice number to be checked');
    await a.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await row.getByText('Held').waitFor();
    await expect.poll(() => a.page.getByTestId('total-held').textContent()).toBe('1 (¥160,000)');

    // The four-eyes rule, shown plainly: A prepared the run and cannot approve it.
    await expect.poll(() => a.page.getByTestId('four-eyes').textContent()).toMatch(/You prepared this run.*another finance user must approve it/);
    expect(await a.page.getByRole('button', { name: 'Approve the run' }).isDisabled()).toBe(true);
    await screenshot(a.page, 'payout-run-review-en');
    await expectAccessible(a.page, 'payout run (review)');
    // And the API says so too, in words, if A tries anyway.
    const runId = Number(new URL(a.page.url()).pathname.split('/').pop());
    const self = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: finA.auth });
    expect(self.statusCode).toBe(403);
    expect(await missingKeys(a.page)).toEqual([]);

    // Finance B approves it (asked to confirm, with the amount and the date).
    const b = await signedIn(web, finB.token, 'ja');
    await b.page.goto(`${web.base}/payout-runs/${runId}`);
    await b.page.getByText('あなたはこの処理の作成者ではないため承認できます。').waitFor();
    await screenshot(b.page, 'payout-run-review-ja');
    await b.page.getByRole('button', { name: '支払処理を承認' }).click();
    await b.page.getByRole('dialog').getByText(/2 件・合計 ¥\d{3},\d{3} の振込/).waitFor();
    await b.page.getByRole('dialog').getByRole('button', { name: '確定' }).click();
    const records = async (testid: string) => {
      const link = b.page.getByTestId(testid);
      await link.waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([b.page.waitForEvent('download'), link.click()]);
      const bytes = readFileSync((await download.path())!);
      return bytes.toString('latin1').split('\r\n').filter((r) => r.length > 0);
    };
    const first = await records('zengin-1');
    // header, 2 data records (the held one is not paid), trailer, end.
    expect(first.length).toBe(5);
    for (const r of first) expect(Buffer.byteLength(r, 'latin1')).toBe(120);
    expect(first[0]!.startsWith('1')).toBe(true);
    expect(first.at(-1)!.startsWith('9')).toBe(true);
    expect(await missingKeys(b.page)).toEqual([]);

    // The bank's answer: Chiba Works' transfer failed, Aoki Design's arrived.
    const chiba = payees.find((p) => p.name === 'Chiba Works')!;
    const failedItem = await eventually(() =>
      h.db.selectFrom('payout_items').select('id').where('run_id', '=', runId).where('hacker_id', '=', chiba.id).where('status', '=', 'handed_to_bank').executeTakeFirst(),
    );
    const failed = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${failedItem.id}/result`, headers: finA.auth, payload: { outcome: 'failed', reason: '振込不能: 口座なし' } });
    expect(failed.statusCode, failed.body).toBe(200);
    await confirmTransfers(h, runId, finA.user.id);

    // B is told the run needs attention, sees why, and retries the transfer (asked to confirm, with a reason).
    await b.page.getByTestId('needs-attention').getByText(/1 件の振込が振込不能または組戻し/).waitFor({ timeout: 60_000 });
    const failedRow = b.page.getByTestId('payout-item').filter({ hasText: 'Chiba Works' });
    await failedRow.getByTestId('failure-reason').getByText('理由：振込不能: 口座なし').waitFor();
    expect(await failedRow.getByRole('button', { name: '翌月へ移動' }).isVisible()).toBe(true);
    await screenshot(b.page, 'payout-run-needs-attention-ja');
    await expectAccessible(b.page, 'payout run (needs attention)');
    await failedRow.getByRole('button', { name: '再振込' }).click();
    await b.page.getByRole('dialog').getByText(/次の全銀ファイルに入れます/).waitFor();
    await b.page.getByRole('dialog').getByLabel('理由').fill('口座番号を訂正済み');
    await b.page.getByRole('dialog').getByRole('button', { name: '確定' }).click();

    // The retry goes into a second Zengin file, with that transfer only; once the bank confirms it the run remits.
    const second = await records('zengin-2');
    expect(second.length).toBe(4);
    expect(second[1]!.startsWith('2')).toBe(true);
    await confirmTransfers(h, runId, finB.user.id);
    await b.page.getByText('納付待ち').first().waitFor({ timeout: 60_000 });
    await failedRow.getByText('着金確認済み').waitFor();
    expect(await b.page.getByTestId('needs-attention').count()).toBe(0);
    expect(await missingKeys(b.page)).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});
