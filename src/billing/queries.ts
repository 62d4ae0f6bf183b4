// Read side of billing: invoices with lines, payments and credit notes; the month's export for
// accounting (CSV/JSON); open and overdue invoices (alerts, tasks); partner statements and views;
// the margin report.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { RateTotal } from '../domain/billing/tax.ts';
import { ROUNDING_LABEL_JA } from '../domain/billing/tax.ts';
import { payeeConsumptionTax } from '../domain/billing/payee-tax.ts';
import { lastDay } from '../domain/billing/calendar.ts';
import { tokyoDateOf } from '../domain/months.ts';
import { writeCsv, type CsvColumn } from '../domain/csv.ts';
import type { MonthCheck } from '../shared/billing.ts';

/** Which invoices a user may see: finance/admin all; a client its own; a partner those billed to it. */
export function scopeInvoices(db: Db, user: Pick<User, 'role' | 'client_id'> & { partner_id?: number | null }) {
  let q = db.selectFrom('invoices as i').selectAll('i');
  if (user.role === 'client') q = q.where('i.client_id', '=', user.client_id!).where('i.status', '=', 'issued');
  else if (user.role === 'partner') q = q.where('i.partner_id', '=', user.partner_id!).where('i.status', '=', 'issued');
  return q;
}

const paidSub = (db: Db) =>
  db
    .selectFrom('receipts')
    .select(['invoice_id', sql<number>`sum(amount_yen)::bigint`.as('received'), sql<number>`sum(fee_yen)::bigint`.as('fees')])
    .where('status', '=', 'matched')
    .groupBy('invoice_id');

const creditSub = (db: Db) =>
  db
    .selectFrom('invoices')
    .select(['original_invoice_id', sql<number>`sum(total_yen)::bigint`.as('credited')])
    .where('kind', '=', 'credit_note')
    .where('status', '=', 'issued')
    .groupBy('original_invoice_id');

export type InvoiceRow = Awaited<ReturnType<typeof listInvoices>>[number];

/** Where an issued invoice stands with its payments (null for drafts and credit notes). */
export type PaymentStatus = 'paid' | 'credited' | 'overdue' | 'partially_paid' | 'unpaid';

export async function listInvoices(
  db: Db,
  user: Pick<User, 'role' | 'client_id'> & { partner_id?: number | null },
  filter: { id?: number; month?: string; status?: string; client_id?: number; partner_id?: number; kind?: string; limit?: number; after_id?: number } = {},
) {
  let q = scopeInvoices(db, user)
    .leftJoin(paidSub(db).as('p'), 'p.invoice_id', 'i.id')
    .leftJoin(creditSub(db).as('c'), 'c.original_invoice_id', 'i.id')
    .select([sql<number>`coalesce(p.received, 0)::bigint`.as('received_yen'), sql<number>`coalesce(p.fees, 0)::bigint`.as('fees_yen'), sql<number>`coalesce(c.credited, 0)::bigint`.as('credited_yen')]);
  if (filter.id) q = q.where('i.id', '=', filter.id);
  if (filter.month) q = q.where('i.month', '=', filter.month);
  if (filter.status) q = q.where('i.status', '=', filter.status as never);
  if (filter.kind) q = q.where('i.kind', '=', filter.kind as never);
  if (filter.client_id) q = q.where('i.client_id', '=', filter.client_id);
  if (filter.partner_id) q = q.where('i.partner_id', '=', filter.partner_id);
  if (filter.after_id) q = q.where('i.id', '>', filter.after_id);
  const rows = await q.orderBy('i.id').limit(filter.limit ?? 500).execute();
  const today = tokyoDateOf(Date.now());
  return rows.map((r) => {
    const outstanding = r.kind === 'invoice' && r.status === 'issued' ? Math.max(0, r.total_yen + r.credited_yen - r.received_yen - r.fees_yen) : 0;
    const payment_status: PaymentStatus | null =
      r.kind !== 'invoice' || r.status !== 'issued' ? null : outstanding === 0 ? (r.received_yen > 0 ? 'paid' : 'credited') : r.due_date < today ? 'overdue' : r.received_yen > 0 ? 'partially_paid' : 'unpaid';
    return { ...r, tax_summary: r.tax_summary as RateTotal[], outstanding_yen: outstanding, payment_status };
  });
}

