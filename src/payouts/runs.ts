// Payout run use cases over Postgres: open, draft (set-based), hold/release, decide, pay (guarded per
// payee), finish, remit. The workflow calls these through activities; the bench calls them directly.
// Every state change writes the audit log in the same transaction.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { PayoutItemStatus, PayoutRunStatus } from '../db/schema.ts';
import { nextBusinessDay } from '../domain/payouts/calendar.ts';
import { monthlyRemittance, type MonthlyRemittance } from '../domain/payouts/remittance.ts';
import { computeWithholding, type IncomeSource, type PayeeType, type WithholdingLine } from '../domain/payouts/withholding.ts';
import { tokyoDateOf } from '../domain/months.ts';
import { actorOf, writeAudit } from './audit.ts';
import type { BankAdapter } from './bank.ts';
import { openBankAccount, payeeType, withholdingPayee } from './payees.ts';
import type { DraftSummary, PayBatchResult, PaySummary } from './types.ts';
import { payoutWorkflowId } from './types.ts';

/** Thrown for requests that can never succeed (bad item, wrong state): non-retryable in activities. */
export class PayoutRuleError extends Error {
  constructor(
    message: string,
    readonly kind: 'not_found' | 'conflict' | 'forbidden' = 'conflict',
  ) {
    super(message);
    this.name = 'PayoutRuleError';
  }
}

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

async function setWaiting(db: Db, runId: number, waitingFor: string | null) {
  await db.updateTable('payout_runs').set({ waiting_for: waitingFor, updated_at: sql`now()` }).where('id', '=', runId).execute();
}

