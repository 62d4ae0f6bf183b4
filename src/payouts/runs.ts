// Payout run use cases over Postgres: open, draft (set-based), hold/release, decide, pay (guarded per
// payee), finish, remit. The workflow calls these through activities; the bench calls them directly.
// Every state change writes the audit log in the same transaction.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import type { PayoutItemStatus } from '../shared/payouts.ts';
import { nextBusinessDay, payoutMonthProblem } from '../domain/payouts/calendar.ts';
import { fourEyesRefusal } from '../domain/payouts/four-eyes.ts';
import { planPayment } from '../domain/payouts/payment.ts';
import { monthlyRemittance, type MonthlyRemittance } from '../domain/payouts/remittance.ts';
import { computeWithholding, type IncomeSource, type PayeeType, type WithholdingLine } from '../domain/payouts/withholding.ts';
import { tokyoDateOf } from '../domain/months.ts';
import { payeeConsumptionTax } from '../domain/billing/payee-tax.ts';
import { applyBp } from '../domain/billing/tax.ts';
import { actorOf, writeAudit } from './audit.ts';
import type { BankAdapter } from './bank.ts';
import { openBankAccount, payeeType, withholdingPayee, type BankAccount } from './payees.ts';
import type { DraftSummary, PayBatchResult, PaySummary, PayoutRunStatus } from '../shared/payouts.ts';
import { FINAL_PAYOUT_RUN_STATUSES, payoutWorkflowId } from '../shared/payouts.ts';

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

export async function openRun(db: Db, month: string, preparedBy: number | null) {
  const inserted = await db
    .insertInto('payout_runs')
    .values({ month, workflow_id: payoutWorkflowId(month), prepared_by: preparedBy, last_changed_by: preparedBy, waiting_for: 'draft' })
    .onConflict((oc) => oc.column('month').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) {
    await writeAudit(db, {
      run_id: inserted.id,
      actor: preparedBy == null ? 'schedule' : actorOf(preparedBy),
      action: 'run_opened',
      details: { month },
      unique_key: `open:${inserted.id}`,
    });
    return { run: inserted, created: true };
  }
  const run = await db.selectFrom('payout_runs').selectAll().where('month', '=', month).executeTakeFirstOrThrow();
  return { run, created: false };
}

const runNotFound = (runId: number) => new RuleError('not_found', `Payout run ${runId} does not exist.`);

/** A finished run's record never changes: every write to payout_runs outside its own transition guards on this. */
async function setWaiting(db: Db, runId: number, waitingFor: string | null) {
  await db
    .updateTable('payout_runs')
    .set({ waiting_for: waitingFor, updated_at: sql`now()` })
    .where('id', '=', runId)
    .where('status', 'not in', FINAL_PAYOUT_RUN_STATUSES)
    .execute();
}

