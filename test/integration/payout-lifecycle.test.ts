// Payout run lifecycle (issue 8), on real Postgres and a real Temporal server: one workflow per run,
// four eyes that two finance users can always satisfy, nothing accepted that stalls a workflow, the
// negative balance carried and netted, totals and dates that say what happened, finance's tasks, and
// messages that read as sentences. Months are unique per test (runs are unique per month, the
// database is shared across files, and a run drafts every unpaid line up to its month): 2000-01 for a
// run that must be empty; 2029-xx for the others — after the cycle tests' months, before the months of
// payouts.test.ts (2030-11 on), so these runs never take that file's lines, and their payment dates are
// still ahead.
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../src/db/index.ts';
import { nextBusinessDay, withholdingDueDate } from '../../src/domain/payouts/calendar.ts';
import { tokyoDateOf } from '../../src/domain/months.ts';
import { SimulatedBankAdapter } from '../../src/payouts/bank.ts';
import { encryptJson } from '../../src/payouts/crypto.ts';
import { startPayoutRun } from '../../src/payouts/start.ts';
import { financeTasks } from '../../src/payouts/tasks.ts';
import { confirmTransfers, createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;
type Json = Record<string, any>;

let h: Harness;
let finA: Auth;
let finB: Auth;
let admin: Auth;
let engagementId: number;

let bankDb: Db;

beforeAll(async () => {
  // A reliable simulated bank: these tests are about the lifecycle, not about retries.
  bankDb = createDb(inject('databaseUrl'), 2);
  h = await createHarness({ deps: { bankAdapter: new SimulatedBankAdapter(bankDb) } });
  finA = await userWithToken(h.db, 'finance');
  finB = await userWithToken(h.db, 'finance');
  admin = await userWithToken(h.db, 'admin');
  const cs = await userWithToken(h.db, 'cs_manager');
  const client = await makeClient(h.db, 'Payout Lifecycle Client');
  const e = await h.db
    .insertInto('engagements')
    .values({
      client_id: client.id,
      cs_manager_id: cs.user.id,
      offer_mode: 'open',
      monthly_fee_yen: 1_000_000,
      start_month: '2026-01',
      status: 'active',
      workflow_id: `engagement-payout-lifecycle-${randomUUID()}`,
      created_by: cs.user.id,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  engagementId = e.id;
});
afterAll(async () => {
  await h?.close();
  await bankDb?.destroy();
});

async function hacker(name: string) {
  return (
    await h.db
      .insertInto('hackers')
      .values({ display_name: name, kind: 'individual', residency: 'resident', skills: [], industries: [] })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

async function withBank(id: number, holder: string) {
  const res = await h.app.inject({
    method: 'PUT',
    url: `/v1/hackers/${id}/payee`,
    headers: finA.auth,
    payload: { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: String(2_000_000 + id).slice(-7), holder_name: holder } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function line(
  hackerId: number,
  amount: number,
  month: string,
  kind: 'adoption_fee' | 'win_bonus' | 'bonus_reversal' = 'adoption_fee',
  reversesId: number | null = null,
) {
  return (
    await h.db
      .insertInto('earnings_ledger')
      .values({
        unique_key: `${kind}:${hackerId}:${randomUUID()}`,
        hacker_id: hackerId,
        engagement_id: engagementId,
        cycle_id: null,
        offer_id: null,
        proposal_id: null,
        kind,
        amount_yen: amount,
        category: 'design',
        month,
        delivered_at: `${month}-01T03:00:00Z`,
        reverses_id: reversesId,
        description: `${kind} ${amount}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

async function startRun(month: string, auth: Auth) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: auth.auth, payload: { month } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as number;
}

async function runOf(id: number): Promise<Json> {
  const res = await h.app.inject({ url: `/v1/payout-runs/${id}`, headers: finA.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function waitStatus(id: number, status: string | string[], timeoutMs = 60_000): Promise<Json> {
  const want = Array.isArray(status) ? status : [status];
  return eventually(async () => {
    const r = await runOf(id);
    return want.includes(r.status) ? r : undefined;
  }, timeoutMs);
}

async function itemsOf(runId: number): Promise<Json[]> {
  const all: Json[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const res: { statusCode: number; body: string; json(): any } = await h.app.inject({
      url: `/v1/payout-runs/${runId}/items?limit=200&after_id=${after}`,
      headers: finA.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    all.push(...res.json().items);
    after = res.json().next_after_id;
  }
  return all;
}

const post = (url: string, auth: Auth, payload?: Json) => h.app.inject({ method: 'POST', url, headers: auth.auth, ...(payload ? { payload } : {}) });

describe('A. one payout run per month, one workflow per run', () => {
  it('POST for a month whose run completed answers with that run, starts no second workflow and leaves the row unchanged', async () => {
    const month = '2000-01'; // no ledger line is that old: the run completes at once, empty
    const runId = await startRun(month, finA);
    const done = await waitStatus(runId, 'completed');
    const handle = h.temporal.workflow.getHandle(`payout-${month}`);
    const first = await eventually(async () => {
      const d = await handle.describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    });
    const rowBefore = await h.db.selectFrom('payout_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

    for (const who of [finB, admin]) {
      const again = await post('/v1/payout-runs', who, { month });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toMatchObject({ id: runId, status: 'completed', waiting_for: done.waiting_for });
    }
    await new Promise((r) => setTimeout(r, 1500)); // a second workflow, if any, would have drafted by now
    const after = await handle.describe();
    expect(after.runId).toBe(first.runId);
    expect(after.status.name).toBe('COMPLETED');
    const rowAfter = await h.db.selectFrom('payout_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    expect(rowAfter).toEqual(rowBefore);
  });
});

describe('B. four eyes without deadlock; money decisions are finance’s', () => {
  async function reviewRun(month: string, preparer: Auth) {
    const pay = await hacker(`Four Eyes Pay ${month}`);
    const hold = await hacker(`Four Eyes Hold ${month}`);
    await withBank(pay, 'ﾍﾟｲ');
    await withBank(hold, 'ﾎｰﾙﾄﾞ');
    await line(pay, 120_000, month);
    await line(hold, 80_000, month);
    const runId = await startRun(month, preparer);
    await waitStatus(runId, 'review');
    const items = await itemsOf(runId);
    return { runId, payItem: items.find((i) => i.hacker_id === pay)!, holdItem: items.find((i) => i.hacker_id === hold)! };
  }

  it('B prepares and A holds: B is refused, A approves', async () => {
    const { runId, holdItem } = await reviewRun('2029-02', finB);
    const held = await post(`/v1/payout-runs/${runId}/items/${holdItem.id}/hold`, finA, { reason: 'invoice under dispute' });
    expect(held.statusCode, held.body).toBe(200);

    // E. totals keep held items apart from what will be paid.
    const items = await itemsOf(runId);
    const sum = (f: (i: Json) => boolean, k: string) => items.filter(f).reduce((s, i) => s + i[k], 0);
    const totals = (await runOf(runId)).totals;
    expect(totals.held_gross_yen).toBe(sum((i) => i.status === 'held', 'gross_payable'));
    expect(totals.held_gross_yen).toBeGreaterThanOrEqual(80_000);
    expect(totals.to_pay_net_yen).toBe(sum((i) => i.status === 'pending', 'net_transfer'));
    expect(totals.to_pay_gross_yen).toBe(sum((i) => i.status === 'pending', 'gross_payable'));
    expect(totals.gross_yen).toBe(totals.held_gross_yen + totals.to_pay_gross_yen);
    expect(totals.withholding_yen).toBe(sum((i) => i.status === 'pending', 'withholding'));
    expect(totals.sent_net_yen).toBe(0);

    // E. the status filter documented in OpenAPI works, and limit has a default.
    const onlyHeld = await h.app.inject({ url: `/v1/payout-runs/${runId}/items?status=held`, headers: finA.auth });
    expect(onlyHeld.statusCode, onlyHeld.body).toBe(200);
    expect(onlyHeld.json().items.length).toBeGreaterThan(0);
    expect(onlyHeld.json().items.every((i: Json) => i.status === 'held')).toBe(true);
    expect(onlyHeld.json().items.map((i: Json) => i.id)).toContain(holdItem.id);
    const noLimit = await h.app.inject({ url: `/v1/payout-runs/${runId}/items`, headers: finA.auth });
    expect(noLimit.statusCode, noLimit.body).toBe(200);
    expect(noLimit.json().items.length).toBe(items.length);
    const spec = (await h.app.inject({ url: '/openapi.json' })).json();
    const params = spec.paths['/v1/payout-runs/{id}/items'].get.parameters as Json[];
    expect(params.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', required: false });
    expect(params.find((p) => p.name === 'status')).toBeDefined();

    // Admin reads and may open runs, but money decisions are finance's.
    expect((await h.app.inject({ url: `/v1/payout-runs/${runId}`, headers: admin.auth })).statusCode).toBe(200);
    for (const [url, payload] of [
      [`/v1/payout-runs/${runId}/approve`, undefined],
      [`/v1/payout-runs/${runId}/reject`, { reason: 'no' }],
      [`/v1/payout-runs/${runId}/items/${holdItem.id}/release`, { reason: 'no' }],
      [`/v1/payout-runs/${runId}/remittance`, { remitted_on: '2026-01-05' }],
    ] as const) {
      const res = await post(url, admin, payload);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }

    const byPreparer = await post(`/v1/payout-runs/${runId}/approve`, finB);
    expect(byPreparer.statusCode, byPreparer.body).toBe(403);
    expect(byPreparer.json().error.message).toBe(
      `User ${finB.user.id} prepared payout run ${runId}, so under the four eyes rule another finance user must approve it.`,
    );
    const byHolder = await post(`/v1/payout-runs/${runId}/approve`, finA);
    expect(byHolder.statusCode, byHolder.body).toBe(200);
    expect(byHolder.json().decided_by).toBe(finA.user.id);
    await confirmTransfers(h, runId, finA.user.id);
    await waitStatus(runId, ['remitting', 'completed']);
  });

  it('A prepares and B holds then releases: A is refused, B approves; transfers are handed to the bank, paid only once confirmed', async () => {
    const { runId, holdItem, payItem } = await reviewRun('2029-03', finA);
    expect((await post(`/v1/payout-runs/${runId}/items/${holdItem.id}/hold`, finB, { reason: 'check' })).statusCode).toBe(200);
    expect((await post(`/v1/payout-runs/${runId}/items/${holdItem.id}/release`, finB, { reason: 'checked' })).statusCode).toBe(200);

    const byPreparer = await post(`/v1/payout-runs/${runId}/approve`, finA);
    expect(byPreparer.statusCode, byPreparer.body).toBe(403);
    expect(byPreparer.json().error.message).toMatch(/four eyes/);
    const byReviewer = await post(`/v1/payout-runs/${runId}/approve`, finB);
    expect(byReviewer.statusCode, byReviewer.body).toBe(200);
    // Handed over, no result yet: the run waits for the bank's results, nothing is paid.
    const run = await eventually(async () => {
      const r = await runOf(runId);
      return r.status === 'paying' && r.totals.pending === 0 && r.totals.handed_to_bank > 0 ? r : undefined;
    }, 60_000);
    const paymentDate = nextBusinessDay('2029-03-25'); // a Sunday: the next business day
    expect(run.payment_date).toBe(paymentDate);

    // E. the transfer was handed to the bank today; the money is due on the payment date.
    const item = (await itemsOf(runId)).find((i) => i.id === payItem.id)!;
    expect(item.status).toBe('handed_to_bank');
    expect(item.payment_date).toBe(paymentDate);
    expect(Date.parse(item.submitted_at)).toBeGreaterThan(Date.now() - 120_000);
    expect(item).not.toHaveProperty('paid_at');
    expect(run.totals.sent_net_yen).toBeGreaterThanOrEqual(item.net_transfer);
    const ledger = (await h.app.inject({ url: `/v1/hackers/${payItem.hacker_id}/ledger`, headers: finA.auth })).json();
    expect(ledger.items[0]).toMatchObject({ status: 'in_run', run_id: runId, payment_date: paymentDate });
    expect(ledger.balance).toEqual({ unpaid_yen: 0, in_run_yen: 120_000, paid_yen: 0 });

    // The bank's result confirms it: paid, and the run waits for the remittance.
    await confirmTransfers(h, runId, finB.user.id);
    await waitStatus(runId, 'remitting');
    const paid = (await h.app.inject({ url: `/v1/hackers/${payItem.hacker_id}/ledger`, headers: finA.auth })).json();
    expect(paid.items[0]).toMatchObject({ status: 'paid', run_id: runId });
    expect(paid.balance).toEqual({ unpaid_yen: 0, in_run_yen: 0, paid_yen: 120_000 });

    // E. remitted_on: a real date, not in the future (Asia/Tokyo).
    for (const remitted_on of ['2099-01-04', '2031-02-30']) {
      const res = await post(`/v1/payout-runs/${runId}/remittance`, finA, { remitted_on });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details[0].path).toBe('/body/remitted_on');
    }
    const bad = await h.app.inject({
      method: 'PUT',
      url: `/v1/hackers/${payItem.hacker_id}/payee`,
      headers: finA.auth,
      payload: { invoice: { registration_number: 'T1180301018771', registered_on: '2031-02-30' } },
    });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ path: '/body/invoice/registered_on', message: expect.stringMatching(/does not exist/) });
    const today = tokyoDateOf(Date.now());
    const remit = await post(`/v1/payout-runs/${runId}/remittance`, finA, { remitted_on: today });
    expect(remit.statusCode, remit.body).toBe(200);
    expect((await waitStatus(runId, 'completed')).remitted_on).toBe(today);
  });
});

describe('C. nothing accepted may stall a workflow', () => {
  it('a month outside the tax calendar is a 400 naming /body/month: no row, no workflow', async () => {
    for (const month of ['1999-12', '2100-01', '2099-12']) {
      const res = await post('/v1/payout-runs', finA, { month });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details[0].path).toBe('/body/month');
      expect(res.json().error.message).toMatch(/outside that range\.$/);
      expect(await h.db.selectFrom('payout_runs').select('id').where('month', '=', month).executeTakeFirst()).toBeUndefined();
      await expect(h.temporal.workflow.getHandle(`payout-${month}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('a run the rules cannot draft is recorded as blocked with the reason, once, and the workflow ends', async () => {
    // Bypasses the API's check on purpose (as an old row or another caller could).
    const { run } = await startPayoutRun(h.db, h.temporal, { month: '2100-02', preparedBy: finA.user.id, taskQueue: h.config.taskQueue, payDay: 25 });
    const blocked = await waitStatus(run.id, 'blocked');
    expect(blocked.waiting_for).toMatch(/blocked while drafting: Payout runs exist for months 2000-01 to 2099-11 only/);
    const result = await h.temporal.workflow.getHandle('payout-2100-02').result();
    expect(result.phase).toBe('blocked');
    const audit = (await h.app.inject({ url: `/v1/payout-runs/${run.id}/audit`, headers: finA.auth })).json().items as Json[];
    expect(audit.filter((a) => a.action === 'run_blocked')).toHaveLength(1);
    // The withholding read answers instead of failing.
    expect((await h.app.inject({ url: `/v1/payout-runs/${run.id}/withholding`, headers: finA.auth })).statusCode).not.toBe(500);
    // Asking again neither restarts nor changes it.
    expect((await post('/v1/payout-runs', finA, { month: '2100-02' })).statusCode).toBe(400);
    const again = await startPayoutRun(h.db, h.temporal, { month: '2100-02', preparedBy: finB.user.id, taskQueue: h.config.taskQueue, payDay: 25 });
    expect(again.run.status).toBe('blocked');
  });
});

describe('C. a payee whose bank details cannot be read', () => {
  it('fails that transfer visibly instead of retrying the batch forever (the run needs attention); the others are paid', async () => {
    const month = '2029-07';
    const good = await hacker('Readable Bank');
    const sealed = await hacker('Sealed With Another Key');
    await withBank(good, 'ﾘｰﾀﾞﾌﾞﾙ');
    await withBank(sealed, 'ｼｰﾙﾄﾞ');
    // As if the record had been written under another KAIZEN_BANK_KEY.
    const envelope = encryptJson(randomBytes(32), `payee:${sealed}:bank`, { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1111111', holder_name: 'ｼｰﾙﾄﾞ' });
    await h.db.updateTable('payees').set({ bank_encrypted: envelope }).where('hacker_id', '=', sealed).execute();
    await line(good, 60_000, month);
    await line(sealed, 70_000, month);
    const runId = await startRun(month, finA);
    await waitStatus(runId, 'review');
    expect((await post(`/v1/payout-runs/${runId}/approve`, finB)).statusCode).toBe(200);
    await waitStatus(runId, 'needs_attention');
    await confirmTransfers(h, runId, finA.user.id);
    const items = await itemsOf(runId);
    expect(items.find((i) => i.hacker_id === good)).toMatchObject({ status: 'confirmed' });
    expect(items.find((i) => i.hacker_id === sealed)).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/cannot be read/) });
    expect(await runOf(runId)).toMatchObject({ status: 'needs_attention', totals: { needs_resolution: 1 } });
  });
});

describe('D. the negative balance is visible and carried', () => {
  it('a reversal with nothing to net is carried forward and shown, then netted into the next payment as a deduction', async () => {
    const [m1, m2, m3] = ['2029-04', '2029-05', '2029-06'];
    const x = await hacker('Reversed Hacker');
    await withBank(x, 'ﾘﾊﾞｰｽ');
    const bonus = await line(x, 100_000, m1, 'win_bonus');
    const run1 = await startRun(m1, finA);
    await waitStatus(run1, 'review');
    expect((await post(`/v1/payout-runs/${run1}/approve`, finB)).statusCode).toBe(200);
    await confirmTransfers(h, run1, finA.user.id);
    await waitStatus(run1, ['remitting', 'completed']);
    expect((await itemsOf(run1)).find((i) => i.hacker_id === x)).toMatchObject({ status: 'confirmed', gross_payable: 100_000 });

    // The verdict is invalidated: the bonus is reversed. Nothing else is unpaid: no payment, a carried balance.
    const reversal = await line(x, -100_000, m2, 'bonus_reversal', bonus);
    const run2 = await startRun(m2, finA);
    const r2 = await waitStatus(run2, ['review', 'completed']);
    expect((await itemsOf(run2)).find((i) => i.hacker_id === x)).toBeUndefined();
    expect(r2.carried_forward).toContainEqual({ hacker_id: x, balance_yen: -100_000, line_count: 1 });
    expect(r2.totals.carried_forward_payees).toBeGreaterThanOrEqual(1);
    expect(r2.totals.carried_forward_yen).toBeLessThanOrEqual(-100_000);

    const me = await userWithToken(h.db, 'hacker', { hackerId: x });
    const ledger = await h.app.inject({ url: `/v1/hackers/${x}/ledger`, headers: me.auth });
    expect(ledger.statusCode, ledger.body).toBe(200);
    expect(ledger.json().balance.unpaid_yen).toBe(-100_000);
    expect(ledger.json().items.map((l: Json) => [l.id, l.kind, l.amount_yen, l.status])).toEqual([
      [bonus, 'win_bonus', 100_000, 'paid'], // the bank confirmed its transfer
      [reversal, 'bonus_reversal', -100_000, 'unpaid'],
    ]);
    const page = (await h.app.inject({ url: `/v1/hackers/${x}/ledger?limit=1`, headers: finA.auth })).json();
    expect(page.items.map((l: Json) => l.id)).toEqual([bonus]);
    expect(page.next_after_id).toBe(bonus);
    const next = (await h.app.inject({ url: `/v1/hackers/${x}/ledger?limit=1&after_id=${bonus}`, headers: finA.auth })).json();
    expect(next.items.map((l: Json) => l.id)).toEqual([reversal]);
    const other = await userWithToken(h.db, 'hacker', { hackerId: await hacker('Other') });
    expect((await h.app.inject({ url: `/v1/hackers/${x}/ledger`, headers: other.auth })).statusCode).toBe(403);
    const st2 = (await h.app.inject({ url: `/v1/hackers/${x}/statements/${m2}`, headers: me.auth })).json();
    expect(st2).toMatchObject({ carried_forward_yen: -100_000, unpaid_balance_yen: -100_000, payments: [] });

    // New earnings: the reversal is netted in and shown as a deduction.
    const fee = await line(x, 150_000, m3);
    const run3 = await startRun(m3, finA);
    await waitStatus(run3, 'review');
    const item = (await itemsOf(run3)).find((i) => i.hacker_id === x)!;
    expect(item).toMatchObject({
      line_count: 2,
      fee_total: 50_000,
      deductions_yen: 100_000,
      gross_payable: 50_000,
      withholding_base: 50_000,
      withholding: 5_105,
      net_transfer: 44_895,
    });
    const st3 = (await h.app.inject({ url: `/v1/hackers/${x}/statements/${m3}`, headers: me.auth })).json();
    expect(st3.payments[0]).toMatchObject({ deductions_yen: 100_000, gross_payable: 50_000 });
    expect(st3.payments[0].lines.map((l: Json) => [l.ledger_id, l.amount_yen])).toEqual([
      [reversal, -100_000],
      [fee, 150_000],
    ]);
    expect((await h.app.inject({ url: `/v1/hackers/${x}/ledger`, headers: me.auth })).json().balance.unpaid_yen).toBe(0);
  });
});

describe('F. finance has tasks', () => {
  it('financeTasks lists runs to review (who may approve), remittances to record (due, overdue) and blocked runs', async () => {
    const runIdOf = async (month: string) => (await h.db.selectFrom('payout_runs').select('id').where('month', '=', month).executeTakeFirstOrThrow()).id;
    const review = await runIdOf('2029-06'); // prepared by finA, in review (D)
    const remitting = await runIdOf('2029-04'); // approved, waiting for the remittance (D)
    const blocked = await runIdOf('2100-02'); // (C)

    const forA = await financeTasks(h.db, finA.user.id);
    const forB = await financeTasks(h.db, finB.user.id);
    const forAdmin = await financeTasks(h.db, admin.user.id, { role: 'admin' });
    const find = (tasks: Awaited<ReturnType<typeof financeTasks>>, runId: number) => tasks.find((t) => t.run_id === runId);

    expect(find(forA, review)).toMatchObject({
      kind: 'review_payout_run',
      month: '2029-06',
      prepared_by: finA.user.id,
      may_approve: false,
      due_on: '2029-06-25',
      due_at: '2029-06-25T15:00:00.000Z',
      overdue: false,
      waiting_for: expect.stringMatching(/finance to review/),
    });
    expect(find(forA, review)!.approve_refusal).toMatch(/four eyes/);
    expect(find(forB, review)).toMatchObject({ may_approve: true, approve_refusal: null });
    expect(find(forAdmin, review)).toMatchObject({ may_approve: false });

    const due = withholdingDueDate('2029-04');
    expect(find(forA, remitting)).toMatchObject({ kind: 'record_remittance', month: '2029-04', due_on: due, overdue: false, waiting_for: expect.stringMatching(/remittance/) });
    const later = await financeTasks(h.db, finA.user.id, { nowMs: Date.parse(`${due}T15:00:00Z`) });
    expect(find(later, remitting)!.overdue).toBe(true);
    expect(find(later, review)!.overdue).toBe(false); // due 2029-06-25

    expect(find(forA, blocked)).toMatchObject({ kind: 'payout_run_blocked', due_at: null, overdue: false, waiting_for: expect.stringMatching(/blocked/) });
    expect(forA.findIndex((t) => t.run_id === blocked)).toBeLessThan(forA.findIndex((t) => t.run_id === review));
    // Completed runs are no task.
    expect(find(forA, await runIdOf('2000-01'))).toBeUndefined();
  });
});

describe('G. messages read as sentences', () => {
  it('an unknown item or run is named in one clear sentence', async () => {
    const runId = (await h.db.selectFrom('payout_runs').select('id').where('month', '=', '2029-06').executeTakeFirstOrThrow()).id;
    const unknownItem = await post(`/v1/payout-runs/${runId}/items/999999999/hold`, finA, { reason: 'x' });
    expect(unknownItem.statusCode, unknownItem.body).toBe(404);
    expect(unknownItem.json().error).toMatchObject({ code: 'not_found', message: `Item 999999999 is not part of payout run ${runId}.`, details: [] });
    const unknownRun = await h.app.inject({ url: '/v1/payout-runs/999999999', headers: finA.auth });
    expect(unknownRun.json().error.message).toBe('Payout run 999999999 does not exist.');
    const unknownHacker = await h.app.inject({ url: '/v1/hackers/999999999/ledger', headers: finA.auth });
    expect(unknownHacker.statusCode).toBe(404);
    expect(unknownHacker.json().error.message).toBe('Hacker 999999999 does not exist.');
    const done = (await h.db.selectFrom('payout_runs').select('id').where('month', '=', '2000-01').executeTakeFirstOrThrow()).id;
    const late = await post(`/v1/payout-runs/${done}/approve`, finB);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/^Payout run \d+ (is|has) .*\.$/);
  });
});
