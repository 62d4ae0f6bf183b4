// Billing end to end on real Postgres and a real Temporal server: price plans, the invoicing workflow
// (API, CLI, schedule; idempotent), review and issue, immutability, credit notes, PDF and export,
// receipts matching, overdue alerts and tasks, partners (referral commissions, resale, tenancy),
// margin report. Each test uses its own months (2025-xx: before any engagement other files create)
// and its own clients.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftMonth } from '../../src/billing/invoicing.ts';
import { draftRun, openRun } from '../../src/payouts/runs.ts';
import { raiseOverdueAlerts } from '../../src/billing/queries.ts';
import { ensureInvoicingSchedule, startInvoicing } from '../../src/billing/start.ts';
import { INVOICING_SCHEDULE_ID } from '../../src/shared/billing.ts';
import { invoices as invoicesCli } from '../../src/cli/invoices.ts';
import { addMonths, tokyoMonthOf } from '../../src/domain/months.ts';
import { workflowsPath } from '../../src/temporal.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness, dataConverter } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;
let h: Harness;
let fin: Auth;
let admin: Auth;
let cs: Auth;

beforeAll(async () => {
  h = await createHarness();
  fin = await userWithToken(h.db, 'finance');
  admin = await userWithToken(h.db, 'admin');
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(async () => {
  await h?.close();
});

async function billedClient(legal: string, kana: string[] = []) {
  const c = await makeClient(h.db, `Billing ${randomUUID().slice(0, 8)}`);
  const res = await h.app.inject({ method: 'PUT', url: `/v1/clients/${c.id}/billing`, headers: fin.auth, payload: { legal_name: legal, payer_kana: kana } });
  expect(res.statusCode, res.body).toBe(200);
  return c.id;
}

async function engagement(clientId: number, startMonth: string, plan: { platform_fee_yen: number; cs_support_yen?: number; growth_team_yen?: number }, ended?: string) {
  const e = await h.db
    .insertInto('engagements')
    .values({
      client_id: clientId,
      cs_manager_id: cs.user.id,
      offer_mode: 'open',
      monthly_fee_yen: plan.platform_fee_yen,
      start_month: startMonth,
      status: ended ? 'ended' : 'active',
      workflow_id: `engagement-billing-test-${randomUUID()}`,
      created_by: cs.user.id,
      ...(ended ? { ended_at: ended, end_reason: 'immediately: test' } : {}),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const res = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/price-plan`, headers: cs.auth, payload: plan });
  expect(res.statusCode, res.body).toBe(200);
  return e.id;
}

async function invoicesOf(month: string, clientId: number, auth: Auth = fin) {
  const res = await h.app.inject({ url: `/v1/invoices?month=${month}&client_id=${clientId}`, headers: auth.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<Record<string, any>>;
}

/** Drafts through the API (the workflow) and waits for the client's invoice. */
async function draftViaApi(month: string, clientId: number) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/invoicing-runs', headers: fin.auth, payload: { month } });
  expect(res.statusCode, res.body).toBe(202);
  return eventually(async () => (await invoicesOf(month, clientId))[0]);
}

async function issue(id: number) {
  const res = await h.app.inject({ method: 'POST', url: `/v1/invoices/${id}/issue`, headers: fin.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function pdfText(id: number, auth: Auth = fin) {
  const res = await h.app.inject({ url: `/v1/invoices/${id}/pdf`, headers: auth.auth });
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const pdf = await getDocumentProxy(new Uint8Array(res.rawPayload));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

describe('price plans', () => {
  it('are dated: the first from the start month, a change from the next month; 400 names the field', async () => {
    const client = await billedClient('株式会社プラン');
    const id = await engagement(client, '2025-01', { platform_fee_yen: 300_000, cs_support_yen: 50_000 });
    const next = addMonths(tokyoMonthOf(Date.now()), 1);
    const res = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: 400_000 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().current).toMatchObject({ effective_month: '2025-01', platform_fee_yen: 300_000, cs_support_yen: 50_000, monthly_total_yen: 350_000 });
    expect(res.json().upcoming).toEqual([expect.objectContaining({ effective_month: next, platform_fee_yen: 400_000 })]);
    const early = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: 1, from_month: '2025-02' } });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.details[0].path).toBe('/body/from_month');
    const bad = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: -5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/platform_fee_yen');
    const clientUser = await userWithToken(h.db, 'client', { clientId: client });
    expect((await h.app.inject({ url: `/v1/engagements/${id}/price-plan`, headers: clientUser.auth })).statusCode).toBe(200);
    const other = await userWithToken(h.db, 'client', { clientId: await billedClient('別会社') });
    expect((await h.app.inject({ url: `/v1/engagements/${id}/price-plan`, headers: other.auth })).statusCode).toBe(404);
  });
});

describe('invoicing', () => {
  it('tax is computed once per rate and the invoice carries every required field (PDF too)', async () => {
    const month = '2025-03';
    const client = await billedClient('株式会社カイゼン商事', ['ｶｲｾﾞﾝｼｮｳｼﾞ']);
    await engagement(client, '2025-01', { platform_fee_yen: 333_333, cs_support_yen: 50_001 });
    await engagement(client, '2025-02', { platform_fee_yen: 100_005, growth_team_yen: 20_005 });
    const draft = await draftViaApi(month, client);
    // Σ 503,344 → floor(50,334.4) = 50,334; per-line floors would sum to 50,333.
    expect(draft).toMatchObject({ status: 'draft', subtotal_yen: 503_344, tax_yen: 50_334, total_yen: 553_678, number: null });
    const inv = await issue(draft.id);
    expect(inv.number).toMatch(/^INV-\d{7}$/);
    expect(inv).toMatchObject({
      issuer_registration_number: h.config.billing.issuerRegistrationNumber,
      issuer_name: h.config.billing.issuerName,
      recipient_name: '株式会社カイゼン商事',
      period_start: '2025-03-01',
      period_end: '2025-03-31',
      due_date: '2025-04-30',
      tax_basis: 'tax_exclusive',
      rounding: 'floor',
      tax_summary: [{ rate_bp: 1000, taxable_yen: 503_344, tax_yen: 50_334 }],
    });
    expect(inv.issue_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(inv.lines.map((l: { item: string; amount_yen: number }) => [l.item, l.amount_yen])).toEqual([
      ['platform_fee', 333_333], ['cs_support', 50_001], ['platform_fee', 100_005], ['growth_team', 20_005],
    ]);
    const text = await pdfText(inv.id);
    for (const s of ['株式会社カイゼン商事', '御中', '¥553,678', '¥503,344', '¥50,334', h.config.billing.issuerRegistrationNumber, inv.number, '2025年3月1日', '切り捨て', '10%']) {
      expect(text).toContain(s);
    }
  });

  it("an issued invoice is e-mailed to the client's users in their language (invoice.issued), once", async () => {
    const month = '2027-03';
    const client = await billedClient('通知商事株式会社');
    await engagement(client, '2027-03', { platform_fee_yen: 200_000 });
    const user = await userWithToken(h.db, 'client', { clientId: client });
    const address = `billing-${client}-${randomUUID().slice(0, 6)}@example.test`;
    expect((await h.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: user.auth, payload: { email: address, locale: 'ja' } })).statusCode).toBe(200);
    const inv = await issue((await draftViaApi(month, client)).id);
    const inbox = async () => (await h.app.inject({ url: `/v1/dev/mailbox?to=${encodeURIComponent(address)}`, headers: admin.auth })).json().items as { subject: string; text: string }[];
    const [mail] = await eventually(async () => {
      const m = await inbox();
      return m.length ? m : undefined;
    }, 60_000);
    expect(mail!.subject).toBe(`請求書 ${inv.number} を発行しました`);
    expect(mail!.text).toContain(inv.due_date);
    const deliveries = await h.db.selectFrom('notification_deliveries').select('user_id').where('event_id', '=', `invoice.issued:${inv.id}`).execute();
    expect(deliveries.map((d) => d.user_id)).toEqual([user.user.id]);
    // Issuing again is refused and tells nobody again.
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/issue`, headers: fin.auth })).statusCode).toBe(409);
    expect(await inbox()).toHaveLength(1);
  });

  it('drafting twice (two clicks, a retry, the CLI, a replay) gives one invoice per client; CLI and API agree', async () => {
    const month = '2025-04';
    const client = await billedClient('株式会社二重');
    await engagement(client, '2025-04', { platform_fee_yen: 200_000 });
    const [a, b] = await Promise.all([
      h.app.inject({ method: 'POST', url: '/v1/invoicing-runs', headers: fin.auth, payload: { month } }),
      h.app.inject({ method: 'POST', url: '/v1/invoicing-runs', headers: fin.auth, payload: { month } }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect([a.json().started, b.json().started].sort()).toEqual([false, true]);
    const inv = await eventually(async () => (await invoicesOf(month, client))[0]);
    // The same use case again (an activity retry) and concurrently.
    const again = await Promise.all([draftMonth(h.db, h.config.billing, month, null), draftMonth(h.db, h.config.billing, month, null)]);
    expect(again.every((s) => s.invoice_ids.includes(inv.id))).toBe(true);
    const out: string[] = [];
    expect(await invoicesCli(['draft', '--month', month], (fn) => fn(h.db), (s) => void out.push(s))).toBe(0);
    const cli = JSON.parse(out.join(''));
    expect(cli.created).toBe(0);
    expect(cli.invoices.find((i: { client_id: number }) => i.client_id === client)).toMatchObject({ id: inv.id, total_yen: 220_000 });
    const api = (await h.app.inject({ url: `/v1/invoices?month=${month}&kind=invoice`, headers: fin.auth })).json().items;
    expect(cli.invoices.map((i: { id: number; total_yen: number }) => [i.id, i.total_yen])).toEqual(api.map((i: { id: number; total_yen: number }) => [i.id, i.total_yen]));
    expect(await invoicesOf(month, client)).toHaveLength(1);
    // The workflow's history replays against today's code.
    const history = await h.temporal.workflow.getHandle(`invoicing-${month}`).fetchHistory();
    for await (const r of Worker.runReplayHistories({ workflowsPath, dataConverter }, [{ workflowId: 'fresh', history }])) {
      expect(r.error, String(r.error)).toBeUndefined();
    }
  });

  it('an engagement ended immediately mid-month is billed for the days it ran; a held draft is not issued', async () => {
    const month = '2025-06';
    const client = await billedClient('株式会社日割');
    await engagement(client, '2025-01', { platform_fee_yen: 300_000, cs_support_yen: 30_000 }, '2025-06-10T05:00:00Z'); // 14:00 JST on 10 June
    const draft = await draftViaApi(month, client);
    const view = (await h.app.inject({ url: `/v1/invoices/${draft.id}`, headers: fin.auth })).json();
    expect(view.lines.map((l: any) => [l.amount_yen, l.days_billed, l.days_in_month])).toEqual([[100_000, 10, 30], [10_000, 10, 30]]);
    expect(view.lines[0].description).toContain('日割 10/30日');
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/hold`, headers: fin.auth, payload: { reason: 'check the end date' } })).statusCode).toBe(200);
    const refused = await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/issue`, headers: fin.auth });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/held/);
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/release`, headers: fin.auth })).statusCode).toBe(200);
    const edited = await h.app.inject({ method: 'PATCH', url: `/v1/invoices/${draft.id}/lines/${view.lines[1].id}`, headers: fin.auth, payload: { amount_yen: 9_999 } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ subtotal_yen: 109_999, tax_yen: 10_999, total_yen: 120_998 });
    expect((await issue(draft.id)).status).toBe('issued');
  });

  it('issued invoices cannot change: 409 from the API, the database refuses', async () => {
    const month = '2025-05';
    const client = await billedClient('株式会社不変');
    await engagement(client, '2025-05', { platform_fee_yen: 123_456 });
    const inv = await issue((await draftViaApi(month, client)).id);
    const lineId = inv.lines[0].id;
    for (const [method, url, payload] of [
      ['PATCH', `/v1/invoices/${inv.id}/lines/${lineId}`, { amount_yen: 1 }],
      ['POST', `/v1/invoices/${inv.id}/lines`, { description: 'x', amount_yen: 1 }],
      ['POST', `/v1/invoices/${inv.id}/hold`, { reason: 'x' }],
      ['POST', `/v1/invoices/${inv.id}/issue`, undefined],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: fin.auth, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(409);
      expect(res.json().error.code).toBe('conflict');
    }
    await expect(sql`update invoices set total_yen = 1 where id = ${inv.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from invoices where id = ${inv.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`update invoice_lines set amount_yen = 1 where id = ${lineId}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`insert into invoice_lines (invoice_id, line_key, position, item, description, amount_yen, tax_rate_bp) values (${inv.id}, ${randomUUID()}, 9, 'adjustment', 'x', 1, 1000)`.execute(h.db)).rejects.toThrow(/immutable/);
    expect((await h.app.inject({ url: `/v1/invoices/${inv.id}`, headers: fin.auth })).json().total_yen).toBe(135_801);
  });

  it('a credit note references its original and the month nets out (export CSV/JSON)', async () => {
    const month = '2025-07';
    const client = await billedClient('株式会社返還');
    await engagement(client, '2025-07', { platform_fee_yen: 105, cs_support_yen: 105 });
    await engagement(client, '2025-07', { platform_fee_yen: 105 });
    const inv = await issue((await draftViaApi(month, client)).id);
    expect(inv).toMatchObject({ subtotal_yen: 315, tax_yen: 31, total_yen: 346 });
    const cn = await h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/credit-notes`, headers: { ...fin.auth, 'idempotency-key': 'cn-1' }, payload: { reason: '契約解除' } });
    expect(cn.statusCode, cn.body).toBe(201);
    const note = cn.json();
    expect(note).toMatchObject({ kind: 'credit_note', status: 'issued', original: { id: inv.id, number: inv.number }, subtotal_yen: -315, tax_yen: -31, total_yen: -346 });
    expect(note.number).toMatch(/^CRN-\d{7}$/);
    // Same key: the same note; nothing left to credit: 409.
    const again = await h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/credit-notes`, headers: { ...fin.auth, 'idempotency-key': 'cn-1' }, payload: { reason: '契約解除' } });
    expect(again.json().id).toBe(note.id);
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/credit-notes`, headers: fin.auth, payload: { reason: 'again' } })).statusCode).toBe(409);
    const ex = (await h.app.inject({ url: `/v1/invoices/export?month=${month}&format=json`, headers: fin.auth })).json();
    const mine = ex.invoices.filter((i: any) => i.bill_to.client_id === client);
    expect(mine.map((i: any) => [i.kind, i.number, i.original_number])).toEqual([['invoice', inv.number, null], ['credit_note', note.number, inv.number]]);
    expect(mine.reduce((s: number, i: any) => s + i.total_yen, 0)).toBe(0);
    expect(mine.reduce((s: number, i: any) => s + i.tax_yen, 0)).toBe(0);
    const csv = await h.app.inject({ url: `/v1/invoices/export?month=${month}`, headers: fin.auth });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toMatch(/^invoice_number,kind,original_number,issue_date,month/);
    expect(rows.filter((r) => r.startsWith(`${note.number},credit_note,${inv.number},`))).toHaveLength(3);
    expect((await h.app.inject({ url: `/v1/invoices/${inv.id}`, headers: fin.auth })).json()).toMatchObject({ outstanding_yen: 0, payment_status: 'credited' });
    const text = await pdfText(note.id);
    expect(text).toContain('返還インボイス');
    expect(text).toContain(inv.number);
  });

  it("an invoice's and a receipt's actions are what their routes accept: allowed ones succeed, refused ones answer with the same reason", async () => {
    const month = '2024-07';
    const client = await billedClient('株式会社操作', ['ｿｳｻ']);
    await engagement(client, month, { platform_fee_yen: 50_000 });
    const draft = await draftViaApi(month, client);
    const call = async (method: 'POST' | 'PATCH', url: string, payload?: object) => h.app.inject({ method, url, headers: fin.auth, ...(payload ? { payload } : {}) });
    const viewOf = async (id: number, auth = fin) => (await h.app.inject({ url: `/v1/invoices/${id}`, headers: auth.auth })).json();
    const refused = async (res: { statusCode: number; json(): any }, reason: string | null) => {
      expect(res.statusCode).toBe(409);
      // The answer is the reason as a sentence (errors.ts ends it with a full stop).
      expect(res.json().error.message.replace(/\.$/, '')).toBe(reason);
    };
    let v = await viewOf(draft.id);
    expect(Object.fromEntries(Object.entries(v.actions).map(([k, a]: [string, any]) => [k, a.allowed]))).toEqual({ edit_lines: true, add_line: true, hold: true, release: false, issue: true, credit_note: false });
    await refused(await call('POST', `/v1/invoices/${draft.id}/release`), v.actions.release.reason);
    await refused(await call('POST', `/v1/invoices/${draft.id}/credit-notes`, { reason: 'x' }), v.actions.credit_note.reason);
    v = (await call('POST', `/v1/invoices/${draft.id}/hold`, { reason: 'check' })).json();
    expect([v.actions.hold.allowed, v.actions.release.allowed, v.actions.issue.allowed]).toEqual([false, true, false]);
    await refused(await call('POST', `/v1/invoices/${draft.id}/hold`, { reason: 'again' }), v.actions.hold.reason);
    await refused(await call('POST', `/v1/invoices/${draft.id}/issue`), v.actions.issue.reason);
    expect((await call('POST', `/v1/invoices/${draft.id}/release`)).statusCode).toBe(200);
    v = (await call('POST', `/v1/invoices/${draft.id}/issue`)).json();
    expect(Object.fromEntries(Object.entries(v.actions).map(([k, a]: [string, any]) => [k, a.allowed]))).toEqual({ edit_lines: false, add_line: false, hold: false, release: false, issue: false, credit_note: true });
    await refused(await call('PATCH', `/v1/invoices/${draft.id}/lines/${v.lines[0].id}`, { amount_yen: 1 }), v.actions.edit_lines.reason);
    // The client sees its issued invoice with every review action refused by role (403 from the route).
    const user = await userWithToken(h.db, 'client', { clientId: client });
    const mine = await viewOf(draft.id, user);
    expect(Object.values(mine.actions).every((a: any) => !a.allowed && a.reason)).toBe(true);
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/credit-notes`, headers: user.auth, payload: { reason: 'x' } })).statusCode).toBe(403);
    // A receipt: waiting, it may be matched; matched, the match is refused with its reason.
    const r = await h.app.inject({ method: 'POST', url: '/v1/receipts', headers: fin.auth, payload: { received_on: '2024-08-30', payer_name: 'ﾍﾞﾂﾒｲｷﾞ', amount_yen: v.total_yen } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ status: 'unmatched', actions: { match: { allowed: true, reason: null } } });
    const matched = await call('POST', `/v1/receipts/${r.json().id}/match`, { invoice_id: draft.id });
    expect(matched.statusCode, matched.body).toBe(200);
    expect(matched.json().actions.match.allowed).toBe(false);
    await refused(await call('POST', `/v1/receipts/${r.json().id}/match`, { invoice_id: draft.id }), matched.json().actions.match.reason);
  });

  it('a client user sees and downloads only its own issued invoices (404 for others)', async () => {
    const month = '2025-08';
    const mineId = await billedClient('株式会社自社');
    const otherId = await billedClient('株式会社他社');
    await engagement(mineId, '2025-08', { platform_fee_yen: 10_000 });
    await engagement(otherId, '2025-08', { platform_fee_yen: 20_000 });
    const mine = await issue((await draftViaApi(month, mineId)).id);
    const other = await eventually(async () => (await invoicesOf(month, otherId))[0]);
    const user = await userWithToken(h.db, 'client', { clientId: mineId });
    const list = (await h.app.inject({ url: `/v1/invoices?month=${month}`, headers: user.auth })).json().items;
    expect(list.map((i: { id: number }) => i.id)).toEqual([mine.id]);
    expect((await h.app.inject({ url: `/v1/invoices/${other.id}`, headers: user.auth })).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/v1/invoices/${other.id}/pdf`, headers: user.auth })).statusCode).toBe(404);
    expect(await pdfText(mine.id, user)).toContain('株式会社自社');
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${mine.id}/issue`, headers: user.auth })).statusCode).toBe(403);
    expect((await h.app.inject({ url: '/v1/invoices' })).statusCode).toBe(401);
  });

  it('the invoicing workflow watches its month: an issued invoice past its due date raises the overdue alerts', async () => {
    const month = '2024-11';
    const client = await billedClient('株式会社監視', ['ｶﾝｼ']);
    await engagement(client, month, { platform_fee_yen: 50_000 }, '2024-12-01T00:00:00+09:00');
    const r = await startInvoicing(h.temporal, h.config.taskQueue, { month, requestedBy: fin.user.id, checkEveryMs: 300 });
    expect(r).toMatchObject({ workflowId: `invoicing-${month}`, started: true });
    const draft = await eventually(async () => (await invoicesOf(month, client))[0]);
    expect(draft.due_date).toBe('2024-12-30'); // 31 Dec is a bank holiday: the previous business day
    const inv = await issue(draft.id);
    const alerts = await eventually(async () => {
      const rows = await h.db.selectFrom('billing_alerts').select('recipient').where('invoice_id', '=', inv.id).execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(alerts.map((a) => a.recipient).sort()).toEqual(['finance', `user:${cs.user.id}`]);
    const handle = h.temporal.workflow.getHandle(`invoicing-${month}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });

  it('the monthly Schedule (Asia/Tokyo, the 1st) is created once and invoices the month just ended', async () => {
    const cfg = { taskQueue: h.config.taskQueue, billing: { invoicingHour: 6 } };
    expect(await ensureInvoicingSchedule(h.temporal, cfg)).toBe(true);
    expect(await ensureInvoicingSchedule(h.temporal, cfg)).toBe(false);
    const schedule = h.temporal.schedule.getHandle(INVOICING_SCHEDULE_ID);
    try {
      const d = await schedule.describe();
      expect(d.spec.timezone).toBe('Asia/Tokyo');
      expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 6, end: 6, step: 1 }] });
      await schedule.trigger();
      const month = addMonths(tokyoMonthOf(Date.now()), -1);
      const wf = h.temporal.workflow.getHandle(`invoicing-${month}`);
      await eventually(async () => (await wf.describe()).status.name !== undefined);
      await wf.terminate('test over').catch(() => undefined);
    } finally {
      await schedule.delete();
    }
  });
});