interface PayeeAggregate {
  hacker_id: number;
  kind: 'individual' | 'corporation';
  residency: 'resident' | 'non_resident';
  treaty_form_filed: boolean | null;
  treaty_limit_rate_bp: number | null;
  income_source: IncomeSource | null;
  invoice_registration_number: string | null;
  invoice_registered_on: string | null;
  invoice_expires_on: string | null;
  has_bank: boolean;
  line_count: number;
  design_earned: number;
  design_deducted: number;
  other_earned: number;
  other_deducted: number;
  overdue_lines: number;
}

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
      if (run.status !== 'drafting') {
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
        return { runId, ...c, skipped: carried.n, carriedForward: carried.n, paymentDate: run.payment_date ?? '', status: run.status };
      }
      const monthProblem = payoutMonthProblem(run.month);
      if (monthProblem) throw new RuleError('invalid', monthProblem);
      const paymentDate = plannedPaymentDate(run.month, payDay, nowMs);
      const cutoff = addDays(paymentDate, -59);
      // The run's lines, fixed once in a temp table: the totals and the links come from the same set.
      await sql`
        create temp table draft_lines on commit drop as
        select el.id, el.hacker_id, el.amount_yen, el.category, el.delivered_at
        from earnings_ledger el
        where el.month <= ${run.month}
          and not exists (select 1 from payout_item_lines l where l.ledger_id = el.id and not l.released)
      `.execute(trx);
      await sql`analyze draft_lines`.execute(trx);
      const { rows } = await sql<PayeeAggregate>`
        select l.hacker_id, h.kind, h.residency, p.treaty_form_filed, p.treaty_limit_rate_bp, p.income_source,
               p.invoice_registration_number, p.invoice_registered_on, p.invoice_expires_on,
               (p.bank_encrypted is not null) as has_bank,
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

      const cols = {
        hacker: [] as number[], status: [] as string[], type: [] as string[], lines: [] as number[], fee: [] as number[],
        base: [] as number[], tax: [] as number[], gross: [] as number[], net: [] as number[], overdue: [] as boolean[],
        nobank: [] as boolean[], deductions: [] as number[], ctax: [] as number[],
      };
      const carry = { hacker: [] as number[], balance: [] as number[], lines: [] as number[] };
      let skipped = 0;
      for (const r of rows) {
        const plan = planPayment(r);
        if (plan.kind === 'carry_forward') {
          // Deductions at least as large as the earnings: nothing to pay; the lines stay unpaid and
          // the balance is carried forward (recorded on the run, absorbed by later earnings).
          skipped++;
          carry.hacker.push(r.hacker_id);
          carry.balance.push(plan.balance);
          carry.lines.push(r.line_count);
          continue;
        }
        const type: PayeeType = payeeType(r.kind, r.residency);
        const source = (r.income_source ?? 'domestic') as IncomeSource;
        // A payee registered as a qualified-invoice issuer on the payment date is paid fee + consumption
        // tax, computed once on the payment and shown separately (so withholding ignores it, 204条 base);
        // an unregistered payee is paid the agreed fee (see src/domain/billing/payee-tax.ts).
        const ct = payeeConsumptionTax(plan.fee_total, {
          registration_number: r.invoice_registration_number,
          registered_on: r.invoice_registered_on,
          expires_on: r.invoice_expires_on,
        }, paymentDate);
        const designTax = plan.other > 0 ? applyBp(plan.design, ct.rate_bp, 'floor') : ct.consumption_tax_yen;
        const lines: WithholdingLine[] = [];
        if (plan.design > 0) {
          lines.push({ fee: plan.design, consumption_tax: ct.registered ? designTax : 0, consumption_tax_separated: ct.registered, category: 'design', income_source: source });
        }
        if (plan.other > 0) {
          lines.push({ fee: plan.other, consumption_tax: ct.registered ? ct.consumption_tax_yen - (plan.design > 0 ? designTax : 0) : 0, consumption_tax_separated: ct.registered, category: 'none', income_source: source });
        }
        const w = computeWithholding({
          payment_date: paymentDate,
          payee: withholdingPayee(type, r.treaty_form_filed, r.treaty_limit_rate_bp),
          lines,
        });
        cols.hacker.push(r.hacker_id);
        cols.status.push(r.has_bank ? 'pending' : 'held');
        cols.type.push(type);
        cols.lines.push(r.line_count);
        cols.fee.push(plan.fee_total);
        cols.deductions.push(plan.deductions);
        cols.ctax.push(ct.consumption_tax_yen);
        cols.base.push(w.withholding_base);
        cols.tax.push(w.withholding);
        cols.gross.push(w.gross_payable);
        cols.net.push(w.net_transfer);
        cols.overdue.push(r.overdue_lines > 0);
        cols.nobank.push(!r.has_bank);
      }
      if (cols.hacker.length > 0) {
        const { rows: inserted } = await sql<{ id: number; hacker_id: number }>`
          insert into payout_items (run_id, hacker_id, status, payee_type, line_count, fee_total, withholding_base,
                                    withholding, gross_payable, net_transfer, flags, hold_reason, deductions_yen, consumption_tax_yen)
          select ${runId}, u.hacker, u.status, u.type, u.lines, u.fee, u.base, u.tax, u.gross, u.net,
                 array_remove(array[case when u.overdue then 'freelance_act_overdue' end,
                                    case when u.nobank then 'missing_bank_details' end], null),
                 case when u.nobank then 'missing bank details' end, u.deductions, u.ctax
          from unnest(${cols.hacker}::bigint[], ${cols.status}::text[], ${cols.type}::text[], ${cols.lines}::int[],
                      ${cols.fee}::bigint[], ${cols.base}::bigint[], ${cols.tax}::bigint[], ${cols.gross}::bigint[],
                      ${cols.net}::bigint[], ${cols.overdue}::boolean[], ${cols.nobank}::boolean[], ${cols.deductions}::bigint[], ${cols.ctax}::bigint[])
               as u(hacker, status, type, lines, fee, base, tax, gross, net, overdue, nobank, deductions, ctax)
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
      if (carry.hacker.length > 0) {
        await sql`
          insert into payout_carry_forwards (run_id, hacker_id, balance_yen, line_count)
          select ${runId}, u.hacker, u.balance, u.lines
          from unnest(${carry.hacker}::bigint[], ${carry.balance}::bigint[], ${carry.lines}::int[]) as u(hacker, balance, lines)
          on conflict do nothing
        `.execute(trx);
        await sql`
          insert into payout_audit_log (run_id, hacker_id, actor, action, reason, details, unique_key)
          select ${runId}, u.hacker, 'system', 'balance_carried_forward', 'deductions exceed the unpaid earnings',
                 jsonb_build_object('balance_yen', u.balance, 'lines', u.lines), 'carry:' || ${runId} || ':' || u.hacker
          from unnest(${carry.hacker}::bigint[], ${carry.balance}::bigint[], ${carry.lines}::int[]) as u(hacker, balance, lines)
          on conflict (unique_key) do nothing
        `.execute(trx);
      }
      const held = cols.status.filter((s) => s === 'held').length;
      const flagged = cols.hacker.filter((_, i) => cols.overdue[i] || cols.nobank[i]).length;
      const empty = cols.hacker.length === 0;
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
          items: cols.hacker.length, held, flagged, skipped, carried_forward: carry.hacker.length, payment_date: paymentDate,
          lines: cols.lines.reduce((a, b) => a + b, 0),
        },
        unique_key: `draft:${runId}`,
      });
      const status: PayoutRunStatus = empty ? 'completed' : 'review';
      return { runId, items: cols.hacker.length, held, flagged, skipped, carriedForward: carry.hacker.length, paymentDate, status };
    });
}

