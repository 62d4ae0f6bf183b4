// Read side of payouts: runs with totals, items (keyset pages), a hacker's monthly statement, the run's
// Zengin file (decrypted on demand), the audit log and the annual payment records (支払調書) as CSV.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { PayoutItemStatus } from '../shared/payouts.ts';
import { statementsDue } from '../domain/payouts/statutory-record.ts';
import { statementLines } from './annual.ts';
import { writeCsv, type CsvColumn } from '../domain/csv.ts';
import { DEFAULT_PAYER } from '../domain/payouts/payer.ts';
import { buildZenginFile, type ZenginPayer, type ZenginTransfer } from '../domain/payouts/zengin-file.ts';
import { zenginLineAad } from './bank.ts';
import { decryptJson } from './crypto.ts';
import type { BankAccount } from './payees.ts';

/**
 * A run's figures. Counts per item status, then amounts kept apart so nothing held is read as paid:
 * `gross_yen` is every item of the run (not cancelled), `held_gross_yen` the held ones, `to_pay_*` the
 * items approval will (or is about to) hand to the bank, `sent_*` those handed over (awaiting the bank's
 * result or confirmed), `confirmed_*` those the bank's result confirmed, `failed_net_yen` refused or
 * returned transfers. `withholding_yen` is the tax on items to pay, handed over or confirmed (held,
 * failed and returned items withhold nothing until a later payment reaches the payee).
 */
export interface RunTotals {
  items: number;
  pending: number;
  held: number;
  sent: number;
  handed_to_bank: number;
  confirmed: number;
  failed: number;
  returned: number;
  /** Failed or returned items without a resolution (retry, move or cancel). */
  needs_resolution: number;
  cancelled: number;
  flagged: number;
  gross_yen: number;
  held_gross_yen: number;
  to_pay_gross_yen: number;
  to_pay_net_yen: number;
  sent_gross_yen: number;
  sent_net_yen: number;
  confirmed_net_yen: number;
  failed_net_yen: number;
  withholding_yen: number;
  deductions_yen: number;
  carried_forward_payees: number;
  carried_forward_yen: number;
  /** Zengin files of the run (1, plus one per round of retried transfers); 0 before the hand-over. */
  zengin_files: number;
}

const totalsSelect = sql<RunTotals>`json_build_object(
  'items', count(i.id),
  'pending', count(i.id) filter (where i.status = 'pending'),
  'held', count(i.id) filter (where i.status = 'held'),
  'sent', count(i.id) filter (where i.status in ('handed_to_bank', 'confirmed')),
  'handed_to_bank', count(i.id) filter (where i.status = 'handed_to_bank'),
  'confirmed', count(i.id) filter (where i.status = 'confirmed'),
  'failed', count(i.id) filter (where i.status = 'failed'),
  'returned', count(i.id) filter (where i.status = 'returned'),
  'needs_resolution', count(i.id) filter (where i.status in ('failed', 'returned') and i.resolution is null),
  'cancelled', count(i.id) filter (where i.status = 'cancelled'),
  'flagged', count(i.id) filter (where cardinality(i.flags) > 0),
  'gross_yen', coalesce(sum(i.gross_payable) filter (where i.status <> 'cancelled'), 0),
  'held_gross_yen', coalesce(sum(i.gross_payable) filter (where i.status = 'held'), 0),
  'to_pay_gross_yen', coalesce(sum(i.gross_payable) filter (where i.status = 'pending'), 0),
  'to_pay_net_yen', coalesce(sum(i.net_transfer) filter (where i.status = 'pending'), 0),
  'sent_gross_yen', coalesce(sum(i.gross_payable) filter (where i.status in ('handed_to_bank', 'confirmed')), 0),
  'sent_net_yen', coalesce(sum(i.net_transfer) filter (where i.status in ('handed_to_bank', 'confirmed')), 0),
  'confirmed_net_yen', coalesce(sum(i.net_transfer) filter (where i.status = 'confirmed'), 0),
  'failed_net_yen', coalesce(sum(i.net_transfer) filter (where i.status in ('failed', 'returned')), 0),
  'withholding_yen', coalesce(sum(i.withholding) filter (where i.status in ('pending', 'handed_to_bank', 'confirmed')), 0),
  'deductions_yen', coalesce(sum(i.deductions_yen) filter (where i.status <> 'cancelled'), 0),
  'carried_forward_payees', (select count(*) from payout_carry_forwards c where c.run_id = r.id),
  'carried_forward_yen', (select coalesce(sum(c.balance_yen), 0) from payout_carry_forwards c where c.run_id = r.id),
  'zengin_files', (select coalesce(max(z.file_no), 0) from payout_zengin_lines z where z.run_id = r.id))`;