export async function invoiceView(db: Db, user: Pick<User, 'role' | 'client_id'> & { partner_id?: number | null }, id: number) {
  const [rows] = await listInvoices(db, user, { id });
  if (!rows) return undefined;
  const lines = await db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', id).orderBy('position').execute();
  const original = rows.original_invoice_id
    ? await db.selectFrom('invoices').select(['id', 'number', 'issue_date']).where('id', '=', rows.original_invoice_id).executeTakeFirst()
    : undefined;
  const credits = await db.selectFrom('invoices').select(['id', 'number', 'total_yen', 'issue_date']).where('original_invoice_id', '=', id).where('status', '=', 'issued').orderBy('id').execute();
  const receipts = user.role === 'admin' || user.role === 'finance'
    ? await db.selectFrom('receipts').select(['id', 'received_on', 'amount_yen', 'fee_yen', 'matched_how']).where('invoice_id', '=', id).orderBy('id').execute()
    : [];
  return {
    ...rows,
    rounding_label: ROUNDING_LABEL_JA[rows.rounding],
    tax_basis: 'tax_exclusive' as const,
    lines,
    original: original ?? null,
    credit_notes: credits,
    receipts,
  };
}

export type InvoiceView = NonNullable<Awaited<ReturnType<typeof invoiceView>>>;

// Names and descriptions are typed by people: text columns (formulas neutralised); amounts stay numbers.
const EXPORT_COLUMNS: readonly CsvColumn[] = [
  ['invoice_number', 'text'], ['kind', 'text'], ['original_number', 'text'], ['issue_date', 'date'], ['month', 'date'], ['period_start', 'date'],
  ['period_end', 'date'], ['due_date', 'date'], ['bill_to_kind', 'text'], ['client_id', 'number'], ['partner_id', 'number'], ['recipient_name', 'text'],
  ['line_no', 'number'], ['engagement_id', 'number'], ['item', 'text'], ['description', 'text'], ['amount_yen', 'number'], ['tax_rate_percent', 'number'],
  ['invoice_subtotal_yen', 'number'], ['invoice_tax_yen', 'number'], ['invoice_total_yen', 'number'], ['issuer_registration_number', 'text'],
];

/** Every issued invoice and credit note of a month, one row per line (CSV) or nested (JSON). */
export async function exportMonth(db: Db, month: string) {
  const invs = await db.selectFrom('invoices').selectAll().where('month', '=', month).where('status', '=', 'issued').orderBy('id').execute();
  const numbers = new Map(invs.map((i) => [i.id, i.number]));
  const lines = invs.length
    ? await db.selectFrom('invoice_lines').selectAll().where('invoice_id', 'in', invs.map((i) => i.id)).orderBy('invoice_id').orderBy('position').execute()
    : [];
  const json = invs.map((i) => ({
    number: i.number,
    kind: i.kind,
    original_number: i.original_invoice_id ? (numbers.get(i.original_invoice_id) ?? null) : null,
    issue_date: i.issue_date,
    month: i.month,
    period: { start: i.period_start, end: i.period_end },
    due_date: i.due_date,
    bill_to: { kind: i.bill_to_kind, client_id: i.client_id, partner_id: i.partner_id, name: i.recipient_name },
    issuer: { name: i.issuer_name, registration_number: i.issuer_registration_number },
    subtotal_yen: i.subtotal_yen,
    tax_yen: i.tax_yen,
    total_yen: i.total_yen,
    per_rate: i.tax_summary,
    lines: lines.filter((l) => l.invoice_id === i.id).map((l) => ({ engagement_id: l.engagement_id, item: l.item, description: l.description, amount_yen: l.amount_yen, tax_rate_bp: l.tax_rate_bp })),
  }));
  const totals = { subtotal_yen: 0, tax_yen: 0, total_yen: 0 };
  for (const i of invs) (totals.subtotal_yen += i.subtotal_yen), (totals.tax_yen += i.tax_yen), (totals.total_yen += i.total_yen);
  const rows = json.flatMap((i) =>
    i.lines.map((l, n) => [
      i.number, i.kind, i.original_number, i.issue_date, i.month, i.period.start, i.period.end, i.due_date, i.bill_to.kind,
      i.bill_to.client_id, i.bill_to.partner_id, i.bill_to.name, n + 1, l.engagement_id, l.item, l.description, l.amount_yen,
      l.tax_rate_bp / 100, i.subtotal_yen, i.tax_yen, i.total_yen, i.issuer.registration_number,
    ]),
  );
  return { month, invoices: json, totals, csv: writeCsv(EXPORT_COLUMNS, rows) };
}

