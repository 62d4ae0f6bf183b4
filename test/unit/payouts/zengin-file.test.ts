import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ValidationError } from '../../../src/domain/errors.ts';
import { buildZenginFile, zenginFileOp, zenginRecords } from '../../../src/domain/payouts/index.ts';
import type { ZenginFileInput } from '../../../src/domain/payouts/index.ts';
import { validatePayeeInput } from '../../../src/payouts/payees.ts';
import { errorOf } from './expect-error.ts';

const payer = {
  requester_code: '1234567890',
  name: '株式会社ミライカイゼン',
  bank_code: '0001',
  branch_code: '001',
  account_type: '1',
  account_number: '1234567',
};
const transfer = (extra: Record<string, unknown> = {}) => ({
  bank_code: '0036',
  branch_code: '201',
  account_type: '1',
  account_number: '7654321',
  name: 'ヤマダ　タロウ',
  amount: 99_790,
  customer_code1: '0000100001',
  customer_code2: '2026070001',
  ...extra,
});
const body = (transfers: unknown[] = [transfer()], extra: Record<string, unknown> = {}) => ({
  payer,
  transfer_date: '2026-07-24',
  line_ending: 'none',
  transfers,
  ...extra,
});

function records(buf: Buffer, stride = 120): string[] {
  const out: string[] = [];
  for (let i = 0; i < buf.length; i += stride) out.push(iconv.decode(buf.subarray(i, i + 120), 'Shift_JIS'));
  return out;
}

const paths = (fn: () => unknown) => errorOf(fn).details.map((d) => d.path);