interface PayeeAggregate {
  hacker_id: number;
  kind: 'individual' | 'corporation';
  residency: 'resident' | 'non_resident';
  treaty_form_filed: boolean | null;
  treaty_limit_rate_bp: number | null;
  income_source: IncomeSource | null;
  has_bank: boolean;
  line_count: number;
  design_total: number;
  other_total: number;
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
      if (!run) throw new PayoutRuleError(`payout run ${runId} not found`, 'not_found');
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
        return { runId, ...c, skipped: 0, paymentDate: run.payment_date ?? '' };
      }
      const paymentDate = plannedPaymentDate(run.month, payDay, nowMs);
      const cutoff = addDays(paymentDate, -59);
      const { rows } = await sql<PayeeAggregate>`
        with lines as (
          select el.id, el.hacker_id, el.amount_yen, el.category, el.delivered_at
          from earnings_ledger el
          where el.month <= ${run.month}
            and not exists (select 1 from payout_item_lines l where l.ledger_id = el.id and not l.released)
        )
        select l.hacker_id, h.kind, h.residency, p.treaty_form_filed, p.treaty_limit_rate_bp, p.income_source,
               (p.bank_encrypted is not null) as has_bank,
               count(*)::int as line_count,
               coalesce(sum(l.amount_yen) filter (where l.category = 'design'), 0)::bigint as design_total,
               coalesce(sum(l.amount_yen) filter (where l.category <> 'design'), 0)::bigint as other_total,
               count(*) filter (where (l.delivered_at at time zone 'Asia/Tokyo')::date < ${cutoff}::date)::int as overdue_lines
        from lines l
        join hackers h on h.id = l.hacker_id
        left join payees p on p.hacker_id = l.hacker_id
        group by l.hacker_id, h.kind, h.residency, p.treaty_form_filed, p.treaty_limit_rate_bp, p.income_source, p.bank_encrypted is not null
      `.execute(trx);

      const cols = {
        hacker: [] as number[], status: [] as string[], type: [] as string[], lines: [] as number[], fee: [] as number[],
        base: [] as number[], tax: [] as number[], gross: [] as number[], net: [] as number[], overdue: [] as boolean[],
        nobank: [] as boolean[],
      };
      let skipped = 0;
      for (const r of rows) {
        // Reversals larger than the fees: nothing to pay yet; the lines wait for later earnings.
        if (r.design_total < 0 || r.other_total < 0 || r.design_total + r.other_total <= 0) {
          skipped++;
          continue;
        }
        const type: PayeeType = payeeType(r.kind, r.residency);
        const source = (r.income_source ?? 'domestic') as IncomeSource;
        const lines: WithholdingLine[] = [];
        if (r.design_total > 0) {
          lines.push({ fee: r.design_total, consumption_tax: 0, consumption_tax_separated: false, category: 'design', income_source: source });
        }
        if (r.other_total > 0) {
          lines.push({ fee: r.other_total, consumption_tax: 0, consumption_tax_separated: false, category: 'none', income_source: source });
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
        cols.fee.push(r.design_total + r.other_total);
        cols.base.push(w.withholding_base);
        cols.tax.push(w.withholding);
        cols.gross.push(w.gross_payable);
        cols.net.push(w.net_transfer);
        cols.overdue.push(r.overdue_lines > 0);
        cols.nobank.push(!r.has_bank);
      }
      if (cols.hacker.length > 0) {
        await sql`
          insert into payout_items (run_id, hacker_id, status, payee_type, line_count, fee_total, withholding_base,
                                    withholding, gross_payable, net_transfer, flags, hold_reason)
          select ${runId}, u.hacker, u.status, u.type, u.lines, u.fee, u.base, u.tax, u.gross, u.net,
                 array_remove(array[case when u.overdue then 'freelance_act_overdue' end,
                                    case when u.nobank then 'missing_bank_details' end], null),
                 case when u.nobank then 'missing bank details' end
          from unnest(${cols.hacker}::bigint[], ${cols.status}::text[], ${cols.type}::text[], ${cols.lines}::int[],
                      ${cols.fee}::bigint[], ${cols.base}::bigint[], ${cols.tax}::bigint[], ${cols.gross}::bigint[],
                      ${cols.net}::bigint[], ${cols.overdue}::boolean[], ${cols.nobank}::boolean[])
               as u(hacker, status, type, lines, fee, base, tax, gross, net, overdue, nobank)
        `.execute(trx);
        await sql`
          insert into payout_item_lines (item_id, ledger_id)
          select i.id, el.id
          from payout_items i
          join earnings_ledger el on el.hacker_id = i.hacker_id
          where i.run_id = ${runId} and el.month <= ${run.month}
            and not exists (select 1 from payout_item_lines l where l.ledger_id = el.id and not l.released)
        `.execute(trx);
        await sql`
          insert into payout_audit_log (run_id, item_id, hacker_id, actor, action, reason, unique_key)
          select run_id, id, hacker_id, 'system', 'item_held', hold_reason, 'draft-hold:' || id
          from payout_items where run_id = ${runId} and status = 'held'
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
        details: { items: cols.hacker.length, held, flagged, skipped, payment_date: paymentDate, lines: cols.lines.reduce((a, b) => a + b, 0) },
        unique_key: `draft:${runId}`,
      });
      return { runId, items: cols.hacker.length, held, flagged, skipped, paymentDate };
    });
}

/** Holds or releases one item of a run under review. Idempotent per update id. */
export async function setItemHold(
  db: Db,
  req: { runId: number; itemId: number; hold: boolean; reason: string; by: number; updateId: string },
): Promise<{ itemId: number; status: PayoutItemStatus }> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', req.runId).forUpdate().executeTakeFirst();
    if (!run) throw new PayoutRuleError(`payout run ${req.runId} not found`, 'not_found');
    const item = await trx
      .selectFrom('payout_items as i')
      .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
      .select(['i.id', 'i.status', 'i.hacker_id', sql<boolean>`p.bank_encrypted is not null`.as('has_bank')])
      .where('i.id', '=', req.itemId)
      .where('i.run_id', '=', req.runId)
      .forUpdate('i')
      .executeTakeFirst();
    if (!item) throw new PayoutRuleError(`item ${req.itemId} is not in payout run ${req.runId}`, 'not_found');
    const action = req.hold ? 'item_held' : 'item_released';
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return { itemId: item.id, status: item.status };
    if (run.status !== 'review') throw new PayoutRuleError(`payout run is ${run.status}; items can change only during review`);
    const from: PayoutItemStatus = req.hold ? 'pending' : 'held';
    if (item.status !== from) throw new PayoutRuleError(`item ${item.id} is ${item.status}, not ${from}`);
    if (!req.hold && !item.has_bank) {
      throw new PayoutRuleError(`item ${item.id} cannot be released: the payee has no bank details`);
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
    if (!run) throw new PayoutRuleError(`payout run ${req.runId} not found`, 'not_found');
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return run.status;
    if (run.status !== 'review') throw new PayoutRuleError(`payout run is ${run.status}, not under review`);
    if (req.approve && (req.by === run.prepared_by || req.by === run.last_changed_by)) {
      throw new PayoutRuleError('four eyes: the approver must differ from who prepared and who last changed the run', 'forbidden');
    }
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
  /** Payees paid concurrently within a batch. */
  concurrency?: number;
  /** Called after each payee (activities heartbeat here). */
  onProgress?: (itemId: number) => void;
}

interface PayableItem {
  id: number;
  hacker_id: number;
  net_transfer: number;
  bank_encrypted: string | null;
}

/**
 * Pays up to `limit` pending items after `afterItemId`, each exactly once: the payment row (unique
 * idempotency key `${runId}:${payeeId}`) is created first, leased to this attempt, then the bank is
 * called with that key, then the outcome is recorded with the item and the audit entry in one statement.
 * A retried attempt finds `sent`/`failed` rows done and re-calls the bank (same key) only for rows left
 * `pending` by a crash. Transient bank errors leave the payee pending and are rethrown at the end.
 */
export async function payBatch(deps: PayDeps, runId: number, afterItemId: number, limit: number): Promise<PayBatchResult> {
  const { db } = deps;
  const run = await db.selectFrom('payout_runs').select(['status', 'payment_date']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw new PayoutRuleError(`payout run ${runId} not found`, 'not_found');
  if (run.status !== 'paying') throw new PayoutRuleError(`payout run is ${run.status}, not paying`);
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

  const keys = items.map((i) => `${runId}:${i.hacker_id}`);
  await sql`
    insert into payout_payments (idempotency_key, run_id, item_id, hacker_id, amount)
    select k, ${runId}, i, h, a from unnest(${keys}::text[], ${items.map((i) => i.id)}::bigint[],
                                         ${items.map((i) => i.hacker_id)}::bigint[], ${items.map((i) => i.net_transfer)}::bigint[]) as u(k, i, h, a)
    on conflict (idempotency_key) do nothing
  `.execute(db);

  const token = randomUUID();
  const lease = deps.leaseSeconds ?? 60;
  let sent = 0;
  let failed = 0;
  const transient: Error[] = [];

  const record = async (item: PayableItem, key: string, status: 'sent' | 'failed', reference: string | null, reason: string | null) => {
    const { rows } = await sql<{ id: number }>`
      with p as (
        update payout_payments set status = ${status}, reference = ${reference}, completed_at = now(), claim_token = null
        where idempotency_key = ${key} and status = 'pending' and claim_token = ${token}
        returning item_id
      ), i as (
        update payout_items set status = ${status}, bank_reference = ${reference}, failure_reason = ${reason},
               paid_at = case when ${status} = 'sent' then now() end, updated_at = now()
        where id in (select item_id from p) and status = 'pending'
        returning id, hacker_id, run_id, net_transfer
      )
      insert into payout_audit_log (run_id, item_id, hacker_id, actor, action, reason, details, unique_key)
      select run_id, id, hacker_id, 'system', ${status === 'sent' ? 'item_sent' : 'item_failed'}, ${reason},
             jsonb_build_object('amount', net_transfer, 'reference', ${reference}::text, 'bank', ${deps.bank.name}::text), 'pay:' || ${key}
      from i
      returning id
    `.execute(db);
    return rows.length > 0;
  };

  const payOne = async (item: PayableItem, key: string) => {
    // Claim the payee for this attempt (a lease, so a crashed attempt's claim expires).
    const claimed = await sql<{ status: string; reference: string | null }>`
      update payout_payments set claim_token = ${token}, claimed_until = now() + make_interval(secs => ${lease}),
             attempts = attempts + 1
      where idempotency_key = ${key} and status = 'pending'
        and (claim_token is null or claimed_until < now() or claim_token = ${token})
      returning status, reference
    `.execute(db);
    if (claimed.rows.length === 0) {
      const p = await db.selectFrom('payout_payments').select(['status', 'reference', 'claim_token']).where('idempotency_key', '=', key).executeTakeFirst();
      if (p && p.status !== 'pending') {
        // Done by an earlier attempt that died before updating the item: bring the item in line.
        await sql`update payout_items set status = ${p.status}, bank_reference = ${p.reference},
                  paid_at = case when ${p.status} = 'sent' then coalesce(paid_at, now()) end, updated_at = now()
                  where id = ${item.id} and status = 'pending'`.execute(db);
        return;
      }
      throw new Error(`payee ${item.hacker_id}: another attempt holds the payment lease`);
    }
    if (!item.bank_encrypted) {
      if (await record(item, key, 'failed', null, 'missing bank details')) failed++;
      return;
    }
    const account = openBankAccount(deps.key, item.hacker_id, item.bank_encrypted);
    let result;
    try {
      result = await deps.bank.transfer({
        idempotencyKey: key,
        runId,
        payeeId: item.hacker_id,
        amount: item.net_transfer,
        transferDate: run.payment_date!,
        account,
      });
    } catch (err) {
      // Transient: give the lease back so the retry can call the bank again (same key).
      await sql`update payout_payments set claim_token = null, claimed_until = null
                where idempotency_key = ${key} and claim_token = ${token}`.execute(db);
      throw err;
    }
    if (await record(item, key, result.status, result.reference, result.reason ?? null)) {
      if (result.status === 'sent') sent++;
      else failed++;
    }
  };

  const queue = items.map((item, i) => ({ item, key: keys[i]! }));
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, queue.length)) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await payOne(next.item, next.key);
      } catch (err) {
        if (err instanceof PayoutRuleError) throw err;
        transient.push(err as Error);
      }
      deps.onProgress?.(next.item.id);
    }
  });
  await Promise.all(workers);
  if (transient.length > 0) {
    throw new Error(`${transient.length} of ${items.length} transfers failed transiently (will retry): ${transient[0]!.message}`);
  }
  return { processed: items.length, lastItemId: items[items.length - 1]!.id, sent, failed };
}

/** After the last batch: unpaid items give their lines back (a later run picks them up); → remitting. */
export async function finishPayments(db: Db, runId: number): Promise<PaySummary> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run) throw new PayoutRuleError(`payout run ${runId} not found`, 'not_found');
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
    if (!run) throw new PayoutRuleError(`payout run ${req.runId} not found`, 'not_found');
    const done = await trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `update:${req.updateId}`).executeTakeFirst();
    if (done) return;
    if (run.status !== 'remitting') throw new PayoutRuleError(`payout run is ${run.status}; nothing to remit`);
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
 * The month's withholding to remit (residents and non-residents separately), for the month in which
 * the run pays (tax is withheld on the day of payment): every item sent with a payment date in that
 * month, whatever its run.
 */
export async function withholdingSummary(db: Db, runId: number): Promise<(MonthlyRemittance & { run_id: number; remitted_on: string | null }) | undefined> {
  const run = await db.selectFrom('payout_runs').select(['id', 'payment_date', 'month', 'remitted_on']).where('id', '=', runId).executeTakeFirst();
  if (!run) return undefined;
  const month = (run.payment_date ?? `${run.month}-01`).slice(0, 7);
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
