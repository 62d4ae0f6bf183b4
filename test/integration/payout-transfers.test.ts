// Transfer states through the API on real Postgres and Temporal (issue 24 item 1): a transfer handed to
// the bank is not paid until a result confirms it; a failed one makes the run needs_attention (finance
// task with the reason, the hacker's reason and task), a retry goes into a later Zengin file, cancelling
// needs a second finance user, withholding counts only confirmed payments, and the run completes only
// when every transfer is settled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokyoDateOf } from '../../src/domain/months.ts';
import { recordTransferResult } from '../../src/payouts/transfers.ts';
import { payoutWorld, type Auth } from '../fixtures/payouts.ts';
import { eventually, userWithToken, type Harness } from '../helpers.ts';

type PayoutWorld = Awaited<ReturnType<typeof payoutWorld>>;

let h: Harness;
let finA: Auth;
let finB: Auth;
let payee: PayoutWorld['payee'];

beforeAll(async () => {
  ({ h, finA, finB, payee } = await payoutWorld('Transfer States', { idOffset: 1_600_000_000, zenginFile: true }));
});
afterAll(async () => {
  await h?.close();
});

const get = async (url: string, auth: Auth = finA) => {
  const res = await h.app.inject({ url, headers: auth.auth });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};
const post = (url: string, auth: Auth, payload: Record<string, unknown> = {}) => h.app.inject({ method: 'POST', url, headers: auth.auth, payload });
const waitRun = (id: number, ok: (r: any) => boolean) =>
  eventually(async () => {
    const r = await get(`/v1/payout-runs/${id}`);
    return ok(r) ? r : undefined;
  }, 60_000);

