// Invalidating a verdict after the fact (e.g. a tracking bug found later) undoes what followed from
// it: the verdict is marked (once: a second invalidation is refused), the knowledge entry says so
// apart from its learnings, the page gets back the control the winner replaced, the cycle report is
// recomputed, and each win bonus it paid is reversed by a NEW negative ledger line (the ledger is
// append-only; a payout run nets the reversal against the hacker's next payment).
import type { Db } from '../db/index.ts';
import type { PageControl } from '../shared/cycles.ts';
import { restoredControl } from '../domain/cycles/promotion.ts';
import { RuleError, ValidationError } from '../domain/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { recordDecision } from './context.ts';
import { recomputeReport } from './report.ts';
import { refreshSearchFields } from './knowledge.ts';

export async function invalidateVerdict(db: Db, testId: number, reason: string, actor: Actor) {
  const why = reason.trim();
  if (!why) throw new ValidationError('a reason is required', [{ path: '/reason', message: 'must not be empty' }]);
  const result = await db.transaction().execute(async (trx) => {
    const test = await trx.selectFrom('tests').select(['id', 'status', 'cycle_id', 'page_id', 'replaced_control']).where('id', '=', testId).forUpdate().executeTakeFirst();
    if (!test) throw new RuleError('not_found', `test ${testId} does not exist`);
    if (test.status === 'running') throw new RuleError('conflict', `test ${testId} is still running; stop it instead`);
    const final = await trx.selectFrom('verdicts').select(['id', 'invalidated_at', 'invalidation_reason']).where('test_id', '=', testId).where('kind', '=', 'final').executeTakeFirst();
    if (!final) throw new RuleError('conflict', `test ${testId} has no final verdict to invalidate`);
    if (final.invalidated_at) {
      throw new RuleError('conflict', `the verdict of test ${testId} was already invalidated on ${final.invalidated_at.toISOString()}: ${final.invalidation_reason}`);
    }
    await trx.updateTable('verdicts').set({ invalidated_at: new Date(), invalidation_reason: why, invalidated_by: actor.userId }).where('id', '=', final.id).execute();
    await trx.updateTable('tests').set({ status: 'invalid' }).where('id', '=', testId).execute();

    const page = await trx.selectFrom('pages').select(['control_description', 'baseline_rate', 'control_since_test_id']).where('id', '=', test.page_id).forUpdate().executeTakeFirstOrThrow();
    const back = restoredControl({ description: page.control_description, baseline_rate: page.baseline_rate, since_test_id: page.control_since_test_id }, test.replaced_control as PageControl | null, testId);
    if (back) {
      await trx.updateTable('pages').set({ control_description: back.description, baseline_rate: back.baseline_rate, control_since_test_id: back.since_test_id }).where('id', '=', test.page_id).execute();
    }

    const bonuses = await trx
      .selectFrom('earnings_ledger')
      .innerJoin('tests', 'tests.offer_id', 'earnings_ledger.offer_id')
      .selectAll('earnings_ledger')
      .where('tests.id', '=', testId)
      .where('earnings_ledger.kind', '=', 'win_bonus')
      .execute();
    if (bonuses.length) {
      await trx
        .insertInto('earnings_ledger')
        .values(
          bonuses.map((b) => ({
            unique_key: `bonus_reversal:${b.hacker_id}:${b.cycle_id}:${b.offer_id}`,
            hacker_id: b.hacker_id,
            engagement_id: b.engagement_id,
            cycle_id: b.cycle_id,
            offer_id: b.offer_id,
            proposal_id: b.proposal_id,
            kind: 'bonus_reversal' as const,
            amount_yen: -b.amount_yen,
            month: b.month,
            delivered_at: b.delivered_at,
            reverses_id: b.id,
            description: `Reversal of win bonus (verdict invalidated: ${why})`,
          })),
        )
        .onConflict((oc) => oc.column('unique_key').doNothing())
        .execute();
    }
    await trx.updateTable('knowledge_entries').set({ outcome: 'invalid', invalidated_at: new Date(), invalidation_reason: why }).where('test_id', '=', testId).execute();
    const entry = await trx.selectFrom('knowledge_entries').select('id').where('test_id', '=', testId).executeTakeFirst();
    if (entry) await refreshSearchFields(trx, entry.id); // the outcome is a search filter
    await recordDecision(trx, { cycleId: test.cycle_id, testId, kind: 'invalidation', actorUserId: actor.userId, summary: `invalidated the verdict of test ${testId}: ${why}`, key: `invalidation:${testId}` });
    return { cycleId: test.cycle_id, reversed: bonuses.length, controlRestored: back !== null };
  });
  await recomputeReport(db, result.cycleId);
  return { invalidated: true, reversed: result.reversed, control_restored: result.controlRestored };
}