/** Issued invoices still owed, with who to tell. */
export async function openInvoices(db: Db, filter: { month?: string; overdueOn?: string } = {}) {
  let q = db
    .selectFrom('invoices as i')
    .leftJoin(paidSub(db).as('p'), 'p.invoice_id', 'i.id')
    .leftJoin(creditSub(db).as('c'), 'c.original_invoice_id', 'i.id')
    .leftJoin('billing_accounts as b', 'b.client_id', 'i.client_id')
    .leftJoin('partners as pa', 'pa.id', 'i.partner_id')
    .select([
      'i.id', 'i.number', 'i.client_id', 'i.partner_id', 'i.month', 'i.due_date', 'i.total_yen', 'i.recipient_name',
      sql<number>`(i.total_yen + coalesce(c.credited, 0) - coalesce(p.received, 0) - coalesce(p.fees, 0))::bigint`.as('outstanding_yen'),
      sql<string[]>`coalesce(b.payer_kana, pa.payer_kana, '{}')`.as('payer_kana'),
    ])
    .where('i.kind', '=', 'invoice')
    .where('i.status', '=', 'issued')
    .where(sql<boolean>`(i.total_yen + coalesce(c.credited, 0) - coalesce(p.received, 0) - coalesce(p.fees, 0)) > 0`);
  if (filter.month) q = q.where('i.month', '=', filter.month);
  if (filter.overdueOn) q = q.where('i.due_date', '<', filter.overdueOn);
  return q.orderBy('i.due_date').orderBy('i.id').execute();
}

/** Writes the overdue alerts (finance + each engagement's CS manager), once per invoice and recipient. */
export async function raiseOverdueAlerts(db: Db, nowMs = Date.now(), month?: string): Promise<{ overdue: number; raised: number }> {
  const today = tokyoDateOf(nowMs);
  const overdue = await openInvoices(db, { overdueOn: today, ...(month ? { month } : {}) });
  let raised = 0;
  for (const inv of overdue) {
    const msg = `請求書 ${inv.number}（${inv.recipient_name}、${inv.month}分）は支払期限 ${inv.due_date} を過ぎて未入金です: 残高 ¥${inv.outstanding_yen.toLocaleString('en-US')}`;
    const css = await db
      .selectFrom('invoice_lines as l')
      .innerJoin('engagements as e', 'e.id', 'l.engagement_id')
      .select(['e.id', 'e.cs_manager_id'])
      .distinct()
      .where('l.invoice_id', '=', inv.id)
      .execute();
    const values = [
      { unique_key: `invoice_overdue:${inv.id}:finance`, kind: 'invoice_overdue', invoice_id: inv.id, engagement_id: null, recipient: 'finance', message: msg },
      ...css.map((c) => ({ unique_key: `invoice_overdue:${inv.id}:user:${c.cs_manager_id}`, kind: 'invoice_overdue', invoice_id: inv.id, engagement_id: c.id, recipient: `user:${c.cs_manager_id}`, message: msg })),
    ];
    const res = await db.insertInto('billing_alerts').values(values).onConflict((oc) => oc.column('unique_key').doNothing()).execute();
    raised += res.reduce((s, r) => s + Number(r.numInsertedOrUpdatedRows ?? 0), 0);
  }
  return { overdue: overdue.length, raised };
}