/** Holds or releases one item of a run under review. Idempotent per update id. */
export async function setItemHold(
  db: Db,
  req: { runId: number; itemId: number; hold: boolean; reason: string; by: number; updateId: string },
): Promise<{ itemId: number; status: PayoutItemStatus }> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', req.runId).forUpdate().executeTakeFirst();
    if (!run) throw runNotFound(req.runId);
    const item = await trx
      .selectFrom('payout_items as i')
      .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
      .select(['i.id', 'i.status', 'i.hacker_id', sql<boolean>`p.bank_encrypted is not null`.as('has_bank')])
      .where('i.id', '=', req.itemId)
      .where('i.run_id', '=', req.runId)
      .forUpdate('i')
      .executeTakeFirst();
    if (!item) throw new RuleError('not_found', `Item ${req.itemId} is not part of payout run ${req.runId}.`);
    const action = req.hold ? 'item_held' : 'item_released';
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return { itemId: item.id, status: item.status };
    if (run.status !== 'review') {
      throw new RuleError('conflict', `Payout run ${req.runId} is ${run.status}; its items can change only during review.`);
    }
    const from: PayoutItemStatus = req.hold ? 'pending' : 'held';
    if (item.status !== from) throw new RuleError('conflict', `Item ${item.id} is ${item.status}, not ${from}, so it cannot be ${req.hold ? 'held' : 'released'}.`);
    if (!req.hold && !item.has_bank) {
      throw new RuleError('conflict', `Item ${item.id} cannot be released: the payee has no bank details.`);
    }
    const to: PayoutItemStatus = req.hold ? 'held' : 'pending';
    await trx
      .updateTable('payout_items')
      .set({ status: to, hold_reason: req.hold ? req.reason : null, updated_at: sql`now()` })
      .where('id', '=', item.id)
      .execute();
    await trx.updateTable('payout_runs').set({ last_changed_by: req.by, updated_at: sql`now()` }).where('id', '=', req.runId).execute();
    await writeAudit(trx, {
      run_id: req.runId,
      item_id: item.id,
      hacker_id: item.hacker_id,
      actor: actorOf(req.by),
      action,
      reason: req.reason,
      unique_key: `update:${req.updateId}`,
    });
    return { itemId: item.id, status: to };
  });
}

