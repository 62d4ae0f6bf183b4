// Step 2, draft: query every payee's unpaid lines (one aggregate), compose each payment with the pure
// composePayment (src/domain/payouts/payment.ts), write the items, links and carry-forwards set-based.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import { nextBusinessDay, payoutMonthProblem } from '../../domain/payouts/calendar.ts';
import { composePayment, type ComposedPayment, type PayeeFacts } from '../../domain/payouts/payment.ts';
import { tokyoDateOf } from '../../domain/months.ts';
import { writeAudit } from '../audit.ts';
import type { DraftSummary, PayoutRunStatus } from '../../shared/payouts.ts';
import { runNotFound } from './status.ts';

const DAY_MS = 86_400_000;

/** The planned transfer date: `day` of the run's month (next business day), never before today (Tokyo). */
export function plannedPaymentDate(month: string, day: number, nowMs = Date.now()): string {
  const planned = nextBusinessDay(`${month}-${String(day).padStart(2, '0')}`);
  const today = tokyoDateOf(nowMs);
  return planned >= today ? planned : nextBusinessDay(today);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The aggregate query's row: one payee's unpaid lines summed, with its master data. */
type PayeeAggregate = PayeeFacts & { hacker_id: number; line_count: number };

/**
 * Drafts the run: every unpaid ledger line (month ≤ run month, not linked to a live item) of a payee
 * becomes part of ONE payment to that payee, with withholding computed on the whole payment. Payees
 * without bank details are held; Freelance-Act overdue lines are flagged. Set-based: one aggregate
 * query, one INSERT … SELECT unnest for the items, one INSERT … SELECT for the line links, all in one
 * REPEATABLE READ transaction so the links match the totals. Idempotent: a drafted run is returned as is.
 */
export async function draftRun(db: Db, runId: number, payDay: number, nowMs = Date.now()): Promise<DraftSummary> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const run = await trx.selectFrom('payout_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
      if (!run) throw runNotFound(runId);
      if (run.status !== 'drafting') return draftedSummary(trx, runId, run.payment_date, run.status);
      const monthProblem = payoutMonthProblem(run.month);
      if (monthProblem) throw new RuleError('invalid', monthProblem);
      const paymentDate = plannedPaymentDate(run.month, payDay, nowMs);
      const cutoff = addDays(paymentDate, -59);
      const rows = await unpaidByPayee(trx, run.month, cutoff);
      // Compose (pure). It runs inside the transaction because the items and their line links must
      // come from the same snapshot of the lines.
      const { payments, carry } = composeDraft(rows, paymentDate);
      await writeDraft(trx, runId, payments, carry);
      const held = payments.filter((x) => x.p.status === 'held').length;
      const flagged = payments.filter((x) => x.p.flags.length > 0).length;
      const skipped = carry.length;
      const empty = payments.length === 0;
      await trx
        .updateTable('payout_runs')
        .set({
          status: empty ? 'completed' : 'review',
          payment_date: paymentDate,
          waiting_for: empty ? null : 'finance review',
          updated_at: sql`now()`,
        })
        .where('id', '=', runId)
        .execute();
      await writeAudit(trx, {
        run_id: runId,
        actor: 'system',
        action: empty ? 'run_completed_empty' : 'run_drafted',
        details: {
          items: payments.length, held, flagged, skipped, carried_forward: carry.length, payment_date: paymentDate,
          lines: payments.reduce((sum, x) => sum + x.line_count, 0),
        },
        unique_key: run.redrafts ? `draft:${runId}:${run.redrafts}` : `draft:${runId}`,
      });
      const status: PayoutRunStatus = empty ? 'completed' : 'review';
      return { runId, items: payments.length, held, flagged, skipped, carriedForward: carry.length, paymentDate, status };
    });
}

/** What a run already drafted reports (idempotent re-draft). */
async function draftedSummary(trx: Db, runId: number, paymentDate: string | null, status: PayoutRunStatus): Promise<DraftSummary> {
  const c = await trx
    .selectFrom('payout_items')
    .select([
      sql<number>`count(*)::int`.as('items'),
      sql<number>`count(*) filter (where status = 'held')::int`.as('held'),
      sql<number>`count(*) filter (where cardinality(flags) > 0)::int`.as('flagged'),
    ])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  const carried = await trx
    .selectFrom('payout_carry_forwards')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { runId, ...c, skipped: carried.n, carriedForward: carried.n, paymentDate: paymentDate ?? '', status };
}

/** Query: every payee's unpaid lines up to `month`, summed by category, with its master data. */
async function unpaidByPayee(trx: Db, month: string, cutoff: string): Promise<PayeeAggregate[]> {
  // The run's lines, fixed once in a temp table: the totals and the links come from the same set.
  await sql`
    create temp table draft_lines on commit drop as
    select el.id, el.hacker_id, el.amount_yen, el.category, el.delivered_at
    from earnings_ledger el
    where el.month <= ${month}
      and not exists (select 1 from payout_item_lines l where l.ledger_id = el.id and not l.released)
  `.execute(trx);
  await sql`analyze draft_lines`.execute(trx);
  const { rows } = await sql<PayeeAggregate>`
    select l.hacker_id, h.kind, h.residency, p.treaty_form_filed, p.treaty_limit_rate_bp, p.income_source,
           p.invoice_registration_number, p.invoice_registered_on, p.invoice_expires_on,
           (p.bank_encrypted is not null) as has_bank,
           (select jsonb_build_object('status', c.status, 'has_bank', c.bank_encrypted is not null) from payee_change_requests c
             where c.hacker_id = l.hacker_id and c.status in ('pending', 'needs_info')) as open_change,
           count(*)::int as line_count,
           coalesce(sum(l.amount_yen) filter (where l.category = 'design' and l.amount_yen > 0), 0)::bigint as design_earned,
           coalesce(-sum(l.amount_yen) filter (where l.category = 'design' and l.amount_yen < 0), 0)::bigint as design_deducted,
           coalesce(sum(l.amount_yen) filter (where l.category <> 'design' and l.amount_yen > 0), 0)::bigint as other_earned,
           coalesce(-sum(l.amount_yen) filter (where l.category <> 'design' and l.amount_yen < 0), 0)::bigint as other_deducted,
           count(*) filter (where (l.delivered_at at time zone 'Asia/Tokyo')::date < ${cutoff}::date)::int as overdue_lines
    from draft_lines l
    join hackers h on h.id = l.hacker_id
    left join payees p on p.hacker_id = l.hacker_id
    group by l.hacker_id, h.kind, h.residency, p.treaty_form_filed, p.treaty_limit_rate_bp, p.income_source,
             p.invoice_registration_number, p.invoice_registered_on, p.invoice_expires_on, p.bank_encrypted is not null
  `.execute(trx);
  return rows;
}

