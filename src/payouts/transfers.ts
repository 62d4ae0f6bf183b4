// Transfer states after the hand-over (issue 24): a transfer handed to the bank is confirmed, failed or
// returned only by a result — the bank's result file (import), a manual mark, or an adapter that can
// ask the bank. A failed or returned item keeps its run `needs_attention` until finance retries it (a
// new attempt in a later file), moves it to the next run (its lines are released) or cancels it (four
// eyes; its lines stay with the cancelled item, so no run pays them). The rules are pure
// (src/domain/payouts/transfers.ts, four-eyes.ts); this file queries, applies them and writes, with an
// audit entry in the same transaction. Nothing here logs or returns bank details.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { RuleError } from '../domain/errors.ts';
import { fourEyesRefusal } from '../domain/payouts/four-eyes.ts';
import { itemActionRefusal, transferResultRefusal, type ItemAction } from '../domain/payouts/transfers.ts';
import type { Actor } from '../shared/actor.ts';
import type { PayoutItemStatus, PayoutRunStatus, TransferOutcome, TransferResultSource } from '../shared/payouts.ts';
import { actorOf, writeAudit } from './audit.ts';

type Trx = Transaction<Database>;

export interface TransferResultInput {
  itemId: number;
  outcome: TransferOutcome;
  /** A code or short text (e.g. the Zengin result code); shown to finance and to the payee. */
  reason?: string;
  source: TransferResultSource;
  /** Who recorded it (import or manual mark); null for an adapter. */
  actor: Actor | null;
  /** Idempotency: the same key twice changes nothing (e.g. `<file sha256>:<line>` or the request's key). */
  key: string;
}

export interface TransferResultRecord {
  itemId: number;
  runId: number;
  hackerId: number;
  /** The item's status after the call. */
  status: PayoutItemStatus;
  /** False when the key had been recorded before (nothing changed). */
  changed: boolean;
}

/** A run's item, locked for the change. */
async function lockItem(trx: Trx, itemId: number, runId?: number) {
  let q = trx
    .selectFrom('payout_items')
    .select(['id', 'run_id', 'hacker_id', 'status', 'attempt', 'resolution', 'cancel_requested_by', 'cancel_reason', 'net_transfer'])
    .where('id', '=', itemId)
    .forUpdate();
  if (runId !== undefined) q = q.where('run_id', '=', runId);
  const item = await q.executeTakeFirst();
  if (!item) throw new RuleError('not_found', runId === undefined ? `Payout item ${itemId} does not exist.` : `Item ${itemId} is not part of payout run ${runId}.`);
  return item;
}

/**
 * Records one transfer result. Idempotent per `key`: a key seen before returns the item as it is.
 * handed_to_bank → confirmed | failed | returned; confirmed → returned (組戻し). The run becomes
 * `needs_attention` while any failed or returned item waits for a resolution.
 */