describe('layout', () => {
  it('every record is exactly 120 bytes; header/data/trailer/end in order', () => {
    const buf = zenginFileOp(body([transfer(), transfer({ amount: 1 })]));
    expect(buf.length).toBe(5 * 120);
    const recs = records(buf);
    expect(recs.map((r) => r[0])).toEqual(['1', '2', '2', '8', '9']);
    expect(recs[3]).toBe('8' + '000002' + '000000099791' + ' '.repeat(101));
    expect(recs[4]).toBe('9' + ' '.repeat(119));
  });

  it('header N fields are right-justified and zero-filled, not refused: requester code "123", account number "12345"', () => {
    const [h] = records(zenginFileOp({ ...body(), payer: { ...body().payer, requester_code: '123', account_number: '12345' } } as never));
    expect(h!.slice(4, 14)).toBe('0000000123');
    expect(h!.slice(96, 103)).toBe('0012345');
    expect(h).toHaveLength(120);
  });

  it('header fields', () => {
    const [h] = records(zenginFileOp(body()));
    expect(h!.slice(0, 4)).toBe('1210');
    expect(h!.slice(4, 14)).toBe('1234567890');
    expect(h!.slice(14, 54)).toBe('ｶ)ﾐﾗｲｶｲｾﾞﾝ'.padEnd(40));
    expect(h!.slice(54, 58)).toBe('0724');
    expect(h!.slice(58, 62)).toBe('0001');
    expect(h!.slice(62, 77)).toBe('ﾐｽﾞﾎ'.padEnd(15));
    expect(h!.slice(77, 80)).toBe('001');
    expect(h!.slice(80, 95)).toBe('ﾄｳｷﾖｳ'.padEnd(15));
    expect(h!.slice(95, 96)).toBe('1');
    expect(h!.slice(96, 103)).toBe('1234567');
    expect(h!.slice(103)).toBe(' '.repeat(17));
  });

  it('data fields; short codes and account numbers are zero-filled', () => {
    const recs = records(zenginFileOp(body([transfer({ account_number: '12345', customer_code1: '42', customer_code2: undefined })])));
    const d = recs[1]!;
    expect(d.slice(0, 5)).toBe('20036');
    expect(d.slice(5, 20)).toBe('ﾗｸﾃﾝ'.padEnd(15));
    expect(d.slice(20, 23)).toBe('201');
    expect(d.slice(23, 38)).toBe('ｼﾞﾔｽﾞ'.padEnd(15));
    expect(d.slice(38, 42)).toBe('0000');
    expect(d.slice(42, 43)).toBe('1');
    expect(d.slice(43, 50)).toBe('0012345');
    expect(d.slice(50, 80)).toBe('ﾔﾏﾀﾞ ﾀﾛｳ'.padEnd(30));
    expect(d.slice(80, 90)).toBe('0000099790');
    expect(d.slice(90, 91)).toBe('0');
    expect(d.slice(91, 101)).toBe('0000000042');
    expect(d.slice(101, 111)).toBe('0000000000');
    expect(d.slice(111, 112)).toBe('7');
    expect(d.slice(112, 113)).toBe(' ');
    expect(d.slice(113)).toBe(' '.repeat(7));
  });

  it('EDI text fills 92:20 with 113 = Y', () => {
    const recs = records(zenginFileOp(body([transfer({ customer_code1: undefined, customer_code2: undefined, edi: 'INV-2026-07 ｾｲｷﾕｳ' })])));
    const d = recs[1]!;
    expect(d.slice(91, 111)).toBe('INV-2026-07 ｾｲｷﾕｳ'.padEnd(20));
    expect(d.slice(111, 113)).toBe('7Y');
    expect(d.length).toBe(120);
  });

  it('EDI of exactly 20 single-byte characters is accepted', () => {
    const recs = records(zenginFileOp(body([transfer({ customer_code1: undefined, customer_code2: undefined, edi: 'ｱ'.repeat(20) })])));
    expect(recs[1]!.slice(91, 113)).toBe('ｱ'.repeat(20) + '7Y');
  });

  it('CRLF after each record vs no line ending', () => {
    const none = zenginFileOp(body());
    const crlf = zenginFileOp(body([transfer()], { line_ending: 'crlf' }));
    expect(none.length).toBe(4 * 120);
    expect(none.includes(Buffer.from('\r\n'))).toBe(false);
    expect(crlf.length).toBe(4 * 122);
    for (let i = 0; i < 4; i++) {
      expect(crlf.subarray(i * 122, i * 122 + 120).equals(none.subarray(i * 120, (i + 1) * 120))).toBe(true);
      expect(crlf.subarray(i * 122 + 120, i * 122 + 122).toString('latin1')).toBe('\r\n');
    }
  });

  it('given bank_name / branch_name are converted and used even for codes zengin-code does not know', () => {
    const recs = records(
      zenginFileOp(body([transfer({ bank_code: '9999', branch_code: '999', bank_name: 'テストぎんこう', branch_name: 'ホンテン　エイギョウブ　ダイイチ' })])),
    );
    expect(recs[1]!.slice(5, 20)).toBe('ﾃｽﾄｷﾞﾝｺｳ'.padEnd(15));
    expect(recs[1]!.slice(23, 38)).toBe('ﾎﾝﾃﾝ ｴｲｷﾞﾖｳﾌﾞ'.padEnd(15));
  });

  it('bank/branch names are cut at 15 bytes without splitting a voicing mark', () => {
    const recs = records(zenginFileOp(body([transfer({ bank_name: 'アアアアアアアアアアアアアアガ' })])));
    expect(recs[1]!.slice(5, 20)).toBe('ｱ'.repeat(14) + ' ');
  });

  it('ゆうちょ (9900) branch looked up from zengin-code', () => {
    const recs = records(zenginFileOp(body([transfer({ bank_code: '9900', branch_code: '238', account_number: '1234567' })])));
    expect(recs[1]!.slice(1, 5)).toBe('9900');
    expect(recs[1]!.slice(5, 20)).toBe('ﾕｳﾁﾖ'.padEnd(15));
    expect(recs[1]!.slice(23, 38)).toBe('ﾆｻﾝﾊﾁ'.padEnd(15));
  });

  it('buildZenginFile (typed) equals the op; zenginRecords gives the text', () => {
    const input = body() as unknown as ZenginFileInput;
    expect(buildZenginFile(input).equals(zenginFileOp(input))).toBe(true);
    expect(zenginRecords(input).every((r) => r.length === 120)).toBe(true);
  });

  it('account types 1/2/4/9 for payees and 1/2/9 for the payer', () => {
    for (const t of ['1', '2', '4', '9']) expect(records(zenginFileOp(body([transfer({ account_type: t })])))[1]![42]).toBe(t);
    for (const t of ['1', '2', '9']) expect(records(zenginFileOp({ ...body(), payer: { ...payer, account_type: t } }))[0]![95]).toBe(t);
  });

  it('maximum amount 9,999,999,999 and a 12-digit total', () => {
    const recs = records(zenginFileOp(body([transfer({ amount: 9_999_999_999 }), transfer({ amount: 9_999_999_999 })])));
    expect(recs[1]!.slice(80, 90)).toBe('9999999999');
    expect(recs[3]!.slice(7, 19)).toBe('019999999998');
  });
});

