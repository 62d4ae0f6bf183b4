// Invoice and credit-note PDFs (A4, Japanese) with pdfkit and Noto Sans JP (embedded, subset). Every
// field a qualified invoice requires: issuer and T-number, recipient, period, lines, totals and tax per
// rate, the tax basis and the rounding rule.
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { RateTotal } from '../domain/billing/tax.ts';
import type { InvoiceView } from './queries.ts';

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf');

export const yen = (n: number) => `¥${n.toLocaleString('en-US')}`;

function jaDate(d: string | null): string {
  if (!d) return '—';
  const [y, m, day] = d.split('-');
  return `${y}年${Number(m)}月${Number(day)}日`;
}

async function render(title: string, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: title, Producer: 'Kaizen Desk' }, lang: 'ja-JP' } as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('jp', FONT_REGULAR);
  doc.registerFont('jp-bold', FONT_BOLD);
  doc.font('jp');
  draw(doc);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

interface Row {
  cells: string[];
  bold?: boolean;
}

/** A simple table: widths in points, right-aligned columns by index. */
function table(doc: PDFKit.PDFDocument, widths: number[], right: Set<number>, rows: Row[]) {
  const x0 = doc.page.margins.left;
  for (const row of rows) {
    const y = doc.y;
    let x = x0;
    let h = 0;
    doc.font(row.bold ? 'jp-bold' : 'jp').fontSize(9);
    row.cells.forEach((c, i) => {
      const w = widths[i]!;
      const height = doc.heightOfString(c, { width: w - 6 });
      doc.text(c, x + 3, y + 3, { width: w - 6, align: right.has(i) ? 'right' : 'left' });
      h = Math.max(h, height);
      x += w;
    });
    const bottom = y + h + 6;
    doc.moveTo(x0, bottom).lineTo(x, bottom).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.x = x0;
    doc.y = bottom;
    if (doc.y > doc.page.height - 120) doc.addPage();
  }
  doc.font('jp');
}

export async function invoicePdf(inv: InvoiceView): Promise<Buffer> {
  const credit = inv.kind === 'credit_note';
  const title = credit ? '返還インボイス（適格返還請求書）' : '請求書（適格請求書）';
  return render(`${title} ${inv.number ?? '下書き'}`, (doc) => {
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    doc.font('jp-bold').fontSize(18).text(title, { align: 'center' });
    if (inv.status !== 'issued') doc.font('jp').fontSize(10).fillColor('#c00000').text('下書き（未発行）', { align: 'center' }).fillColor('black');
    doc.moveDown(1);
    const top = doc.y;
    doc.font('jp-bold').fontSize(13).text(`${inv.recipient_name} 御中`, left, top, { width: width / 2 });
    doc.font('jp').fontSize(9).moveDown(0.5);
    doc.text(`対象期間: ${jaDate(inv.period_start)}〜${jaDate(inv.period_end)}（${inv.month}分）`, { width: width / 2 });
    if (!credit) doc.text(`お支払期限: ${jaDate(inv.due_date)}`, { width: width / 2 });
    doc.text(`お支払条件: ${inv.terms_label}`, { width: width / 2 });
    const leftBottom = doc.y;
    doc.fontSize(9);
    const rx = left + width / 2 + 20;
    doc.text(`${credit ? '返還インボイス番号' : '請求書番号'}: ${inv.number ?? '（発行時に採番）'}`, rx, top, { width: width / 2 - 20 });
    doc.text(`発行日: ${jaDate(inv.issue_date)}`, { width: width / 2 - 20 });
    if (credit && inv.original) doc.text(`元の請求書: ${inv.original.number}（${jaDate(inv.original.issue_date)}発行）`, { width: width / 2 - 20 });
    doc.moveDown(0.5);
    doc.font('jp-bold').text(inv.issuer_name, { width: width / 2 - 20 });
    doc.font('jp').text(`登録番号: ${inv.issuer_registration_number}`, { width: width / 2 - 20 });
    doc.x = left;
    doc.y = Math.max(doc.y, leftBottom) + 16;
    doc.font('jp-bold').fontSize(12).text(`${credit ? '返還額合計' : 'ご請求金額'}（税込）: ${yen(inv.total_yen)}`, left);
    doc.moveDown(0.6);
    if (credit && inv.note) doc.font('jp').fontSize(9).text(`返還の理由: ${inv.note}`).moveDown(0.4);

    const widths = [28, 292, 60, 115];
    const rows: Row[] = [{ cells: ['No.', '品目・内容', '税率', '金額（税抜）'], bold: true }];
    inv.lines.forEach((l, i) => rows.push({ cells: [String(i + 1), l.description, `${l.tax_rate_bp / 100}%`, yen(l.amount_yen)] }));
    table(doc, widths, new Set([2, 3]), rows);
    doc.moveDown(0.8);

    const sums: Row[] = [];
    for (const r of inv.tax_summary as RateTotal[]) {
      sums.push({ cells: ['', `${r.rate_bp / 100}%対象 合計（税抜）`, '', yen(r.taxable_yen)] });
      sums.push({ cells: ['', `消費税（${r.rate_bp / 100}%）`, '', yen(r.tax_yen)] });
    }
    sums.push({ cells: ['', '小計（税抜）', '', yen(inv.subtotal_yen)] });
    sums.push({ cells: ['', '消費税合計', '', yen(inv.tax_yen)] });
    sums.push({ cells: ['', '合計（税込）', '', yen(inv.total_yen)], bold: true });
    table(doc, widths, new Set([3]), sums);
    doc.moveDown(1);
    doc.font('jp').fontSize(8).fillColor('#333333');
    doc.text(`金額は税抜表示です。消費税は請求書ごと・税率ごとに1回計算し、1円未満は${inv.rounding_label}としています。`, left, doc.y, { width });
    if (!credit) doc.text('お振込手数料は貴社にてご負担ください。', { width });
    doc.fillColor('black');
  });
}

