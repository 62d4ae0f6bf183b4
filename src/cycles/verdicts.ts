// Invalidating a verdict after the fact (e.g. a tracking bug found later). The verdict row is marked,
// the knowledge entry says so, and each win bonus it paid is reversed by a NEW negative ledger line:
// the ledger is append-only, and a payout run nets the reversal against the hacker's next payment.
import type { Db } from './db/index.ts';
import { ValidationError } from './domain/errors.ts';

export async function invalidateVerdict(db: Db, testId: number, reason: string, byUserId: number) {
  if (!reason.trim()) throw new ValidationError('a reason is required', [{ path: '/reason', message: 'must not be empty' }]);
  return db.transaction().execute(async (trx) => {
    const verdict = await trx
      .updateTable('verdicts')
      .set({ invalidated_at: new Date(), invalidation_reason: `${reason.trim()} (user ${byUserId})` })
      .where('test_id', '=', testId)
      .where('kind', '=', 'final')
      .where('invalidated_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
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
            delivered_at: new Date(),
            reverses_id: b.id,
            description: `Reversal of win bonus (verdict invalidated: ${reason.trim()})`,
          })),
        )
        .onConflict((oc) => oc.column('unique_key').doNothing())
        .execute();
    }
    await trx
      .updateTable('knowledge_entries')
      .set({ outcome: 'invalid', learnings: `Verdict invalidated: ${reason.trim()}` })
      .where('test_id', '=', testId)
      .execute();
    return { invalidated: Boolean(verdict), reversed: bonuses.length };
  });
}
