// The bank's result file parser on fixtures written from the 全銀 総合振込 layout (Shift_JIS bytes via
// iconv-lite), the CSV variant, and malformed files refused naming the line and column.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../../src/domain/errors.ts';
import { zenginRecords } from '../../../src/domain/payouts/zengin-file.ts';
import { parseBankResultCsv, parseBankResultFile, parseZenginResult } from '../../../src/domain/payouts/zengin-result.ts';

const n = (v: number | string, w: number) => String(v).padStart(w, '0');
const c = (v: string, w: number) => v.padEnd(w, ' ');

// Written field by field from the layout (not with our writer): header 1, data 2, trailer 8, end 9.
const header = '1' + '21' + '0' + n(1234567890, 10) + c('ｶ)ｶｲｾﾞﾝﾃﾞｽｸ', 40) + '1225' + '0005' + c('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｪｲ', 15) + '001' + c('ﾎﾝﾃﾝ', 15) + '1' + n(7654321, 7) + c('', 17);
function data(o: { bank: string; branch: string; account: string; name: string; amount: number; payee: number; run: number; code: string }) {
  return '2' + o.bank + c('ﾐｽﾞﾎ', 15) + o.branch + c('ｼﾌﾞﾔ', 15) + '0000' + '1' + n(o.account, 7) + c(o.name, 30) + n(o.amount, 10) + '0' + n(o.payee, 10) + n(o.run, 10) + '7' + ' ' + o.code + c('', 6);
}
const trailer = (count: number, total: number) => '8' + n(count, 6) + n(total, 12) + c('', 101);
const end = '9' + c('', 119);
const sjis = (records: string[], crlf = true) => Buffer.concat(records.map((r) => Buffer.concat([iconv.encode(r, 'Shift_JIS'), Buffer.from(crlf ? '\r\n' : '')])));

