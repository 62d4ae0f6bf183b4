// The My Number vault and the 支払調書 through the API on real Postgres and Temporal (issue 24 items 4-5):
// a hacker submits their own 個人番号 (write-only), finance reads it only with the permission an admin
// grants (each read logged); a confirmed payout of a design fee and partner commissions gives the
// tax office's e-Tax CSV (the layout's field rules, a category per ledger kind) and the payee's PDF
// copy; and the number submitted appears in no log line, no API answer but the permitted read, no
// Temporal history of the payout run (raw or decoded by the codec) and no export but the tax-office CSV.
import { randomInt, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Payload } from '@temporalio/common';
import { sql } from 'kysely';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { myNumberCheckDigit } from '../../src/domain/payouts/my-number.ts';
import { record309Problems, RECORD_309 } from '../../src/domain/payouts/statutory-record.ts';
import { createLogger } from '../../src/logger.ts';
import { ZenginFileBankAdapter, type BankAdapter } from '../../src/payouts/bank.ts';
import { confirmTransfers, createHarness, dataConverter, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { isolatedDatabase } from '../web/browser.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;

/** Every line the app and the worker log, at every level they write. */
const logged: string[] = [];
const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });

let h: Harness;
let admin: Auth;
let finA: Auth;
let finB: Auth;
let engagementId: number;
/** Every API answer of this file but the permitted reads: none may carry the number. */
const answers: Array<{ url: string; body: string }> = [];

/** A random 個人番号 with a valid check digit (nothing else in the logs looks like it). */
const NUMBER = (() => {
  const first11 = Array.from({ length: 11 }, () => randomInt(10)).join('');
  return `${first11}${myNumberCheckDigit(first11)}`;
})();
const YEAR = 2036;
const MONTH = `${YEAR}-06`;

