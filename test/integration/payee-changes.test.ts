// Payee self-onboarding through the API on real Postgres and Temporal (issue 24 item 3): a payee's own
// change waits for finance (approve, reject with a reason, ask for more) and is never paid on before
// approval — bank details and tax fields alike; finance-only fields are refused; another hacker's
// changes do not exist for a hacker; an unpayable payee shows why on the run and on its own record;
// an empty completed run is drafted again; two selected proposals earn two adoption fees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accrueEarnings } from '../../src/cycles/earnings.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { payoutWorld, type Auth } from '../fixtures/payouts.ts';
import { eventually, userWithToken, type Harness } from '../helpers.ts';

type PayoutWorld = Awaited<ReturnType<typeof payoutWorld>>;

let h: Harness;
let finA: Auth;
let finB: Auth;
let earn: PayoutWorld['earn'];
let lineHacker: PayoutWorld['hackerWithLine'];

beforeAll(async () => {
  ({ h, finA, finB, earn, hackerWithLine: lineHacker } = await payoutWorld('Payee Changes', { idOffset: 1_800_000_000 }));
});
afterAll(async () => {
  await h?.close();
});

async function hackerWithLine(name: string, amount: number, month: string) {
  const id = await lineHacker(name, amount, month);
  return { id, self: await userWithToken(h.db, 'hacker', { hackerId: id }) };
}

const bank = (account: string, holder = 'ﾃｽﾄ ﾀﾛｳ') => ({ bank_code: '0001', branch_code: '001', account_type: '1', account_number: account, holder_name: holder });
const send = (method: 'GET' | 'POST' | 'PUT', url: string, auth: Auth, payload?: Record<string, unknown>) =>
  h.app.inject({ method, url, headers: auth.auth, ...(payload ? { payload } : {}) });
const get = async (url: string, auth: Auth = finA) => {
  const res = await send('GET', url, auth);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};
const waitRun = (id: number, ok: (r: any) => boolean) =>
  eventually(async () => {
    const r = await get(`/v1/payout-runs/${id}`);
    return ok(r) ? r : undefined;
  }, 60_000);
