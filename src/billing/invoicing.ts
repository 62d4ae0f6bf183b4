// Invoice use cases over Postgres: draft a month (idempotent per bill-to party: the draft key is
// unique), hold/release, edit or add lines of a draft, issue (unique number, commissions accrued once
// per line), credit notes referencing the original. Issued rows are refused by triggers as well.
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { BillingConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { DEFAULT_TERMS, type PaymentTerms } from '../domain/billing/calendar.ts';
import { draftInvoices, type EngagementToBill } from '../domain/billing/draft.ts';
import { commissionYen } from '../domain/billing/payee-tax.ts';
import { invoiceTotals, type Rounding } from '../domain/billing/tax.ts';
import { monthStartUtcMs, tokyoDateOf } from '../domain/months.ts';
import { standardRateBp } from '../domain/billing/rates.ts';
import { addLineRefusal, creditRefusal, editRefusal, holdRefusal, issueRefusal, releaseRefusal } from '../domain/billing/review.ts';
import { RuleError } from '../domain/errors.ts';
import { planInForce } from './accounts.ts';
import type { DraftMonthSummary } from '../shared/billing.ts';

type Trx = Transaction<Database>;

/** Loads what a month bills: live engagements of the month with their plan, client and attribution. */
export async function engagementsToBill(db: Db, month: string): Promise<{ engagements: EngagementToBill[]; terms: Map<number, PaymentTerms> }> {
  const rows = await db
    .selectFrom('engagements as e')
    .innerJoin('clients as c', 'c.id', 'e.client_id')
    .leftJoin('billing_accounts as b', 'b.client_id', 'e.client_id')
    .leftJoin('partner_attributions as a', 'a.engagement_id', 'e.id')
    .leftJoin('partners as p', 'p.id', 'a.partner_id')
    .select([
      'e.id', 'e.client_id', 'e.start_month', 'e.ended_at', 'c.name as client_name', 'b.legal_name',
      'b.due_rule', 'b.due_days', 'b.holiday_shift', 'a.partner_id', 'a.mode', 'a.wholesale_bp', 'p.legal_name as partner_name',
    ])
    .where('e.start_month', '<=', month)
    .where((eb) => eb.or([eb('e.ended_at', 'is', null), eb('e.ended_at', '>', new Date(monthStartUtcMs(month)))]))
    .orderBy('e.id')
    .execute();
  const terms = new Map<number, PaymentTerms>();
  const engagements: EngagementToBill[] = [];
  for (const r of rows) {
    if (r.due_rule) terms.set(r.client_id, { due_rule: r.due_rule, due_days: r.due_days!, holiday_shift: r.holiday_shift! });
    const plan = await planInForce(db, r.id, month);
    engagements.push({
      engagement_id: r.id,
      client_id: r.client_id,
      client_name: r.legal_name ?? r.client_name,
      start_month: r.start_month,
      ...(r.ended_at ? { ended_at_ms: r.ended_at.getTime() } : {}),
      plan,
      ...(r.partner_id && r.mode
        ? { attribution: { partner_id: r.partner_id, partner_name: r.partner_name!, mode: r.mode, wholesale_bp: r.wholesale_bp! } }
        : {}),
    });
  }
  return { engagements, terms };
}

/**
 * Drafts the month's invoices: one per client (or reselling partner), one line per engagement and plan
 * item. Idempotent: a party that already has its invoice for the month (draft, held or issued) keeps
 * it untouched; the call only adds the missing ones. Concurrent calls serialise on the unique keys.
 */
export async function draftMonth(db: Db, billing: Pick<BillingConfig, 'issuerName' | 'issuerRegistrationNumber' | 'rounding'>, month: string, by: number | null): Promise<DraftMonthSummary> {
  const { engagements, terms } = await engagementsToBill(db, month);
  const drafts = draftInvoices({
    month,
    rounding: billing.rounding,
    engagements,
    terms: (b) => (b.kind === 'client' ? (terms.get(b.id) ?? DEFAULT_TERMS) : DEFAULT_TERMS),
  });
  let created = 0;
  let existing = 0;
  const ids: number[] = [];
  for (const d of drafts) {
    const id = await db.transaction().execute(async (trx) => {
      const inv = await trx
        .insertInto('invoices')
        .values({
          kind: 'invoice',
          draft_key: d.draft_key,
          month,
          bill_to_kind: d.bill_to.kind,
          client_id: d.bill_to.kind === 'client' ? d.bill_to.id : null,
          partner_id: d.bill_to.kind === 'partner' ? d.bill_to.id : null,
          recipient_name: d.bill_to.name,
          issuer_name: billing.issuerName,
          issuer_registration_number: billing.issuerRegistrationNumber,
          period_start: d.period_start,
          period_end: d.period_end,
          due_date: d.due_date,
          terms_label: d.terms_label,
          rounding: billing.rounding,
          subtotal_yen: d.totals.subtotal_yen,
          tax_yen: d.totals.tax_yen,
          total_yen: d.totals.total_yen,
          tax_summary: JSON.stringify(d.totals.per_rate),
          created_by: by,
        })
        .onConflict((oc) => oc.column('draft_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inv) return undefined;
      await trx
        .insertInto('invoice_lines')
        .values(
          d.lines.map((l, i) => ({
            invoice_id: inv.id,
            line_key: l.line_key,
            position: i + 1,
            engagement_id: l.engagement_id,
            item: l.item,
            description: l.description,
            amount_yen: l.amount_yen,
            tax_rate_bp: l.tax_rate_bp,
            list_amount_yen: l.list_amount_yen,
            days_billed: l.days_billed,
            days_in_month: l.days_in_month,
          })),
        )
        .execute();
      return inv.id;
    });
    if (id) {
      created++;
      ids.push(id);
    } else {
      existing++;
      const row = await db.selectFrom('invoices').select('id').where('draft_key', '=', d.draft_key).executeTakeFirstOrThrow();
      ids.push(row.id);
    }
  }
  return { month, created, existing, invoice_ids: ids };
}

async function lockInvoice(trx: Trx, id: number) {
  const inv = await trx.selectFrom('invoices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!inv) throw new RuleError('not_found', `invoice ${id} not found`);
  return inv;
}

/** A refusal of review.ts as the conflict the route answers. */
function refuse(refusal: string | undefined): void {
  if (refusal) throw new RuleError('conflict', refusal);
}

async function recomputeTotals(trx: Trx, id: number, rounding: Rounding) {
  const lines = await trx.selectFrom('invoice_lines').select(['amount_yen', 'tax_rate_bp']).where('invoice_id', '=', id).execute();
  const t = invoiceTotals(lines, rounding);
  await trx
    .updateTable('invoices')
    .set({ subtotal_yen: t.subtotal_yen, tax_yen: t.tax_yen, total_yen: t.total_yen, tax_summary: JSON.stringify(t.per_rate), updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function setHold(db: Db, id: number, hold: boolean, reason: string | null) {
  return db.transaction().execute(async (trx) => {
    const inv = await lockInvoice(trx, id);
    refuse(hold ? holdRefusal(inv) : releaseRefusal(inv));
    await trx.updateTable('invoices').set({ status: hold ? 'held' : 'draft', hold_reason: hold ? reason : null, updated_at: sql`now()` }).where('id', '=', id).execute();
  });
}

export interface LineEdit {
  amount_yen?: number;
  description?: string;
}

export async function editLine(db: Db, id: number, lineId: number, edit: LineEdit) {
  return db.transaction().execute(async (trx) => {
    const inv = await lockInvoice(trx, id);
    refuse(editRefusal(inv));
    const res = await trx
      .updateTable('invoice_lines')
      .set({ ...(edit.amount_yen !== undefined ? { amount_yen: edit.amount_yen } : {}), ...(edit.description !== undefined ? { description: edit.description } : {}) })
      .where('id', '=', lineId)
      .where('invoice_id', '=', id)
      .executeTakeFirst();
    if (!res.numUpdatedRows) throw new RuleError('not_found', `line ${lineId} is not on invoice ${id}`);
    await recomputeTotals(trx, id, inv.rounding);
  });
}

export async function addLine(db: Db, id: number, line: { description: string; amount_yen: number; engagement_id?: number | null }) {
  return db.transaction().execute(async (trx) => {
    const inv = await lockInvoice(trx, id);
    refuse(addLineRefusal(inv));
    const pos = await trx.selectFrom('invoice_lines').select(sql<number>`coalesce(max(position), 0)::int`.as('p')).where('invoice_id', '=', id).executeTakeFirstOrThrow();
    const rate = await trx.selectFrom('invoice_lines').select('tax_rate_bp').where('invoice_id', '=', id).executeTakeFirst();
    if (line.engagement_id != null) {
      const e = await trx.selectFrom('engagements').select('client_id').where('id', '=', line.engagement_id).executeTakeFirst();
      if (!e || (inv.client_id != null && e.client_id !== inv.client_id)) throw new RuleError('invalid', '/engagement_id is not this client\'s engagement', { path: '/engagement_id' });
    }
    await trx
      .insertInto('invoice_lines')
      .values({
        invoice_id: id,
        line_key: `manual:${id}:${randomUUID()}`,
        position: pos.p + 1,
        engagement_id: line.engagement_id ?? null,
        item: 'adjustment',
        description: line.description,
        amount_yen: line.amount_yen,
        tax_rate_bp: rate?.tax_rate_bp ?? standardRateBp(inv.period_end),
      })
      .execute();
    await recomputeTotals(trx, id, inv.rounding);
  });
}

async function nextNumber(trx: Trx, kind: 'invoice' | 'credit_note'): Promise<string> {
  const { rows } = await sql<{ n: string }>`select nextval('invoice_number_seq')::text as n`.execute(trx);
  return `${kind === 'invoice' ? 'INV' : 'CRN'}-${rows[0]!.n.padStart(7, '0')}`;
}

/** Commissions of a just-issued document: one per line of a referred engagement in the contract period. */
async function accrueCommissions(trx: Trx, invoiceId: number) {
  await sql`
    insert into partner_commissions (unique_key, partner_id, engagement_id, invoice_line_id, month, base_yen, rate_bp, amount_yen)
    select 'commission:' || l.id, a.partner_id, l.engagement_id, l.id, i.month, l.amount_yen, a.commission_bp, 0
    from invoice_lines l
    join invoices i on i.id = l.invoice_id
    join partner_attributions a on a.engagement_id = l.engagement_id
    where l.invoice_id = ${invoiceId} and i.bill_to_kind = 'client' and a.mode = 'referral' and a.commission_bp > 0
      and i.month >= a.commission_from_month and (a.commission_to_month is null or i.month <= a.commission_to_month)
    on conflict (unique_key) do nothing
  `.execute(trx);
  await settleCommissions(trx, invoiceId);
}

/**
 * Fills in the amounts of the document's new commission rows (one rounding rule, in TypeScript) and
 * writes each as an earnings-ledger line of the partner's payee, so the monthly payout run pays it
 * (a reversal is a negative line the run nets). Both writes are idempotent by their unique keys.
 */
async function settleCommissions(trx: Trx, invoiceId: number) {
  const rows = await trx
    .selectFrom('partner_commissions as pc')
    .innerJoin('partners as p', 'p.id', 'pc.partner_id')
    .innerJoin('invoice_lines as l', 'l.id', 'pc.invoice_line_id')
    .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
    .select(['pc.id', 'pc.base_yen', 'pc.rate_bp', 'pc.amount_yen', 'pc.engagement_id', 'pc.month', 'pc.invoice_line_id', 'p.payee_hacker_id', 'i.number', 'i.issued_at'])
    .where('l.invoice_id', '=', invoiceId)
    .execute();
  for (const r of rows) {
    const amount = commissionYen(r.base_yen, r.rate_bp);
    if (r.amount_yen !== amount) await trx.updateTable('partner_commissions').set({ amount_yen: amount }).where('id', '=', r.id).execute();
    if (r.payee_hacker_id == null || amount === 0) continue;
    await trx
      .insertInto('earnings_ledger')
      .values({
        unique_key: `partner_commission:${r.invoice_line_id}`,
        hacker_id: r.payee_hacker_id,
        engagement_id: r.engagement_id,
        cycle_id: null,
        offer_id: null,
        proposal_id: null,
        kind: 'partner_commission',
        amount_yen: amount,
        category: 'none',
        month: r.month,
        delivered_at: r.issued_at ?? new Date(),
        reverses_id: null,
        description: `紹介手数料 ${r.rate_bp / 100}% (${r.number ?? 'invoice'} line ${r.invoice_line_id})`,
      })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .execute();
  }
}

export async function issueInvoice(db: Db, id: number, by: number | null, nowMs = Date.now()) {
  return db.transaction().execute(async (trx) => {
    const inv = await lockInvoice(trx, id);
    const lines = await trx.selectFrom('invoice_lines').select('id').where('invoice_id', '=', id).execute();
    refuse(issueRefusal(inv, lines.length));
    const number = await nextNumber(trx, inv.kind);
    await trx
      .updateTable('invoices')
      .set({ status: 'issued', number, issue_date: tokyoDateOf(nowMs), issued_at: new Date(nowMs), issued_by: by, hold_reason: null, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    await accrueCommissions(trx, id);
    return number;
  });
}

/**
 * Credit note (返還インボイス) against an issued invoice: the given lines (or every line) credited,
 * negative amounts, tax once per rate, same month and recipient, issued at once with its own number.
 * `key` (Idempotency-Key) makes a retried request return the same credit note.
 */
export async function createCreditNote(
  db: Db,
  originalId: number,
  input: { reason: string; lines?: { line_id: number; amount_yen: number }[]; key?: string },
  by: number | null,
  nowMs = Date.now(),
): Promise<number> {
  const draftKey = `credit:${originalId}:${input.key ?? randomUUID()}`;
  const again = await db.selectFrom('invoices').select('id').where('draft_key', '=', draftKey).executeTakeFirst();
  if (again) return again.id;
  return db.transaction().execute(async (trx) => {
    const orig = await lockInvoice(trx, originalId);
    refuse(creditRefusal(orig));
    const lines = await trx.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', originalId).orderBy('position').execute();
    const credited = await trx
      .selectFrom('invoice_lines as l')
      .innerJoin('invoices as i', 'i.id', 'l.invoice_id')
      .select(['l.original_line_id', sql<number>`sum(-l.amount_yen)::bigint`.as('credited')])
      .where('i.original_invoice_id', '=', originalId)
      .where('i.status', '=', 'issued')
      .groupBy('l.original_line_id')
      .execute();
    const done = new Map(credited.map((c) => [c.original_line_id, Number(c.credited)]));
    const wanted = input.lines ?? lines.map((l) => ({ line_id: l.id, amount_yen: l.amount_yen - (done.get(l.id) ?? 0) }));
    const out = wanted.map((w, i) => {
      const l = lines.find((x) => x.id === w.line_id);
      if (!l) throw new RuleError('invalid', `/lines/${i}/line_id is not a line of invoice ${originalId}`, { path: `/lines/${i}/line_id` });
      const left = l.amount_yen - (done.get(l.id) ?? 0);
      if (w.amount_yen > left) throw new RuleError('invalid', `/lines/${i}/amount_yen exceeds what is left to credit (${left})`, { path: `/lines/${i}/amount_yen` });
      return { l, amount: w.amount_yen };
    }).filter((x) => x.amount > 0);
    if (out.length === 0) throw new RuleError('conflict', 'nothing left to credit on this invoice');
    const t = invoiceTotals(out.map((x) => ({ amount_yen: -x.amount, tax_rate_bp: x.l.tax_rate_bp })), orig.rounding);
    const cn = await trx
      .insertInto('invoices')
      .values({
        kind: 'credit_note',
        draft_key: draftKey,
        month: orig.month,
        bill_to_kind: orig.bill_to_kind,
        client_id: orig.client_id,
        partner_id: orig.partner_id,
        original_invoice_id: orig.id,
        recipient_name: orig.recipient_name,
        issuer_name: orig.issuer_name,
        issuer_registration_number: orig.issuer_registration_number,
        period_start: orig.period_start,
        period_end: orig.period_end,
        due_date: orig.due_date,
        terms_label: orig.terms_label,
        rounding: orig.rounding,
        subtotal_yen: t.subtotal_yen,
        tax_yen: t.tax_yen,
        total_yen: t.total_yen,
        tax_summary: JSON.stringify(t.per_rate),
        note: input.reason,
        created_by: by,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('invoice_lines')
      .values(
        out.map((x, i) => ({
          invoice_id: cn.id,
          line_key: `credit:${cn.id}:${x.l.id}`,
          position: i + 1,
          engagement_id: x.l.engagement_id,
          item: x.l.item,
          description: `${x.l.description}（${orig.number} の返還）`,
          amount_yen: -x.amount,
          tax_rate_bp: x.l.tax_rate_bp,
          list_amount_yen: null,
          days_billed: null,
          days_in_month: null,
          original_line_id: x.l.id,
        })),
      )
      .execute();
    const number = await nextNumber(trx, 'credit_note');
    await trx
      .updateTable('invoices')
      .set({ status: 'issued', number, issue_date: tokyoDateOf(nowMs), issued_at: new Date(nowMs), issued_by: by })
      .where('id', '=', cn.id)
      .execute();
    // A credited line of a referred engagement reverses its commission (same rate, negative).
    await sql`
      insert into partner_commissions (unique_key, partner_id, engagement_id, invoice_line_id, month, base_yen, rate_bp, amount_yen)
      select 'commission:' || l.id, pc.partner_id, pc.engagement_id, l.id, pc.month, l.amount_yen, pc.rate_bp, 0
      from invoice_lines l join partner_commissions pc on pc.invoice_line_id = l.original_line_id
      where l.invoice_id = ${cn.id}
      on conflict (unique_key) do nothing
    `.execute(trx);
    await settleCommissions(trx, cn.id);
    return cn.id;
  });
}