const done = data({ bank: '0001', branch: '123', account: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ', amount: 45_000, payee: 17, run: 3, code: '0' });
const noAccount = data({ bank: '0009', branch: '001', account: '0000042', name: 'ｽｽﾞｷ ﾊﾅｺ', amount: 12_345, payee: 18, run: 3, code: '1' });

function ruleOf(fn: () => unknown): RuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error('expected a RuleError');
}

describe('全銀 総合振込 result file', () => {
  it('reads each data record: account, amount, customer codes and the result code (CRLF or none)', () => {
    for (const crlf of [true, false]) {
      const file = parseZenginResult(sjis([header, done, noAccount, trailer(2, 57_345), end], crlf));
      expect(file.format).toBe('zengin');
      expect(file.lines).toEqual([
        { line: 2, ref: { kind: 'customer', payeeId: 17, runId: 3 }, bank_code: '0001', branch_code: '123', account_number: '1234567', amount: 45_000, code: '0', outcome: 'confirmed', reason: '振込済 (transferred)' },
        { line: 3, ref: { kind: 'customer', payeeId: 18, runId: 3 }, bank_code: '0009', branch_code: '001', account_number: '0000042', amount: 12_345, code: '1', outcome: 'failed', reason: '振込不能: 該当口座なし (no such account)' },
      ]);
    }
  });

  it('reads the file we send with a result code in column 114 (組戻し: returned)', () => {
    const sent = zenginRecords({
      payer: { requester_code: '1', name: 'カイゼンデスク', bank_code: '0001', branch_code: '001', account_type: '1', account_number: '7654321' },
      transfer_date: '2026-12-25',
      line_ending: 'crlf',
      transfers: [{ bank_code: '0001', branch_code: '001', account_type: '1', account_number: '765', name: 'ﾔﾏﾀﾞ ﾀﾛｳ', amount: 9_000, customer_code1: '5', customer_code2: '8' }],
    });
    sent[1] = sent[1]!.slice(0, 113) + '8' + sent[1]!.slice(114);
    const [line] = parseBankResultFile(sjis(sent)).lines;
    expect(line).toMatchObject({ line: 2, ref: { kind: 'customer', payeeId: 5, runId: 8 }, account_number: '0000765', amount: 9_000, code: '8', outcome: 'returned' });
  });

  it('refuses a malformed line naming its line and column; nothing of the file is returned', () => {
    const badAmount = done.slice(0, 80) + '00045X00' + done.slice(88);
    let e = ruleOf(() => parseZenginResult(sjis([header, done, badAmount, trailer(2, 90_000), end])));
    expect([e.kind, e.path]).toEqual(['invalid', '/line/3/amount']);
    expect(e.message).toContain('line 3, column 81 (amount)');

    e = ruleOf(() => parseZenginResult(sjis([header, done.slice(0, 113) + '7' + done.slice(114), trailer(1, 45_000), end])));
    expect([e.path, e.message.includes('line 2, column 114 (result_code)')]).toEqual(['/line/2/result_code', true]);

    e = ruleOf(() => parseZenginResult(sjis([header, done.slice(0, 119), trailer(1, 45_000), end])));
    expect([e.path, e.message.includes('line 2, column 120 (record)')]).toEqual(['/line/2/record', true]);

    e = ruleOf(() => parseZenginResult(sjis([header, done, trailer(2, 45_000), end])));
    expect([e.path, e.message.includes('line 3, column 2 (count)')]).toEqual(['/line/3/count', true]);

    e = ruleOf(() => parseZenginResult(sjis([header, done, trailer(1, 45_001), end])));
    expect(e.path).toBe('/line/3/total');

    e = ruleOf(() => parseZenginResult(sjis([header, done, trailer(1, 45_000)])));
    expect(e.message).toContain('no end (9) record');

    e = ruleOf(() => parseZenginResult(sjis([header.slice(0, 1) + '91' + header.slice(3), done, trailer(1, 45_000), end])));
    expect(e.path).toBe('/line/1/type');
  });
});

describe('CSV result file', () => {
  it('reads item ids or customer codes, in UTF-8 or Shift_JIS, keeping the bank’s words', () => {
    const text = 'item_id,bank_code,branch_code,account_number,amount,result,reason\r\n41,0001,123,1234567,45000,0,\r\n42,0009,001,42,12345,3,名義相違\r\n';
    for (const bytes of [Buffer.from(text, 'utf8'), iconv.encode(text, 'Shift_JIS')]) {
      const file = parseBankResultFile(bytes);
      expect(file.format).toBe('csv');
      expect(file.lines.map((l) => [l.line, l.ref, l.account_number, l.outcome, l.reason])).toEqual([
        [2, { kind: 'item', itemId: 41 }, '1234567', 'confirmed', '振込済 (transferred)'],
        [3, { kind: 'item', itemId: 42 }, '0000042', 'failed', '振込不能: 受取人名相違 (name does not match the account): 名義相違'],
      ]);
    }
    const byCustomer = parseBankResultCsv(Buffer.from('customer_code,bank_code,branch_code,account_number,amount,result,reason\n17,0001,123,1234567,45000,8,\n'));
    expect(byCustomer.lines[0]).toMatchObject({ ref: { kind: 'customer', payeeId: 17, runId: null }, outcome: 'returned' });
  });

  it('refuses a bad header, a bad cell or an unreadable line naming line and column', () => {
    const head = 'item_id,bank_code,branch_code,account_number,amount,result,reason\n';
    expect(ruleOf(() => parseBankResultCsv(Buffer.from('id,bank,branch,account,amount,result,reason\n1,0001,123,1,1,0,\n'))).path).toBe('/line/1/header');
    expect(ruleOf(() => parseBankResultCsv(Buffer.from(`${head}41,0001,123,1234567,45000,0,\n\n42,0001,12,1,1,0,\n`))).path).toBe('/line/4/branch_code');
    expect(ruleOf(() => parseBankResultCsv(Buffer.from(`${head}41,0001,123,1234567,-5,0,\n`))).path).toBe('/line/2/amount');
    expect(ruleOf(() => parseBankResultCsv(Buffer.from(`${head}41,0001,123,1234567,5,6,\n`))).path).toBe('/line/2/result');
    expect(ruleOf(() => parseBankResultCsv(Buffer.from(`${head}41,0001,123,1234567,5,0\n`))).path).toBe('/line/2/columns');
    expect(ruleOf(() => parseBankResultCsv(Buffer.from(`${head}41,"0001,123,1234567,5,0,\n`))).path).toMatch(/^\/line\/2/);
  });
});
