// Payout runs end to end, on real Postgres and a real Temporal server: payee master (validation,
// encryption, masking), draft → review (hold, four eyes) → pay through a failing simulated bank → the bank's results (confirmed, a refused one moved to the next run) →
// remit, audit log, statements, annual records, and a worker killed during payment.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createDb, type Db } from '../../src/db/index.ts';
import { withholdingDueDate } from '../../src/domain/payouts/calendar.ts';
import { SimulatedBankAdapter, ZenginFileBankAdapter, type BankAdapter, type TransferRequest } from '../../src/payouts/bank.ts';
import { PayoutMonthKey, PayoutStatusKey } from '../../src/workflows/search-attributes.ts';
import { annualRecords } from '../../src/cli/payouts-admin.ts';
import { tokyoDateOf, tokyoMonthOf } from '../../src/domain/months.ts';
import { ensurePayoutSchedule } from '../../src/payouts/start.ts';
import { PAYOUT_SCHEDULE_ID } from '../../src/payouts/types.ts';
import { confirmTransfers, createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;

let h: Harness;
let db: Db;
let finA: Auth;
let finB: Auth;
let admin: Auth;
let engagementId: number;
/** Stops exactly the worker the tests started last (the kill test replaces it). */
let stopCurrentWorker: () => Promise<void>;

/** The adapter the worker uses; each test swaps in its own simulated bank. */
const bank: BankAdapter & { impl: BankAdapter } = {
  name: 'simulated',
  impl: undefined as unknown as BankAdapter,
  transfer: (req: TransferRequest) => bank.impl.transfer(req),
};

beforeAll(async () => {
  db = createDb(inject('databaseUrl'), 3);
  bank.impl = new SimulatedBankAdapter(db);
  h = await createHarness({ deps: { bankAdapter: bank }, worker: false });
  stopCurrentWorker = await h.startWorker();
  finA = await userWithToken(h.db, 'finance');
  finB = await userWithToken(h.db, 'finance');
  admin = await userWithToken(h.db, 'admin');
  const cs = await userWithToken(h.db, 'cs_manager');
  const client = await makeClient(h.db, 'Payout Test Client');
  const e = await h.db
    .insertInto('engagements')
    .values({
      client_id: client.id,
      cs_manager_id: cs.user.id,
      offer_mode: 'open',
      monthly_fee_yen: 1_000_000,
      start_month: '2026-01',
      status: 'active',
      workflow_id: `engagement-payout-test-${randomUUID()}`,
      created_by: cs.user.id,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  engagementId = e.id;
});
afterAll(async () => {
  await h?.close();
  await db?.destroy();
});

async function hacker(name: string, kind: 'individual' | 'corporation', residency: 'resident' | 'non_resident') {
  return (await h.db.insertInto('hackers').values({ display_name: name, kind, residency, skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
}

async function line(hackerId: number, amount: number, month: string, opts: { category?: 'design' | 'none'; delivered?: string } = {}) {
  await h.db
    .insertInto('earnings_ledger')
    .values({
      unique_key: `adoption_fee:${hackerId}:${randomUUID()}`,
      hacker_id: hackerId,
      engagement_id: engagementId,
      cycle_id: null,
      offer_id: null,
      proposal_id: null,
      kind: 'adoption_fee',
      amount_yen: amount,
      category: opts.category ?? 'design',
      month,
      delivered_at: opts.delivered ?? `${month}-01T03:00:00Z`,
      reverses_id: null,
      description: `test line ${amount}`,
    })
    .execute();
}

const BANK = { bank_code: '0001', branch_code: '001', account_type: '1' as const };

async function putPayee(id: number, body: Record<string, unknown>, auth: Auth = finA) {
  return h.app.inject({ method: 'PUT', url: `/v1/hackers/${id}/payee`, headers: auth.auth, payload: body });
}

async function withBank(id: number, holder: string, extra: Record<string, unknown> = {}) {
  const res = await putPayee(id, { bank: { ...BANK, account_number: String(1_000_000 + id).slice(-7), holder_name: holder }, ...extra });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function runOf(id: number) {
  const res = await h.app.inject({ url: `/v1/payout-runs/${id}`, headers: finA.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function waitStatus(id: number, status: string, timeoutMs = 60_000) {
  return eventually(async () => {
    const r = await runOf(id);
    return r.status === status ? r : undefined;
  }, timeoutMs);
}

async function itemsOf(runId: number) {
  const all: Array<Record<string, any>> = [];
  let after: number | null = 0;
  while (after !== null) {
    const res: { statusCode: number; body: string; json(): any } = await h.app.inject({ url: `/v1/payout-runs/${runId}/items?limit=3&after_id=${after}`, headers: finA.auth });
    expect(res.statusCode, res.body).toBe(200);
    const page: { items: Array<Record<string, any>>; next_after_id: number | null } = res.json();
    all.push(...page.items);
    after = page.next_after_id;
  }
  return all;
}

describe('payee master', () => {
  it('validates bank details, invoice numbers and treaty, naming the fields; stores the account encrypted and shows it masked', async () => {
    const id = await hacker('Validation Hacker', 'individual', 'resident');
    const bad = async (body: Record<string, unknown>, path: string, pattern?: RegExp) => {
      const res = await putPayee(id, body);
      expect(res.statusCode, res.body).toBe(400);
      const err = res.json().error;
      expect(err.details.map((d: { path: string }) => d.path)).toContain(path);
      if (pattern) expect(err.details.find((d: { path: string }) => d.path === path).message).toMatch(pattern);
    };
    await bad({ bank: { ...BANK, account_number: '12345', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ' } }, '/body/bank/account_number');
    await bad({ bank: { ...BANK, bank_code: '12a4', account_number: '1234567', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ' } }, '/body/bank/bank_code');
    await bad({ bank: { ...BANK, bank_code: '9998', account_number: '1234567', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ' } }, '/body/bank/bank_code', /unknown bank code 9998/);
    await bad({ bank: { ...BANK, branch_code: '999', account_number: '1234567', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ' } }, '/body/bank/branch_code', /unknown branch/);
    await bad({ bank: { ...BANK, account_number: '1234567', holder_name: '山田太郎' } }, '/body/bank/holder_name', /kanji/);
    await bad({ bank: { ...BANK, account_type: '3', account_number: '1234567', holder_name: 'ﾔﾏﾀﾞ' } }, '/body/bank/account_type');
    await bad({ invoice: { registration_number: 'T1180301018772', registered_on: '2024-01-01' } }, '/body/invoice/registration_number', /check digit/);
    await bad({ treaty: { form_filed: true, limit_rate_percent: 10 } }, '/body/treaty', /non-resident/);

    const ok = await putPayee(id, {
      legal_name: '山田 太郎',
      invoice: { registration_number: 'T1180301018771', registered_on: '2024-01-01' },
      bank: { ...BANK, account_number: '7654321', holder_name: 'やまだ たろう' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().bank).toMatchObject({ bank_name: 'みずほ', branch_name: '東京営業部', account_number: '****321', account_type: '1' });
    expect(ok.body).not.toContain('7654321');
    expect(ok.body).not.toContain('ﾔﾏﾀﾞ ﾀﾛｳ');
    const row = await h.db.selectFrom('payees').selectAll().where('hacker_id', '=', id).executeTakeFirstOrThrow();
    expect(row.bank_encrypted).toMatch(/^v2\.k1\./);
    expect(JSON.stringify(row)).not.toContain('7654321');

    // The hacker may read its own record, nobody else's; its own changes wait for finance (202), and
    // the tax-only fields are finance's (payee-changes.test.ts covers the review).
    const self = await userWithToken(h.db, 'hacker', { hackerId: id });
    const other = await userWithToken(h.db, 'hacker', { hackerId: await hacker('Other', 'individual', 'resident') });
    expect((await h.app.inject({ url: `/v1/hackers/${id}/payee`, headers: self.auth })).json().bank.account_number).toBe('****321');
    expect((await h.app.inject({ url: `/v1/hackers/${id}/payee`, headers: other.auth })).statusCode).toBe(403);
    expect((await putPayee(id, { default_category: 'none' }, self)).statusCode).toBe(403);
    expect((await putPayee(id, { kind: 'corporation' }, self)).statusCode).toBe(403);
    expect((await putPayee(id, { residency: 'non_resident' }, self)).statusCode).toBe(202);
    expect((await h.app.inject({ url: `/v1/hackers/${id}/payee`, headers: self.auth })).json().residency).toBe('resident');
    const cs = await userWithToken(h.db, 'cs_manager');
    expect((await h.app.inject({ url: `/v1/hackers/${id}/payee`, headers: cs.auth })).statusCode).toBe(403);
    const audit = await h.db.selectFrom('payout_audit_log').selectAll().where('hacker_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['payee_updated', 'payee_change_submitted']);
    expect(JSON.stringify(audit)).not.toContain('7654321');
  });
});

describe('payout run', () => {
  it('drafts one payment per payee, holds, enforces four eyes, pays each payee exactly once through a failing bank, and remits', async () => {
    const month = '2031-03';
    const rejectKeys = new Set<string>();
    // A failing simulated bank; what it accepts also goes into the run's Zengin file (default adapter).
    const sim = new SimulatedBankAdapter(db, { failureRate: 0.4, seed: 'full-run', rejects: (r) => rejectKeys.has(`${r.payeeId}`) });
    const file = new ZenginFileBankAdapter(db, h.config.bankKey!);
    bank.impl = {
      name: 'simulated+zengin',
      async transfer(req) {
        const res = await sim.transfer(req);
        if (res.status === 'handed_to_bank') await file.transfer(req);
        return res;
      },
    };

    const r1 = await hacker('Resident One', 'individual', 'resident');
    const r2 = await hacker('Resident Two', 'individual', 'resident');
    const c1 = await hacker('Design Corp', 'corporation', 'resident');
    const n1 = await hacker('Treaty NR', 'individual', 'non_resident');
    const n2 = await hacker('Plain NR', 'individual', 'non_resident');
    const noBank = await hacker('No Bank', 'individual', 'resident');
    const toHold = await hacker('To Hold', 'individual', 'resident');
    const late = await hacker('Late Delivery', 'individual', 'resident');
    const refused = await hacker('Refused', 'individual', 'resident');
    const small = await hacker('Small', 'individual', 'resident');
    rejectKeys.add(String(refused));

    await withBank(r1, 'ﾜﾝ ﾚｼﾞﾃﾞﾝﾄ');
    await withBank(r2, 'ﾂｰ ﾚｼﾞﾃﾞﾝﾄ');
    await withBank(c1, '株式会社デザイン', { legal_name: 'デザイン株式会社', address: '東京都千代田区1-1', invoice: { registration_number: 'T5010001008846', registered_on: '2023-10-01' } });
    await withBank(n1, 'ﾄﾘｰﾃｨ', { treaty: { form_filed: true, limit_rate_percent: 10 } });
    await withBank(n2, 'ﾌﾟﾚｰﾝ');
    await withBank(toHold, 'ﾎｰﾙﾄﾞ');
    await withBank(late, 'ﾚｲﾄ');
    await withBank(refused, 'ﾘﾌｭｰｽﾞﾄﾞ');
    await withBank(small, 'ｽﾓｰﾙ');

    // 600,000 + 500,000 settled in one transfer form one payment: 122,520 withheld.
    await line(r1, 600_000, '2031-02');
    await line(r1, 500_000, month);
    await line(r2, 300_000, month);
    await line(r2, 200_000, month, { category: 'none' });
    await line(c1, 800_000, month);
    await line(n1, 400_000, month);
    await line(n2, 100_000, month);
    await line(noBank, 50_000, month);
    await line(toHold, 70_000, month);
    await line(late, 200_000, month, { delivered: '2030-12-01T03:00:00Z' });
    await line(refused, 90_000, month);
    await line(small, 40_000, month);
    // A run drafts every payee's unpaid lines up to its month, other test files' too (one database):
    // a stranger without bank details stands for them here, so the counts below are of this test's payees.
    await line(await hacker('Stranger', 'individual', 'resident'), 60_000, '2030-06');
    await line(r1, 999, '2031-04'); // a later month: not in this run

    const start = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finA.auth, payload: { month, reminder_seconds: 1, batch_size: 2 } });
    expect(start.statusCode, start.body).toBe(201);
    const runId = start.json().id;
    expect(start.json().workflow_id).toBe(`payout-${month}`);
    const again = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finB.auth, payload: { month } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(runId);
    expect((await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: (await userWithToken(h.db, 'cs_manager')).auth, payload: { month } })).statusCode).toBe(403);

    const review = await waitStatus(runId, 'review');
    expect(review.payment_date).toBe('2031-03-25');
    const handle = h.temporal.workflow.getHandle(`payout-${month}`);
    // The row is written by an activity before the workflow upserts its search attribute.
    const d = await eventually(async () => {
      const desc = await handle.describe();
      return desc.typedSearchAttributes.get(PayoutStatusKey) === 'review' ? desc : undefined;
    });
    expect(d.typedSearchAttributes.get(PayoutMonthKey)).toBe(month);

    const items = await itemsOf(runId);
    const by = (hackerId: number) => items.find((i) => i.hacker_id === hackerId)!;
    expect(by(r1)).toMatchObject({ status: 'pending', line_count: 2, gross_payable: 1_100_000, withholding_base: 1_100_000, withholding: 122_520, net_transfer: 977_480 });
    expect(by(r2)).toMatchObject({ gross_payable: 500_000, withholding_base: 300_000, withholding: 30_630, net_transfer: 469_370 });
    // Registered as a qualified-invoice issuer on the payment date: fee + 10% consumption tax shown separately.
    expect(by(c1)).toMatchObject({ payee_type: 'corporation', fee_total: 800_000, gross_payable: 880_000, withholding_base: 0, withholding: 0, net_transfer: 880_000 });
    expect(by(n1)).toMatchObject({ payee_type: 'nonresident_individual', withholding: 40_000 });
    expect(by(n2)).toMatchObject({ withholding: 20_420 });
    expect(by(noBank)).toMatchObject({ status: 'held', hold_reason: 'missing bank details', flags: ['missing_bank_details'] });
    expect(by(late).flags).toEqual(['freelance_act_overdue']);
    expect(by(late).status).toBe('pending');
    expect(by(r1).bank_masked.account_number).toMatch(/^\*{4}\d{3}$/);
    // Every line traceable: the link table holds exactly the run's lines.
    const links = await h.db
      .selectFrom('payout_item_lines as l')
      .innerJoin('payout_items as i', 'i.id', 'l.item_id')
      .select(['i.hacker_id', sql<number>`count(*)::int`.as('n')])
      .where('i.run_id', '=', runId)
      .where('i.hacker_id', '=', r1)
      .groupBy('i.hacker_id')
      .executeTakeFirstOrThrow();
    expect(links.n).toBe(2);

    // Hold one item (needs a reason); a held payee without bank details cannot be released.
    const noReason = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${by(toHold).id}/hold`, headers: finA.auth, payload: {} });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('/body/reason');
    const hold = await h.app.inject({
      method: 'POST',
      url: `/v1/payout-runs/${runId}/items/${by(toHold).id}/hold`,
      headers: { ...finA.auth, 'idempotency-key': 'hold-1' },
      payload: { reason: 'invoice under dispute' },
    });
    expect(hold.statusCode, hold.body).toBe(200);
    const holdAgain = await h.app.inject({
      method: 'POST',
      url: `/v1/payout-runs/${runId}/items/${by(toHold).id}/hold`,
      headers: { ...finA.auth, 'idempotency-key': 'hold-1' },
      payload: { reason: 'invoice under dispute' },
    });
    expect(holdAgain.statusCode, holdAgain.body).toBe(200);
    const release = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${by(noBank).id}/release`, headers: finA.auth, payload: { reason: 'try' } });
    expect(release.statusCode, release.body).toBe(409);
    expect(release.json().error.message).toMatch(/no bank details/);
    const unknownItem = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/999999999/hold`, headers: finA.auth, payload: { reason: 'x' } });
    expect(unknownItem.statusCode).toBe(404);

    // Four eyes: finA prepared and last changed the run.
    const self = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: finA.auth });
    expect(self.statusCode, self.body).toBe(403);
    expect(self.json().error.message).toMatch(/four eyes/);
    expect((await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: admin.auth })).statusCode).toBe(403);
    // (remitted_on may not be in the future: today, Asia/Tokyo)
    expect((await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/remittance`, headers: finA.auth, payload: { remitted_on: tokyoDateOf(Date.now()) } })).statusCode).toBe(409);
    const approve = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: { ...finB.auth, 'idempotency-key': 'approve-1' } });
    expect(approve.statusCode, approve.body).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: finB.auth })).statusCode).toBe(409);

    // Handed to the bank is not paid: the refused transfer puts the run in needs_attention; finance
    // confirms the others (the bank's answer) and moves the refused one to the next run.
    const paidOnce = [r1, r2, c1, n1, n2, late, small];
    const attention = await waitStatus(runId, 'needs_attention');
    expect(attention.totals).toMatchObject({ failed: 1, needs_resolution: 1 });
    expect((await confirmTransfers(h, runId, finA.user.id)).length).toBe(paidOnce.length);
    const move = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${by(refused).id}/move-to-next-run`, headers: finA.auth, payload: { reason: 'account closed' } });
    expect(move.statusCode, move.body).toBe(200);
    const remitting = await waitStatus(runId, 'remitting');
    const final = await itemsOf(runId);
    const counts = (list: typeof final) => ({
      items: list.length,
      ...Object.fromEntries(['held', 'failed', 'confirmed'].map((s) => [s, list.filter((i) => i.status === s).length])),
    });
    const mine = new Set([r1, r2, c1, n1, n2, noBank, toHold, late, refused, small]);
    expect(counts(final.filter((i) => mine.has(i.hacker_id)))).toEqual({ items: 10, held: 2, failed: 1, confirmed: paidOnce.length });
    expect(remitting.totals).toMatchObject({ ...counts(final), needs_resolution: 0 });

    // Every payable payee paid exactly once; the held ones and the refused one not paid.
    const fin = (hackerId: number) => final.find((i) => i.hacker_id === hackerId)!;
    for (const id of paidOnce) {
      expect(fin(id).status, `hacker ${id}`).toBe('confirmed');
      const rows = await db.selectFrom('simulated_bank_transfers').selectAll().where('idempotency_key', 'like', `%:${id}`).execute();
      expect(rows, `hacker ${id}`).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'sent', amount: fin(id).net_transfer });
    }
    expect(fin(toHold).status).toBe('held');
    expect(fin(noBank).status).toBe('held');
    expect(fin(refused)).toMatchObject({ status: 'failed', failure_reason: 'simulated bank: account closed', resolution: 'moved' });
    for (const id of [toHold, noBank]) {
      expect(await db.selectFrom('simulated_bank_transfers').selectAll().where('idempotency_key', '=', `${runId}:${id}`).execute()).toHaveLength(0);
    }
    const attempts = await h.db.selectFrom('payout_payments').select(['hacker_id', 'attempts']).where('run_id', '=', runId).execute();
    expect(attempts.some((a) => a.attempts > 1), 'the bank failed some calls').toBe(true);

    // Withholding to remit for March 2031, residents and non-residents apart, due 10 April.
    const w = (await h.app.inject({ url: `/v1/payout-runs/${runId}/withholding`, headers: finA.auth })).json();
    expect(w).toMatchObject({
      month,
      due_date: withholdingDueDate(month),
      residents: { payees: 4, base_total: 1_100_000 + 300_000 + 200_000 + 40_000, tax_total: 122_520 + 30_630 + 20_420 + 4_084 },
      nonresidents: { payees: 2, base_total: 500_000, tax_total: 60_420 },
    });
    expect(w.due_date).toBe('2031-04-10');

    // The Zengin file: header, one data record per sent payee, trailer, end; CRLF.
    const zengin = await h.app.inject({ url: `/v1/payout-runs/${runId}/zengin`, headers: finA.auth });
    expect(zengin.statusCode).toBe(200);
    expect(zengin.headers['content-type']).toBe('application/octet-stream');
    expect(zengin.rawPayload.length).toBe((paidOnce.length + 3) * 122);
    expect(zengin.rawPayload.subarray(0, 4).toString('latin1')).toBe('1210');
    const trailer = zengin.rawPayload.subarray((paidOnce.length + 1) * 122, (paidOnce.length + 1) * 122 + 19).toString('latin1');
    const netSent = paidOnce.reduce((s, id) => s + fin(id).net_transfer, 0);
    expect(trailer).toBe(`8${String(paidOnce.length).padStart(6, '0')}${String(netSent).padStart(12, '0')}`);

    // Until finance records the remittance, the run reminds (every second here).
    await eventually(async () =>
      h.db.selectFrom('payout_audit_log').select('reason').where('run_id', '=', runId).where('action', '=', 'reminder').executeTakeFirst(),
    );
    expect((await runOf(runId)).waiting_for).toMatch(/remittance/);

    // Remittance recorded → completed.
    const remit = await h.app.inject({
      method: 'POST',
      url: `/v1/payout-runs/${runId}/remittance`,
      headers: finA.auth,
      payload: { remitted_on: tokyoDateOf(Date.now()), note: 'e-Tax 2031-04-08' },
    });
    expect(remit.statusCode, remit.body).toBe(200);
    const done = await waitStatus(runId, 'completed');
    expect(done.remitted_on).toBe(tokyoDateOf(Date.now()));
    expect((await handle.result()).phase).toBe('completed');

    // The audit log tells the whole story.
    const audit = (await h.app.inject({ url: `/v1/payout-runs/${runId}/audit`, headers: finA.auth })).json().items as Array<Record<string, any>>;
    const actions = audit.map((a) => a.action);
    for (const a of ['run_opened', 'run_drafted', 'item_held', 'run_approved', 'item_handed_to_bank', 'item_failed', 'run_needs_attention', 'transfer_confirmed', 'item_moved_to_next_run', 'run_paid', 'remittance_recorded']) {
      expect(actions).toContain(a);
    }
    expect(audit.find((a) => a.action === 'item_held' && a.item_id === by(toHold).id)).toMatchObject({ actor: `user:${finA.user.id}`, reason: 'invoice under dispute' });
    expect(audit.filter((a) => a.action === 'item_held' && a.item_id === by(toHold).id)).toHaveLength(1);
    expect(audit.find((a) => a.action === 'item_held' && a.item_id === by(noBank).id)).toMatchObject({ actor: 'system', reason: 'missing bank details' });
    expect(audit.find((a) => a.action === 'run_approved')).toMatchObject({ actor: `user:${finB.user.id}` });
    expect(audit.filter((a) => a.action === 'item_handed_to_bank' && paidOnce.includes(a.hacker_id))).toHaveLength(paidOnce.length);
    expect(audit.filter((a) => a.action === 'transfer_confirmed' && paidOnce.includes(a.hacker_id))).toHaveLength(paidOnce.length);
    expect(audit.find((a) => a.action === 'remittance_recorded')).toMatchObject({ actor: `user:${finA.user.id}`, reason: 'e-Tax 2031-04-08' });
    expect(actions).toContain('reminder');

    // The hacker's statement: gross, tax, net and the lines.
    const me = await userWithToken(h.db, 'hacker', { hackerId: r1 });
    const st = await h.app.inject({ url: `/v1/hackers/${r1}/statements/${month}`, headers: me.auth });
    expect(st.statusCode, st.body).toBe(200);
    expect(st.json()).toMatchObject({ gross_payable: 1_100_000, withholding: 122_520, net_transfer: 977_480 });
    expect(st.json().payments[0].lines.map((l: { amount_yen: number }) => l.amount_yen)).toEqual([600_000, 500_000]);
    expect((await h.app.inject({ url: `/v1/hackers/${r2}/statements/${month}`, headers: me.auth })).statusCode).toBe(403);

    // Annual records: everyone paid > ¥50,000 in 2031, corporations included (with the 法人番号).
    const csv = await h.app.inject({ url: '/v1/payouts/annual-records?year=2031', headers: finA.auth });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.body.trim().split('\r\n').map((l) => l.split(','));
    const row = (id: number) => rows.find((r) => r[1] === String(id));
    expect(row(r1)).toEqual(expect.arrayContaining(['1100000', '122520']));
    // 支払金額 without the consumption tax, which has its own column (the record's 摘要).
    expect(row(c1)).toEqual(expect.arrayContaining(['corporation', 'デザイン株式会社', '5010001008846', 'デザイン料', '800000', '80000']));
    expect(row(small)).toBeUndefined();
    const payeeCopy = await h.app.inject({ url: '/v1/payouts/annual-records?year=2031&copy=payee', headers: finA.auth });
    expect(payeeCopy.body).not.toContain('5010001008846');

    // A later run picks up what this one did not pay: the held and the refused payees.
    const next = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finB.auth, payload: { month: '2031-04' } });
    expect(next.statusCode, next.body).toBe(201);
    const nextId = next.json().id;
    await waitStatus(nextId, 'review');
    const nextItems = await itemsOf(nextId);
    for (const id of [toHold, noBank, refused]) expect(nextItems.find((i) => i.hacker_id === id), `hacker ${id}`).toBeDefined();
    expect(nextItems.find((i) => i.hacker_id === r1)).toMatchObject({ line_count: 1, gross_payable: 999 });
    expect(nextItems.find((i) => i.hacker_id === r2)).toBeUndefined();
    const reject = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${nextId}/reject`, headers: finA.auth, payload: { reason: 'redo after dispute' } });
    expect(reject.statusCode, reject.body).toBe(200);
    await waitStatus(nextId, 'rejected');
    const live = await h.db
      .selectFrom('payout_item_lines as l')
      .innerJoin('payout_items as i', 'i.id', 'l.item_id')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('i.run_id', '=', nextId)
      .where('l.released', '=', false)
      .executeTakeFirstOrThrow();
    expect(live.n).toBe(0);
  });

  it('a worker killed while paying resumes on a new worker and pays nobody twice', async () => {
    const month = '2030-11';
    bank.impl = new SimulatedBankAdapter(db, { latencyMs: 400, failureRate: 0.2, seed: 'kill' });
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await hacker(`Kill ${i}`, 'individual', 'resident');
      await withBank(id, `ｷﾙ ${i}`);
      await line(id, 100_000 + i * 1000, month);
      ids.push(id);
    }
    const start = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finA.auth, payload: { month, batch_size: 3 } });
    expect(start.statusCode, start.body).toBe(201);
    const runId = start.json().id;
    await waitStatus(runId, 'review');
    const approve = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: finB.auth });
    expect(approve.statusCode, approve.body).toBe(200);

    // Stop the (only) worker as soon as some payees are paid, then start a new one.
    await eventually(async () => {
      const n = await h.db.selectFrom('payout_items').select(sql<number>`count(*)::int`.as('n')).where('run_id', '=', runId).where('status', '=', 'handed_to_bank').executeTakeFirstOrThrow();
      return n.n >= 1;
    }, 60_000, 50);
    await stopCurrentWorker();
    const sentAtStop = await h.db.selectFrom('payout_items').select(sql<number>`count(*)::int`.as('n')).where('run_id', '=', runId).where('status', '=', 'handed_to_bank').executeTakeFirstOrThrow();
    expect(sentAtStop.n).toBeLessThan(ids.length);
    stopCurrentWorker = await h.startWorker();

    // Each transfer handed over once; finance confirms them (the bank's answer) and the run remits.
    expect((await confirmTransfers(h, runId, finA.user.id, 180_000)).length).toBe(ids.length);
    const done = await waitStatus(runId, 'remitting', 180_000);
    expect(done.totals.confirmed).toBe(ids.length);
    for (const id of ids) {
      const rows = await db.selectFrom('simulated_bank_transfers').selectAll().where('idempotency_key', '=', `${runId}:${id}`).execute();
      expect(rows, `hacker ${id}`).toHaveLength(1);
      const payments = await h.db.selectFrom('payout_payments').selectAll().where('run_id', '=', runId).where('hacker_id', '=', id).execute();
      expect(payments).toHaveLength(1);
      expect(payments[0]!.status).toBe('handed_to_bank');
    }
    const sentAudit = await h.db.selectFrom('payout_audit_log').select('hacker_id').where('run_id', '=', runId).where('action', '=', 'item_handed_to_bank').execute();
    expect(sentAudit).toHaveLength(ids.length);
  }, 480_000);

  it('`kaizen payouts annual-records --year` prints the same CSV (DATABASE_URL)', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (out.push(String(chunk)), true));
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = inject('databaseUrl');
    try {
      expect(await annualRecords(['--year', '2031'])).toBe(0);
    } finally {
      write.mockRestore();
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
    const api = await h.app.inject({ url: '/v1/payouts/annual-records?year=2031', headers: finA.auth });
    expect(out.join('')).toBe(api.body);
    expect(api.body.split('\r\n')[0]).toMatch(/^year,hacker_id,payee_type,name,address,corporate_number,category,amount_paid/);
    await expect(annualRecords(['--year', '20x'])).rejects.toThrow(/--year/);
  });

  it('the monthly Schedule is created once (Asia/Tokyo) and starts payout-<YYYY-MM> for the current month', async () => {
    const cfg = { taskQueue: h.config.taskQueue, payout: { day: 25, hour: 10, bankAdapter: 'simulated' as const } };
    expect(await ensurePayoutSchedule(h.temporal, cfg)).toBe(true);
    expect(await ensurePayoutSchedule(h.temporal, cfg)).toBe(false);
    const schedule = h.temporal.schedule.getHandle(PAYOUT_SCHEDULE_ID);
    try {
      const d = await schedule.describe();
      expect(d.spec.timezone).toBe('Asia/Tokyo');
      expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 25, end: 25, step: 1 }], hour: [{ start: 10, end: 10, step: 1 }] });
      await schedule.trigger();
      const month = tokyoMonthOf(Date.now());
      const run = await eventually(async () => h.db.selectFrom('payout_runs').selectAll().where('month', '=', month).executeTakeFirst());
      expect(run.prepared_by).toBeNull();
      const wf = h.temporal.workflow.getHandle(`payout-${month}`);
      await eventually(async () => (await wf.describe()).typedSearchAttributes.get(PayoutMonthKey) === month);
      // With no unpaid lines this month the run completes at once; otherwise it waits in review.
      await wf.terminate('test over').catch(() => undefined);
    } finally {
      await schedule.delete();
    }
  });
});