/** Approves (→ paying) or rejects (→ rejected, every line released) a run under review; four eyes. */
export async function decideRun(
  db: Db,
  req: { runId: number; approve: boolean; by: number; reason?: string; updateId: string },
): Promise<PayoutRunStatus> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').selectAll().where('id', '=', req.runId).forUpdate().executeTakeFirst();
    if (!run) throw runNotFound(req.runId);
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return run.status;
    if (run.status !== 'review') throw new RuleError('conflict', `Payout run ${req.runId} is ${run.status}, not under review.`);
    const refusal = req.approve ? fourEyesRefusal({ approver: req.by, preparedBy: run.prepared_by, runId: run.id }) : undefined;
    if (refusal) throw new RuleError('forbidden', refusal, { code: 'four_eyes' });
    const status: PayoutRunStatus = req.approve ? 'paying' : 'rejected';
    await trx
      .updateTable('payout_runs')
      .set({
        status,
        decided_by: req.by,
        decided_at: sql`now()`,
        decision_reason: req.reason ?? null,
        waiting_for: req.approve ? 'bank transfers' : null,
        updated_at: sql`now()`,
      })
      .where('id', '=', req.runId)
      .execute();
    if (!req.approve) {
      await sql`update payout_items set status = 'cancelled', updated_at = now()
                where run_id = ${req.runId} and status in ('pending', 'held')`.execute(trx);
      await sql`update payout_item_lines set released = true
                where not released and item_id in (select id from payout_items where run_id = ${req.runId})`.execute(trx);
    }
    await writeAudit(trx, {
      run_id: req.runId,
      actor: actorOf(req.by),
      action: req.approve ? 'run_approved' : 'run_rejected',
      reason: req.reason ?? null,
      unique_key: `update:${req.updateId}`,
    });
    return status;
  });
}

export interface PayDeps {
  db: Db;
  key: Buffer;
  bank: BankAdapter;
  /** Seconds an attempt owns a payee's bank call before another attempt may take over. */
  leaseSeconds?: number;
  /** Bank calls in flight at once within a chunk. */
  concurrency?: number;
  /** Payees claimed, sent and recorded together (one claim and one record statement per chunk). */
  chunkSize?: number;
  /** Called after each chunk (activities heartbeat here). */
  onProgress?: (lastItemId: number) => void;
}

interface PayableItem {
  id: number;
  hacker_id: number;
  net_transfer: number;
  bank_encrypted: string | null;
}

interface Outcome {
  key: string;
  status: 'sent' | 'failed';
  reference: string | null;
  reason: string | null;
}

/**
 * Pays up to `limit` pending items after `afterItemId`, each exactly once. Per chunk of payees:
 * (1) the payment rows (unique idempotency key `${runId}:${payeeId}`) are created if missing and leased
 * to this attempt in one statement — rows already `sent`/`failed` are skipped (their items are brought
 * in line), rows leased by another live attempt are left alone; (2) the bank is called with each key;
 * (3) the outcomes are recorded — payment, item and audit entry — in one statement, only for rows
 * still leased to this attempt. A crash between (2) and (3) leaves rows `pending`: the retry calls the
 * bank again with the same key, which the bank answers with the first result. Transient bank errors
 * release the lease and are rethrown after the batch, so the activity retries just those payees.
 */