describe('validation', () => {
  it.each([
    [{ requester_code: '12345678901' }, '/payer/requester_code'],
    [{ requester_code: '12-3' }, '/payer/requester_code'],
    [{ requester_code: 1234567890 }, '/payer/requester_code'],
    [{ bank_code: '1' }, '/payer/bank_code'],
    [{ bank_code: '12a4' }, '/payer/bank_code'],
    [{ branch_code: '01' }, '/payer/branch_code'],
    [{ account_type: '4' }, '/payer/account_type'],
    [{ account_number: '12345678' }, '/payer/account_number'],
    [{ name: '未来改善株式会社' }, '/payer/name'],
    [{ bank_name: '銀行' }, '/payer/bank_name'],
    [{ bank_code: '0002' }, '/payer/bank_code'],
    [{ branch_code: '000' }, '/payer/branch_code'],
  ])('payer %j → %s', (override, path) => {
    expect(paths(() => zenginFileOp({ ...body(), payer: { ...payer, ...override } }))).toContain(path);
  });

  const noCodes = { customer_code1: undefined, customer_code2: undefined };
  it.each([
    [{ bank_code: '036' }, '/transfers/0/bank_code'],
    [{ branch_code: '2011' }, '/transfers/0/branch_code'],
    [{ bank_code: '9998' }, '/transfers/0/bank_code'],
    [{ branch_code: '999' }, '/transfers/0/branch_code'],
    [{ account_type: '3' }, '/transfers/0/account_type'],
    [{ account_type: 'x' }, '/transfers/0/account_type'],
    [{ account_number: '' }, '/transfers/0/account_number'],
    [{ account_number: '12345678' }, '/transfers/0/account_number'],
    [{ account_number: '12-345' }, '/transfers/0/account_number'],
    [{ name: '山田太郎' }, '/transfers/0/name'],
    [{ name: 'yamada' }, '/transfers/0/name'],
    [{ name: '' }, '/transfers/0/name'],
    [{ name: 42 }, '/transfers/0/name'],
    [{ amount: 0 }, '/transfers/0/amount'],
    [{ amount: -5 }, '/transfers/0/amount'],
    [{ amount: 1.5 }, '/transfers/0/amount'],
    [{ amount: '100' }, '/transfers/0/amount'],
    [{ amount: 10_000_000_000 }, '/transfers/0/amount'],
    [{ customer_code1: '12345678901' }, '/transfers/0/customer_code1'],
    [{ customer_code2: 'ABC' }, '/transfers/0/customer_code2'],
    [{ edi: 'INV1' }, '/transfers/0/edi'],
    [{ ...noCodes, edi: 'A'.repeat(21) }, '/transfers/0/edi'],
    [{ ...noCodes, edi: 'inv-1' }, '/transfers/0/edi'],
    [{ ...noCodes, edi: '請求書' }, '/transfers/0/edi'],
    [{ ...noCodes, edi: 'セイキュウ' }, '/transfers/0/edi'],
    [{ ...noCodes, edi: '' }, '/transfers/0/edi'],
    [{ bank_name: 'ラクテン銀行' }, '/transfers/0/bank_name'],
    [{ branch_name: 'ジャズ支店' }, '/transfers/0/branch_name'],
  ])('transfer %j → %s', (override, path) => {
    expect(paths(() => zenginFileOp(body([transfer(override)])))).toContain(path);
  });

  it('the total must fit 12 digits', () => {
    const many = Array.from({ length: 101 }, () => transfer({ amount: 9_999_999_999 }));
    expect(paths(() => zenginFileOp(body(many)))).toContain('/transfers');
  });

  it('names every bad field at once, across transfers', () => {
    const p = paths(() =>
      zenginFileOp({
        payer: { ...payer, requester_code: 'x' },
        transfer_date: '2026-13-01',
        line_ending: 'lf',
        transfers: [transfer(), transfer({ amount: 0, name: '漢字' }), 'nope'],
      }),
    );
    expect(p.sort()).toEqual(
      ['/payer/requester_code', '/transfer_date', '/line_ending', '/transfers/1/amount', '/transfers/1/name', '/transfers/2'].sort(),
    );
  });

  it.each([
    [{ transfers: [] }, '/transfers'],
    [{ transfers: undefined }, '/transfers'],
    [{ payer: undefined }, '/payer'],
    [{ transfer_date: '2026-02-29' }, '/transfer_date'],
    [{ line_ending: undefined }, '/line_ending'],
  ])('file-level %j → %s', (override, path) => {
    expect(paths(() => zenginFileOp({ ...body(), ...override }))).toContain(path);
  });

  it('a non-object body', () => {
    expect(() => zenginFileOp(null)).toThrow(ValidationError);
    expect(() => zenginFileOp([])).toThrow(ValidationError);
  });
});