export async function recordTransferResult(db: Db | Trx, input: TransferResultInput): Promise<TransferResultRecord> {
  // In the caller's transaction when given one: a result file is imported all or nothing.
  const inTransaction = <T>(fn: (trx: Trx) => Promise<T>) => (db.isTransaction ? fn(db as Trx) : db.transaction().execute(fn));
  return inTransaction(async (trx) => {
    const seen = await trx.selectFrom('payout_transfer_results').select('item_id').where('key', '=', input.key).executeTakeFirst();
    const item = await lockItem(trx, seen?.item_id ?? input.itemId);
    const base = { itemId: item.id, runId: item.run_id, hackerId: item.hacker_id };
    if (seen) return { ...base, status: item.status, changed: false };
    const refusal = transferResultRefusal(item.id, item.status, input.outcome);
    if (refusal) throw new RuleError('conflict', refusal);
    const reason = input.reason?.trim() || null;
    await trx
      .insertInto('payout_transfer_results')
      .values({
        run_id: item.run_id,
        item_id: item.id,
        hacker_id: item.hacker_id,
        attempt: item.attempt,
        outcome: input.outcome,
        reason,
        source: input.source,
        actor_user_id: input.actor?.userId ?? null,
        key: input.key,
      })
      .execute();
    await trx
      .updateTable('payout_items')
      .set({
        status: input.outcome,
        failure_reason: input.outcome === 'confirmed' ? null : (reason ?? `transfer ${input.outcome}`),
        result_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', item.id)
      .execute();
    await writeAudit(trx, {
      run_id: item.run_id,
      item_id: item.id,
      hacker_id: item.hacker_id,
      actor: input.actor ? actorOf(input.actor.userId) : `system:${input.source}`,
      action: `transfer_${input.outcome}`,
      reason,
      details: { source: input.source, attempt: item.attempt, amount: item.net_transfer },
      unique_key: `result:${input.key}`,
    });
    await refreshRunAttention(trx, item.run_id);
    return { ...base, status: input.outcome, changed: true };
  });
}

/** How a run stands after the hand-over; the workflow settles on it. */
export interface RunSettlement {
  status: PayoutRunStatus;
  /** Items still to hand to the bank (a retry puts them here). */
  pending: number;
  /** Items handed to the bank without a result yet. */
  awaiting: number;
  /** Failed or returned items without a resolution. */
  attention: number;
  /** Nothing pending, awaited or unresolved: the run can finish (remit or complete). */
  settled: boolean;
  waitingFor: string;
  /** The unresolved failed or returned transfers (their payees and finance are told: payout.transfer_failed). */
  failed?: { itemId: number; hackerId: number; attempt: number; status: 'failed' | 'returned'; reason: string | null }[];
}

async function counts(trx: Trx | Db, runId: number) {
  return trx
    .selectFrom('payout_items')
    .select([
      sql<number>`count(*) filter (where status = 'pending')::int`.as('pending'),
      sql<number>`count(*) filter (where status = 'handed_to_bank')::int`.as('awaiting'),
      sql<number>`count(*) filter (where status in ('failed', 'returned') and resolution is null)::int`.as('attention'),
    ])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
}

const attentionText = (n: number) =>
  `finance: ${n} transfer${n === 1 ? '' : 's'} failed or came back; retry, move to the next run or cancel each`;
const awaitingText = (n: number) => `the bank's results for ${n} transfer${n === 1 ? '' : 's'} (import the result file or mark them)`;

/**
 * Puts the run in `needs_attention` while any failed or returned item is unresolved (remembering where
 * it was), and back where it was once none is. Returns the run's status after.
 */
export async function refreshRunAttention(trx: Trx, runId: number): Promise<PayoutRunStatus> {
  const run = await trx.selectFrom('payout_runs').select(['status', 'resume_status']).where('id', '=', runId).forUpdate().executeTakeFirstOrThrow();
  const c = await counts(trx, runId);
  if (c.attention > 0 && (run.status === 'paying' || run.status === 'remitting' || run.status === 'completed' || run.status === 'needs_attention')) {
    const entering = run.status !== 'needs_attention';
    await trx
      .updateTable('payout_runs')
      .set({
        status: 'needs_attention',
        ...(entering ? { resume_status: run.status as 'paying' | 'remitting' | 'completed' } : {}),
        waiting_for: attentionText(c.attention),
        updated_at: sql`now()`,
      })
      .where('id', '=', runId)
      .execute();
    if (entering) await writeAudit(trx, { run_id: runId, actor: 'system', action: 'run_needs_attention', details: { items: c.attention } });
    return 'needs_attention';
  }
  if (c.attention === 0 && run.status === 'needs_attention') {
    const back = run.resume_status ?? 'paying';
    await trx
      .updateTable('payout_runs')
      .set({
        status: back,
        resume_status: null,
        waiting_for: back === 'paying' ? (c.awaiting > 0 ? awaitingText(c.awaiting) : 'bank transfers') : back === 'remitting' ? 'finance to record the withholding remittance' : null,
        updated_at: sql`now()`,
      })
      .where('id', '=', runId)
      .execute();
    await writeAudit(trx, { run_id: runId, actor: 'system', action: 'run_attention_resolved', details: { status: back } });
    return back;
  }
  return run.status;
}

/**
 * The workflow's question after handing transfers over: what is left? Brings the run's status in line
 * (needs_attention or paying) and says what it waits for. Idempotent.
 */
export async function settleRun(db: Db, runId: number): Promise<RunSettlement> {
  return db.transaction().execute(async (trx) => {
    const status = await refreshRunAttention(trx, runId);
    const c = await counts(trx, runId);
    const settled = c.pending === 0 && c.awaiting === 0 && c.attention === 0;
    const waitingFor = c.attention > 0 ? attentionText(c.attention) : c.pending > 0 ? 'bank transfers' : c.awaiting > 0 ? awaitingText(c.awaiting) : 'nothing';
    if (status === 'paying' && !settled) {
      await trx.updateTable('payout_runs').set({ waiting_for: waitingFor, updated_at: sql`now()` }).where('id', '=', runId).execute();
    }
    const failed = c.attention === 0 ? [] : (await sql<{ itemId: number; hackerId: number; attempt: number; status: 'failed' | 'returned'; reason: string | null }>`
      select i.id as "itemId", i.hacker_id as "hackerId", i.attempt, i.status,
             (select r.reason from payout_transfer_results r where r.item_id = i.id and r.outcome = i.status order by r.id desc limit 1) as reason
      from payout_items i where i.run_id = ${runId} and i.status in ('failed', 'returned') and i.resolution is null order by i.id`.execute(trx)).rows;
    return { status, ...c, settled, waitingFor, failed };
  });
}

export interface ItemActionInput {
  runId: number;
  itemId: number;
  actor: Actor;
  reason?: string;
  /** Idempotency: the same key twice changes nothing. */
  key: string;
}

export interface ItemActionResult {
  itemId: number;
  runId: number;
  status: PayoutItemStatus;
  /** For cancel: `requested` until a second finance user confirms. */
  cancel: 'requested' | 'cancelled' | null;
  /** True when the run's workflow must hand transfers over again (a retry). */
  wakeWorkflow: boolean;
}

async function seenAction(trx: Trx, key: string) {
  return trx.selectFrom('payout_audit_log').select('id').where('unique_key', '=', `item-action:${key}`).executeTakeFirst();
}

function refuse(itemId: number, status: PayoutItemStatus, resolution: 'moved' | 'cancelled' | null, action: ItemAction) {
  const refusal = itemActionRefusal(itemId, status, resolution, action);
  if (refusal) throw new RuleError('conflict', refusal);
}

/**
 * Retry: the item goes back to pending under a new attempt; the run's workflow hands it to the bank in
 * a later file. Only while the run's workflow still settles its transfers (not after it finished).
 */
export async function retryItem(db: Db, req: ItemActionInput): Promise<ItemActionResult> {
  return db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, req.itemId, req.runId);
    const run = await trx.selectFrom('payout_runs').select(['status', 'resume_status']).where('id', '=', req.runId).executeTakeFirstOrThrow();
    const out = { itemId: item.id, runId: item.run_id, cancel: null };
    if (await seenAction(trx, req.key)) return { ...out, status: item.status, wakeWorkflow: item.status === 'pending' };
    refuse(item.id, item.status, item.resolution, 'retry');
    if (!(run.status === 'paying' || (run.status === 'needs_attention' && (run.resume_status ?? 'paying') === 'paying'))) {
      throw new RuleError('conflict', `Payout run ${req.runId} has finished handing transfers over; move item ${item.id} to the next run instead.`);
    }
    await trx
      .updateTable('payout_items')
      .set({
        status: 'pending',
        attempt: item.attempt + 1,
        bank_reference: null,
        submitted_at: null,
        downloaded_by: null,
        downloaded_at: null,
        result_at: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', item.id)
      .execute();
    await writeAudit(trx, {
      run_id: item.run_id,
      item_id: item.id,
      hacker_id: item.hacker_id,
      actor: actorOf(req.actor.userId),
      action: 'item_retried',
      reason: req.reason?.trim() || null,
      details: { attempt: item.attempt + 1, was: item.status },
      unique_key: `item-action:${req.key}`,
    });
    await refreshRunAttention(trx, item.run_id);
    return { ...out, status: 'pending', wakeWorkflow: true };
  });
}

/** Move to the next run: the item's lines are released; the next run's draft pays them. */
export async function moveItemToNextRun(db: Db, req: ItemActionInput): Promise<ItemActionResult> {
  return db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, req.itemId, req.runId);
    const out = { itemId: item.id, runId: item.run_id, status: item.status, cancel: null };
    if (await seenAction(trx, req.key)) return { ...out, wakeWorkflow: true };
    refuse(item.id, item.status, item.resolution, 'move_to_next_run');
    await trx
      .updateTable('payout_items')
      .set({ resolution: 'moved', resolution_reason: req.reason?.trim() || null, resolved_by: req.actor.userId, resolved_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', item.id)
      .execute();
    await sql`update payout_item_lines set released = true where item_id = ${item.id} and not released`.execute(trx);
    await writeAudit(trx, {
      run_id: item.run_id,
      item_id: item.id,
      hacker_id: item.hacker_id,
      actor: actorOf(req.actor.userId),
      action: 'item_moved_to_next_run',
      reason: req.reason?.trim() || null,
      unique_key: `item-action:${req.key}`,
    });
    await refreshRunAttention(trx, item.run_id);
    return { ...out, wakeWorkflow: true };
  });
}

