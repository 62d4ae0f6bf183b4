// The bank's answer to a 総合振込 file (pure): the 振込結果 / 振込不能 notice in the 全銀協 fixed-width
// layout (Shift_JIS, 120-byte records: header 1, data 2 × n, trailer 8, end 9, with or without CRLF),
// or a CSV variant. The data record is the one we send (zengin-file.ts) with the result code in the
// first byte of its dummy area (column 114); the customer codes we write (1 = payee id, 2 = run id)
// let each line be matched to exactly one item. Banks' code tables differ in detail; these are the
// codes we read (the 振込不能 reasons follow the 全銀 result codes' order), documented in docs/payouts.md.
// A malformed line is a RuleError `invalid` naming its line and column: nothing of the file is used.
import iconv from 'iconv-lite';
import { readCsv } from '../csv.ts';
import { RuleError, ValidationError } from '../errors.ts';
import { RECORD_LENGTH } from './zengin-file.ts';

export type BankResultOutcome = 'confirmed' | 'failed' | 'returned';

/** Result code → what it means for the transfer, and the reason shown to finance and the payee. */
export const ZENGIN_RESULT_CODES = {
  '0': { outcome: 'confirmed', reason: '振込済 (transferred)' },
  '1': { outcome: 'failed', reason: '振込不能: 該当口座なし (no such account)' },
  '2': { outcome: 'failed', reason: '振込不能: 口座解約済 (account closed)' },
  '3': { outcome: 'failed', reason: '振込不能: 受取人名相違 (name does not match the account)' },
  '4': { outcome: 'failed', reason: '振込不能: 預金種目・口座番号相違 (account type or number does not match)' },
  '5': { outcome: 'failed', reason: '振込不能: 受取人の都合による入金停止 (the payee stopped credits)' },
  '8': { outcome: 'returned', reason: '組戻し (the transfer came back)' },
  '9': { outcome: 'failed', reason: '振込不能: その他 (other)' },
} as const satisfies Record<string, { outcome: BankResultOutcome; reason: string }>;
export type ZenginResultCode = keyof typeof ZENGIN_RESULT_CODES;
const isCode = (c: string): c is ZenginResultCode => Object.hasOwn(ZENGIN_RESULT_CODES, c);

/** Which item a line is about: the customer codes our file writes, or (CSV) the item's id. */
export type BankResultRef = { kind: 'customer'; payeeId: number; runId: number | null } | { kind: 'item'; itemId: number };

export interface BankResultLine {
  /** The line in the file (1-based; the CSV header is line 1). */
  line: number;
  ref: BankResultRef;
  bank_code: string;
  branch_code: string;
  /** 7 digits, zero-padded. */
  account_number: string;
  amount: number;
  code: ZenginResultCode;
  outcome: BankResultOutcome;
  reason: string;
}

export interface BankResultFile {
  format: 'zengin' | 'csv';
  lines: BankResultLine[];
}

function invalid(line: number, column: number | null, field: string, message: string): never {
  const where = column === null ? `line ${line}, column ${field}` : `line ${line}, column ${column} (${field})`;
  throw new RuleError('invalid', `/line/${line}/${field} ${where}: ${message}`, { path: `/line/${line}/${field}` });
}

// Data record fields: [name, first column (1-based), width].
const DATA_FIELDS = {
  bank_code: [2, 4],
  branch_code: [21, 3],
  account_type: [43, 1],
  account_number: [44, 7],
  amount: [81, 10],
  customer_code1: [92, 10],
  customer_code2: [102, 10],
  result_code: [114, 1],
} as const;

/** The records of a fixed-width file: CRLF after each record, or none at all. */
function records(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (bytes.includes('\r\n')) {
    let start = 0;
    let line = 1;
    while (start < bytes.length) {
      let end = bytes.indexOf('\r\n', start);
      if (end < 0) end = bytes.length;
      const rec = bytes.subarray(start, end);
      if (rec.length !== RECORD_LENGTH) {
        invalid(line, Math.min(rec.length, RECORD_LENGTH) + 1, 'record', `a record is ${RECORD_LENGTH} bytes, this one ${rec.length}`);
      }
      out.push(rec);
      start = end + 2;
      line += 1;
    }
    return out;
  }
  if (bytes.length % RECORD_LENGTH !== 0) {
    invalid(Math.floor(bytes.length / RECORD_LENGTH) + 1, (bytes.length % RECORD_LENGTH) + 1, 'record', `a record is ${RECORD_LENGTH} bytes; the file ends after ${bytes.length % RECORD_LENGTH}`);
  }
  for (let i = 0; i < bytes.length; i += RECORD_LENGTH) out.push(bytes.subarray(i, i + RECORD_LENGTH));
  return out;
}

function digits(rec: Buffer, line: number, field: keyof typeof DATA_FIELDS | 'count' | 'total' | 'kind', at: number, width: number): string {
  const s = rec.subarray(at - 1, at - 1 + width).toString('latin1');
  if (!/^\d+$/.test(s)) invalid(line, at, field, `must be ${width} digit${width === 1 ? '' : 's'}, found "${s.replace(/[^\x20-\x7e]/g, '?')}"`);
  return s;
}

