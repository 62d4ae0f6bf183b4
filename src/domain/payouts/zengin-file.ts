// 全銀 総合振込 (種別コード 21) file: 120-byte fixed records in Shift_JIS — header 1, data 2 × n,
// trailer 8, end 9. N fields right-justified zero-filled, C fields left-justified space-filled.
import iconv from 'iconv-lite';
import { ValidationError } from '../errors.ts';
import { lookupBank, lookupBranch } from './banks.ts';
import { capZengin, toZenginField, toZenginName } from './zengin-name.ts';
import { Issues, isIsoDate, isRecord, ptr } from './validate.ts';

export type PayerAccountType = '1' | '2' | '9';
export type PayeeAccountType = '1' | '2' | '4' | '9';
export type LineEnding = 'none' | 'crlf';

export interface ZenginPayer {
  /** 振込依頼人コード (委託者コード), up to 10 digits; zero-filled on the left (N field). */
  requester_code: string;
  name: string;
  bank_code: string;
  branch_code: string;
  account_type: PayerAccountType;
  account_number: string;
  bank_name?: string;
  branch_name?: string;
}

export interface ZenginTransfer {
  bank_code: string;
  branch_code: string;
  account_type: PayeeAccountType;
  /** Up to 7 digits; zero-padded. */
  account_number: string;
  name: string;
  /** Positive integer yen, at most 9,999,999,999. */
  amount: number;
  /** Up to 10 digits (payee id). */
  customer_code1?: string;
  /** Up to 10 digits (payout run id). */
  customer_code2?: string;
  /** EDI text, up to 20 single-byte Zengin characters; excludes the customer codes. */
  edi?: string;
  bank_name?: string;
  branch_name?: string;
}

export interface ZenginFileInput {
  payer: ZenginPayer;
  /** YYYY-MM-DD; the file carries MMDD. */
  transfer_date: string;
  line_ending: LineEnding;
  transfers: ZenginTransfer[];
}

export const RECORD_LENGTH = 120;
export const MAX_AMOUNT = 9_999_999_999;
export const MAX_TOTAL = 999_999_999_999;
export const MAX_COUNT = 999_999;

/** Characters allowed in the EDI field (single-byte Zengin set incl. , / \ ｢ ｣). */
const EDI_CHARS = /^[0-9A-Z\uFF62\uFF63\uFF71-\uFF9F ().,/\\-]+$/;

function n(value: string | number, width: number): string {
  const s = String(value);
  if (!/^\d+$/.test(s) || s.length > width) throw new Error(`N field overflow: ${s} in ${width}`);
  return s.padStart(width, '0');
}

function c(value: string, width: number): string {
  if (value.length > width) throw new Error(`C field overflow: ${value} in ${width}`);
  return value.padEnd(width, ' ');
}

function digitsOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

interface PreparedAccount {
  bank_code: string;
  bank_name: string;
  branch_code: string;
  branch_name: string;
  account_type: string;
  account_number: string;
}