export async function checkMonth(db: Db, month: string, nowMs = Date.now()): Promise<MonthCheck> {
  const drafts = await db.selectFrom('invoices').select(sql<number>`count(*)::int`.as('n')).where('month', '=', month).where('status', 'in', ['draft', 'held']).executeTakeFirstOrThrow();
  const open = await openInvoices(db, { month });
  const { overdue, raised } = await raiseOverdueAlerts(db, nowMs, month);
  return { drafts: drafts.n, open: open.length, overdue, alerts_raised: raised };
}

export interface BillingTask {
  kind: 'review_invoice_draft' | 'invoice_overdue' | 'match_receipt';
  invoice_id: number | null;
  client_id: number | null;
  due_at: string | null;
  overdue: boolean;
  waiting_for: string;
  receipt_id?: number;
}

/**
 * Billing's part of GET /v1/tasks: finance/admin see drafts to review, overdue invoices and unmatched
 * receipts; a CS manager the overdue invoices of its engagements; a client its own overdue invoices.
 */
export async function billingTasks(db: Db, user: Pick<User, 'id' | 'role' | 'client_id'>, nowMs = Date.now()): Promise<BillingTask[]> {
  const today = tokyoDateOf(nowMs);
  const tasks: BillingTask[] = [];
  const finance = user.role === 'admin' || user.role === 'finance';
  if (finance) {
    const drafts = await db.selectFrom('invoices').select(['id', 'client_id', 'month', 'status', 'hold_reason']).where('status', 'in', ['draft', 'held']).orderBy('id').limit(500).execute();
    for (const d of drafts) {
      tasks.push({
        kind: 'review_invoice_draft',
        invoice_id: d.id,
        client_id: d.client_id,
        due_at: null,
        overdue: false,
        waiting_for: d.status === 'held' ? `finance to release the held draft (${d.hold_reason ?? 'held'}) and issue it` : `finance to review and issue the ${d.month} draft`,
      });
    }
  }
  if (finance || user.role === 'cs_manager' || user.role === 'client') {
    let overdue = await openInvoices(db, { overdueOn: today });
    if (user.role === 'client') overdue = overdue.filter((o) => o.client_id === user.client_id);
    if (user.role === 'cs_manager') {
      const mine = await db
        .selectFrom('invoice_lines as l')
        .innerJoin('engagements as e', 'e.id', 'l.engagement_id')
        .select('l.invoice_id')
        .distinct()
        .where('e.cs_manager_id', '=', user.id)
        .where('l.invoice_id', 'in', overdue.length ? overdue.map((o) => o.id) : [0])
        .execute();
      const ids = new Set(mine.map((m) => m.invoice_id));
      overdue = overdue.filter((o) => ids.has(o.id));
    }
    for (const o of overdue) {
      tasks.push({
        kind: 'invoice_overdue',
        invoice_id: o.id,
        client_id: o.client_id,
        due_at: `${o.due_date}T23:59:59+09:00`,
        overdue: true,
        waiting_for: `payment of ¥${o.outstanding_yen} on ${o.number} (due ${o.due_date})`,
      });
    }
  }
  if (finance) {
    const rs = await db.selectFrom('receipts').select(['id', 'received_on', 'amount_yen', 'unmatched_reason']).where('status', '=', 'unmatched').orderBy('id').limit(500).execute();
    for (const r of rs) {
      tasks.push({ kind: 'match_receipt', invoice_id: null, client_id: null, receipt_id: r.id, due_at: null, overdue: false, waiting_for: `finance to match ¥${r.amount_yen} received ${r.received_on} (${r.unmatched_reason ?? 'unmatched'})` });
    }
  }
  return tasks;
}