const itemsOf = async (runId: number) => (await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>;

describe('payee self-onboarding', () => {
  it("a payee's bank change is not used by a run until finance approves it; an unpayable payee shows why on the run and on its record", async () => {
    const month = '2033-02';
    const a = await hackerWithLine('Changes Bank Later', 100_000, month);
    const b = await hackerWithLine('Enters Bank Himself', 200_000, month);
    const oldAccount = '1234561';
    const newAccount = '7654329';
    expect((await send('PUT', `/v1/hackers/${a.id}/payee`, finA, { bank: bank(oldAccount) })).statusCode).toBe(200);

    // A's own PUT is a change request: 202, pending; the record (what a run reads) keeps the old account.
    const put = await send('PUT', `/v1/hackers/${a.id}/payee`, a.self, { bank: bank(newAccount, 'ｱﾀﾗｼｲ ｺｳｻﾞ') });
    expect(put.statusCode, put.body).toBe(202);
    expect(put.json()).toMatchObject({ status: 'pending', fields: ['bank'], changes: { bank: { account_number: '****329' } } });
    expect(put.body).not.toContain(newAccount);
    const aChange: number = put.json().id;
    const aRecord = await get(`/v1/hackers/${a.id}/payee`, a.self);
    expect(aRecord).toMatchObject({ bank: { account_number: '****561' }, payable: { ok: true, code: null }, open_change: { id: aChange, status: 'pending', fields: ['bank'] } });

    // B has no account on file: entering one explains why B is not paid yet, but does not lift it.
    const posted = await send('POST', `/v1/hackers/${b.id}/payee/changes`, b.self, { bank: bank('2222228'), legal_name: '山田 花子' });
    expect(posted.statusCode, posted.body).toBe(201);
    const bChange: number = posted.json().id;
    expect(await get(`/v1/hackers/${b.id}/payee`, b.self)).toMatchObject({
      bank: null, legal_name: null, payable: { ok: false, code: 'bank_change_pending_review', reason: expect.stringMatching(/waiting for finance/) },
    });

    // Finance's queue and tasks: one per pending change, with its actions.
    const queue = (await get('/v1/payee-changes?status=pending&limit=500')).items as Array<Record<string, any>>;
    expect(queue.filter((c) => c.id === aChange || c.id === bChange).map((c) => c.actions.approve.allowed)).toEqual([true, true]);
    const tasks = (await get('/v1/tasks')).items as Array<Record<string, any>>;
    expect(tasks.filter((t) => t.kind === 'review_payee_change' && (t.change_id === aChange || t.change_id === bChange))).toHaveLength(2);

    // A run now: A is paid into the account on file, B is held with the reason code.
    const start = await send('POST', '/v1/payout-runs', finA, { month });
    expect(start.statusCode, start.body).toBe(201);
    const runId: number = start.json().id;
    await waitRun(runId, (r) => r.status === 'review');
    const drafted = await itemsOf(runId);
    expect(drafted.find((i) => i.hacker_id === a.id)).toMatchObject({ status: 'pending', hold_code: null });
    expect(drafted.find((i) => i.hacker_id === b.id)).toMatchObject({ status: 'held', hold_code: 'bank_change_pending_review' });
    expect((await send('POST', `/v1/payout-runs/${runId}/approve`, finB)).statusCode).toBe(200);
    await waitRun(runId, (r) => r.totals.handed_to_bank === 1);
    const file = await send('GET', `/v1/payout-runs/${runId}/zengin`, finA);
    expect(file.statusCode).toBe(200);
    expect(file.body).toContain(oldAccount);
    expect(file.body).not.toContain(newAccount);

    // Finance approves: the record changes, B becomes payable; the change log tells who did what.
    const approved = await send('POST', `/v1/payee-changes/${aChange}/approve`, finA, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decided_by: finA.user.id, actions: { approve: { allowed: false } } });
    expect((await send('POST', `/v1/payee-changes/${bChange}/approve`, finB, {})).statusCode).toBe(200);
    expect(await get(`/v1/hackers/${a.id}/payee`, a.self)).toMatchObject({ bank: { account_number: '****329' }, open_change: null });
    expect(await get(`/v1/hackers/${b.id}/payee`, b.self)).toMatchObject({ legal_name: '山田 花子', payable: { ok: true, code: null } });
    const log = await get(`/v1/hackers/${a.id}/payee/changes`, a.self);
    expect(log.log.map((e: any) => [e.action, e.actor])).toEqual([
      ['payee_updated', `user:${finA.user.id}`],
      ['payee_change_submitted', `user:${a.self.user.id}`],
      ['payee_change_approved', `user:${finA.user.id}`],
    ]);
    expect(log.log.map((e: any) => e.bank?.account_number)).toEqual(['****561', '****329', '****329']);
    const everything = JSON.stringify([log, queue, await h.db.selectFrom('payout_audit_log').selectAll().where('hacker_id', 'in', [a.id, b.id]).execute()]);
    expect(everything).not.toContain(newAccount);
    expect(everything).not.toContain('2222228');
    expect((await get('/v1/tasks')).items.filter((t: any) => t.change_id === aChange || t.change_id === bChange)).toEqual([]);
  });

  it("a payee's own T-number waits for finance (never paid +10% before approval); tax fields are finance's only; bad numbers and kana are named", async () => {
    const month = '2033-04';
    const p = await hackerWithLine('Claims Registration', 100_000, month);
    expect((await send('PUT', `/v1/hackers/${p.id}/payee`, finA, { bank: bank('3333336') })).statusCode).toBe(200);

    const finance = await send('PUT', `/v1/hackers/${p.id}/payee`, p.self, {
      invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' }, income_source: 'domestic', default_category: 'none',
    });
    expect(finance.statusCode, finance.body).toBe(403);
    expect(finance.json().error.message).toMatch(/income_source, default_category are set by finance only/);
    const rate = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { residency: 'non_resident', treaty: { form_filed: true, limit_rate_percent: 0 } });
    expect(rate.statusCode).toBe(403);
    expect(rate.json().error.message).toMatch(/treaty\.limit_rate_percent/);
    const kind = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { kind: 'corporation' });
    expect(kind.statusCode).toBe(403);

    const badNumber = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { invoice: { registration_number: 'T1180301018772', registered_on: '2023-10-01' } });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json().error.details.map((d: any) => d.path)).toContain('/body/invoice/registration_number');
    const badKana = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { bank: bank('4444445', '山田太郎') });
    expect(badKana.statusCode).toBe(400);
    expect(badKana.json().error.details).toContainEqual(expect.objectContaining({ path: '/body/bank/holder_name', message: expect.stringMatching(/kanji/) }));
    expect((await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, {})).statusCode).toBe(400);

    const queued = await send('PUT', `/v1/hackers/${p.id}/payee`, p.self, { invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' } });
    expect(queued.statusCode, queued.body).toBe(202);
    expect((await get(`/v1/hackers/${p.id}/payee`, p.self)).invoice).toBeNull();

    const start = await send('POST', '/v1/payout-runs', finA, { month });
    const runId: number = start.json().id;
    await waitRun(runId, (r) => r.status === 'review');
    const [item] = (await itemsOf(runId)).filter((i) => i.hacker_id === p.id);
    expect(item).toMatchObject({ status: 'pending', fee_total: 100_000, gross_payable: 100_000, withholding: 10_210 });
    const row = await h.db.selectFrom('payout_items').select('consumption_tax_yen').where('id', '=', item!.id).executeTakeFirstOrThrow();
    expect(row.consumption_tax_yen).toBe(0);

    // Approved: the registration is finance's decision now, and later payments carry the tax.
    expect((await send('POST', `/v1/payee-changes/${queued.json().id}/approve`, finB, {})).statusCode).toBe(200);
    expect((await get(`/v1/hackers/${p.id}/payee`, p.self)).invoice).toMatchObject({ registration_number: 'T1180301018771', registered_on: '2023-10-01' });
  });

  it('finance rejects with a reason or asks for more; the payee answers with a new change; another hacker sees nothing of it (404)', async () => {
    const p = await hackerWithLine('Asked For More', 50_000, '2033-06');
    const other = await hackerWithLine('Someone Else', 50_000, '2033-06');
    const first = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { address: '東京都千代田区1-1', treaty: null });
    expect(first.statusCode, first.body).toBe(201);
    const id: number = first.json().id;

    // Another hacker: 404 on the reads and the writes; nor may a hacker decide.
    expect((await send('GET', `/v1/hackers/${p.id}/payee/changes`, other.self)).statusCode).toBe(404);
    expect((await send('POST', `/v1/hackers/${p.id}/payee/changes`, other.self, { address: 'x' })).statusCode).toBe(404);
    expect((await send('POST', `/v1/payee-changes/${id}/approve`, p.self, {})).statusCode).toBe(403);
    expect((await send('GET', '/v1/payee-changes', p.self)).statusCode).toBe(403);
    expect((await get(`/v1/hackers/${p.id}/payee/changes`, p.self)).items[0].actions.approve).toMatchObject({ allowed: false, reason: expect.stringMatching(/role hacker/) });

    // Ask: needs a reason; back to the payee with the question as its task.
    expect((await send('POST', `/v1/payee-changes/${id}/ask`, finA, {})).statusCode).toBe(400);
    const asked = await send('POST', `/v1/payee-changes/${id}/ask`, finA, { reason: 'Which building and room?' });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ status: 'needs_info', comment: 'Which building and room?' });
    const hackerTasks = (await get('/v1/tasks', p.self)).items as Array<Record<string, any>>;
    expect(hackerTasks).toContainEqual(expect.objectContaining({ kind: 'answer_payee_change', change_id: id, reason: 'Which building and room?' }));
    const late = await send('POST', `/v1/payee-changes/${id}/approve`, finA, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/waiting for the payee to answer/);

    // The answer is a new change; the asked-about one is superseded. Rejected with a reason: nothing changes.
    const answer = await send('POST', `/v1/hackers/${p.id}/payee/changes`, p.self, { address: '東京都千代田区1-1 丸の内ビル 10F' });
    expect(answer.statusCode).toBe(201);
    const changes = await get(`/v1/hackers/${p.id}/payee/changes`, finA);
    expect(changes.items.map((c: any) => c.status)).toEqual(['superseded', 'pending']);
    const rejected = await send('POST', `/v1/payee-changes/${answer.json().id}/reject`, finB, { reason: 'The address does not match the ID document.' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', comment: 'The address does not match the ID document.', decided_by: finB.user.id });
    expect((await send('POST', `/v1/payee-changes/${answer.json().id}/reject`, finA, { reason: 'again' })).statusCode).toBe(409);
    expect((await get(`/v1/hackers/${p.id}/payee`, p.self)).address).toBeNull();
    const log = (await get(`/v1/hackers/${p.id}/payee/changes`, p.self)).log.map((e: any) => [e.action, e.reason]);
    expect(log).toEqual([
      ['payee_change_submitted', null],
      ['payee_change_needs_info', 'Which building and room?'],
      ['payee_change_submitted', null],
      ['payee_change_rejected', 'The address does not match the ID document.'],
    ]);
    expect((await send('POST', '/v1/payee-changes/999999999/approve', finA, {})).statusCode).toBe(404);
  });

  it('a run opened before its month accrued anything completes empty, and opening it again once lines accrued drafts it again', async () => {
    // No ledger line is that old (the database is shared; payout-lifecycle and role-matrix use 2000-01 to 2001-01).
    const month = '2000-05';
    const start = await send('POST', '/v1/payout-runs', finA, { month });
    expect(start.statusCode, start.body).toBe(201);
    const runId: number = start.json().id;
    await waitRun(runId, (r) => r.status === 'completed');
    // Still nothing to draft: the same completed run, unchanged.
    const unchanged = await send('POST', '/v1/payout-runs', finB, { month });
    expect(unchanged.json()).toMatchObject({ id: runId, status: 'completed' });
    const id = (await h.db.insertInto('hackers').values({ display_name: 'Accrued Later', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    expect((await send('PUT', `/v1/hackers/${id}/payee`, finA, { bank: bank('5555553') })).statusCode).toBe(200);
    await earn(id, 80_000, month);
    const p = { id };

    const again = await send('POST', '/v1/payout-runs', finB, { month });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(runId);
    await waitRun(runId, (r) => r.status === 'review');
    expect((await itemsOf(runId)).map((i) => [i.hacker_id, i.fee_total])).toContainEqual([p.id, 80_000]);
    const audit = (await get(`/v1/payout-runs/${runId}/audit?limit=500`)).items.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['run_completed_empty', 'run_redrafted', 'run_drafted']));
    // A run that is not empty is not drafted again: the same answer, still in review.
    const third = await send('POST', '/v1/payout-runs', finA, { month });
    expect(third.statusCode).toBe(200);
    expect(third.json().status).toBe('review');
  });
});