function prepareAccount(
  raw: Record<string, unknown>,
  base: string,
  allowedTypes: readonly string[],
  issues: Issues,
): PreparedAccount {
  const bank = raw.bank_code;
  const branch = raw.branch_code;
  const bankOk = typeof bank === 'string' && /^\d{4}$/.test(bank);
  const branchOk = typeof branch === 'string' && /^\d{3}$/.test(branch);
  if (!bankOk) issues.add(`${base}/bank_code`, 'must be 4 digits (string)');
  if (!branchOk) issues.add(`${base}/branch_code`, 'must be 3 digits (string)');

  let bankName = '';
  if (raw.bank_name !== undefined && raw.bank_name !== null) {
    bankName = convertGivenName(raw.bank_name, `${base}/bank_name`, 15, issues);
  } else if (bankOk) {
    const info = lookupBank(bank);
    if (!info) issues.add(`${base}/bank_code`, `unknown bank code ${bank} (not in zengin-code); give bank_name`);
    else bankName = capZengin(info.zengin_name, 15);
  }
  let branchName = '';
  if (raw.branch_name !== undefined && raw.branch_name !== null) {
    branchName = convertGivenName(raw.branch_name, `${base}/branch_name`, 15, issues);
  } else if (bankOk && branchOk) {
    const info = lookupBranch(bank, branch);
    if (!info) {
      if (lookupBank(bank)) {
        issues.add(`${base}/branch_code`, `unknown branch ${branch} of bank ${bank} (not in zengin-code); give branch_name`);
      } else if (raw.bank_name !== undefined && raw.bank_name !== null) {
        issues.add(`${base}/branch_code`, `unknown bank ${bank}: branch name cannot be looked up; give branch_name`);
      }
    } else branchName = capZengin(info.zengin_name, 15);
  }

  const typeStr = digitsOf(raw.account_type);
  if (typeStr === undefined || !allowedTypes.includes(typeStr)) {
    issues.add(`${base}/account_type`, `must be one of ${allowedTypes.join(', ')}`);
  }
  const acct = digitsOf(raw.account_number);
  if (acct === undefined || !/^\d{1,7}$/.test(acct)) {
    issues.add(`${base}/account_number`, 'must be 1 to 7 digits');
  }
  return {
    bank_code: bankOk ? bank : '',
    bank_name: bankName,
    branch_code: branchOk ? branch : '',
    branch_name: branchName,
    account_type: typeStr ?? '',
    account_number: acct ?? '',
  };
}

function convertGivenName(v: unknown, path: string, maxBytes: number, issues: Issues, legalForms = false): string {
  if (typeof v !== 'string') {
    issues.add(path, 'must be a string');
    return '';
  }
  const r = toZenginName(v, { maxBytes, legalForms });
  if (!r.ok) {
    issues.add(path, r.error);
    return '';
  }
  return r.value;
}

function optionalCode(raw: Record<string, unknown>, key: string, base: string, issues: Issues): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  const s = digitsOf(v);
  if (s === undefined || !/^\d{1,10}$/.test(s)) {
    issues.add(`${base}/${key}`, 'must be 1 to 10 digits');
    return undefined;
  }
  return s;
}

/**
 * The records (each exactly 120 single-byte characters) of a 総合振込 file. Validates everything and
 * throws one ValidationError naming every bad field.
 */