export async function payBatch(deps: PayDeps, runId: number, afterItemId: number, limit: number): Promise<PayBatchResult> {
  const { db } = deps;
  const run = await db.selectFrom('payout_runs').select(['status', 'payment_date']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw runNotFound(runId);
  if (run.status !== 'paying') throw new RuleError('conflict', `Payout run ${runId} is ${run.status}, not paying.`);
  const items = (await db
    .selectFrom('payout_items as i')
    .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
    .select(['i.id', 'i.hacker_id', 'i.net_transfer', 'p.bank_encrypted'])
    .where('i.run_id', '=', runId)
    .where('i.status', '=', 'pending')
    .where('i.id', '>', afterItemId)
    .orderBy('i.id')
    .limit(limit)
    .execute()) as PayableItem[];
  if (items.length === 0) return { processed: 0, lastItemId: afterItemId, sent: 0, failed: 0 };

  const token = randomUUID();
  const lease = deps.leaseSeconds ?? 60;
  const chunkSize = deps.chunkSize ?? 100;
  let sent = 0;
  let failed = 0;
  const transient: Error[] = [];

  for (let c = 0; c < items.length; c += chunkSize) {
    const chunk = items.slice(c, c + chunkSize);
    const keyOf = (i: PayableItem) => `${runId}:${i.hacker_id}`;
    const keys = chunk.map(keyOf);
    await sql`
      insert into payout_payments (idempotency_key, run_id, item_id, hacker_id, amount)
      select k, ${runId}, i, h, a from unnest(${keys}::text[], ${chunk.map((i) => i.id)}::bigint[],
                                           ${chunk.map((i) => i.hacker_id)}::bigint[], ${chunk.map((i) => i.net_transfer)}::bigint[]) as u(k, i, h, a)
      on conflict (idempotency_key) do nothing
    `.execute(db);
    // (1) Lease every payee of the chunk that is still pending and not leased by a live attempt.
    const { rows: claimed } = await sql<{ idempotency_key: string }>`
      update payout_payments set claim_token = ${token}, claimed_until = now() + make_interval(secs => ${lease}), attempts = attempts + 1
      where idempotency_key = any(${keys}::text[]) and status = 'pending'
        and (claim_token is null or claimed_until < now() or claim_token = ${token})
      returning idempotency_key
    `.execute(db);
    const mine = new Set(claimed.map((r) => r.idempotency_key));
    if (mine.size < keys.length) {
      // Done by an earlier attempt that died before updating the item: bring the items in line.
      await sql`
        update payout_items i set status = p.status, bank_reference = p.reference,
               submitted_at = case when p.status = 'sent' then coalesce(i.submitted_at, p.completed_at, now()) end, updated_at = now()
        from payout_payments p
        where p.idempotency_key = any(${keys}::text[]) and p.status <> 'pending' and i.id = p.item_id and i.status = 'pending'
      `.execute(db);
      const { rows: busy } = await sql<{ n: number }>`
        select count(*)::int as n from payout_payments where idempotency_key = any(${keys}::text[]) and status = 'pending'
          and claim_token is distinct from ${token}`.execute(db);
      if (busy[0]!.n > 0) transient.push(new Error(`${busy[0]!.n} payees are leased by another attempt`));
    }

    // (2) Call the bank for each leased payee. Bank details that cannot be opened (missing, or sealed
    // with another key) fail that payee's transfer visibly instead of retrying the batch forever.
    const outcomes: Outcome[] = [];
    const released: string[] = [];
    const accounts = new Map<number, BankAccount>();
    const unreadableBank: PayableItem[] = [];
    for (const i of chunk) {
      if (!mine.has(keyOf(i)) || !i.bank_encrypted) continue;
      try {
        accounts.set(i.id, openBankAccount(deps.key, i.hacker_id, i.bank_encrypted));
      } catch {
        unreadableBank.push(i);
      }
    }
    for (const i of unreadableBank) {
      outcomes.push({ key: keyOf(i), status: 'failed', reference: null, reason: 'bank details cannot be read (encrypted with another key); update the payee record' });
    }
    const queue = chunk.filter((i) => mine.has(keyOf(i)) && !unreadableBank.includes(i));
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const key = keyOf(item);
        if (!item.bank_encrypted) {
          outcomes.push({ key, status: 'failed', reference: null, reason: 'missing bank details' });
          continue;
        }
        try {
          const result = await deps.bank.transfer({
            idempotencyKey: key,
            runId,
            payeeId: item.hacker_id,
            amount: item.net_transfer,
            transferDate: run.payment_date!,
            account: accounts.get(item.id)!,
          });
          outcomes.push({ key, status: result.status, reference: result.reference, reason: result.reason ?? null });
        } catch (err) {
          transient.push(err as Error);
          released.push(key);
        }
      }
    };
    if (deps.bank.transferMany) {
      const withBank = queue.filter((i) => i.bank_encrypted);
      for (const i of queue) if (!i.bank_encrypted) outcomes.push({ key: keyOf(i), status: 'failed', reference: null, reason: 'missing bank details' });
      try {
        const results = await deps.bank.transferMany(
          withBank.map((item) => ({
            idempotencyKey: keyOf(item),
            runId,
            payeeId: item.hacker_id,
            amount: item.net_transfer,
            transferDate: run.payment_date!,
            account: accounts.get(item.id)!,
          })),
        );
        results.forEach((r, j) => outcomes.push({ key: keyOf(withBank[j]!), status: r.status, reference: r.reference, reason: r.reason ?? null }));
      } catch (err) {
        transient.push(err as Error);
        released.push(...withBank.map(keyOf));
      }
    } else {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, queue.length)) }, worker));
    }

    // (3) Record: payment row, item and audit entry together, only where this attempt holds the lease.
    if (outcomes.length > 0) {
      const { rows } = await sql<{ action: string }>`
        with o as (
          select * from unnest(${outcomes.map((o) => o.key)}::text[], ${outcomes.map((o) => o.status)}::text[],
                               ${outcomes.map((o) => o.reference)}::text[], ${outcomes.map((o) => o.reason)}::text[])
                   as o(key, status, reference, reason)
        ), p as (
          update payout_payments pp set status = o.status, reference = o.reference, completed_at = now(), claim_token = null
          from o where pp.idempotency_key = o.key and pp.status = 'pending' and pp.claim_token = ${token}
          returning pp.item_id, pp.idempotency_key, o.status, o.reference, o.reason
        ), i as (
          update payout_items it set status = p.status, bank_reference = p.reference, failure_reason = p.reason,
                 submitted_at = case when p.status = 'sent' then now() end, updated_at = now()
          from p where it.id = p.item_id and it.status = 'pending'
          returning it.id, it.hacker_id, it.run_id, it.net_transfer, p.idempotency_key, p.status, p.reference, p.reason
        )
        insert into payout_audit_log (run_id, item_id, hacker_id, actor, action, reason, details, unique_key)
        select run_id, id, hacker_id, 'system', case when status = 'sent' then 'item_sent' else 'item_failed' end, reason,
               jsonb_build_object('amount', net_transfer, 'reference', reference, 'bank', ${deps.bank.name}::text), 'pay:' || idempotency_key
        from i
        on conflict (unique_key) do nothing
        returning action
      `.execute(db);
      for (const r of rows) {
        if (r.action === 'item_sent') sent++;
        else failed++;
      }
    }
    if (released.length > 0) {
      // Transient failures: give the lease back so the retry calls the bank again (same key).
      await sql`update payout_payments set claim_token = null, claimed_until = null
                where idempotency_key = any(${released}::text[]) and claim_token = ${token}`.execute(db);
    }
    deps.onProgress?.(chunk[chunk.length - 1]!.id);
  }
  if (transient.length > 0) {
    throw new Error(`${transient.length} of ${items.length} transfers failed transiently (will retry): ${transient[0]!.message}`);
  }
  return { processed: items.length, lastItemId: items[items.length - 1]!.id, sent, failed };
}

