// Step 1, open: one run per month (idempotent on the month), audited.
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
