// Read side of payouts: runs with totals, items (keyset pages), a hacker's monthly statement, the run's
// Zengin file (decrypted on demand), the audit log and the annual payment records (支払調書) as CSV.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { PayoutItemStatus } from '../db/schema.ts';
import { needsPaymentRecord } from '../domain/payouts/remittance.ts';
import { buildZenginFile, type ZenginPayer, type ZenginTransfer } from '../domain/payouts/zengin-file.ts';
import { zenginLineAad } from './bank.ts';
import { decryptJson } from './crypto.ts';
import type { BankAccount } from './payees.ts';

export interface RunTotals {
  items: number;
  pending: number;
  held: number;
  sent: number;
  failed: number;
  cancelled: number;
  flagged: number;
  gross_payable: number;
  withholding: number;
  net_transfer: number;
  net_sent: number;
}

const totalsSelect = sql<RunTotals>`json_build_object(
  'items', count(i.id),
  'pending', count(i.id) filter (where i.status = 'pending'),
  'held', count(i.id) filter (where i.status = 'held'),
  'sent', count(i.id) filter (where i.status = 'sent'),
  'failed', count(i.id) filter (where i.status = 'failed'),
  'cancelled', count(i.id) filter (where i.status = 'cancelled'),
  'flagged', count(i.id) filter (where cardinality(i.flags) > 0),
  'gross_payable', coalesce(sum(i.gross_payable), 0),
  'withholding', coalesce(sum(i.withholding), 0),
  'net_transfer', coalesce(sum(i.net_transfer), 0),
  'net_sent', coalesce(sum(i.net_transfer) filter (where i.status = 'sent'), 0))`;

function runsQuery(db: Db) {
  return db
    .selectFrom('payout_runs as r')
    .leftJoin('payout_items as i', 'i.run_id', 'r.id')
    .selectAll('r')
    .select(totalsSelect.as('totals'))
    .groupBy('r.id');
}

export async function listRuns(db: Db) {
  return runsQuery(db).orderBy('r.month', 'desc').execute();
}

export async function getRun(db: Db, runId: number) {
  return runsQuery(db).where('r.id', '=', runId).executeTakeFirst();
}

export async function listItems(db: Db, runId: number, opts: { limit: number; afterId?: number; status?: PayoutItemStatus }) {
  let q = db
    .selectFrom('payout_items as i')
    .innerJoin('hackers as h', 'h.id', 'i.hacker_id')
    .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
    .select([
      'i.id', 'i.run_id', 'i.hacker_id', 'h.display_name', 'i.status', 'i.payee_type', 'i.line_count', 'i.fee_total',
      'i.withholding_base', 'i.withholding', 'i.gross_payable', 'i.net_transfer', 'i.flags', 'i.hold_reason',
      'i.failure_reason', 'i.bank_reference', 'i.paid_at', 'p.bank_masked',
    ])
    .where('i.run_id', '=', runId)
    .orderBy('i.id')
    .limit(opts.limit);
  if (opts.afterId) q = q.where('i.id', '>', opts.afterId);
  if (opts.status) q = q.where('i.status', '=', opts.status);
  return q.execute();
}

export async function auditLog(db: Db, runId: number) {
  return db.selectFrom('payout_audit_log').selectAll().where('run_id', '=', runId).orderBy('id').execute();
}

/** A hacker's payments of the runs for `month`: gross, tax, net, and each ledger line paid. */
export async function statement(db: Db, hackerId: number, month: string) {
  const items = await db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .select([
      'i.id', 'i.run_id', 'r.payment_date', 'i.status', 'i.payee_type', 'i.gross_payable', 'i.withholding_base',
      'i.withholding', 'i.net_transfer', 'i.flags', 'i.paid_at',
    ])
    .where('i.hacker_id', '=', hackerId)
    .where('r.month', '=', month)
    .where('i.status', '!=', 'cancelled')
    .orderBy('i.id')
    .execute();
  const lines = items.length
    ? await db
        .selectFrom('payout_item_lines as l')
        .innerJoin('earnings_ledger as e', 'e.id', 'l.ledger_id')
        .select([
          'l.item_id', 'e.id as ledger_id', 'e.kind', 'e.category', 'e.amount_yen', 'e.month', 'e.delivered_at',
          'e.engagement_id', 'e.cycle_id', 'e.offer_id', 'e.proposal_id', 'e.description',
        ])
        .where('l.item_id', 'in', items.map((i) => i.id))
        .orderBy('e.id')
        .execute()
    : [];
  const sent = items.filter((i) => i.status === 'sent');
  const sum = (k: 'gross_payable' | 'withholding' | 'net_transfer') => sent.reduce((s, i) => s + i[k], 0);
  return {
    hacker_id: hackerId,
    month,
    gross_payable: sum('gross_payable'),
    withholding: sum('withholding'),
    net_transfer: sum('net_transfer'),
    payments: items.map((i) => ({
      ...i,
      lines: lines.filter((l) => l.item_id === i.id).map(({ item_id: _, ...l }) => l),
    })),
  };
}