describe('the bank file refuses what the payee master refuses (kaizen payouts zengin)', () => {
  const cli = (input: unknown) => spawnSync(process.execPath, ['bin/kaizen.js', 'payouts', 'zengin'], { input: JSON.stringify(input), env: { ...process.env, LOG_LEVEL: 'silent' } });
  // 31 bytes in Zengin form: the payee master answers 400; the file must not cut it to 30.
  const long = 'ア'.repeat(29) + 'ガ';
  it.each([
    [long, /31 bytes in Zengin form; the field holds 30/],
    ['ﾔﾏﾀﾞ\r\nﾀﾛｳ', /control characters/],
    ['ﾔﾏﾀﾞ\tﾀﾛｳ', /control characters/],
  ])('name %j: exit 2 naming /transfers/0/name, as PUT /v1/hackers/:id/payee does for its holder name', (name, message) => {
    const r = cli(body([transfer({ name })]));
    expect(r.status, r.stdout.toString()).toBe(2);
    expect(r.stdout.length).toBe(0);
    const err = JSON.parse(r.stderr.toString()).error;
    expect(err.details).toEqual([expect.objectContaining({ path: '/transfers/0/name', message: expect.stringMatching(message) })]);
    expect(() => validatePayeeInput({ bank: { bank_code: '0036', branch_code: '201', account_type: '1', account_number: '7654321', holder_name: name } }, 'individual', 'resident')).toThrow(message);
  });
  it.each([
    [{ name: 'ｶｲｾﾞﾝ\nﾃﾞｽｸ' }, '/payer/name'],
    [{ bank_name: 'ﾐｽﾞﾎ\r' }, '/payer/bank_name'],
  ])('payer %j: control characters refused → %s', (override, path) => {
    expect(paths(() => zenginFileOp({ ...body(), payer: { ...payer, ...override } }))).toContain(path);
  });
});
