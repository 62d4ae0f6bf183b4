// Step 4, pay: each payee exactly once through the bank (leased payment rows, idempotency keys), then
// finish (unpaid items give their lines back).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import { writeAudit } from '../audit.ts';
import type { BankAdapter } from '../bank.ts';
import { openBankAccount, type BankAccount } from '../payees.ts';
import type { PayBatchResult, PaySummary } from '../../shared/payouts.ts';
import { runNotFound } from './status.ts';

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
  attempt: number;
  net_transfer: number;
  bank_encrypted: string | null;
}

interface Outcome {
  key: string;
  status: 'handed_to_bank' | 'failed';
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
  // needs_attention: other items wait for finance while a retried one is handed over again.
  if (run.status !== 'paying' && run.status !== 'needs_attention') throw new RuleError('conflict', `Payout run ${runId} is ${run.status}, not paying.`);
  const items = (await db
    .selectFrom('payout_items as i')
    .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
    .select(['i.id', 'i.hacker_id', 'i.attempt', 'i.net_transfer', 'p.bank_encrypted'])
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

  // A retried item (attempt > 1) is a new transfer in a later file: a new key, so the bank pays it again.
  const keyOf = (i: PayableItem) => (i.attempt > 1 ? `${runId}:${i.hacker_id}:${i.attempt}` : `${runId}:${i.hacker_id}`);
  for (let c = 0; c < items.length; c += chunkSize) {
    const chunk = items.slice(c, c + chunkSize);
    const { mine, busy } = await leaseChunk(db, runId, chunk, chunk.map(keyOf), token, lease);
    if (busy) transient.push(busy);
    const { outcomes, released, failures } = await transferChunk(deps, run.payment_date!, runId, chunk, mine, keyOf);
    transient.push(...failures);
    const recorded = await recordOutcomes(db, token, deps.bank.name, outcomes);
    sent += recorded.sent;
    failed += recorded.failed;
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

/**
 * (1) Creates the chunk's payment rows if missing and leases to this attempt every one still pending
 * and not leased by a live attempt. Rows an earlier attempt finished bring their items in line. Returns
 * the keys this attempt holds, and an error when another live attempt holds some (retried later).
 */
async function leaseChunk(db: Db, runId: number, chunk: PayableItem[], keys: string[], token: string, lease: number): Promise<{ mine: Set<string>; busy?: Error }> {
  await sql`
    insert into payout_payments (idempotency_key, run_id, item_id, hacker_id, amount, attempt)
    select k, ${runId}, i, h, a, n from unnest(${keys}::text[], ${chunk.map((i) => i.id)}::bigint[],
                                         ${chunk.map((i) => i.hacker_id)}::bigint[], ${chunk.map((i) => i.net_transfer)}::bigint[],
                                         ${chunk.map((i) => i.attempt)}::int[]) as u(k, i, h, a, n)
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
             submitted_at = case when p.status = 'handed_to_bank' then coalesce(i.submitted_at, p.completed_at, now()) end, updated_at = now()
      from payout_payments p
      where p.idempotency_key = any(${keys}::text[]) and p.status <> 'pending' and i.id = p.item_id and p.attempt = i.attempt and i.status = 'pending'
    `.execute(db);
    const { rows: busy } = await sql<{ n: number }>`
      select count(*)::int as n from payout_payments where idempotency_key = any(${keys}::text[]) and status = 'pending'
        and claim_token is distinct from ${token}`.execute(db);
    if (busy[0]!.n > 0) return { mine, busy: new Error(`${busy[0]!.n} payees are leased by another attempt`) };
  }
  return { mine };
}

/**
 * (2) Calls the bank for each payee this attempt leased. Returns the outcomes to record, the keys whose
 * call failed transiently (their lease is given back) and those failures.
 */
async function transferChunk(
  deps: PayDeps,
  paymentDate: string,
  runId: number,
  chunk: PayableItem[],
  mine: Set<string>,
  keyOf: (i: PayableItem) => string,
): Promise<{ outcomes: Outcome[]; released: string[]; failures: Error[] }> {
  const transient: Error[] = [];
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
          transferDate: paymentDate,
          account: accounts.get(item.id)!,
          attempt: item.attempt,
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
          transferDate: paymentDate,
          account: accounts.get(item.id)!,
          attempt: item.attempt,
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
  return { outcomes, released, failures: transient };
}

/** (3) Records the outcomes; returns how many payees were sent and failed by this attempt. */
async function recordOutcomes(db: Db, token: string, bankName: string, outcomes: Outcome[]): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
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
               submitted_at = case when p.status = 'handed_to_bank' then now() end,
               result_at = case when p.status = 'failed' then now() end, updated_at = now()
        from p where it.id = p.item_id and it.status = 'pending'
        returning it.id, it.hacker_id, it.run_id, it.attempt, it.net_transfer, p.idempotency_key, p.status, p.reference, p.reason
      ), r as (
        -- A transfer refused at once (no bank details, or the adapter refused) is a result too.
        insert into payout_transfer_results (run_id, item_id, hacker_id, attempt, outcome, reason, source, key)
        select run_id, id, hacker_id, attempt, 'failed', reason, 'adapter', 'pay:' || idempotency_key from i where status = 'failed'
        on conflict (key) do nothing
      )
      insert into payout_audit_log (run_id, item_id, hacker_id, actor, action, reason, details, unique_key)
      select run_id, id, hacker_id, 'system', case when status = 'handed_to_bank' then 'item_handed_to_bank' else 'item_failed' end, reason,
             jsonb_build_object('amount', net_transfer, 'reference', reference, 'bank', ${bankName}::text), 'pay:' || idempotency_key
      from i
      on conflict (unique_key) do nothing
      returning action
    `.execute(db);
    for (const r of rows) {
      if (r.action === 'item_handed_to_bank') sent++;
      else failed++;
    }
  }
  return { sent, failed };
}

/**
 * When every transfer is settled (confirmed, or a failed/returned one resolved): held items give their
 * lines back (a later run picks them up); → remitting when confirmed payments withheld tax, else
 * completed. Failed or returned items gave their lines back when moved, or keep them when cancelled.
 */
export async function finishPayments(db: Db, runId: number): Promise<PaySummary> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select(['status']).where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run) throw runNotFound(runId);
    const totals = await trx
      .selectFrom('payout_items')
      .select([
        sql<number>`count(*) filter (where status = 'confirmed')::int`.as('sent'),
        sql<number>`count(*) filter (where status in ('failed', 'returned'))::int`.as('failed'),
        sql<number>`count(*) filter (where status = 'held')::int`.as('held'),
        sql<number>`count(*) filter (where status = 'pending')::int`.as('pending'),
        // Only confirmed payments withheld tax: a transfer that never arrived withheld nothing.
        sql<number>`coalesce(sum(withholding) filter (where status = 'confirmed'), 0)::bigint`.as('withholding'),
      ])
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    const next = totals.withholding > 0 ? 'remitting' : 'completed';
    if (run.status !== 'paying') return { ...totals, next: run.status === 'remitting' ? 'remitting' : 'completed' };
    if (totals.pending > 0) throw new Error(`${totals.pending} items are still pending`);
    await sql`update payout_item_lines set released = true
              where not released and item_id in (select id from payout_items where run_id = ${runId} and status = 'held')`.execute(trx);
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
