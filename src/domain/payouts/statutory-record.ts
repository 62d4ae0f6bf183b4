// 報酬、料金、契約金及び賞金の支払調書 (法定資料の種類 309) as e-Tax / 光ディスク CSV records: one line
// per payee and category, fields in the order of the NTA's 「レコードの内容及び記録要領」 (309) with
// its character rules (全角 n 文字以内, 半角 n 文字 / 以内, required or not). Pure: the records come in,
// the CSV and its check go out. The filing rules: a statement per payee and category whose payments in
// the year exceed ¥50,000 (所得税法施行規則 84条: デザイン料 and the other 204条1項1号 fees), corporations
// included; e-filing is mandatory when the statements due in the year before last numbered ≥ 100.
import type { LedgerKind } from '../../shared/cycles.ts';
import { needsPaymentRecord } from './remittance.ts';

/** 区分: what the payment is, per ledger line (design fees by their withholding category; partner commissions apart). */
export const STATEMENT_CATEGORIES = ['デザイン料', 'プログラミング料', '紹介手数料'] as const;
export type StatementCategory = (typeof STATEMENT_CATEGORIES)[number];

export function statementCategory(kind: LedgerKind, withholdingCategory: 'design' | 'none'): StatementCategory {
  if (kind === 'partner_commission') return '紹介手数料';
  return withholdingCategory === 'design' ? 'デザイン料' : 'プログラミング料';
}

/** 細目: the kind of fee within the category. */
export function statementDetail(kind: LedgerKind): string {
  switch (kind) {
    case 'adoption_fee': return '採用報酬';
    case 'win_bonus': case 'bonus_reversal': return '成果報酬';
    case 'submission_fee': return '提案報酬';
    case 'team_retainer': case 'managed_retainer': return '月額報酬';
    case 'partner_commission': return '紹介手数料';
  }
}

type Field = { name: string; width: number; charset: 'zenkaku' | 'hankaku'; exact?: boolean; required: boolean; pattern?: RegExp };

/** The 309 record's fields we write, in order (blank where we have nothing to say). */
export const RECORD_309: readonly Field[] = [
  { name: '法定資料の種類', width: 3, charset: 'hankaku', exact: true, required: true, pattern: /^309$/ },
  { name: '整理番号1', width: 10, charset: 'hankaku', required: false, pattern: /^\d{10}$/ },
  { name: '本支店等区分番号', width: 5, charset: 'hankaku', required: false },
  { name: '提出義務者の住所(居所)又は所在地', width: 60, charset: 'zenkaku', required: true },
  { name: '提出義務者の氏名又は名称', width: 30, charset: 'zenkaku', required: true },
  { name: '提出義務者の電話番号', width: 15, charset: 'hankaku', required: false },
  { name: '整理番号2', width: 13, charset: 'hankaku', required: false, pattern: /^\d{13}$/ },
  { name: '提出者の住所(居所)又は所在地', width: 60, charset: 'zenkaku', required: false },
  { name: '提出者の氏名又は名称', width: 30, charset: 'zenkaku', required: false },
  { name: '訂正表示', width: 1, charset: 'hankaku', exact: true, required: true, pattern: /^[01]$/ },
  { name: '年分', width: 2, charset: 'hankaku', exact: true, required: true, pattern: /^\d{2}$/ },
  { name: '支払を受ける者 住所(居所)又は所在地', width: 60, charset: 'zenkaku', required: true },
  { name: '国外住所表示', width: 1, charset: 'hankaku', exact: true, required: true, pattern: /^[01]$/ },
  { name: '支払を受ける者 氏名又は名称', width: 30, charset: 'zenkaku', required: true },
  { name: '役職名', width: 15, charset: 'zenkaku', required: false },
  { name: '区分', width: 15, charset: 'zenkaku', required: true },
  { name: '細目', width: 15, charset: 'zenkaku', required: false },
  { name: '支払金額', width: 10, charset: 'hankaku', required: true, pattern: /^\d+$/ },
  { name: '未払金額', width: 10, charset: 'hankaku', required: false, pattern: /^\d+$/ },
  { name: '源泉徴収税額', width: 10, charset: 'hankaku', required: true, pattern: /^\d+$/ },
  { name: '未徴収税額', width: 10, charset: 'hankaku', required: false, pattern: /^\d+$/ },
  { name: '摘要', width: 50, charset: 'zenkaku', required: false },
  { name: '支払を受ける者 個人番号又は法人番号', width: 13, charset: 'hankaku', required: false, pattern: /^(\d{12}|\d{13})$/ },
  { name: '提出義務者 法人番号', width: 13, charset: 'hankaku', required: true, pattern: /^\d{13}$/ },
];

