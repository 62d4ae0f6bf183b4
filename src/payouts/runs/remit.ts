// Step 5, remit: the month's withholding to remit, and recording that finance remitted it.
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import { payoutMonthProblem } from '../../domain/payouts/calendar.ts';
import { monthlyRemittance, type MonthlyRemittance } from '../../domain/payouts/remittance.ts';
import { actorOf, writeAudit } from '../audit.ts';
import { runNotFound } from './status.ts';

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

/** What the withholding tab counts, said where it is shown. */
export const WITHHOLDING_COUNTS =
  "Only payments the bank confirmed (its result file or a finance user's mark): transfers handed to the bank without a result, failed or returned ones withhold nothing until a payment reaches the payee.";

/**
 * The month's withholding to remit (residents and non-residents separately), for the month in which
 * the run pays (tax is withheld on the day of payment): every item whose transfer the bank confirmed,
 * with a payment date in that month, whatever its run. Handed-over, failed and returned transfers are
 * not counted (`counts` says so on the withholding tab).
 */
export async function withholdingSummary(db: Db, runId: number): Promise<(MonthlyRemittance & { run_id: number; remitted_on: string | null; counts: string }) | undefined> {
  const run = await db.selectFrom('payout_runs').select(['id', 'payment_date', 'month', 'remitted_on']).where('id', '=', runId).executeTakeFirst();
  if (!run) return undefined;
  const month = (run.payment_date ?? `${run.month}-01`).slice(0, 7);
  const problem = payoutMonthProblem(month);
  if (problem) throw new RuleError('conflict', `Payout run ${runId} has no withholding summary: ${problem}`);
  const rows = await db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .select(['i.hacker_id', 'i.payee_type', 'r.payment_date', 'i.withholding_base', 'i.withholding'])
    // Only confirmed transfers: tax is withheld on a payment the payee actually received.
    .where('i.status', '=', 'confirmed')
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
  return { ...summary, run_id: run.id, remitted_on: run.remitted_on, counts: WITHHOLDING_COUNTS };
}