describe('transfer states', () => {
  it('a failed transfer makes the run needs_attention with a finance task and the hacker’s reason; it completes only after a retry is confirmed; cancelling needs a second finance user; withholding counts only confirmed payments', async () => {
    const month = '2032-05';
    const a = await payee('Confirmed At Once', 100_000, month);
    const b = await payee('Failed Then Retried', 200_000, month);
    const c = await payee('Returned Then Cancelled', 300_000, month);
    const hackerB = await userWithToken(h.db, 'hacker', { hackerId: b });

    const start = await post('/v1/payout-runs', finA, { month, reminder_seconds: 1 });
    expect(start.statusCode, start.body).toBe(201);
    const runId: number = start.json().id;
    await waitRun(runId, (r) => r.status === 'review');
    expect((await post(`/v1/payout-runs/${runId}/approve`, finB)).statusCode).toBe(200);

    // Handed to the bank: not paid, not completed, nothing withheld yet.
    const handed = await waitRun(runId, (r) => r.totals.handed_to_bank === 3 && r.waiting_for !== 'bank transfers');
    expect(handed.status).toBe('paying');
    expect(handed.waiting_for).toMatch(/bank's results for 3 transfers/);
    const items = (await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>;
    const item = (hackerId: number) => items.find((i) => i.hacker_id === hackerId)!;
    expect(items.map((i) => i.status)).toEqual(['handed_to_bank', 'handed_to_bank', 'handed_to_bank']);
    expect(item(a).downloaded_by).toBeNull();
    const file = await h.app.inject({ url: `/v1/payout-runs/${runId}/zengin`, headers: finA.auth });
    expect(file.statusCode).toBe(200);
    const afterDownload = (await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>;
    expect(afterDownload.every((i) => i.downloaded_by === finA.user.id && i.downloaded_at)).toBe(true);
    const audit = (await get(`/v1/payout-runs/${runId}/audit?limit=500`)).items as Array<Record<string, any>>;
    expect(audit.filter((e) => e.action === 'zengin_downloaded' && e.actor === `user:${finA.user.id}`)).toHaveLength(1);
    const none = await get(`/v1/payout-runs/${runId}/withholding`);
    expect(none.residents).toMatchObject({ payees: 0, tax_total: 0 });
    expect(none.counts).toMatch(/Only payments the bank confirmed/);
    expect((await get(`/v1/hackers/${a}/ledger`, await userWithToken(h.db, 'hacker', { hackerId: a }))).items[0].status).toBe('in_run');

    // The bank's answer: a confirmed, b failed, c returned. The same key twice changes nothing.
    const first = await recordTransferResult(h.db, { itemId: item(a).id, outcome: 'confirmed', source: 'import', actor: null, key: `t-${runId}-a` });
    expect(first).toMatchObject({ status: 'confirmed', changed: true });
    expect(await recordTransferResult(h.db, { itemId: item(a).id, outcome: 'failed', source: 'import', actor: null, key: `t-${runId}-a` })).toMatchObject({ status: 'confirmed', changed: false });
    await recordTransferResult(h.db, { itemId: item(b).id, outcome: 'failed', reason: 'E1 口座なし', source: 'import', actor: null, key: `t-${runId}-b` });
    await recordTransferResult(h.db, { itemId: item(c).id, outcome: 'returned', reason: '組戻し', source: 'manual', actor: { userId: finA.user.id, role: 'finance' }, key: `t-${runId}-c` });

    const attention = await waitRun(runId, (r) => r.status === 'needs_attention');
    expect(attention.totals).toMatchObject({ confirmed: 1, failed: 1, returned: 1, needs_resolution: 2 });
    const tasks = (await get('/v1/tasks')).items as Array<Record<string, any>>;
    const task = tasks.find((t) => t.kind === 'payout_run_needs_attention' && t.run_id === runId)!;
    expect(task.items).toEqual([
      { item_id: item(b).id, hacker_id: b, status: 'failed', reason: 'E1 口座なし' },
      { item_id: item(c).id, hacker_id: c, status: 'returned', reason: '組戻し' },
    ]);
    // The hacker sees the reason on the ledger and statement, and a task to fix the bank details.
    const ledger = await get(`/v1/hackers/${b}/ledger`, hackerB);
    expect(ledger.items[0]).toMatchObject({ status: 'in_run', failure_reason: 'E1 口座なし' });
    expect((await get(`/v1/hackers/${b}/statements/${month}`, hackerB)).payments[0]).toMatchObject({ status: 'failed', failure_reason: 'E1 口座なし' });
    const hackerTasks = (await get('/v1/tasks', hackerB)).items as Array<Record<string, any>>;
    expect(hackerTasks).toContainEqual(expect.objectContaining({ kind: 'fix_bank_details', item_id: item(b).id, reason: 'E1 口座なし', link: `/v1/hackers/${b}/payee` }));
    // Only finance acts on items; a hacker never.
    expect((await post(`/v1/payout-runs/${runId}/items/${item(b).id}/retry`, hackerB)).statusCode).toBe(403);
    // Withholding: the confirmed payment only.
    const w = await get(`/v1/payout-runs/${runId}/withholding`);
    expect(w.residents).toMatchObject({ payees: 1, tax_total: item(a).withholding });

    // Cancel c: the requester cannot confirm their own request (four eyes); another finance user can.
    const listed = ((await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>).find((i) => i.hacker_id === c)!;
    expect(listed.actions).toMatchObject({ retry: { allowed: true }, move_to_next_run: { allowed: true }, cancel: { allowed: true } });
    expect((await post(`/v1/payout-runs/${runId}/items/${item(c).id}/cancel`, finA)).statusCode).toBe(400);
    const asked = await post(`/v1/payout-runs/${runId}/items/${item(c).id}/cancel`, finA, { reason: 'payee closed the account; paid by cheque' });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ status: 'returned', cancel_requested_by: finA.user.id, actions: { cancel: { allowed: false } } });
    expect(asked.json().actions.cancel.reason).toMatch(/four eyes/);
    const self = await post(`/v1/payout-runs/${runId}/items/${item(c).id}/cancel`, finA, { reason: 'again' });
    expect(self.statusCode, self.body).toBe(403);
    const cancelled = await post(`/v1/payout-runs/${runId}/items/${item(c).id}/cancel`, finB);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', resolution: 'cancelled', resolution_reason: 'payee closed the account; paid by cheque' });
    expect((await get(`/v1/payout-runs/${runId}`)).status).toBe('needs_attention');

    // Retry b: a new attempt in a later file; the run waits for its result, then completes after remittance.
    const retried = await post(`/v1/payout-runs/${runId}/items/${item(b).id}/retry`, finA, { reason: 'payee corrected the account' });
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'pending', attempt: 2 });
    await waitRun(runId, (r) => r.status === 'paying' && r.totals.handed_to_bank === 1);
    const file2 = await h.app.inject({ url: `/v1/payout-runs/${runId}/zengin`, headers: finB.auth });
    expect(file2.statusCode).toBe(200);
    expect(file2.headers['content-disposition']).toContain(`zengin-${month}-2.txt`);
    expect(file2.rawPayload.length).toBe(120 * 4 + 2 * 4); // header, one transfer, trailer, end (CRLF)
    expect((await get(`/v1/payout-runs/${runId}`)).status).toBe('paying');
    const b2 = ((await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>).find((i) => i.hacker_id === b)!;
    expect(b2).toMatchObject({ status: 'handed_to_bank', attempt: 2, downloaded_by: finB.user.id });
    await recordTransferResult(h.db, { itemId: b2.id, outcome: 'confirmed', source: 'import', actor: null, key: `t-${runId}-b2` });

    const remitting = await waitRun(runId, (r) => r.status === 'remitting');
    expect(remitting.totals).toMatchObject({ confirmed: 2, cancelled: 1, needs_resolution: 0 });
    const w2 = await get(`/v1/payout-runs/${runId}/withholding`);
    expect(w2.residents).toMatchObject({ payees: 2, tax_total: item(a).withholding + item(b).withholding });
    expect((await get(`/v1/hackers/${b}/ledger`, hackerB)).items[0].status).toBe('paid');
    expect(((await get('/v1/tasks', hackerB)).items as Array<Record<string, any>>).filter((t) => t.kind === 'fix_bank_details')).toEqual([]);
    const remit = await post(`/v1/payout-runs/${runId}/remittance`, finA, { remitted_on: tokyoDateOf(Date.now()) });
    expect(remit.statusCode, remit.body).toBe(200);
    await waitRun(runId, (r) => r.status === 'completed');
  });
});