describe('adoption fee', () => {
  it('two selected proposals of one hacker on one offer earn two adoption fees, once each', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const author = await d.hacker(['design']);
    const ctx = await d.startEngagement({
      planning_seconds: 60, offer_window_seconds: 3, selection_seconds: 600, test_max_seconds: 60, interim_check_seconds: 2,
      learning_seconds: 1, min_proposals: 1, adoption_fee_yen: 120_000, win_bonus_yen: 80_000, mde_relative: 0.3,
    });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    const one = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Shipping on the cart', description: 'd', design_url: 'https://figma.example/1' });
    const two = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Shipping on the product page', description: 'd', design_url: 'https://figma.example/2' });
    await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 20_000);
    await d.select(ctx.cycleId, [{ offer_id: offer.id, proposal_ids: [one.id, two.id] }]);

    // The cycle's accrual (as its workflow runs it), twice: each fee once.
    await accrueEarnings(h.db, { cycleId: ctx.cycleId, completed: false });
    await accrueEarnings(h.db, { cycleId: ctx.cycleId, completed: false });
    const fees = await h.db
      .selectFrom('earnings_ledger')
      .select(['proposal_id', 'amount_yen'])
      .where('cycle_id', '=', ctx.cycleId)
      .where('kind', '=', 'adoption_fee')
      .orderBy('proposal_id')
      .execute();
    expect(fees).toEqual([
      { proposal_id: one.id, amount_yen: 120_000 },
      { proposal_id: two.id, amount_yen: 120_000 },
    ]);
  });
});
