// Step 1, open: one run per month (idempotent on the month), audited.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { actorOf, writeAudit } from '../audit.ts';
import { payoutWorkflowId } from '../../shared/payouts.ts';

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

/**
 * Drafts an empty completed run again once there is something to draft: a run opened before its
 * month's lines accrued completed with nothing (no item, no carried-forward balance, so nothing was
 * paid or remitted) and would otherwise keep the month from ever running. Conditional, so concurrent
 * callers redraft it once; audited. Answers the run as it is now (unchanged when it was not empty or
 * there is still nothing unpaid up to its month).
 */
export async function redraftEmptyRun(db: Db, runId: number, by: number | null) {
  return db.transaction().execute(async (trx) => {
    const run = await trx
      .updateTable('payout_runs as r')
      .set({ status: 'drafting', waiting_for: 'draft', redrafts: sql`r.redrafts + 1`, last_changed_by: by, updated_at: sql`now()` })
      .where('r.id', '=', runId)
      .where('r.status', '=', 'completed')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('payout_items').select('id').whereRef('payout_items.run_id', '=', 'r.id'))),
      )
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('payout_carry_forwards').select('run_id').whereRef('payout_carry_forwards.run_id', '=', 'r.id'))),
      )
      // Only when there is something to draft now: an unpaid line of the month or before.
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('earnings_ledger as el')
            .select('el.id')
            .whereRef('el.month', '<=', 'r.month')
            .where(sql<boolean>`not exists (select 1 from payout_item_lines l where l.ledger_id = el.id and not l.released)`),
        ),
      )
      .returningAll()
      .executeTakeFirst();
    if (run) {
      await writeAudit(trx, {
        run_id: run.id,
        actor: actorOf(by),
        action: 'run_redrafted',
        reason: 'the run completed empty; drafted again for lines accrued since',
        details: { month: run.month, redrafts: run.redrafts },
        unique_key: `redraft:${run.id}:${run.redrafts}`,
      });
      return run;
    }
    return trx.selectFrom('payout_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  });
}