type DraftPayment = { hacker_id: number; line_count: number; p: Extract<ComposedPayment, { kind: 'pay' }> };
type CarryForward = { hacker_id: number; line_count: number; balance: number };

/**
 * Compose (pure): per payee one payment, or, when deductions are at least as large as the earnings,
 * nothing to pay: the lines stay unpaid and the balance is carried forward (recorded on the run,
 * absorbed by later earnings).
 */
function composeDraft(rows: PayeeAggregate[], paymentDate: string): { payments: DraftPayment[]; carry: CarryForward[] } {
  const payments: DraftPayment[] = [];
  const carry: CarryForward[] = [];
  for (const r of rows) {
    const p = composePayment(r, paymentDate);
    if (p.kind === 'carry_forward') carry.push({ hacker_id: r.hacker_id, line_count: r.line_count, balance: p.balance });
    else payments.push({ hacker_id: r.hacker_id, line_count: r.line_count, p });
  }
  return { payments, carry };
}

/** Write: the items (set-based), their line links (from draft_lines, the set unpaidByPayee fixed), the held items' audit entries, the carry-forwards. */
async function writeDraft(trx: Db, runId: number, payments: DraftPayment[], carry: CarryForward[]): Promise<void> {
  const col = <T>(f: (x: (typeof payments)[number]) => T) => payments.map(f);
  if (payments.length > 0) {
    const { rows: inserted } = await sql<{ id: number; hacker_id: number }>`
      insert into payout_items (run_id, hacker_id, status, payee_type, line_count, fee_total, withholding_base,
                                withholding, gross_payable, net_transfer, flags, hold_reason, deductions_yen, consumption_tax_yen, hold_code)
      select ${runId}, u.hacker, u.status, u.type, u.lines, u.fee, u.base, u.tax, u.gross, u.net,
             string_to_array(u.flags, ','), u.hold_reason, u.deductions, u.ctax, u.hold_code
      from unnest(${col((x) => x.hacker_id)}::bigint[], ${col((x) => x.p.status)}::text[], ${col((x) => x.p.payee_type)}::text[],
                  ${col((x) => x.line_count)}::int[], ${col((x) => x.p.fee_total)}::bigint[], ${col((x) => x.p.withholding_base)}::bigint[],
                  ${col((x) => x.p.withholding)}::bigint[], ${col((x) => x.p.gross_payable)}::bigint[], ${col((x) => x.p.net_transfer)}::bigint[],
                  ${col((x) => x.p.flags.join(','))}::text[], ${col((x) => x.p.hold_reason)}::text[], ${col((x) => x.p.deductions)}::bigint[],
                  ${col((x) => x.p.consumption_tax_yen)}::bigint[], ${col((x) => x.p.hold_code)}::text[])
           as u(hacker, status, type, lines, fee, base, tax, gross, net, flags, hold_reason, deductions, ctax, hold_code)
      returning id, hacker_id
    `.execute(trx);
    await sql`
      insert into payout_item_lines (item_id, ledger_id)
      select u.item, d.id
      from unnest(${inserted.map((r) => r.id)}::bigint[], ${inserted.map((r) => r.hacker_id)}::bigint[]) as u(item, hacker)
      join draft_lines d on d.hacker_id = u.hacker
    `.execute(trx);
    await sql`
      insert into payout_audit_log (run_id, item_id, hacker_id, actor, action, reason, unique_key)
      select run_id, id, hacker_id, 'system', 'item_held', hold_reason, 'draft-hold:' || id
      from payout_items where run_id = ${runId} and status = 'held'
      on conflict (unique_key) do nothing
    `.execute(trx);
  }
  if (carry.length > 0) {
    await sql`
      insert into payout_carry_forwards (run_id, hacker_id, balance_yen, line_count)
      select ${runId}, u.hacker, u.balance, u.lines
      from unnest(${carry.map((c) => c.hacker_id)}::bigint[], ${carry.map((c) => c.balance)}::bigint[], ${carry.map((c) => c.line_count)}::int[]) as u(hacker, balance, lines)
      on conflict do nothing
    `.execute(trx);
    await sql`
      insert into payout_audit_log (run_id, hacker_id, actor, action, reason, details, unique_key)
      select ${runId}, u.hacker, 'system', 'balance_carried_forward', 'deductions exceed the unpaid earnings',
             jsonb_build_object('balance_yen', u.balance, 'lines', u.lines), 'carry:' || ${runId} || ':' || u.hacker
      from unnest(${carry.map((c) => c.hacker_id)}::bigint[], ${carry.map((c) => c.balance)}::bigint[], ${carry.map((c) => c.line_count)}::int[]) as u(hacker, balance, lines)
      on conflict (unique_key) do nothing
    `.execute(trx);
  }
}