export function zenginRecords(input: ZenginFileInput): string[] {
  const body: unknown = input;
  if (!isRecord(body)) throw new ValidationError('zengin file request must be an object', [{ path: '', message: 'must be an object' }]);
  const issues = new Issues();

  // Header
  let header = '';
  const payer = body.payer;
  let payerAcct: PreparedAccount | undefined;
  let payerName = '';
  let requester = '';
  if (!isRecord(payer)) {
    issues.add('/payer', 'must be an object');
  } else {
    const rc = payer.requester_code;
    // An N field: right-justified and zero-filled ("123" → "0000000123"), never refused for being short.
    if (typeof rc !== 'string' || !/^\d{1,10}$/.test(rc)) issues.add('/payer/requester_code', 'must be 1 to 10 digits (string)');
    else requester = rc.padStart(10, '0');
    payerName = convertGivenName(payer.name, '/payer/name', 40, issues, true);
    payerAcct = prepareAccount(payer, '/payer', ['1', '2', '9'], issues);
  }
  const date = body.transfer_date;
  if (!isIsoDate(date)) issues.add('/transfer_date', 'must be a date YYYY-MM-DD');
  const le = body.line_ending;
  if (le !== 'none' && le !== 'crlf') issues.add('/line_ending', 'must be "none" or "crlf"');

  // Data
  const data: string[] = [];
  let total = 0;
  const transfers = body.transfers;
  if (!Array.isArray(transfers)) {
    issues.add('/transfers', 'must be an array');
  } else if (transfers.length === 0) {
    issues.add('/transfers', 'must have at least one transfer');
  } else if (transfers.length > MAX_COUNT) {
    issues.add('/transfers', `at most ${MAX_COUNT} transfers fit the trailer count`);
  } else {
    transfers.forEach((t: unknown, i: number) => {
      const base = ptr('transfers', i);
      if (!isRecord(t)) {
        issues.add(base, 'must be an object');
        return;
      }
      const acct = prepareAccount(t, base, ['1', '2', '4', '9'], issues);
      // The payee's name is refused when too long, as the payee master refuses it (never cut).
      let name = '';
      if (typeof t.name !== 'string') issues.add(`${base}/name`, 'must be a string');
      else {
        const r = toZenginField(t.name, 30);
        if (r.ok) name = r.value;
        else issues.add(`${base}/name`, r.error);
      }
      const amount = t.amount;
      const amountOk = typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 1 && amount <= MAX_AMOUNT;
      if (!amountOk) issues.add(`${base}/amount`, `must be a positive integer (yen) at most ${MAX_AMOUNT}`);
      else total += amount;
      const cc1 = optionalCode(t, 'customer_code1', base, issues);
      const cc2 = optionalCode(t, 'customer_code2', base, issues);
      let edi: string | undefined;
      if (t.edi !== undefined && t.edi !== null) {
        if (typeof t.edi !== 'string' || t.edi.length === 0 || t.edi.length > 20 || !EDI_CHARS.test(t.edi)) {
          issues.add(
            `${base}/edi`,
            'must be 1 to 20 single-byte Zengin characters (0-9, A-Z, half-width kana, space, ( ) - . , / \\ ｢ ｣)',
          );
        } else edi = t.edi;
        const hasCodes = [t.customer_code1, t.customer_code2].some((v) => v !== undefined && v !== null);
        if (hasCodes) issues.add(`${base}/edi`, 'EDI and customer codes are mutually exclusive');
      }
      if (issues.any) return;
      const tail = edi !== undefined ? `${c(edi, 20)}7Y` : `${n(cc1 ?? '0', 10)}${n(cc2 ?? '0', 10)}7 `;
      data.push(
        '2' +
          n(acct.bank_code, 4) +
          c(acct.bank_name, 15) +
          n(acct.branch_code, 3) +
          c(acct.branch_name, 15) +
          '0000' +
          acct.account_type +
          n(acct.account_number, 7) +
          c(name, 30) +
          n(amount as number, 10) +
          '0' +
          tail +
          ' '.repeat(7),
      );
    });
    if (total > MAX_TOTAL) issues.add('/transfers', `total amount exceeds ${MAX_TOTAL} (12 digits)`);
  }
  issues.throwIfAny('invalid zengin transfer file request');

  const acct = payerAcct!;
  const mmdd = (date as string).slice(5, 7) + (date as string).slice(8, 10);
  header =
    '1' +
    '21' +
    '0' +
    requester +
    c(payerName, 40) +
    mmdd +
    n(acct.bank_code, 4) +
    c(acct.bank_name, 15) +
    n(acct.branch_code, 3) +
    c(acct.branch_name, 15) +
    acct.account_type +
    n(acct.account_number, 7) +
    ' '.repeat(17);
  const trailer = '8' + n(data.length, 6) + n(total, 12) + ' '.repeat(101);
  const end = '9' + ' '.repeat(119);
  const records = [header, ...data, trailer, end];
  for (const r of records) {
    if (r.length !== RECORD_LENGTH) throw new Error(`internal: record of ${r.length} characters`);
  }
  return records;
}

/** Encodes records to Shift_JIS, each exactly 120 bytes, with CRLF after each record when asked. */
export function encodeZenginRecords(records: string[], lineEnding: LineEnding): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const bytes = iconv.encode(r, 'Shift_JIS');
    if (bytes.length !== RECORD_LENGTH) throw new Error(`internal: record encodes to ${bytes.length} bytes`);
    parts.push(bytes);
    if (lineEnding === 'crlf') parts.push(Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** The file's bytes (Shift_JIS). Throws ValidationError naming every bad field. */
export function buildZenginFile(input: ZenginFileInput): Buffer {
  const records = zenginRecords(input);
  return encodeZenginRecords(records, input.line_ending);
}