describe('receipts', () => {
  it('match exactly, within the fee tolerance, and not when the name or amount is off; overdue raises alerts and tasks', async () => {
    const month = '2025-09';
    const ids: Record<string, number> = {};
    for (const [k, legal, kana] of [['exact', '株式会社一致', 'ｲﾂﾁ'], ['fee', '株式会社手数料', 'ﾃｽｳﾘﾖｳ'], ['name', '株式会社名違', 'ﾅﾁｶﾞｲ'], ['amount', '株式会社額違', 'ｶﾞｸﾁｶﾞｲ']] as const) {
      const c = await billedClient(legal, [kana]);
      await engagement(c, '2025-09', { platform_fee_yen: 100_000 });
      ids[k] = c;
    }
    const inv: Record<string, any> = {};
    for (const k of Object.keys(ids)) inv[k] = await issue((await draftViaApi(month, ids[k]!)).id);
    expect(inv.exact.total_yen).toBe(110_000);
    const csv = [
      'date,payer_name,amount',
      '2025-10-31,ｶ)ｲﾂﾁ,110000',
      '2025-10-31,ﾃｽｳﾘｮｳ(ｶ,"109,340"', // short by ¥660: the transfer fee
      '2025-10-31,ﾍﾞﾂﾉｶｲｼﾔ,110000', // nobody of that name
      '2025-10-31,ｶﾞｸﾁｶﾞｲ,100000', // ¥10,000 short: beyond the tolerance
    ].join('\n');
    const res = await h.app.inject({ method: 'POST', url: '/v1/receipts/import', headers: { ...fin.auth, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ lines: 4, created: 4, matched: 2, unmatched: 2 });
    const r = res.json().receipts;
    expect(r[0]).toMatchObject({ status: 'matched', invoice_id: inv.exact.id, fee_yen: 0, matched_how: 'exact' });
    expect(r[1]).toMatchObject({ status: 'matched', invoice_id: inv.fee.id, fee_yen: 660, matched_how: 'within_fee_tolerance' });
    expect(r[2]).toMatchObject({ status: 'unmatched', invoice_id: null });
    expect(r[3]).toMatchObject({ status: 'unmatched', invoice_id: null });
    // The same statement again adds nothing.
    expect((await h.app.inject({ method: 'POST', url: '/v1/receipts/import', headers: { ...fin.auth, 'content-type': 'text/csv' }, payload: csv })).json()).toMatchObject({ created: 0 });
    const waiting = (await h.app.inject({ url: '/v1/receipts?status=unmatched', headers: fin.auth })).json().items.map((x: { id: number }) => x.id);
    expect(waiting).toEqual(expect.arrayContaining([r[2].id, r[3].id]));
    expect((await h.app.inject({ url: `/v1/invoices/${inv.fee.id}`, headers: fin.auth })).json()).toMatchObject({ outstanding_yen: 0, payment_status: 'paid' });
    // A bad line is a 400 naming line and column.
    const bad = await h.app.inject({ method: 'POST', url: '/v1/receipts/import', headers: { ...fin.auth, 'content-type': 'text/csv' }, payload: 'date,payer_name,amount\n2025-10-31,ｲﾂﾁ,abc\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('/body/line/2/amount');
    // A manual receipt for the rest of the short payer matches by hand-entered amount.
    const manual = await h.app.inject({ method: 'POST', url: '/v1/receipts', headers: fin.auth, payload: { received_on: '2025-11-05', payer_name: 'ｶﾞｸﾁｶﾞｲ', amount_yen: 110_000 } });
    expect(manual.statusCode, manual.body).toBe(201);
    expect(manual.json()).toMatchObject({ status: 'matched', invoice_id: inv.amount.id });

    // The name-mismatch invoice is overdue (due 2025-10-31): alerts to finance and its CS manager, tasks.
    const { raised } = await raiseOverdueAlerts(h.db);
    expect(raised).toBeGreaterThanOrEqual(2);
    expect((await raiseOverdueAlerts(h.db)).raised).toBe(0);
    const alerts = await h.db.selectFrom('billing_alerts').selectAll().where('invoice_id', '=', inv.name.id).orderBy('recipient').execute();
    expect(alerts.map((a) => a.recipient)).toEqual(['finance', `user:${cs.user.id}`]);
    expect(alerts[0]!.message).toContain(inv.name.number);
    const finTasks = (await h.app.inject({ url: '/v1/billing/tasks', headers: fin.auth })).json().items;
    expect(finTasks).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'invoice_overdue', invoice_id: inv.name.id, client_id: ids.name, overdue: true, due_at: '2025-10-31T23:59:59+09:00' }),
      expect.objectContaining({ kind: 'match_receipt', receipt_id: r[2].id }),
    ]));
    expect(finTasks.some((t: any) => t.kind === 'invoice_overdue' && t.invoice_id === inv.exact.id)).toBe(false);
    const csTasks = (await h.app.inject({ url: '/v1/billing/tasks', headers: cs.auth })).json().items;
    expect(csTasks.some((t: any) => t.invoice_id === inv.name.id)).toBe(true);
    // Finance matches the waiting receipt by hand.
    const byHand = await h.app.inject({ method: 'POST', url: `/v1/receipts/${r[2].id}/match`, headers: fin.auth, payload: { invoice_id: inv.name.id } });
    expect(byHand.statusCode, byHand.body).toBe(200);
    expect((await h.app.inject({ url: `/v1/invoices/${inv.name.id}`, headers: fin.auth })).json().payment_status).toBe('paid');
  });
});