export interface StatementPayer {
  address: string;
  name: string;
  corporate_number: string;
}

/** One payee's payments in one category over the year (before the threshold). */
export interface StatementLine {
  hacker_id: number;
  payee_type: 'resident_individual' | 'corporation' | 'nonresident_individual';
  name: string;
  address: string;
  category: StatementCategory;
  detail: string;
  paid_yen: number;
  unpaid_yen: number;
  withheld_yen: number;
  consumption_tax_yen: number;
  /** 個人番号 (tax-office copy only) or 法人番号; null when not on file. */
  number: string | null;
}

/** Statements due: per payee and category, more than ¥50,000 paid in the year (corporations included). */
export function statementsDue(lines: readonly StatementLine[]): StatementLine[] {
  return lines.filter((l) => needsPaymentRecord(l.paid_yen));
}

/** 年分 in the Japanese era (令和 from 2019). */
export function reiwaYear(year: number): string {
  if (year < 2019) throw new RangeError('years before 令和 are not written');
  return String(year - 2018).padStart(2, '0');
}

const HANKAKU = /^[\x20-\x7e]*$/;

/** 全角: NFKC (half-width kana become full-width), then ASCII to its full-width form. */
export function toZenkaku(text: string): string {
  return text.normalize('NFKC').replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}

function isZenkaku(text: string): boolean {
  return [...text].every((c) => !/[\x00-\x7f\uff61-\uff9f]/.test(c));
}

/** A record's values in RECORD_309's order. */
export function record309(year: number, payer: StatementPayer, s: StatementLine): string[] {
  const fit = (text: string, width: number) => [...toZenkaku(text)].slice(0, width).join('');
  return [
    '309', '', '', fit(payer.address, 60), fit(payer.name, 30), '', '', '', '', '0', reiwaYear(year),
    fit(s.address, 60), s.payee_type === 'nonresident_individual' ? '1' : '0', fit(s.name, 30), '', s.category, fit(s.detail, 15),
    String(s.paid_yen), String(s.unpaid_yen), String(s.withheld_yen), '0',
    s.consumption_tax_yen > 0 ? fit(`消費税等${s.consumption_tax_yen}円`, 50) : '', s.number ?? '', payer.corporate_number,
  ];
}

/** Each broken field rule of one record: field number (1-based), name and rule. */
export function record309Problems(values: readonly string[]): string[] {
  if (values.length !== RECORD_309.length) return [`expected ${RECORD_309.length} fields, got ${values.length}`];
  const problems: string[] = [];
  RECORD_309.forEach((f, i) => {
    const v = values[i]!;
    const at = `field ${i + 1} (${f.name})`;
    if (v === '') {
      if (f.required) problems.push(`${at} is required`);
      return;
    }
    const length = [...v].length;
    if (f.exact ? length !== f.width : length > f.width) problems.push(`${at} must be ${f.exact ? '' : 'at most '}${f.width} characters`);
    if (f.charset === 'hankaku' ? !HANKAKU.test(v) : !isZenkaku(v)) problems.push(`${at} must be ${f.charset === 'hankaku' ? '半角' : '全角'}`);
    if (f.pattern && !f.pattern.test(v)) problems.push(`${at} has the wrong form`);
  });
  if (!(STATEMENT_CATEGORIES as readonly string[]).includes(values[15]!)) problems.push('field 16 (区分) is not a known category');
  return problems;
}

/** The CSV (one record a line, CRLF, no header, no quoting: no field may hold a comma). */
export function statutoryRecordCsv(records: readonly string[][]): string {
  for (const r of records) {
    const problems = record309Problems(r);
    if (problems.length || r.some((v) => /[,"\r\n]/.test(v))) throw new Error(`a 309 record breaks the layout: ${problems.join('; ') || 'a comma, quote or line break'}`);
  }
  return records.map((r) => `${r.join(',')}\r\n`).join('');
}

/** e-Tax (or optical disc) filing is mandatory when the statements due in the year before last numbered ≥ 100. */
export const E_FILING_THRESHOLD = 100;
export function eFilingMandatory(statementsTwoYearsBefore: number): boolean {
  return statementsTwoYearsBefore >= E_FILING_THRESHOLD;
}
