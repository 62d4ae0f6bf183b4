// The audit trail (issue 29): every change to access and money settings leaves one row — who, when,
// what (secrets masked), from which request — readable and exportable by admins only; a refused
// change and a retried request leave none.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { expectAccessible, signedIn, startWeb } from '../web/browser.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

const SHOP = 'https://audit-shop.example';

describe('the audit trail', () => {
  it('records users, tokens, sessions, site keys, billing accounts, payee details and kill switches; masks secrets; admins read and export it', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const finance = await userWithToken(h.db, 'finance');
    // A client this CS manages (an engagement with a running test).
    const client = { id: (await runningTest(h.db, cs.user.id, [1, 1])).clientId };
    const inject = async (method: 'POST' | 'PUT' | 'DELETE', url: string, auth: { authorization: string }, payload?: object, extra: Record<string, string> = {}) => {
      const res = await h.app.inject({ method, url, headers: { ...auth, 'user-agent': 'audit-test', ...extra }, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };
    const before = (await h.db.selectFrom('audit_log' as never).select(sql<number>`max(id)`.as('m')).executeTakeFirst()) as { m: number | null } | undefined;
    const since = before?.m ?? 0;

    const created = await inject('POST', '/v1/users', admin.auth, { name: '監査 太郎', role: 'client', client_id: client.id });
    const key = await inject('POST', `/v1/clients/${client.id}/site-keys`, cs.auth, { origins: [SHOP] }, { 'idempotency-key': 'audit-key-1' });
    // The same request again (a retry): changes nothing (a key is shown once: 409), no second row.
    const retried = await h.app.inject({ method: 'POST', url: `/v1/clients/${client.id}/site-keys`, headers: { ...cs.auth, 'idempotency-key': 'audit-key-1' }, payload: { origins: [SHOP] } });
    expect(retried.statusCode).toBe(409);
    await inject('DELETE', `/v1/site-keys/${key.id}`, cs.auth);
    await inject('PUT', `/v1/clients/${client.id}/billing`, finance.auth, { legal_name: '監査商事株式会社', payer_kana: ['ｶﾝｻｼｮｳｼﾞ'] });
    await inject('PUT', `/v1/clients/${client.id}/kill-switch`, cs.auth, { on: true });
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: 'Audit Hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] } as never).returning('id').executeTakeFirstOrThrow();
    const hacker = await userWithToken(h.db, 'hacker', { hackerId: hackerRow.id });
    await inject('PUT', `/v1/hackers/${hackerRow.id}/payee`, hacker.auth, { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '7654321', holder_name: 'ｶﾝｻ ﾀﾛｳ' } });
    await inject('POST', '/v1/session', hacker.auth);
    // Refused (another CS does not manage this client): no row.
    const other = await userWithToken(h.db, 'cs_manager');
    expect((await h.app.inject({ method: 'PUT', url: `/v1/clients/${client.id}/kill-switch`, headers: other.auth, payload: { on: false } })).statusCode).toBe(403);

    const trail = await h.app.inject({ url: '/v1/audit?limit=100', headers: admin.auth });
    expect(trail.statusCode, trail.body).toBe(200);
    // Other files change settings in the shared database at the same time: this test's people's rows.
    const ours = new Set([admin.user.id, cs.user.id, finance.user.id, hacker.user.id]);
    const rows = (trail.json().items as any[]).filter((r) => r.id > since && ours.has(r.actor_user_id)).reverse();
    expect(rows.map((r) => r.action)).toEqual(['user.create', 'site_key.create', 'site_key.revoke', 'billing_account.set', 'kill_switch.client', 'payee.update', 'session.sign_in']);
    const byAction = Object.fromEntries(rows.map((r) => [r.action, r]));
    expect(byAction['user.create']).toMatchObject({ actor_user_id: admin.user.id, actor_role: 'admin', subject: { id: created.id }, changes: { name: '監査 太郎', role: 'client' }, user_agent: 'audit-test', status: 201 });
    expect(byAction['user.create'].request_id).toBeTruthy();
    expect(byAction['site_key.create']).toMatchObject({ actor_user_id: cs.user.id, subject: { id: client.id }, changes: { origins: [SHOP] } });
    expect(byAction['site_key.revoke']).toMatchObject({ subject: { id: key.id }, method: 'DELETE', route: '/v1/site-keys/:id' });
    expect(byAction['kill_switch.client']).toMatchObject({ changes: { on: true } });
    expect(byAction['payee.update'].changes).toEqual({ bank: '***' });
    // Nothing secret anywhere in the trail: not the new user's token, the site key, the account.
    const all = JSON.stringify((await sql`select * from audit_log`.execute(h.db)).rows);
    for (const secret of [created.token, key.key, '7654321', 'ｶﾝｻ ﾀﾛｳ', hacker.token]) expect(all).not.toContain(secret);

    // Filters and the export; admins only.
    // Other files change site keys in the shared database too: every row is a site-key change, ours among them.
    const siteKeys = (await h.app.inject({ url: '/v1/audit?action=site_key.&limit=1000', headers: admin.auth })).json().items as any[];
    expect(siteKeys.every((r) => r.action.startsWith('site_key.'))).toBe(true);
    expect(siteKeys.filter((r) => r.id > since && r.actor_user_id === cs.user.id).map((r) => r.action).sort()).toEqual(['site_key.create', 'site_key.revoke']);
    const csv = await h.app.inject({ url: `/v1/audit?format=csv&actor_user_id=${cs.user.id}`, headers: admin.auth });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,actor_user_id,actor_name,actor_role,action/);
    expect(lines.slice(1).map((l) => /,(site_key\.\w+|kill_switch\.\w+),/.exec(l)?.[1])).toEqual(['kill_switch.client', 'site_key.revoke', 'site_key.create']);
    for (const who of [cs, finance, hacker]) expect((await h.app.inject({ url: '/v1/audit', headers: who.auth })).statusCode).toBe(403);
  });

  it('the audit page shows the trail in the reader\'s language, filters by kind and links the CSV export (admin, ja)', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    expect((await h.app.inject({ method: 'PUT', url: `/v1/clients/${f.clientId}/kill-switch`, headers: cs.auth, payload: { on: true } })).statusCode).toBe(200);
    const web = await startWeb(h);
    try {
      const { context, page } = await signedIn(web, admin.token, 'ja');
      await page.getByRole('link', { name: '監査ログ' }).click();
      await page.getByRole('heading', { name: '監査ログ' }).waitFor();
      const rows = page.getByTestId('audit-row');
      await rows.first().waitFor();
      await expect(page.getByText('クライアントのキルスイッチ').first().isVisible()).resolves.toBe(true);
      await expect(page.getByText('サインイン').first().isVisible()).resolves.toBe(true);
      await expectAccessible(page, 'audit page (ja)');
      // Filtered to kill switches: every row is one.
      await page.getByLabel('変更の種類').first().click();
      await page.getByRole('option', { name: 'キルスイッチ' }).click();
      await expect.poll(async () => (await rows.allTextContents()).every((t) => t.includes('キルスイッチ'))).toBe(true);
      const href = await page.getByRole('link', { name: 'CSVで書き出す' }).getAttribute('href');
      expect(href).toBe('/v1/audit?format=csv&limit=1000&action=kill_switch.');
      await context.close();
      // Not an admin: no menu entry, and the API refuses.
      const other = await signedIn(web, cs.token, 'ja');
      expect(await other.page.getByRole('link', { name: '監査ログ' }).count()).toBe(0);
      await other.context.close();
    } finally {
      await web.close();
    }
  }, 120_000);
});
