// The bank's answer through the API on real Postgres and Temporal (issue 24 item 2): the run's own
// 全銀 file comes back from the bank with a result code per transfer (one 振込不能, the rest done) and is
// imported all or nothing; a malformed or mismatched line changes nothing and names the line; the same
// file twice changes nothing; a 組戻し (CSV) takes the payment back and the next run pays it again;
// finance can mark a transfer by hand; nobody else can do either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutWorld, type Auth } from '../fixtures/payouts.ts';
import { eventually, userWithToken, type Harness } from '../helpers.ts';

type PayoutWorld = Awaited<ReturnType<typeof payoutWorld>>;

let h: Harness;
let finA: Auth;
let finB: Auth;
let payee: PayoutWorld['payee'];

beforeAll(async () => {
  ({ h, finA, finB, payee } = await payoutWorld('Bank Results', { idOffset: 1_700_000_000, zenginFile: true }));
});
afterAll(async () => {
  await h?.close();
});

const get = async (url: string, auth: Auth = finA) => {
  const res = await h.app.inject({ url, headers: auth.auth });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};
const post = (url: string, auth: Auth, payload: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url, headers: { ...auth.auth, ...headers }, payload });
const upload = (runId: number, body: Buffer | string, auth: Auth = finA, type = 'application/octet-stream') =>
  h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/bank-results`, headers: { ...auth.auth, 'content-type': type }, payload: body });
const waitRun = (id: number, ok: (r: any) => boolean) =>
  eventually(async () => {
    const r = await get(`/v1/payout-runs/${id}`);
    return ok(r) ? r : undefined;
  }, 60_000);
const itemsOf = async (runId: number) => (await get(`/v1/payout-runs/${runId}/items`)).items as Array<Record<string, any>>;

/** Opens the month's run, approves it (second finance user) and waits until its transfers are handed to the bank. */
async function handedRun(month: string, transfers: number) {
  const start = await post('/v1/payout-runs', finA, { month, reminder_seconds: 1 });
  expect(start.statusCode, start.body).toBe(201);
  const runId: number = start.json().id;
  await waitRun(runId, (r) => r.status === 'review');
  const approved = await post(`/v1/payout-runs/${runId}/approve`, finB);
  expect(approved.statusCode, approved.body).toBe(200);
  await waitRun(runId, (r) => r.totals.handed_to_bank === transfers && r.waiting_for !== 'bank transfers');
  return runId;
}

/** The run's 全銀 file as the bank sends it back: each data record with its result code in column 114. */
async function bankAnswer(runId: number, codeOf: (payeeId: number) => string) {
  const res = await h.app.inject({ url: `/v1/payout-runs/${runId}/zengin`, headers: finA.auth });
  expect(res.statusCode).toBe(200);
  const records = res.rawPayload.toString('latin1').split('\r\n').filter(Boolean).map((r) => Buffer.from(r, 'latin1'));
  for (const r of records) {
    if (r[0] === 0x32) r[113] = codeOf(Number(r.subarray(91, 101).toString('latin1'))).charCodeAt(0);
  }
  return { records, bytes: () => Buffer.concat(records.flatMap((r) => [r, Buffer.from('\r\n')])) };
}

describe("the bank's answer", () => {
  it('imports the result file all or nothing (one 振込不能, the rest done), once; a 組戻し goes back on the balance and the next run pays it', async () => {
    const month = '2026-09';
    const a = await payee('Done Then Returned', 100_000, month);
    const b = await payee('No Such Account', 200_000, month);
    const c = await payee('Done', 300_000, month);
    const hackerA = await userWithToken(h.db, 'hacker', { hackerId: a });
    const hackerB = await userWithToken(h.db, 'hacker', { hackerId: b });
    const runId = await handedRun(month, 3);
    const items = await itemsOf(runId);
    const item = (hackerId: number) => items.find((i) => i.hacker_id === hackerId)!;
    const answer = await bankAnswer(runId, (p) => (p === b ? '1' : '0'));

    // Malformed: line 3's amount is not digits. A 400 naming line and column; nothing recorded, not even line 2.
    const broken = answer.records.map((r) => Buffer.from(r));
    broken[2]!.write('X', 85, 'latin1');
    const bad = await upload(runId, Buffer.concat(broken.flatMap((r) => [r, Buffer.from('\r\n')])));
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: '/body/line/3/amount', message: expect.stringContaining('line 3, column 81 (amount)') })]);
    // Well-formed but not what was handed to the bank: another account on line 2 (CSV), refused naming it.
    const wrong = await upload(
      runId,
      `customer_code,bank_code,branch_code,account_number,amount,result,reason\n${a},0001,001,9999999,${item(a).net_transfer},0,\n`,
      finA,
      'text/csv',
    );
    expect(wrong.statusCode, wrong.body).toBe(400);
    expect(wrong.json().error.details[0].path).toBe('/body/line/2/account_number');
    expect((await itemsOf(runId)).map((i) => i.status)).toEqual(['handed_to_bank', 'handed_to_bank', 'handed_to_bank']);

    // Only finance imports; a hacker is refused before anything is read.
    expect((await upload(runId, answer.bytes(), hackerA)).statusCode).toBe(403);

    const imported = await upload(runId, answer.bytes());
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ format: 'zengin', counts: { confirmed: 2, failed: 1, returned: 0, unchanged: 0 } });
    const attention = await waitRun(runId, (r) => r.status === 'needs_attention');
    expect(attention.totals).toMatchObject({ confirmed: 2, failed: 1 });
    const after = await itemsOf(runId);
    expect(after.find((i) => i.hacker_id === b)).toMatchObject({ status: 'failed', failure_reason: '1 振込不能: 該当口座なし (no such account)' });
    expect((await get(`/v1/hackers/${b}/ledger`, hackerB)).items[0]).toMatchObject({ status: 'in_run', failure_reason: '1 振込不能: 該当口座なし (no such account)' });
    expect((await get(`/v1/hackers/${a}/ledger`, hackerA)).balance).toMatchObject({ paid_yen: 100_000, unpaid_yen: 0 });

    // The same file again changes nothing: every line unchanged, no new result or audit entry.
    const results = async () => (await h.db.selectFrom('payout_transfer_results').select('id').where('run_id', '=', runId).execute()).length;
    const audits = async () => (await get(`/v1/payout-runs/${runId}/audit?limit=500`)).items.length as number;
    const [resultsBefore, auditBefore] = [await results(), await audits()];
    const again = await upload(runId, answer.bytes());
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().counts).toEqual({ confirmed: 0, failed: 0, returned: 0, unchanged: 3 });
    expect([await results(), await audits()]).toEqual([resultsBefore, auditBefore]);
    expect((await itemsOf(runId)).map((i) => i.status)).toEqual(after.map((i) => i.status));

    // All or nothing in one transaction: line 2 (c came back) would apply, line 3 cannot (b failed, not
    // handed to the bank): a 409 naming line 3, and c is still confirmed.
    const acct = (id: number) => String(1_000_000 + id).slice(-7);
    const half = await upload(
      runId,
      `item_id,bank_code,branch_code,account_number,amount,result,reason\n${item(c).id},0001,001,${acct(c)},${item(c).net_transfer},8,\n${item(b).id},0001,001,${acct(b)},${item(b).net_transfer},0,\n`,
      finA,
      'text/csv',
    );
    expect(half.statusCode, half.body).toBe(409);
    expect(half.json().error.message).toMatch(/^Line 3: Item \d+ is failed/);
    expect((await itemsOf(runId)).find((i) => i.hacker_id === c)!.status).toBe('confirmed');
    expect(await results()).toBe(resultsBefore);

    // 組戻し: a's confirmed transfer comes back (CSV by item id). No longer paid: it waits for finance with its reason.
    const returned = await upload(
      runId,
      `item_id,bank_code,branch_code,account_number,amount,result,reason\r\n${item(a).id},0001,001,${String(1_000_000 + a).slice(-7)},${item(a).net_transfer},8,受取人口座相違\r\n`,
      finA,
      'text/csv',
    );
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ format: 'csv', counts: { returned: 1 }, lines: [{ item_id: item(a).id, status: 'returned', changed: true }] });
    const ledgerA = await get(`/v1/hackers/${a}/ledger`, hackerA);
    expect(ledgerA.balance).toMatchObject({ paid_yen: 0, in_run_yen: 100_000 });
    expect(ledgerA.items[0].failure_reason).toBe('8 組戻し (the transfer came back): 受取人口座相違');
    const withholding = await get(`/v1/payout-runs/${runId}/withholding`);
    expect(withholding.residents.payees).toBe(1);

    // Finance moves both to the next run: their lines go back on the balance, and the next run pays them.
    for (const id of [a, b]) {
      const moved = await post(`/v1/payout-runs/${runId}/items/${item(id).id}/move-to-next-run`, finA, { reason: 'payee fixed the bank details' });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    expect((await get(`/v1/hackers/${a}/ledger`, hackerA)).balance).toMatchObject({ paid_yen: 0, unpaid_yen: 100_000 });
    const next = await handedRun('2026-10', 2);
    const nextItems = await itemsOf(next);
    expect(nextItems.map((i) => [i.hacker_id, i.gross_payable])).toEqual([[a, 100_000], [b, 200_000]]);

    // Marked by hand (the bank phoned): a failed mark needs a reason; only finance marks; a mark once per key.
    const nextA = nextItems.find((i) => i.hacker_id === a)!;
    expect((await post(`/v1/payout-runs/${next}/items/${nextA.id}/result`, finA, { outcome: 'failed' })).statusCode).toBe(400);
    expect((await post(`/v1/payout-runs/${next}/items/${nextA.id}/result`, hackerA, { outcome: 'confirmed' })).statusCode).toBe(403);
    expect((await post(`/v1/payout-runs/${runId}/items/${nextA.id}/result`, finA, { outcome: 'confirmed' })).statusCode).toBe(404);
    const key = { 'idempotency-key': `mark-${next}-a` };
    const marked = await post(`/v1/payout-runs/${next}/items/${nextA.id}/result`, finA, { outcome: 'confirmed' }, key);
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ item_id: nextA.id, status: 'confirmed', changed: true });
    // The same key again: the first answer, and still one result recorded.
    expect((await post(`/v1/payout-runs/${next}/items/${nextA.id}/result`, finA, { outcome: 'confirmed' }, key)).json()).toEqual(marked.json());
    expect(await h.db.selectFrom('payout_transfer_results').select(['outcome', 'source']).where('item_id', '=', nextA.id).execute()).toEqual([{ outcome: 'confirmed', source: 'manual' }]);
    expect((await get(`/v1/hackers/${a}/ledger`, hackerA)).balance).toMatchObject({ paid_yen: 100_000, unpaid_yen: 0, in_run_yen: 0 });
  });
});