/** A partner's monthly statement: commissions accrued on the month's invoices, tax added when registered. */
export async function partnerStatement(db: Db, partnerId: number, month: string) {
  const partner = await db.selectFrom('partners').selectAll().where('id', '=', partnerId).executeTakeFirst();
  if (!partner) return undefined;
  const lines = await db
    .selectFrom('partner_commissions as pc')
    .innerJoin('invoice_lines as l', 'l.id', 'pc.invoice_line_id')
    .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
    .select(['pc.id', 'pc.engagement_id', 'pc.month', 'pc.base_yen', 'pc.rate_bp', 'pc.amount_yen', 'i.number as invoice_number', 'l.item'])
    .where('pc.partner_id', '=', partnerId)
    .where('pc.month', '=', month)
    .orderBy('pc.id')
    .execute();
  const fee = lines.reduce((s, l) => s + l.amount_yen, 0);
  const tax = payeeConsumptionTax(fee, { registration_number: partner.invoice_registration_number, registered_on: partner.invoice_registered_on, expires_on: partner.invoice_expires_on }, lastDay(month));
  return {
    partner: { id: partner.id, name: partner.name, legal_name: partner.legal_name, registered: tax.registered, registration_number: partner.invoice_registration_number },
    month,
    lines,
    commission_yen: fee,
    consumption_tax_yen: tax.consumption_tax_yen,
    withholding_yen: 0,
    total_payable_yen: fee + tax.consumption_tax_yen,
    note: 'Partners are corporations: no withholding. Paid through the monthly payout run.',
  };
}

/** What a partner user may see of its attributed engagements: status and results, no people. */
export async function partnerEngagements(db: Db, partnerId: number, engagementId?: number) {
  let q = db
    .selectFrom('partner_attributions as a')
    .innerJoin('engagements as e', 'e.id', 'a.engagement_id')
    .innerJoin('clients as c', 'c.id', 'e.client_id')
    .select(['e.id', 'e.status', 'e.start_month', 'e.current_month', 'c.name as client_name', 'a.mode', 'a.commission_bp', 'a.commission_from_month', 'a.commission_to_month'])
    .where('a.partner_id', '=', partnerId);
  if (engagementId) q = q.where('e.id', '=', engagementId);
  const rows = await q.orderBy('e.id').execute();
  const out = [];
  for (const r of rows) {
    const t = await db
      .selectFrom('tests as t')
      .innerJoin('cycles as cy', 'cy.id', 't.cycle_id')
      .leftJoin('verdicts as v', (j) => j.onRef('v.test_id', '=', 't.id').on('v.kind', '=', 'final'))
      .select([sql<number>`count(distinct t.id)::int`.as('tests'), sql<number>`count(distinct t.id) filter (where v.outcome = 'winner')::int`.as('wins')])
      .where('cy.engagement_id', '=', r.id)
      .executeTakeFirstOrThrow();
    const up = await db
      .selectFrom('cycles')
      .select(sql<number>`coalesce(sum((report->>'monthly_revenue_uplift_yen')::bigint), 0)::bigint`.as('uplift'))
      .where('engagement_id', '=', r.id)
      .executeTakeFirstOrThrow();
    out.push({ ...r, results: { tests: t.tests, wins: t.wins, monthly_revenue_uplift_yen: Number(up.uplift) } });
  }
  return out;
}

/**
 * Margin per engagement and month: billed (issued invoices and credit notes, tax-exclusive), received
 * (receipts + booked fees, spread over the invoice's lines by amount), paid to hackers (earnings-ledger
 * lines of the month), withheld (their share of the item's withholding, for lines in sent payout items),
 * commissions, margin = billed − hackers − commissions.
 */