describe('partners', () => {
  async function partner(name: string, registered: boolean) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/partners',
      headers: fin.auth,
      payload: { name, legal_name: `株式会社${name}`, ...(registered ? { invoice: { registration_number: 'T5010001008846', registered_on: '2023-10-01' } } : {}) },
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    const u = await h.app.inject({ method: 'POST', url: `/v1/partners/${p.id}/users`, headers: admin.auth, payload: { name: `${name} user` } });
    expect(u.statusCode, u.body).toBe(201);
    return { id: p.id as number, auth: { authorization: `Bearer ${u.json().token}` } };
  }

  it('a referral commission accrues once per invoice line, is reversed by a credit note and shows in the statement with tax', async () => {
    const month = '2025-10';
    const p = await partner('人材紹介', true);
    const client = await billedClient('株式会社紹介先');
    const e = await engagement(client, '2025-10', { platform_fee_yen: 333_333, cs_support_yen: 100_000 });
    const attr = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e}/partner`, headers: fin.auth, payload: { partner_id: p.id, mode: 'referral', commission_bp: 1500, commission_to_month: '2026-09' } });
    expect(attr.statusCode, attr.body).toBe(200);
    const inv = await issue((await draftViaApi(month, client)).id);
    const rows = await h.db.selectFrom('partner_commissions').selectAll().where('partner_id', '=', p.id).orderBy('id').execute();
    expect(rows.map((r) => [r.invoice_line_id, r.base_yen, r.amount_yen])).toEqual([[inv.lines[0].id, 333_333, 49_999], [inv.lines[1].id, 100_000, 15_000]]);
    // Once per line, whatever the retries: the unique key refuses a second accrual.
    await expect(sql`insert into partner_commissions (unique_key, partner_id, engagement_id, invoice_line_id, month, base_yen, rate_bp, amount_yen) values (${`commission:${inv.lines[0].id}`}, ${p.id}, ${e}, ${inv.lines[0].id}, ${month}, 1, 1, 1)`.execute(h.db)).rejects.toThrow(/unique/);
    const st = (await h.app.inject({ url: `/v1/partners/${p.id}/statements/${month}`, headers: p.auth })).json();
    expect(st).toMatchObject({ commission_yen: 64_999, consumption_tax_yen: 6_499, withholding_yen: 0, total_payable_yen: 71_498, partner: { registered: true } });
    // Crediting one line reverses its commission.
    const cn = await h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/credit-notes`, headers: fin.auth, payload: { reason: 'CS返金', lines: [{ line_id: inv.lines[1].id, amount_yen: 100_000 }] } });
    expect(cn.statusCode, cn.body).toBe(201);
    const st2 = (await h.app.inject({ url: `/v1/partners/${p.id}/statements/${month}`, headers: fin.auth })).json();
    expect(st2.commission_yen).toBe(49_999);
    // Margin: billed 333,333 (after the credit), commissions 49,999.
    const m = (await h.app.inject({ url: `/v1/reports/margin?month=${month}&partner_id=${p.id}`, headers: fin.auth })).json();
    expect(m.items).toEqual([expect.objectContaining({ engagement_id: e, client_id: client, partner_id: p.id, billed_yen: 333_333, commissions_yen: 49_999, margin_yen: 283_334 })]);
    const csv = await h.app.inject({ url: `/v1/reports/margin?month=${month}&partner_id=${p.id}&format=csv`, headers: fin.auth });
    expect(csv.body.split('\r\n')[0]).toBe('month,engagement_id,client_id,partner_id,billed_yen,received_yen,paid_to_hackers_yen,withheld_yen,commissions_yen,margin_yen');
  });

  it('a resale bills the partner at wholesale, not the client; partner users see only their own engagements (404 otherwise)', async () => {
    const month = '2025-11';
    const reseller = await partner('広告代理', false);
    const other = await partner('求人媒体', false);
    const client = await billedClient('株式会社再販先');
    const e = await engagement(client, '2025-11', { platform_fee_yen: 500_000, cs_support_yen: 100_000 });
    const otherClient = await billedClient('株式会社別紹介先');
    const e2 = await engagement(otherClient, '2025-11', { platform_fee_yen: 100_000 });
    expect((await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e}/partner`, headers: fin.auth, payload: { partner_id: reseller.id, mode: 'resale', wholesale_bp: 7000 } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e2}/partner`, headers: fin.auth, payload: { partner_id: other.id, mode: 'referral', commission_bp: 1000 } })).statusCode).toBe(200);
    const noWholesale = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e}/partner`, headers: fin.auth, payload: { partner_id: reseller.id, mode: 'resale' } });
    expect(noWholesale.statusCode).toBe(400);
    expect(noWholesale.json().error.details[0].path).toBe('/body/wholesale_bp');
    await h.app.inject({ method: 'POST', url: '/v1/invoicing-runs', headers: fin.auth, payload: { month } });
    const toPartner = await eventually(async () => {
      const items = (await h.app.inject({ url: `/v1/invoices?month=${month}`, headers: fin.auth })).json().items;
      return items.find((i: any) => i.partner_id === reseller.id);
    });
    expect(toPartner).toMatchObject({ bill_to_kind: 'partner', client_id: null, recipient_name: '株式会社広告代理', subtotal_yen: 420_000, tax_yen: 42_000 });
    await eventually(async () => (await invoicesOf(month, otherClient))[0]);
    expect(await invoicesOf(month, client)).toEqual([]);
    const issued = await issue(toPartner.id);
    // The reseller sees its invoice; the other partner does not.
    expect((await h.app.inject({ url: `/v1/invoices/${issued.id}`, headers: reseller.auth })).statusCode).toBe(200);
    expect((await h.app.inject({ url: `/v1/invoices/${issued.id}`, headers: other.auth })).statusCode).toBe(404);
    // Engagement views: own ones with results, never people; 404 for another partner's.
    const own = await h.app.inject({ url: `/v1/partners/${reseller.id}/engagements/${e}`, headers: reseller.auth });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ id: e, mode: 'resale', results: { tests: 0, wins: 0, monthly_revenue_uplift_yen: 0 } });
    expect(JSON.stringify(own.json())).not.toMatch(/hacker|bank|cs_manager/);
    expect((await h.app.inject({ url: `/v1/partners/${reseller.id}/engagements/${e2}`, headers: reseller.auth })).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/v1/partners/${other.id}/engagements/${e2}`, headers: reseller.auth })).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/v1/partners/${other.id}/engagements`, headers: reseller.auth })).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/v1/engagements/${e}`, headers: reseller.auth })).statusCode).toBe(403);
    const list = (await h.app.inject({ url: `/v1/partners/${reseller.id}/engagements`, headers: reseller.auth })).json().items;
    expect(list.map((x: { id: number }) => x.id)).toEqual([e]);
  });
});

