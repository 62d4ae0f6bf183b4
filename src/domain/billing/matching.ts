// Receipts (入金消込): bank-statement CSV parsing, payer-name normalisation (Zengin rules, legal-form
// marks and separators dropped) and matching a receipt against open invoices by amount and name, with
// a transfer-fee (振込手数料) tolerance. Anything ambiguous or off waits for a person.
import { ValidationError, type ErrorDetail } from '../errors.ts';
import { readCsv } from '../csv.ts';
import { calendarDateProblem } from '../payouts/validate.ts';
import { toZenginName } from '../payouts/zengin-name.ts';

const LEGAL_MARK = /\((ｶ|ﾕ|ﾄﾞ|ﾒ|ｼ|ｼﾔ|ｻﾞｲ|ｲ|ﾄｸﾋ)\)|^(ｶ|ﾕ|ﾄﾞ|ﾒ|ｼ|ｼﾔ|ｻﾞｲ|ｲ|ﾄｸﾋ)\)|\((ｶ|ﾕ|ﾄﾞ|ﾒ|ｼ|ｼﾔ|ｻﾞｲ|ｲ|ﾄｸﾋ)$/g;

/** A comparable key for a payer name, or undefined when it cannot be read as a Zengin name. */
export function payerKey(name: string): string | undefined {
  const z = toZenginName(name, { maxBytes: 200 });
  if (!z.ok) return undefined;
  return z.value.replace(LEGAL_MARK, '').replace(/[ .()\-]/g, '') || undefined;
}

export interface OpenInvoice {
  invoice_id: number;
  outstanding_yen: number;
  payer_keys: readonly string[];
  due_date: string;
}

export type MatchResult =
  | { matched: true; invoice_id: number; fee_yen: number; how: 'exact' | 'within_fee_tolerance' }
  | { matched: false; reason: string };

/**
 * Matches one receipt: the payer key must be one of the invoice's payer keys; the amount must equal the
 * outstanding amount, or fall short of it by at most `toleranceYen` (booked as a transfer fee). Several
 * candidates: an exact amount wins over a shortfall, then the earliest due date.
 */
export function matchReceipt(
  receipt: { amount_yen: number; payer_name: string },
  open: readonly OpenInvoice[],
  toleranceYen: number,
): MatchResult {
  const key = payerKey(receipt.payer_name);
  if (!key) return { matched: false, reason: 'payer name is not readable as kana' };
  const named = open.filter((o) => o.payer_keys.includes(key) && o.outstanding_yen > 0);
  if (named.length === 0) return { matched: false, reason: 'no open invoice for this payer name' };
  const byDue = (a: OpenInvoice, b: OpenInvoice) => a.due_date.localeCompare(b.due_date) || a.invoice_id - b.invoice_id;
  const exact = named.filter((o) => o.outstanding_yen === receipt.amount_yen).sort(byDue);
  if (exact[0]) return { matched: true, invoice_id: exact[0].invoice_id, fee_yen: 0, how: 'exact' };
  const short = named
    .filter((o) => o.outstanding_yen > receipt.amount_yen && o.outstanding_yen - receipt.amount_yen <= toleranceYen)
    .sort(byDue);
  if (short[0]) {
    return { matched: true, invoice_id: short[0].invoice_id, fee_yen: short[0].outstanding_yen - receipt.amount_yen, how: 'within_fee_tolerance' };
  }
  return { matched: false, reason: 'amount matches no open invoice of this payer (within the fee tolerance)' };
}

export interface StatementLine {
  line: number;
  received_on: string;
  payer_name: string;
  amount_yen: number;
}

/**
 * The bank-statement CSV: UTF-8, a header `date,payer_name,amount` (any case), then one receipt a line:
 * `2026-04-30,ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ,1099890`. Dates YYYY-MM-DD or YYYY/MM/DD and real calendar dates; amounts
 * integer yen (commas inside double quotes allowed). Every line is checked before anything is returned:
 * errors name the line in the file (the header is line 1) and the column.
 */
export function parseStatementCsv(text: string): StatementLine[] {
  const [header, ...records] = readCsv(text);
  const details: ErrorDetail[] = [];
  const out: StatementLine[] = [];
  if (header?.line !== 1 || header.cells.map((s) => s.toLowerCase()).join(',') !== 'date,payer_name,amount') {
    details.push({ path: '/line/1', message: 'header must be date,payer_name,amount' });
  }
  for (const { line: n, cells } of records) {
    if (cells.length !== 3) {
      details.push({ path: `/line/${n}`, message: 'expected 3 columns: date,payer_name,amount' });
      continue;
    }
    const [d, name, amt] = cells as [string, string, string];
    const date = d.replace(/\//g, '-');
    const amount = amt.replace(/,/g, '');
    const dateProblem = calendarDateProblem(date);
    if (dateProblem) details.push({ path: `/line/${n}/date`, message: dateProblem });
    if (!name) details.push({ path: `/line/${n}/payer_name`, message: 'is required' });
    if (!/^\d{1,11}$/.test(amount) || Number(amount) <= 0) details.push({ path: `/line/${n}/amount`, message: 'must be a positive integer (yen)' });
    out.push({ line: n, received_on: date, payer_name: name, amount_yen: Number(amount) });
  }
  if (details.length) throw new ValidationError(`bank statement CSV: ${details[0]!.path} ${details[0]!.message}`, details);
  return out;
}