/**
 * Cancel with a reason, four eyes: the first finance user asks (the item shows the request), another
 * confirms (src/domain/payouts/four-eyes.ts). The lines stay with the cancelled item: no run pays them.
 */
export async function cancelItem(db: Db, req: ItemActionInput): Promise<ItemActionResult> {
  return db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, req.itemId, req.runId);
    const out = { itemId: item.id, runId: item.run_id };
    if (await seenAction(trx, req.key)) {
      return { ...out, status: item.status, cancel: item.status === 'cancelled' ? 'cancelled' : 'requested', wakeWorkflow: item.status === 'cancelled' };
    }
    refuse(item.id, item.status, item.resolution, 'cancel');
    const reason = req.reason?.trim();
    const audit = { run_id: item.run_id, item_id: item.id, hacker_id: item.hacker_id, actor: actorOf(req.actor.userId), unique_key: `item-action:${req.key}` };
    if (item.cancel_requested_by == null) {
      if (!reason) throw new RuleError('invalid', 'A reason is required to cancel a transfer.', { path: '/body/reason' });
      await trx
        .updateTable('payout_items')
        .set({ cancel_requested_by: req.actor.userId, cancel_requested_at: sql`now()`, cancel_reason: reason, updated_at: sql`now()` })
        .where('id', '=', item.id)
        .execute();
      await writeAudit(trx, { ...audit, action: 'item_cancel_requested', reason });
      return { ...out, status: item.status, cancel: 'requested', wakeWorkflow: false };
    }
    const refusal = fourEyesRefusal({ approver: req.actor.userId, preparedBy: item.cancel_requested_by, subject: `the cancellation of item ${item.id}` });
    if (refusal) throw new RuleError('forbidden', refusal, { code: 'four_eyes' });
    await trx
      .updateTable('payout_items')
      .set({
        status: 'cancelled',
        resolution: 'cancelled',
        resolution_reason: item.cancel_reason,
        resolved_by: req.actor.userId,
        resolved_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', item.id)
      .execute();
    await writeAudit(trx, { ...audit, action: 'item_cancelled', reason: item.cancel_reason, details: { requested_by: item.cancel_requested_by, was: item.status } });
    await refreshRunAttention(trx, item.run_id);
    return { ...out, status: 'cancelled', cancel: 'cancelled', wakeWorkflow: true };
  });
}

/**
 * Finance downloaded the run's Zengin file `fileNo`: its items record who first did so and when, and
 * every download is an audit entry.
 */
export async function recordZenginDownload(db: Db, runId: number, fileNo: number, userId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`update payout_items i set downloaded_by = ${userId}, downloaded_at = now()
              where i.run_id = ${runId} and i.attempt = ${fileNo} and i.downloaded_at is null
                and exists (select 1 from payout_zengin_lines z where z.run_id = i.run_id and z.hacker_id = i.hacker_id and z.file_no = ${fileNo})`.execute(trx);
    await writeAudit(trx, { run_id: runId, actor: actorOf(userId), action: 'zengin_downloaded', details: { file: fileNo } });
  });
}