/** The platform's own account (header record). Demo values; a deployment overrides them. */
/** Demo values; the API passes the configured account (KAIZEN_PAYER_*). */
export const DEFAULT_PAYER: ZenginPayer = {
  requester_code: '0000000001',
  name: 'カイゼンデスク株式会社',
  bank_code: '0001',
  branch_code: '001',
  account_type: '1',
  account_number: '1234567',
};

/** The run's 総合振込 file, built from its encrypted transfer lines; undefined when nothing was sent. */
export async function zenginFile(db: Db, key: Buffer, runId: number, payer: ZenginPayer = DEFAULT_PAYER): Promise<Buffer | undefined> {
  const run = await db.selectFrom('payout_runs').select(['payment_date']).where('id', '=', runId).executeTakeFirst();
  const rows = await db
    .selectFrom('payout_zengin_lines')
    .select(['idempotency_key', 'hacker_id', 'amount', 'transfer_encrypted'])
    .where('run_id', '=', runId)
    .orderBy('hacker_id')
    .execute();
  if (!run?.payment_date || rows.length === 0) return undefined;
  const transfers: ZenginTransfer[] = rows.map((r) => {
    const a = decryptJson<BankAccount>(key, zenginLineAad(r.idempotency_key), r.transfer_encrypted);
    return {
      bank_code: a.bank_code,
      branch_code: a.branch_code,
      account_type: a.account_type,
      account_number: a.account_number,
      name: a.holder_name,
      amount: r.amount,
      customer_code1: String(r.hacker_id).slice(-10),
      customer_code2: String(runId).slice(-10),
    };
  });
  return buildZenginFile({ payer, transfer_date: run.payment_date, line_ending: 'crlf', transfers });
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const ANNUAL_RECORD_COLUMNS = [
  'year', 'hacker_id', 'payee_type', 'name', 'address', 'corporate_number', 'category', 'amount_paid', 'amount_unpaid',
  'tax_withheld', 'tax_not_withheld', 'payments', 'note',
] as const;

/**
 * 報酬、料金、契約金及び賞金の支払調書 data for `year`: every payee paid more than ¥50,000 in the
 * calendar year (by payment date), corporations included. `amount_unpaid` = earnings of the year's
 * months not yet paid; the 法人番号 (from the invoice number) only on the tax-office copy; we hold no
 * 個人番号, so individuals' number column stays empty.
 */
export async function annualRecordsCsv(db: Db, year: number, copy: 'tax_office' | 'payee' = 'tax_office'): Promise<string> {
  const from = `${year}-01-01`;
  const to = `${year + 1}-01-01`;
  const { rows } = await sql<{
    hacker_id: number;
    payee_type: string;
    display_name: string;
    legal_name: string | null;
    address: string | null;
    invoice_registration_number: string | null;
    paid: number;
    tax: number;
    payments: number;
    unpaid: number;
  }>`
    with paid as (
      select i.hacker_id, max(i.payee_type) as payee_type, sum(i.gross_payable)::bigint as paid,
             sum(i.withholding)::bigint as tax, count(*)::int as payments
      from payout_items i join payout_runs r on r.id = i.run_id
      where i.status = 'sent' and r.payment_date >= ${from}::date and r.payment_date < ${to}::date
      group by i.hacker_id
    ), unpaid as (
      select e.hacker_id, sum(e.amount_yen)::bigint as unpaid
      from earnings_ledger e
      where e.month >= ${`${year}-01`} and e.month <= ${`${year}-12`}
        and not exists (select 1 from payout_item_lines l join payout_items i on i.id = l.item_id
                        where l.ledger_id = e.id and i.status = 'sent')
      group by e.hacker_id
    )
    select p.hacker_id, p.payee_type, h.display_name, y.legal_name, y.address, y.invoice_registration_number,
           p.paid, p.tax, p.payments, greatest(coalesce(u.unpaid, 0), 0)::bigint as unpaid
    from paid p join hackers h on h.id = p.hacker_id
    left join payees y on y.hacker_id = p.hacker_id
    left join unpaid u on u.hacker_id = p.hacker_id
    order by p.hacker_id
  `.execute(db);
  const out = [ANNUAL_RECORD_COLUMNS.join(',')];
  for (const r of rows) {
    if (!needsPaymentRecord(r.paid)) continue;
    const corporate = r.payee_type === 'corporation' && copy === 'tax_office' ? (r.invoice_registration_number?.slice(1) ?? '') : '';
    out.push(
      [
        year, r.hacker_id, r.payee_type, r.legal_name ?? r.display_name, r.address ?? '', corporate, 'デザイン料', r.paid,
        r.unpaid, r.tax, 0, r.payments, r.payee_type === 'nonresident_individual' ? '非居住者' : '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${out.join('\r\n')}\r\n`;
}