export async function marginReport(db: Db, filter: { month?: string; client_id?: number; partner_id?: number }) {
  const { rows } = await sql<{
    engagement_id: number; client_id: number; partner_id: number | null; month: string; billed: number; received: number;
    hackers: number; withheld: number; commissions: number;
  }>`
    with months as (
      select l.engagement_id, i.month from invoice_lines l join invoices i on i.id = l.invoice_id where i.status = 'issued' and l.engagement_id is not null
      union select engagement_id, month from earnings_ledger where kind <> 'partner_commission'
    ),
    billed as (
      select l.engagement_id, i.month, sum(l.amount_yen) as billed from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.status = 'issued' group by 1, 2
    ),
    inv_paid as (
      select invoice_id, sum(amount_yen + fee_yen) as paid from receipts where status = 'matched' group by 1
    ),
    received as (
      select l.engagement_id, i.month,
             sum(floor(coalesce(p.paid, 0)::numeric * l.amount_yen / nullif(i.subtotal_yen, 0) * 10000 / (10000 + l.tax_rate_bp))) as received
      from invoice_lines l join invoices i on i.id = l.invoice_id join inv_paid p on p.invoice_id = i.id
      where i.status = 'issued' and i.kind = 'invoice' group by 1, 2
    ),
    hackers as (
      select el.engagement_id, el.month, sum(el.amount_yen) as hackers,
             sum(coalesce(floor(pi.withholding::numeric * el.amount_yen / nullif(pi.fee_total, 0)), 0)) as withheld
      from earnings_ledger el
      left join payout_item_lines pil on pil.ledger_id = el.id and not pil.released
      left join payout_items pi on pi.id = pil.item_id and pi.status = 'confirmed'
      where el.kind <> 'partner_commission'
      group by 1, 2
    ),
    comm as (
      select engagement_id, month, sum(amount_yen) as commissions from partner_commissions group by 1, 2
    )
    select m.engagement_id, e.client_id, a.partner_id, m.month,
           coalesce(b.billed, 0)::bigint as billed, coalesce(r.received, 0)::bigint as received,
           coalesce(h.hackers, 0)::bigint as hackers, coalesce(h.withheld, 0)::bigint as withheld,
           coalesce(c.commissions, 0)::bigint as commissions
    from months m
    join engagements e on e.id = m.engagement_id
    left join partner_attributions a on a.engagement_id = m.engagement_id
    left join billed b on b.engagement_id = m.engagement_id and b.month = m.month
    left join received r on r.engagement_id = m.engagement_id and r.month = m.month
    left join hackers h on h.engagement_id = m.engagement_id and h.month = m.month
    left join comm c on c.engagement_id = m.engagement_id and c.month = m.month
    where (${filter.month ?? null}::text is null or m.month = ${filter.month ?? null})
      and (${filter.client_id ?? null}::bigint is null or e.client_id = ${filter.client_id ?? null})
      and (${filter.partner_id ?? null}::bigint is null or a.partner_id = ${filter.partner_id ?? null})
    order by m.month, m.engagement_id
  `.execute(db);
  const items = rows.map((r) => ({
    engagement_id: r.engagement_id,
    client_id: r.client_id,
    partner_id: r.partner_id,
    month: r.month,
    billed_yen: r.billed,
    received_yen: r.received,
    paid_to_hackers_yen: r.hackers,
    withheld_yen: r.withheld,
    commissions_yen: r.commissions,
    margin_yen: r.billed - r.hackers - r.commissions,
  }));
  const sum = (k: keyof (typeof items)[number]) => items.reduce((s, i) => s + (i[k] as number), 0);
  const totals = {
    billed_yen: sum('billed_yen'), received_yen: sum('received_yen'), paid_to_hackers_yen: sum('paid_to_hackers_yen'),
    withheld_yen: sum('withheld_yen'), commissions_yen: sum('commissions_yen'), margin_yen: sum('margin_yen'),
  };
  const cols = ['month', 'engagement_id', 'client_id', 'partner_id', 'billed_yen', 'received_yen', 'paid_to_hackers_yen', 'withheld_yen', 'commissions_yen', 'margin_yen'] as const;
  const csv = writeCsv(
    cols.map((c): CsvColumn => [c, c === 'month' ? 'date' : 'number']),
    items.map((i) => cols.map((c) => i[c])),
  );
  return { items, totals, csv };
}

/** The engagement a price plan belongs to (who its client and CS manager are), if it exists. */
export function billedEngagement(db: Db, engagementId: number) {
  return db.selectFrom('engagements').select(['id', 'client_id', 'cs_manager_id']).where('id', '=', engagementId).executeTakeFirst();
}

/** Billing alerts for the caller, newest first: a CS manager's own, everyone else finance's. */
export function billingAlerts(db: Db, user: Pick<User, 'id' | 'role'>, page: { afterId?: number; limit: number }) {
  let q = db.selectFrom('billing_alerts').selectAll().orderBy('id', 'desc').limit(page.limit);
  if (page.afterId) q = q.where('id', '<', page.afterId);
  return (user.role === 'cs_manager' ? q.where('recipient', '=', `user:${user.id}`) : q.where('recipient', '=', 'finance')).execute();
}