/** Payees the run did not pay because their balance was ≤ 0 (carried forward), with that balance. */
const carriedSelect = sql<Array<{ hacker_id: number; balance_yen: number; line_count: number }>>`(
  select coalesce(json_agg(json_build_object('hacker_id', c.hacker_id, 'balance_yen', c.balance_yen, 'line_count', c.line_count)
                           order by c.hacker_id), '[]'::json)
  from payout_carry_forwards c where c.run_id = r.id)`;

function runsQuery(db: Db) {
  return db
    .selectFrom('payout_runs as r')
    .leftJoin('payout_items as i', 'i.run_id', 'r.id')
    .leftJoin('users as preparer', 'preparer.id', 'r.prepared_by')
    .selectAll('r')
    .select('preparer.name as prepared_by_name')
    .select(totalsSelect.as('totals'))
    .select(carriedSelect.as('carried_forward'))
    .groupBy(['r.id', 'preparer.name']);
}

export async function listRuns(db: Db, page?: { limit: number; beforeId?: number }) {
  if (!page) return runsQuery(db).orderBy('r.month', 'desc').execute();
  // Paged (newest first): the cursor is the last id of the previous page.
  let q = runsQuery(db).orderBy('r.id', 'desc').limit(page.limit);
  if (page.beforeId) q = q.where('r.id', '<', page.beforeId);
  return q.execute();
}

export async function getRun(db: Db, runId: number) {
  return runsQuery(db).where('r.id', '=', runId).executeTakeFirst();
}

export async function listItems(db: Db, runId: number, opts: { limit: number; afterId?: number; status?: PayoutItemStatus }) {
  let q = db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .innerJoin('hackers as h', 'h.id', 'i.hacker_id')
    .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
    .select([
      'i.id', 'i.run_id', 'i.hacker_id', 'h.display_name', 'i.status', 'i.payee_type', 'i.line_count', 'i.fee_total',
      'i.deductions_yen', 'i.withholding_base', 'i.withholding', 'i.gross_payable', 'i.net_transfer', 'i.flags', 'i.hold_reason', 'i.hold_code',
      'i.failure_reason', 'i.bank_reference', 'i.submitted_at', 'r.payment_date', 'p.bank_masked', 'i.attempt', 'i.downloaded_by',
      'i.downloaded_at', 'i.result_at', 'i.resolution', 'i.resolution_reason', 'i.resolved_by', 'i.resolved_at', 'i.cancel_requested_by',
      'i.cancel_requested_at', 'i.cancel_reason',
    ])
    .where('i.run_id', '=', runId)
    .orderBy('i.id')
    .limit(opts.limit);
  if (opts.afterId) q = q.where('i.id', '>', opts.afterId);
  if (opts.status) q = q.where('i.status', '=', opts.status);
  return q.execute();
}

export async function auditLog(db: Db, runId: number, page: { afterId?: number; limit: number } = { limit: 1000 }) {
  // Actors are written `user:<id>`: the person's name beside it, so a page never says "user:5".
  let q = db
    .selectFrom('payout_audit_log')
    .leftJoin('users', (j) => j.on(sql<boolean>`payout_audit_log.actor = 'user:' || users.id`))
    .selectAll('payout_audit_log')
    .select(['users.id as actor_user_id', 'users.name as actor_name'])
    .where('payout_audit_log.run_id', '=', runId)
    .orderBy('payout_audit_log.id')
    .limit(page.limit);
  if (page.afterId) q = q.where('payout_audit_log.id', '>', page.afterId);
  return q.execute();
}