beforeAll(async () => {
  let file: ZenginFileBankAdapter | undefined;
  const bank: BankAdapter = { name: 'zengin-file', transfer: (req) => file!.transfer(req) };
  // Its own database: its run must hold exactly its own payees (a run drafts every unpaid line up to its month).
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl'), 1_900_000_000), deps: { bankAdapter: bank }, log: createLogger({ logLevel: 'debug', logPretty: false }, 'scan', sink) });
  file = new ZenginFileBankAdapter(h.db, h.config.bankKey!);
  admin = await userWithToken(h.db, 'admin');
  finA = await userWithToken(h.db, 'finance');
  finB = await userWithToken(h.db, 'finance');
  const cs = await userWithToken(h.db, 'cs_manager');
  const client = await makeClient(h.db, 'My Number Client');
  engagementId = (
    await h.db
      .insertInto('engagements')
      .values({
        client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 1_000_000, start_month: '2026-01',
        status: 'active', workflow_id: `engagement-mynumber-${randomUUID()}`, created_by: cs.user.id,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await h?.close();
});

async function call(method: 'GET' | 'POST' | 'PUT', url: string, auth: Auth, payload?: Record<string, unknown>, opts: { permittedRead?: boolean } = {}) {
  const res = await h.app.inject({ method, url, headers: auth.auth, ...(payload ? { payload } : {}) });
  if (!opts.permittedRead) answers.push({ url, body: res.body });
  return res;
}

async function hacker(name: string, kind: 'individual' | 'corporation') {
  return (await h.db.insertInto('hackers').values({ display_name: name, kind, residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
}

async function line(hackerId: number, kind: 'adoption_fee' | 'partner_commission', amount: number) {
  await h.db
    .insertInto('earnings_ledger')
    .values({
      unique_key: `${kind}:${hackerId}:${randomUUID()}`, hacker_id: hackerId, engagement_id: engagementId, cycle_id: null, offer_id: null, proposal_id: null,
      kind, amount_yen: amount, category: kind === 'adoption_fee' ? 'design' : 'none', month: MONTH, delivered_at: `${MONTH}-01T03:00:00Z`, reverses_id: null,
      description: `${kind} ${amount}`,
    })
    .execute();
}

async function payee(id: number, holder: string, extra: Record<string, unknown> = {}) {
  const res = await call('PUT', `/v1/hackers/${id}/payee`, finA, {
    bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: String(2_000_000 + id).slice(-7), holder_name: holder },
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(200);
}

const pdfText = async (pdf: Buffer) => (await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true })).text;

/** Every payload in a workflow history (events' inputs, results, signals, updates, memos …). */
function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (value && typeof value === 'object') {
    if ('data' in value && 'metadata' in value && (value as Payload).data instanceof Uint8Array) out.push(value as Payload);
    else for (const v of Object.values(value)) payloadsOf(v, out);
  }
  return out;
}

describe('My Number vault routes', () => {
  it('a hacker submits only their own number (write-only; another hacker 404); finance reads it only with the permission an admin grants, each read logged', async () => {
    const id = await hacker('Vault Own', 'individual');
    const me = await userWithToken(h.db, 'hacker', { hackerId: id });
    const other = await userWithToken(h.db, 'hacker', { hackerId: await hacker('Vault Other', 'individual') });
    const corp = await hacker('Vault KK', 'corporation');

    expect((await call('GET', `/v1/hackers/${id}/my-number`, me)).json()).toEqual({ hacker_id: id, on_file: false, submitted_at: null });
    const wrong = `${NUMBER.slice(0, 11)}${(Number(NUMBER[11]) + 1) % 10}`;
    const bad = await call('PUT', `/v1/hackers/${id}/my-number`, me, { my_number: wrong });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: '/body/my_number', message: 'must be 12 digits with a valid check digit' })]);
    expect((await call('PUT', `/v1/hackers/${id}/my-number`, other, { my_number: NUMBER })).statusCode).toBe(404);
    expect((await call('GET', `/v1/hackers/${id}/my-number`, other)).statusCode).toBe(404);
    const asCorp = await call('PUT', `/v1/hackers/${corp}/my-number`, await userWithToken(h.db, 'hacker', { hackerId: corp }), { my_number: NUMBER });
    expect(asCorp.statusCode, asCorp.body).toBe(400);
    expect(asCorp.body).toMatch(/only individuals/);

    const put = await call('PUT', `/v1/hackers/${id}/my-number`, me, { my_number: NUMBER });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ hacker_id: id, on_file: true, submitted_at: expect.any(String) });
    expect((await call('GET', `/v1/hackers/${id}/my-number`, finA)).json()).toMatchObject({ on_file: true });

    // Finance without the permission: 403 and no read logged; an admin cannot grant it to a non-finance user.
    const refused = await call('POST', `/v1/payees/${id}/my-number/read`, finA, { purpose: 'check' });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error.message).toMatch(/My Number permission/);
    expect((await call('PUT', `/v1/users/${admin.user.id}/my-number-access`, admin, { granted: true })).statusCode).toBe(400);
    expect((await call('PUT', `/v1/users/${finA.user.id}/my-number-access`, finA, { granted: true })).statusCode).toBe(403);
    expect((await call('PUT', '/v1/users/999999999/my-number-access', admin, { granted: true })).statusCode).toBe(404);
    expect(await h.db.selectFrom('my_number_reads').select('id').where('hacker_id', '=', id).execute()).toEqual([]);

    const grant = await call('PUT', `/v1/users/${finA.user.id}/my-number-access`, admin, { granted: true });
    expect(grant.statusCode, grant.body).toBe(200);
    expect(grant.json()).toEqual({ user_id: finA.user.id, my_number_access: true });
    const read = await call('POST', `/v1/payees/${id}/my-number/read`, finA, { purpose: '番号確認' }, { permittedRead: true });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual({ hacker_id: id, my_number: NUMBER });
    expect(await h.db.selectFrom('my_number_reads').select(['reader_user_id', 'purpose']).where('hacker_id', '=', id).execute()).toEqual([
      { reader_user_id: finA.user.id, purpose: '番号確認' },
    ]);

    // Withdrawn: refused at once (whatever a token cache holds).
    expect((await call('PUT', `/v1/users/${finA.user.id}/my-number-access`, admin, { granted: false })).statusCode).toBe(200);
    expect((await call('POST', `/v1/payees/${id}/my-number/read`, finA, { purpose: 'again' })).statusCode).toBe(403);
  });
});

describe('statutory record years', () => {
  it('a year whose due date (31 January next) is past the tax calendar is a 400 naming /params/year on every 支払調書 route; the last year in it answers', async () => {
    const ind = await hacker('Chosho Year', 'individual');
    const me = await userWithToken(h.db, 'hacker', { hackerId: ind });
    for (const [url, who] of [
      ['/v1/payouts/statutory-records/2099', finA],
      ['/v1/payouts/statutory-records/2099/tax-office.csv', finA],
      [`/v1/hackers/${ind}/statutory-records/2099/pdf`, me],
    ] as const) {
      const res = await call('GET', url, who);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['/params/year']);
    }
    const last = await call('GET', '/v1/payouts/statutory-records/2098', finA);
    expect(last.statusCode, last.body).toBe(200);
    expect(last.json()).toMatchObject({ year: 2098, statements: 0, due_date: '2099-02-02' });
  });
});