describe('consumption tax on payouts', () => {
  /** The payout item that pays a ledger line (whichever run drafted it: runs share the database). */
  async function itemPaying(ledgerId: number) {
    return h.db
      .selectFrom('payout_item_lines as l')
      .innerJoin('payout_items as i', 'i.id', 'l.item_id')
      .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
      .select(['i.id', 'i.hacker_id', 'i.fee_total', 'i.consumption_tax_yen', 'i.withholding_base', 'i.withholding', 'i.gross_payable', 'i.net_transfer', 'r.month', 'r.payment_date'])
      .where('l.ledger_id', '=', ledgerId)
      .where('l.released', '=', false)
      .executeTakeFirstOrThrow();
  }

  it('a registered payee is paid fee + 10% and withholding ignores it; a referral commission reaches the payout run; 支払通知書 and input tax', async () => {
    const month = '2028-09'; // paid in 2028-09 (2029-03 belongs to payout-lifecycle): unregistered input tax is 50% creditable
    const partnerRes = await h.app.inject({ method: 'POST', url: '/v1/partners', headers: fin.auth, payload: { name: 'Staffing', legal_name: '株式会社スタッフィング', invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' } } });
    const partner = partnerRes.json();
    expect(partner.payee_hacker_id).toEqual(expect.any(Number));
    const client = await billedClient('株式会社手数料元');
    const e = await engagement(client, '2025-12', { platform_fee_yen: 200_000 });
    await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e}/partner`, headers: fin.auth, payload: { partner_id: partner.id, mode: 'referral', commission_bp: 2000 } });

    const hacker = async (name: string, registered: boolean) => {
      const id = (await h.db.insertInto('hackers').values({ display_name: name, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
      const res = await h.app.inject({ method: 'PUT', url: `/v1/hackers/${id}/payee`, headers: fin.auth, payload: { legal_name: name, ...(registered ? { invoice: { registration_number: 'T5010001008846', registered_on: '2023-10-01' } } : {}) } });
      expect(res.statusCode, res.body).toBe(200);
      const line = await h.db.insertInto('earnings_ledger').values({
        unique_key: `adoption_fee:${id}:${randomUUID()}`, hacker_id: id, engagement_id: e, cycle_id: null, offer_id: null, proposal_id: null,
        kind: 'adoption_fee', amount_yen: registered ? 500_000 : 300_000, category: 'design', month, delivered_at: `${month}-05T03:00:00Z`, reverses_id: null, description: 'デザイン料',
      }).returning('id').executeTakeFirstOrThrow();
      return { id, line: line.id };
    };
    const reg = await hacker('登録デザイナー', true);
    const unreg = await hacker('免税デザイナー', false);
    const inv = await issue((await draftViaApi('2025-12', client)).id);
    const commission = await h.db.selectFrom('earnings_ledger').selectAll().where('unique_key', '=', `partner_commission:${inv.lines[0].id}`).executeTakeFirstOrThrow();
    expect(commission).toMatchObject({ hacker_id: partner.payee_hacker_id, amount_yen: 40_000, kind: 'partner_commission', category: 'none' });

    const { run } = await openRun(h.db, month, fin.user.id);
    await draftRun(h.db, run.id, 25);
    // Registered: 500,000 + 50,000 shown separately; withholding on the fee alone (10.21%).
    expect(await itemPaying(reg.line)).toMatchObject({ month, fee_total: 500_000, consumption_tax_yen: 50_000, gross_payable: 550_000, withholding_base: 500_000, withholding: 51_050, net_transfer: 498_950 });
    // Unregistered: the agreed fee, nothing added.
    expect(await itemPaying(unreg.line)).toMatchObject({ fee_total: 300_000, consumption_tax_yen: 0, gross_payable: 300_000, withholding: 30_630, net_transfer: 269_370 });
    // The partner (a registered corporation) is a payee of the run: commission + 10%, no withholding.
    const p = await itemPaying(commission.id);
    expect(p.hacker_id).toBe(partner.payee_hacker_id);
    expect(p).toMatchObject({ withholding: 0, withholding_base: 0 });
    expect(p.consumption_tax_yen).toBe(Math.floor(p.fee_total / 10));

    const st = await h.app.inject({ url: `/v1/payees/${reg.id}/payment-statements/${month}`, headers: fin.auth });
    expect(st.statusCode, st.body).toBe(200);
    expect(st.json()).toMatchObject({ registered: true, fee_yen: 500_000, consumption_tax_yen: 50_000, withholding_yen: 51_050, net_yen: 498_950, payee_registration_number: 'T5010001008846' });
    const me = await userWithToken(h.db, 'hacker', { hackerId: unreg.id });
    expect((await h.app.inject({ url: `/v1/payees/${reg.id}/payment-statements/${month}`, headers: me.auth })).statusCode).toBe(404);
    const pdf = await h.app.inject({ url: `/v1/payees/${unreg.id}/payment-statements/${month}/pdf`, headers: me.auth });
    expect(pdf.statusCode).toBe(200);
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
    for (const s of ['支払通知書', '免税デザイナー', '¥300,000', '¥30,630', '¥269,370', '源泉徴収税額', '未登録']) expect(text).toContain(s);

    const tax = (await h.app.inject({ url: `/v1/reports/input-tax?month=${month}`, headers: fin.auth })).json();
    expect(tax.unregistered.credit_bp).toBe(5000);
    const row = (id: number) => tax.payees.find((r: { hacker_id: number }) => r.hacker_id === id);
    expect(row(reg.id)).toMatchObject({ registered: true, consumption_tax_paid_yen: 50_000, creditable_input_tax_yen: 50_000 });
    expect(row(unreg.id)).toMatchObject({ registered: false, deemed_input_tax_yen: 27_272, credit_bp: 5000, creditable_input_tax_yen: 13_636 });
  });
});
