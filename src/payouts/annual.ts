// The annual 報酬、料金、契約金及び賞金の支払調書 (309) from confirmed payments: one statement per payee
// and category (src/domain/payouts/statutory-record.ts) over the calendar year by payment date,
// corporations included; the tax-office copy as the e-Tax CSV (with 個人番号 from the vault, each read
// logged, or 法人番号), the payee's copy as a PDF without the 個人番号, and the e-filing count.
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import PDFDocument from 'pdfkit';
import type { Config, KeyRing } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { LedgerKind } from '../shared/cycles.ts';
import { paymentRecordDueDate } from '../domain/payouts/remittance.ts';
import {
  eFilingMandatory, E_FILING_THRESHOLD, record309, statementCategory, statementDetail, statementsDue, statutoryRecordCsv,
  type StatementLine, type StatementPayer,
} from '../domain/payouts/statutory-record.ts';
import { readMyNumbers, recordFiling } from './vault.ts';

/** Every payee's confirmed payments of `year` per category (before the ¥50,000 threshold). */
export async function statementLines(db: Db, year: number, hackerId?: number): Promise<StatementLine[]> {
  const { rows } = await sql<{
    hacker_id: number; payee_type: StatementLine['payee_type']; name: string; address: string | null; invoice: string | null;
    kind: LedgerKind; category: 'design' | 'none'; amount: number; item_id: number; withholding: number; consumption_tax_yen: number;
  }>`
    select i.hacker_id, i.payee_type, coalesce(y.legal_name, h.display_name) as name, y.address, y.invoice_registration_number as invoice,
           e.kind, e.category, e.amount_yen::bigint as amount, i.id as item_id, i.withholding, i.consumption_tax_yen
    from payout_items i
    join payout_runs r on r.id = i.run_id
    join payout_item_lines l on l.item_id = i.id
    join earnings_ledger e on e.id = l.ledger_id
    join hackers h on h.id = i.hacker_id
    left join payees y on y.hacker_id = i.hacker_id
    where i.status = 'confirmed' and r.payment_date >= ${`${year}-01-01`}::date and r.payment_date < ${`${year + 1}-01-01`}::date
      ${hackerId === undefined ? sql`` : sql`and i.hacker_id = ${hackerId}`}
    order by i.hacker_id, i.id`.execute(db);
  const lines = new Map<string, StatementLine>();
  const counted = new Set<number>();
  for (const r of rows) {
    const category = statementCategory(r.kind, r.category);
    const k = `${r.hacker_id}:${category}`;
    const line = lines.get(k) ?? {
      hacker_id: Number(r.hacker_id), payee_type: r.payee_type, name: r.name, address: r.address ?? '', category, detail: statementDetail(r.kind),
      paid_yen: 0, unpaid_yen: 0, withheld_yen: 0, consumption_tax_yen: 0,
      number: r.payee_type === 'corporation' && r.invoice ? r.invoice.slice(1) : null,
    };
    line.paid_yen += Number(r.amount);
    // An item's tax is withheld on its design fees only; its consumption tax is noted once (摘要).
    if (!counted.has(r.item_id) && category === 'デザイン料') {
      counted.add(r.item_id);
      line.withheld_yen += Number(r.withholding);
      line.consumption_tax_yen += Number(r.consumption_tax_yen);
    }
    lines.set(k, line);
  }
  return [...lines.values()];
}

export interface StatutorySummary {
  year: number;
  statements: number;
  /** Statements due for the year before last: ≥ 100 makes e-filing mandatory for this year's. */
  statements_two_years_before: number;
  e_filing_threshold: number;
  e_filing_mandatory: boolean;
  due_date: string;
}

export async function statutorySummary(db: Db, year: number): Promise<StatutorySummary> {
  const [now, before] = await Promise.all([statementLines(db, year), statementLines(db, year - 1)]);
  // The filing in year+1 looks at what was due to be filed in year-1: the statements of year-1's payments.
  const base = statementsDue(before).length;
  return {
    year, statements: statementsDue(now).length, statements_two_years_before: base,
    e_filing_threshold: E_FILING_THRESHOLD, e_filing_mandatory: eFilingMandatory(base), due_date: paymentRecordDueDate(year),
  };
}

function payerOf(config: Pick<Config, 'billing'>): StatementPayer {
  return { name: config.billing.issuerName, address: config.billing.issuerAddress, corporate_number: config.billing.issuerRegistrationNumber.slice(1) };
}

/**
 * The tax-office copy: the e-Tax CSV with each individual's 個人番号 read from the vault by `reader`
 * (refused without the permission; each read logged) and the numbers' retention extended.
 */
export async function taxOfficeCsv(db: Db, key: KeyRing, config: Pick<Config, 'billing'>, reader: Pick<User, 'id' | 'role' | 'my_number_access'>, year: number): Promise<string> {
  const due = statementsDue(await statementLines(db, year));
  const individuals = [...new Set(due.filter((s) => s.payee_type !== 'corporation').map((s) => s.hacker_id))];
  const numbers = await readMyNumbers(db, key, reader, individuals, `支払調書 ${year} tax-office copy`);
  await recordFiling(db, [...numbers.keys()], year);
  const payer = payerOf(config);
  return statutoryRecordCsv(due.map((s) => record309(year, payer, { ...s, number: s.payee_type === 'corporation' ? s.number : (numbers.get(s.hacker_id) ?? null) })));
}

const require = createRequire(import.meta.url);
const FONT = require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf');

/** The payee's copy as a PDF: their statements of `year`, never a 個人番号 (we never read it here). */
export async function payeeCopyPdf(db: Db, config: Pick<Config, 'billing'>, hackerId: number, year: number): Promise<Buffer | undefined> {
  const due = statementsDue(await statementLines(db, year, hackerId));
  if (due.length === 0) return undefined;
  const payer = payerOf(config);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${year}年分 報酬、料金、契約金及び賞金の支払調書`, Producer: 'Kaizen Desk' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => (doc.on('end', () => resolve()), doc.on('error', reject)));
  doc.registerFont('jp', FONT).font('jp');
  for (const [i, s] of due.entries()) {
    if (i > 0) doc.addPage();
    doc.fontSize(14).text(`${year}年分 報酬、料金、契約金及び賞金の支払調書（支払を受ける者の控え）`);
    doc.moveDown().fontSize(10);
    doc.text(`支払を受ける者: ${s.name}`);
    doc.text(`住所（居所）又は所在地: ${s.address || '—'}`);
    // The copy given to the payee carries no 個人番号 (番号法); a corporation's 法人番号 is public.
    if (s.payee_type === 'corporation' && s.number) doc.text(`法人番号: ${s.number}`);
    doc.moveDown();
    doc.text(`区分: ${s.category}　細目: ${s.detail}`);
    doc.text(`支払金額: ${s.paid_yen.toLocaleString('ja-JP')}円（うち未払 ${s.unpaid_yen.toLocaleString('ja-JP')}円）`);
    doc.text(`源泉徴収税額: ${s.withheld_yen.toLocaleString('ja-JP')}円`);
    if (s.consumption_tax_yen > 0) doc.text(`摘要: 消費税等 ${s.consumption_tax_yen.toLocaleString('ja-JP')}円`);
    doc.moveDown();
    doc.text(`支払者: ${payer.name}　${payer.address}　法人番号 ${payer.corporate_number}`);
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