describe('支払調書 through a confirmed payout, and where the number goes', () => {
  it('the e-Tax CSV has a category per ledger kind and passes the 309 field rules; the number is in no log, answer, history or export but the tax-office CSV', async () => {
    const ind = await hacker('Chosho Individual', 'individual');
    const corp = await hacker('Chosho KK', 'corporation');
    const small = await hacker('Chosho Small', 'individual');
    const me = await userWithToken(h.db, 'hacker', { hackerId: ind });
    await payee(ind, 'ﾁｮｳｼｮ ﾀﾛｳ', { legal_name: '調書 太郎', address: '東京都港区1-2-3' });
    await payee(corp, 'ﾁｮｳｼｮ(ｶ', { legal_name: '調書株式会社', address: '大阪府大阪市北区1-1', invoice: { registration_number: 'T5010001008846', registered_on: '2023-10-01' } });
    await payee(small, 'ﾁｲｻｲ ﾊﾅｺ');
    await line(ind, 'adoption_fee', 120_000);
    await line(ind, 'partner_commission', 60_000);
    await line(corp, 'partner_commission', 90_000);
    await line(small, 'adoption_fee', 50_000);
    const put = await call('PUT', `/v1/hackers/${ind}/my-number`, me, { my_number: NUMBER });
    expect(put.statusCode, put.body).toBe(200);

    // The month's run: opened, approved by a second finance user, handed to the bank, confirmed.
    const start = await call('POST', '/v1/payout-runs', finA, { month: MONTH, reminder_seconds: 1 });
    expect(start.statusCode, start.body).toBe(201);
    const run = start.json();
    await eventually(async () => ((await call('GET', `/v1/payout-runs/${run.id}`, finA)).json().status === 'review' ? true : undefined), 60_000);
    expect((await call('POST', `/v1/payout-runs/${run.id}/approve`, finB)).statusCode).toBe(200);
    expect(await confirmTransfers(h, run.id, finA.user.id)).toHaveLength(3);
    await eventually(async () => ((await call('GET', `/v1/payout-runs/${run.id}`, finA)).json().totals.confirmed === 3 ? true : undefined), 60_000);

    // The summary: the individual's two categories and the corporation's commission are due (the ¥50,000 one is not).
    const summary = await call('GET', `/v1/payouts/statutory-records/${YEAR}`, finA);
    expect(summary.json()).toEqual({
      year: YEAR, statements: 3, statements_two_years_before: 0, e_filing_threshold: 100, e_filing_mandatory: false, due_date: expect.stringMatching(/^2037-02-0\d$/),
    });

    // The tax office's copy needs the permission; with it, every record passes the layout's field rules.
    expect((await call('GET', `/v1/payouts/statutory-records/${YEAR}/tax-office.csv`, finA)).statusCode).toBe(403);
    expect((await call('PUT', `/v1/users/${finA.user.id}/my-number-access`, admin, { granted: true })).statusCode).toBe(200);
    const etax = await call('GET', `/v1/payouts/statutory-records/${YEAR}/tax-office.csv`, finA, undefined, { permittedRead: true });
    expect(etax.statusCode, etax.body).toBe(200);
    expect(etax.headers['content-type']).toMatch(/text\/csv/);
    expect(etax.body.endsWith('\r\n')).toBe(true);
    const records = etax.body.trimEnd().split('\r\n').map((l) => l.split(','));
    for (const r of records) expect(record309Problems(r)).toEqual([]);
    const field = (r: string[], name: string) => r[RECORD_309.findIndex((f) => f.name === name)]!;
    const of = (number: string, category: string) =>
      records.filter((r) => field(r, '支払を受ける者 個人番号又は法人番号') === number && field(r, '区分') === category);
    const [design] = of(NUMBER, 'デザイン料');
    const [commission] = of(NUMBER, '紹介手数料');
    const [corporate] = of('5010001008846', '紹介手数料');
    expect(records).toHaveLength(3);
    expect([field(design!, '支払金額'), field(design!, '源泉徴収税額'), field(design!, '細目'), field(design!, '年分')]).toEqual(['120000', '12252', '採用報酬', '18']);
    expect([field(commission!, '支払金額'), field(commission!, '源泉徴収税額')]).toEqual(['60000', '0']);
    expect([field(corporate!, '支払金額'), field(corporate!, '支払を受ける者 氏名又は名称')]).toEqual(['90000', '調書株式会社']);
    const reads = await h.db.selectFrom('my_number_reads').select(['reader_user_id', 'purpose']).where('hacker_id', '=', ind).execute();
    expect(reads).toEqual([{ reader_user_id: finA.user.id, purpose: `支払調書 ${YEAR} tax-office copy` }]);

    // The payee's copy: their statements, never the number; another hacker's is a 404.
    const pdf = await h.app.inject({ url: `/v1/hackers/${ind}/statutory-records/${YEAR}/pdf`, headers: me.auth });
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/application\/pdf/);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toMatch(/デザイン料/);
    expect(text).toMatch(/紹介手数料/);
    expect(text).not.toContain(NUMBER);
    const other = await userWithToken(h.db, 'hacker', { hackerId: small });
    expect((await call('GET', `/v1/hackers/${ind}/statutory-records/${YEAR}/pdf`, other)).statusCode).toBe(404);
    expect((await call('GET', `/v1/hackers/${small}/statutory-records/${YEAR}/pdf`, other)).statusCode).toBe(404);

    // The other exports: finance's annual records (both copies; a category per ledger kind), the
    // Zengin file, the withholding summary, the payment statement (JSON and PDF).
    const annual = await call('GET', `/v1/payouts/annual-records?year=${YEAR}`, finA);
    const rows = annual.body.trim().split('\r\n').map((l) => l.split(','));
    const head = rows[0]!;
    const mine = rows.filter((r) => r[head.indexOf('hacker_id')] === String(ind)).map((r) => [r[head.indexOf('category')], r[head.indexOf('amount_paid')], r[head.indexOf('tax_withheld')]]);
    expect(mine.sort()).toEqual([['デザイン料', '120000', '12252'], ['紹介手数料', '60000', '0']]);
    await call('GET', `/v1/payouts/annual-records?year=${YEAR}&copy=payee`, finA);
    const zengin = await call('GET', `/v1/payout-runs/${run.id}/zengin`, finA);
    expect(zengin.statusCode).toBe(200);
    await call('GET', `/v1/payout-runs/${run.id}/withholding`, finA);
    await call('GET', `/v1/payout-runs/${run.id}/items`, finA);
    await call('GET', `/v1/payout-runs/${run.id}/audit?limit=500`, finA);
    await call('GET', `/v1/hackers/${ind}/ledger`, me);
    await call('GET', `/v1/hackers/${ind}/payee`, me);
    await call('GET', `/v1/payees/${ind}/payment-statements/${MONTH}`, me);
    const statementPdf = await h.app.inject({ url: `/v1/payees/${ind}/payment-statements/${MONTH}/pdf`, headers: me.auth });
    expect(statementPdf.statusCode).toBe(200);

    // Where the number went: only the tax-office CSV and the permitted reads carry it.
    expect(etax.body).toContain(NUMBER);
    const leaks = answers.filter((a) => a.body.includes(NUMBER)).map((a) => a.url);
    expect(leaks).toEqual([]);
    expect(answers.length).toBeGreaterThan(20);
    expect(await pdfText(statementPdf.rawPayload)).not.toContain(NUMBER);
    // Logs: the capture saw the app's requests (so it was listening), and none carries the number.
    expect(logged.some((l) => l.includes('my number submitted'))).toBe(true);
    expect(logged.filter((l) => l.includes(NUMBER))).toEqual([]);
    // The run's workflow history, as stored (encrypted by the codec) and decoded through the codec.
    const history = await h.temporal.workflow.getHandle(run.workflow_id).fetchHistory();
    const raw = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).not.toContain(NUMBER);
    const payloads = payloadsOf(history);
    const decoded = await dataConverter.payloadCodecs![0]!.decode(payloads);
    const plain = decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
    expect(payloads.length).toBeGreaterThan(5);
    // The decoded history is readable (the activities' inputs name the run), the stored one is not. The
    // payloads carry run and item ids, no hacker id: a bare hacker id only matched by chance as a digit.
    expect(plain).toContain(`"runId":${run.id}`);
    expect(raw).not.toContain(`"runId":${run.id}`);
    expect(plain).not.toContain(NUMBER);
    // At rest: only the vault's envelope, never the number in the clear.
    const { rows: clear } = await sql<{ n: number }>`select count(*)::int as n from my_numbers where position(${NUMBER} in number_encrypted) > 0`.execute(h.db);
    expect(clear[0]!.n).toBe(0);
  });
});