/**
 * A hacker's payments of the runs for `month`: gross, tax, net, deductions netted in, and each ledger
 * line paid (reversals as negative lines); a negative balance the month's run carried forward; and the
 * hacker's unpaid balance now (lines up to `month` in no live payment; may be negative).
 */
export async function statement(db: Db, hackerId: number, month: string) {
  const items = await db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .select([
      'i.id', 'i.run_id', 'r.payment_date', 'i.status', 'i.payee_type', 'i.gross_payable', 'i.deductions_yen', 'i.withholding_base',
      'i.withholding', 'i.net_transfer', 'i.flags', 'i.submitted_at', 'i.failure_reason', 'i.resolution',
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
  // The month's paid figures count confirmed transfers only (the bank's result says the money arrived).
  const sent = items.filter((i) => i.status === 'confirmed');
  const sum = (k: 'gross_payable' | 'withholding' | 'net_transfer' | 'deductions_yen') => sent.reduce((s, i) => s + i[k], 0);
  const carried = await db
    .selectFrom('payout_carry_forwards as c')
    .innerJoin('payout_runs as r', 'r.id', 'c.run_id')
    .select(sql<number>`coalesce(sum(c.balance_yen), 0)::bigint`.as('n'))
    .where('c.hacker_id', '=', hackerId)
    .where('r.month', '=', month)
    .executeTakeFirstOrThrow();
  const unpaid = await db
    .selectFrom('earnings_ledger as e')
    .select(sql<number>`coalesce(sum(e.amount_yen), 0)::bigint`.as('n'))
    .where('e.hacker_id', '=', hackerId)
    .where('e.month', '<=', month)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('payout_item_lines as l').select('l.ledger_id').whereRef('l.ledger_id', '=', 'e.id').where('l.released', '=', false))),
    )
    .executeTakeFirstOrThrow();
  return {
    hacker_id: hackerId,
    month,
    gross_payable: sum('gross_payable'),
    deductions_yen: sum('deductions_yen'),
    withholding: sum('withholding'),
    net_transfer: sum('net_transfer'),
    carried_forward_yen: Number(carried.n),
    unpaid_balance_yen: Number(unpaid.n),
    payments: items.map((i) => ({
      ...i,
      lines: lines.filter((l) => l.item_id === i.id).map(({ item_id: _, ...l }) => l),
    })),
  };
}

export type LedgerLineStatus = 'paid' | 'in_run' | 'cancelled' | 'unpaid';

/**
 * A hacker's earnings ledger, oldest first, paged by line id, each line with where it stands: `paid`
 * (the bank confirmed its transfer), `in_run` (part of a live payment not yet confirmed: under review,
 * held, handed to the bank, or failed/returned and waiting for finance — `failure_reason` says why),
 * `cancelled` (finance cancelled its payment, four eyes), `unpaid` (waiting for a run; includes
 * reversals carried forward). The balance covers every line, not just the page:
 * `unpaid_yen` may be negative (a reversal not yet absorbed by later earnings).
 */