export interface PaymentStatementData {
  payee_name: string;
  month: string;
  payment_date: string;
  issuer_name: string;
  issuer_registration_number: string;
  payee_registration_number: string | null;
  lines: { description: string; amount_yen: number }[];
  fee_yen: number;
  consumption_tax_yen: number;
  rate_bp: number;
  withholding_yen: number;
  net_yen: number;
}

/** 支払通知書: what the platform pays a payee for a month (lines, tax by rate, withholding, net). */
export async function paymentStatementPdf(s: PaymentStatementData): Promise<Buffer> {
  return render(`支払通知書 ${s.month}`, (doc) => {
    const left = doc.page.margins.left;
    doc.font('jp-bold').fontSize(18).text('支払通知書', { align: 'center' }).moveDown(1);
    doc.fontSize(13).text(`${s.payee_name} 様`);
    doc.font('jp').fontSize(9).moveDown(0.3);
    doc.text(`対象月: ${s.month}　お支払日: ${jaDate(s.payment_date)}`);
    doc.text(`支払者: ${s.issuer_name}（登録番号 ${s.issuer_registration_number}）`);
    doc.text(`受領者の登録番号: ${s.payee_registration_number ?? '未登録（適格請求書発行事業者ではありません）'}`);
    doc.moveDown(0.8);
    const widths = [28, 352, 115];
    const rows: Row[] = [{ cells: ['No.', '内容', '金額（税抜）'], bold: true }];
    s.lines.forEach((l, i) => rows.push({ cells: [String(i + 1), l.description, yen(l.amount_yen)] }));
    rows.push({ cells: ['', `${s.rate_bp / 100}%対象 合計（税抜）`, yen(s.fee_yen)] });
    rows.push({ cells: ['', `消費税（${s.rate_bp / 100}%）`, yen(s.consumption_tax_yen)] });
    rows.push({ cells: ['', '源泉徴収税額', `-${yen(s.withholding_yen)}`] });
    rows.push({ cells: ['', '差引お支払額', yen(s.net_yen)], bold: true });
    table(doc, widths, new Set([2]), rows);
    doc.moveDown(1).font('jp').fontSize(8).text('源泉徴収税額は消費税を除いた報酬額を基に計算しています。', left);
  });
}