/** After the last batch: unpaid items give their lines back (a later run picks them up); → remitting. */
export async function finishPayments(db: Db, runId: number): Promise<PaySummary> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run) throw runNotFound(runId);
    const totals = await trx
      .selectFrom('payout_items')
      .select([
        sql<number>`count(*) filter (where status = 'sent')::int`.as('sent'),
        sql<number>`count(*) filter (where status = 'failed')::int`.as('failed'),
        sql<number>`count(*) filter (where status = 'held')::int`.as('held'),
        sql<number>`count(*) filter (where status = 'pending')::int`.as('pending'),
        sql<number>`coalesce(sum(withholding) filter (where status = 'sent'), 0)::bigint`.as('withholding'),
      ])
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    const next = totals.withholding > 0 ? 'remitting' : 'completed';
    if (run.status !== 'paying') return { ...totals, next: run.status === 'remitting' ? 'remitting' : 'completed' };
    if (totals.pending > 0) throw new Error(`${totals.pending} items are still pending`);
    await sql`update payout_item_lines set released = true
              where not released and item_id in (select id from payout_items where run_id = ${runId} and status in ('held', 'failed'))`.execute(trx);
    await trx
      .updateTable('payout_runs')
      .set({ status: next, waiting_for: next === 'remitting' ? 'finance to record the withholding remittance' : null, updated_at: sql`now()` })
      .where('id', '=', runId)
      .execute();
    await writeAudit(trx, {
      run_id: runId,
      actor: 'system',
      action: 'run_paid',
      details: { sent: totals.sent, failed: totals.failed, held: totals.held, withholding: totals.withholding },
      unique_key: `paid:${runId}`,
    });
    return { sent: totals.sent, failed: totals.failed, held: totals.held, withholding: totals.withholding, next };
  });
}