export async function hackerLedger(db: Db, hackerId: number, opts: { limit: number; afterId?: number; nowMs?: number }) {
  const statusSql = sql<LedgerLineStatus>`case when i.id is null then 'unpaid'
    when i.status = 'confirmed' then 'paid' when i.status = 'cancelled' then 'cancelled' else 'in_run' end`;
  const base = db
    .selectFrom('earnings_ledger as e')
    .leftJoin('payout_item_lines as l', (j) => j.onRef('l.ledger_id', '=', 'e.id').on('l.released', '=', false))
    .leftJoin('payout_items as i', 'i.id', 'l.item_id')
    .leftJoin('payout_runs as r', 'r.id', 'i.run_id')
    .where('e.hacker_id', '=', hackerId);
  let page = base
    .select([
      'e.id', 'e.kind', 'e.category', 'e.amount_yen', 'e.month', 'e.description', 'e.delivered_at', 'e.reverses_id',
      'e.created_at', statusSql.as('status'), 'i.run_id', 'i.id as item_id', 'r.payment_date',
      sql<string | null>`case when i.status in ('failed', 'returned', 'cancelled') then coalesce(i.cancel_reason, i.failure_reason) end`.as('failure_reason'),
    ])
    .orderBy('e.id')
    .limit(opts.limit);
  if (opts.afterId) page = page.where('e.id', '>', opts.afterId);
  const [lines, totals] = await Promise.all([
    page.execute(),
    base
      .select([
        sql<number>`coalesce(sum(e.amount_yen) filter (where i.id is null), 0)::bigint`.as('unpaid_yen'),
        sql<number>`coalesce(sum(e.amount_yen) filter (where i.id is not null and i.status not in ('confirmed', 'cancelled')), 0)::bigint`.as('in_run_yen'),
        sql<number>`coalesce(sum(e.amount_yen) filter (where i.status = 'confirmed'), 0)::bigint`.as('paid_yen'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  return {
    hacker_id: hackerId,
    balance: { unpaid_yen: Number(totals.unpaid_yen), in_run_yen: Number(totals.in_run_yen), paid_yen: Number(totals.paid_yen) },
    items: lines,
    next_after_id: lines.length === opts.limit ? lines[lines.length - 1]!.id : null,
  };
}

/** The demo account (one definition: src/domain/payouts/payer.ts); the API passes the configured one (KAIZEN_PAYER_*). */
export { DEFAULT_PAYER };

/** The run's latest file number (1, then one more per round of retried transfers); undefined when none. */
export async function latestZenginFileNo(db: Db, runId: number): Promise<number | undefined> {
  const row = await db.selectFrom('payout_zengin_lines').select((eb) => eb.fn.max('file_no').as('n')).where('run_id', '=', runId).executeTakeFirst();
  return row?.n == null ? undefined : Number(row.n);
}

/**
 * The run's 総合振込 file `fileNo` (default: the latest; a retried transfer goes into a later file),
 * built from its encrypted transfer lines; undefined when there is no such file.
 */
export async function zenginFile(db: Db, key: Buffer, runId: number, payer: ZenginPayer = DEFAULT_PAYER, fileNo?: number): Promise<Buffer | undefined> {
  const run = await db.selectFrom('payout_runs').select(['payment_date']).where('id', '=', runId).executeTakeFirst();
  const file = fileNo ?? (await latestZenginFileNo(db, runId));
  if (file === undefined) return undefined;
  const rows = await db
    .selectFrom('payout_zengin_lines')
    .select(['idempotency_key', 'hacker_id', 'amount', 'transfer_encrypted'])
    .where('run_id', '=', runId)
    .where('file_no', '=', file)
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

/** The 支払調書 columns; the payee's name and address are typed by people (formulas neutralised). */
export const ANNUAL_RECORD_COLUMNS: readonly CsvColumn[] = [
  ['year', 'number'], ['hacker_id', 'number'], ['payee_type', 'text'], ['name', 'text'], ['address', 'text'], ['corporate_number', 'text'],
  ['category', 'text'], ['amount_paid', 'number'], ['amount_unpaid', 'number'], ['tax_withheld', 'number'], ['tax_not_withheld', 'number'],
  ['consumption_tax', 'number'], ['detail', 'text'], ['note', 'text'],
];

/**
 * 支払調書 data for `year` as a spreadsheet for finance's own checks: the statements src/payouts/annual.ts
 * files (one per payee and category over ¥50,000, only confirmed payments, corporations included),
 * never a 個人番号 (the tax office's e-Tax copy is the only export carrying one); the 法人番号 only on
 * the tax-office copy. `amount_paid` excludes consumption tax (noted in its own column, as on the 摘要).
 */
export async function annualRecordsCsv(db: Db, year: number, copy: 'tax_office' | 'payee' = 'tax_office'): Promise<string> {
  const records = statementsDue(await statementLines(db, year)).map((s) => [
    year, s.hacker_id, s.payee_type, s.name, s.address, s.payee_type === 'corporation' && copy === 'tax_office' ? (s.number ?? '') : '',
    s.category, s.paid_yen, s.unpaid_yen, s.withheld_yen, 0, s.consumption_tax_yen, s.detail, s.payee_type === 'nonresident_individual' ? '非居住者' : '',
  ]);
  return writeCsv(ANNUAL_RECORD_COLUMNS, records);
}