/** Parses a 全銀 総合振込 result / 振込不能 file (Shift_JIS bytes). */
export function parseZenginResult(bytes: Buffer): BankResultFile {
  const recs = records(bytes);
  if (recs.length === 0) invalid(1, 1, 'record', 'the file is empty');
  const lines: BankResultLine[] = [];
  let state: 'header' | 'data' | 'end' | 'done' = 'header';
  let total = 0;
  for (const [i, rec] of recs.entries()) {
    const line = i + 1;
    const kind = String.fromCharCode(rec[0]!);
    if (state === 'header') {
      if (kind !== '1') invalid(line, 1, 'kind', 'the file must start with a header record (1)');
      const type = rec.subarray(1, 3).toString('latin1');
      if (type !== '21') invalid(line, 2, 'type', `種別コード must be 21 (総合振込), found "${type}"`);
      state = 'data';
      continue;
    }
    if (state === 'data' && kind === '2') {
      const f = (name: keyof typeof DATA_FIELDS) => digits(rec, line, name, DATA_FIELDS[name][0], DATA_FIELDS[name][1]);
      const code = String.fromCharCode(rec[DATA_FIELDS.result_code[0] - 1]!);
      if (!isCode(code)) invalid(line, DATA_FIELDS.result_code[0], 'result_code', `unknown result code "${code}" (known: ${Object.keys(ZENGIN_RESULT_CODES).join(', ')})`);
      const amount = Number(f('amount'));
      if (amount < 1) invalid(line, DATA_FIELDS.amount[0], 'amount', 'must be a positive amount');
      const runId = Number(f('customer_code2'));
      total += amount;
      lines.push({
        line,
        ref: { kind: 'customer', payeeId: Number(f('customer_code1')), runId: runId === 0 ? null : runId },
        bank_code: f('bank_code'),
        branch_code: f('branch_code'),
        account_number: f('account_number'),
        amount,
        code,
        ...ZENGIN_RESULT_CODES[code],
      });
      continue;
    }
    if (state === 'data' && kind === '8') {
      const count = Number(digits(rec, line, 'count', 2, 6));
      if (count !== lines.length) invalid(line, 2, 'count', `the trailer counts ${count} data records, the file has ${lines.length}`);
      const sum = Number(digits(rec, line, 'total', 8, 12));
      if (sum !== total) invalid(line, 8, 'total', `the trailer's total is ${sum}, the data records add up to ${total}`);
      state = 'end';
      continue;
    }
    if (state === 'end' && kind === '9') {
      state = 'done';
      continue;
    }
    const expected = state === 'data' ? 'a data (2) or trailer (8) record' : state === 'end' ? 'the end record (9)' : 'nothing after the end record';
    invalid(line, 1, 'kind', `expected ${expected}, found "${iconv.decode(rec.subarray(0, 1), 'Shift_JIS')}"`);
  }
  if (state !== 'done') invalid(recs.length, 1, 'kind', state === 'data' ? 'the file has no trailer (8) record' : 'the file has no end (9) record');
  return { format: 'zengin', lines };
}

export const CSV_COLUMNS = ['bank_code', 'branch_code', 'account_number', 'amount', 'result', 'reason'] as const;

/**
 * Parses the CSV variant (UTF-8 or Shift_JIS): header `item_id|customer_code,bank_code,branch_code,
 * account_number,amount,result,reason`; `result` is a code of ZENGIN_RESULT_CODES; `reason` (optional)
 * is the bank's own words, kept with the code's.
 */
export function parseBankResultCsv(bytes: Buffer): BankResultFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'Shift_JIS');
  }
  let rows;
  try {
    rows = readCsv(text);
  } catch (err) {
    if (err instanceof ValidationError) {
      const path = err.details[0]?.path ?? '/line/1';
      throw new RuleError('invalid', `${path} ${err.details[0]?.message ?? err.message}`, { path });
    }
    throw err;
  }
  const [header, ...body] = rows;
  const names = header?.cells.map((c) => c.toLowerCase()) ?? [];
  const refKind = names[0];
  if (header?.line !== 1 || (refKind !== 'item_id' && refKind !== 'customer_code') || names.slice(1).join(',') !== CSV_COLUMNS.join(',')) {
    invalid(1, null, 'header', `the header must be item_id|customer_code,${CSV_COLUMNS.join(',')}`);
  }
  const lines = body.map(({ line, cells }): BankResultLine => {
    if (cells.length !== 7) invalid(line, null, 'columns', `expected 7 columns, found ${cells.length}`);
    const [ref, bank, branch, account, amount, result, reason] = cells as [string, string, string, string, string, string, string];
    if (!/^\d{1,10}$/.test(ref) || Number(ref) < 1) invalid(line, null, refKind!, 'must be a positive id');
    if (!/^\d{4}$/.test(bank)) invalid(line, null, 'bank_code', 'must be 4 digits');
    if (!/^\d{3}$/.test(branch)) invalid(line, null, 'branch_code', 'must be 3 digits');
    if (!/^\d{1,7}$/.test(account)) invalid(line, null, 'account_number', 'must be 1 to 7 digits');
    if (!/^\d{1,10}$/.test(amount) || Number(amount) < 1) invalid(line, null, 'amount', 'must be a positive integer (yen)');
    if (!isCode(result)) invalid(line, null, 'result', `unknown result code "${result}" (known: ${Object.keys(ZENGIN_RESULT_CODES).join(', ')})`);
    const known = ZENGIN_RESULT_CODES[result];
    return {
      line,
      ref: refKind === 'item_id' ? { kind: 'item', itemId: Number(ref) } : { kind: 'customer', payeeId: Number(ref), runId: null },
      bank_code: bank,
      branch_code: branch,
      account_number: account.padStart(7, '0'),
      amount: Number(amount),
      code: result,
      outcome: known.outcome,
      reason: reason ? `${known.reason}: ${reason}` : known.reason,
    };
  });
  if (lines.length === 0) invalid(1, null, 'header', 'the file has no result lines');
  return { format: 'csv', lines };
}

/** Either format: a fixed-width file starts with its header record ("121"), anything else is CSV. */
export function parseBankResultFile(bytes: Buffer): BankResultFile {
  return bytes.subarray(0, 3).toString('latin1') === '121' ? parseZenginResult(bytes) : parseBankResultCsv(bytes);
}
