// A payout run's bookkeeping the workflow asks for: what it waits for, reminders, blocked. A finished
// run's record never changes (every write guards on FINAL_PAYOUT_RUN_STATUSES).
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import { writeAudit } from '../audit.ts';
import { FINAL_PAYOUT_RUN_STATUSES } from '../../shared/payouts.ts';

export const runNotFound = (runId: number) => new RuleError('not_found', `Payout run ${runId} does not exist.`);

/** A finished run's record never changes: every write to payout_runs outside its own transition guards on this. */
async function setWaiting(db: Db, runId: number, waitingFor: string | null) {
  await db
    .updateTable('payout_runs')
    .set({ waiting_for: waitingFor, updated_at: sql`now()` })
    .where('id', '=', runId)
    .where('status', 'not in', FINAL_PAYOUT_RUN_STATUSES)
    .execute();
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