export async function recordRemittance(
  db: Db,
  req: { runId: number; by: number; remittedOn: string; note?: string; updateId: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', req.runId).forUpdate().executeTakeFirst();
    if (!run) throw runNotFound(req.runId);
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return;
    if (run.status !== 'remitting') throw new RuleError('conflict', `Payout run ${req.runId} is ${run.status}; it has no remittance to record.`);
    await trx
      .updateTable('payout_runs')
      .set({
        status: 'completed',
        remitted_on: req.remittedOn,
        remitted_by: req.by,
        remittance_note: req.note ?? null,
        waiting_for: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', req.runId)
      .execute();
    await writeAudit(trx, {
      run_id: req.runId,
      actor: actorOf(req.by),
      action: 'remittance_recorded',
      reason: req.note ?? null,
      details: { remitted_on: req.remittedOn },
      unique_key: `update:${req.updateId}`,
    });
  });
}

export async function noteReminder(db: Db, runId: number, phase: string, n: number, waitingFor: string): Promise<void> {
  await writeAudit(db, {
    run_id: runId,
    actor: 'system',
    action: 'reminder',
    reason: `waiting for ${waitingFor}`,
    details: { phase, n },
    unique_key: `reminder:${runId}:${phase}:${n}`,
  });
}

export async function noteWaiting(db: Db, runId: number, waitingFor: string | null): Promise<void> {
  await setWaiting(db, runId, waitingFor);
}

/**
 * The workflow cannot proceed (a rule failure in `phase`): the run becomes `blocked` with the reason in
 * waiting_for, and the audit log gets a `run_blocked` entry finance sees (and financeTasks lists).
 * Idempotent; a finished run is left as it is.
 */
export async function blockRun(db: Db, runId: number, phase: string, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('payout_runs')
      .set({ status: 'blocked', waiting_for: `finance: the run is blocked while ${phase}: ${reason}`, updated_at: sql`now()` })
      .where('id', '=', runId)
      .where('status', 'not in', FINAL_PAYOUT_RUN_STATUSES)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return;
    await writeAudit(trx, { run_id: runId, actor: 'system', action: 'run_blocked', reason, details: { phase }, unique_key: `blocked:${runId}` });
  });
}

/**
 * The month's withholding to remit (residents and non-residents separately), for the month in which
 * the run pays (tax is withheld on the day of payment): every item sent with a payment date in that
 * month, whatever its run.
 */
export async function withholdingSummary(db: Db, runId: number): Promise<(MonthlyRemittance & { run_id: number; remitted_on: string | null }) | undefined> {
  const run = await db.selectFrom('payout_runs').select(['id', 'payment_date', 'month', 'remitted_on']).where('id', '=', runId).executeTakeFirst();
  if (!run) return undefined;
  const month = (run.payment_date ?? `${run.month}-01`).slice(0, 7);
  const problem = payoutMonthProblem(month);
  if (problem) throw new RuleError('conflict', `Payout run ${runId} has no withholding summary: ${problem}`);
  const rows = await db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .select(['i.hacker_id', 'i.payee_type', 'r.payment_date', 'i.withholding_base', 'i.withholding'])
    .where('i.status', '=', 'sent')
    .where('r.payment_date', '>=', `${month}-01`)
    .where('r.payment_date', '<', sql<string>`(${`${month}-01`}::date + interval '1 month')::date`)
    .execute();
  const summary = monthlyRemittance(
    month,
    rows.map((r) => ({
      payee_id: String(r.hacker_id),
      payee_type: r.payee_type,
      payment_date: r.payment_date!,
      withholding_base: r.withholding_base,
      withholding: r.withholding,
    })),
  );
  return { ...summary, run_id: run.id, remitted_on: run.remitted_on };
}
