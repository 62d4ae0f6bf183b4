// Words and names in a real Chromium, in Japanese (issue 26.2–26.5): a form error is Japanese text at
// its field (never a JSON pointer); the engagements list names the client; a test without visitors
// warns with what to check; a Japanese learning tag is a choice that finds its entry; a payout run's
// task and audit trail name people — "あなた" for the reader, the preparer's name for the other
// finance user — and say the four-eyes rule in Japanese.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { knowledgeSearchFields } from '../../src/domain/cycles/knowledge-search.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, signedIn, startWeb, type Web } from '../web/browser.ts';

// Its own database and a month no other file uses: the run drafts every unpaid line up to its month.
const MONTH = '2096-05';
let h: Harness;
let web: Web;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl'), 2_140_000_000) });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('words and names in the browser (ja)', () => {
  it('field errors in Japanese at the field, client names, the no-traffic warning, a Japanese tag, people by name and あなた', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const finA = await userWithToken(h.db, 'finance');
    const finB = await userWithToken(h.db, 'finance');
    await h.db.updateTable('users').set({ name: '経理 一郎' }).where('id', '=', finA.user.id).execute();
    const client = await makeClient(h.db, '株式会社ことば商店');
    const f = await runningTest(h.db, cs.user.id, [1, 1], client.id);
    await h.db.updateTable('tests').set({ started_at: sql`now() - interval '30 hours'` }).where('id', '=', f.testId).execute();
    const pageId = (await h.db.selectFrom('tests').select('page_id').where('id', '=', f.testId).executeTakeFirstOrThrow()).page_id;
    const entry = { hypothesis: '計測タグのついた学び', change: 'CTAを上へ', learnings: null, tags: ['計測', 'cta'], page_type: 'product', outcome: 'winner', industry: 'ecommerce', month: '2026-12' };
    await h.db.insertInto('knowledge_entries').values({ ...entry, ...knowledgeSearchFields(entry), test_id: f.testId, client_id: client.id, engagement_id: f.engagementId, page_id: pageId, lift: 0.1, ci_low: 0.02, ci_high: 0.2, status: 'final' }).execute();

    const a = await signedIn(web, admin.token, 'ja');
    // A field error: Japanese words at the industry field, tied to it, no JSON pointer anywhere.
    await a.page.goto(`${web.base}/admin`);
    await a.page.getByRole('tab', { name: 'クライアント' }).click();
    await a.page.getByLabel('名称', { exact: true }).fill('テスト顧客');
    await a.page.locator('input').and(a.page.getByLabel('業種', { exact: true })).fill('EC サイト');
    await a.page.keyboard.press('Escape');
    await a.page.getByRole('button', { name: 'クライアントを追加' }).click();
    const industry = a.page.locator('input').and(a.page.getByLabel('業種', { exact: true }));
    await expect.poll(() => industry.getAttribute('aria-invalid')).toBe('true');
    const described = (await industry.getAttribute('aria-describedby'))!.split(' ');
    const said = await Promise.all(described.map((id) => a.page.locator(`[id="${id}"]`).textContent()));
    expect(said.join(' ')).toContain('半角英小文字・数字');
    expect(await a.page.locator('main').textContent()).not.toMatch(/\/body\/|must match pattern/);

    // The engagements list names the client.
    await a.page.goto(`${web.base}/engagements`);
    await a.page.getByTestId('client-name').filter({ hasText: '株式会社ことば商店' }).first().waitFor();

    // The test page: no visitors for a day, and what to check.
    await a.page.goto(`${web.base}/tests/${f.testId}`);
    expect(await a.page.getByTestId('hypothesis').textContent()).toBe('the buy button is below the fold');
    const warning = a.page.getByTestId('test-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/24時間、訪問者がいません.*サイトキー.*SDK/s);
    await expectAccessible(a.page, 'test with the no-traffic warning (ja)');

    // Knowledge: the Japanese tag is a suggestion, is accepted as a filter and finds its entry.
    await a.page.goto(`${web.base}/knowledge`);
    await a.page.getByTestId('knowledge-card').first().waitFor();
    const tags = a.page.locator('input').and(a.page.getByLabel('タグ', { exact: true }));
    await tags.fill('計');
    await a.page.getByRole('option', { name: '計測' }).click();
    await expect.poll(async () => (await a.page.getByTestId('knowledge-card').allTextContents()).join('|')).toMatch(/^[^|]*計測タグのついた学び[^|]*$/);
    expect(await missingKeys(a.page)).toEqual([]);
    await a.context.close();

    // A payout run finance A opened: the task and the audit trail say "あなた" to A, A's name to B.
    const { id: hackerId } = await h.db.insertInto('hackers').values({ display_name: '田中 デザイン', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const payee = await h.app.inject({ method: 'PUT', url: `/v1/hackers/${hackerId}/payee`, headers: finA.auth, payload: { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '7654321', holder_name: 'ﾀﾅｶ ﾃﾞｻﾞｲﾝ' } } });
    expect(payee.statusCode, payee.body).toBe(200);
    await h.db
      .insertInto('earnings_ledger')
      .values({ unique_key: `words:${hackerId}`, hacker_id: hackerId, engagement_id: f.engagementId, cycle_id: null, offer_id: null, proposal_id: null, kind: 'adoption_fee', amount_yen: 120_000, category: 'design', month: MONTH, delivered_at: `${MONTH}-01T03:00:00Z`, reverses_id: null, description: 'adoption' })
      .execute();
    const opened = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finA.auth, payload: { month: MONTH } });
    expect(opened.statusCode, opened.body).toBeLessThan(300);
    const runId = opened.json().id as number;
    await eventually(async () => (await h.app.inject({ url: `/v1/payout-runs/${runId}`, headers: finA.auth })).json().status === 'review', 120_000, 500);

    const fa = await signedIn(web, finA.token, 'ja');
    const refusal = fa.page.getByTestId('approve-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/あなたが準備しました.*四つの目/);
    await fa.page.goto(`${web.base}/payout-runs/${runId}`);
    expect(await fa.page.getByTestId('prepared-by').textContent()).toContain('あなた');
    await fa.page.getByRole('tab', { name: '監査ログ' }).click();
    await fa.page.getByTestId('audit-action').filter({ hasText: '支払処理を開始' }).waitFor();
    expect(await fa.page.getByTestId('audit-actor').allTextContents()).toContain('あなた');
    expect(await fa.page.locator('main').textContent()).not.toMatch(/user:\d|run_opened/);
    await expectAccessible(fa.page, 'payout run audit (ja)');
    await fa.context.close();

    const fb = await signedIn(web, finB.token, 'ja');
    await fb.page.goto(`${web.base}/payout-runs/${runId}`);
    expect(await fb.page.getByTestId('prepared-by').textContent()).toContain('経理 一郎');
    await fb.page.getByRole('tab', { name: '監査ログ' }).click();
    await fb.page.getByTestId('audit-actor').filter({ hasText: '経理 一郎' }).first().waitFor();
    expect(await missingKeys(fb.page)).toEqual([]);
    await fb.context.close();
  }, 300_000);
});
