// Step 3, review: hold or release an item; approve (four eyes) or reject the run. Each decision is
// one transaction, idempotent per update id, audited.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import type { PayoutItemStatus, PayoutRunStatus } from '../../shared/payouts.ts';
import { fourEyesRefusal } from '../../domain/payouts/four-eyes.ts';
import { actorOf, writeAudit } from '../audit.ts';
import { runNotFound } from './status.ts';
import { HELD_BY_FINANCE } from '../../domain/payouts/payability.ts';

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
      .set({ status: to, hold_reason: req.hold ? req.reason : null, hold_code: req.hold ? HELD_BY_FINANCE : null, updated_at: sql`now()` })
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
