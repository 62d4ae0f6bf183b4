// Accrues a cycle's earnings: the lines come from the pure rule (domain/cycles/earnings.ts); the
// ledger's unique key makes a retried or replayed accrual write each line once.
import type { Db } from '../db/index.ts';
import { cycleEarnings } from '../domain/cycles/earnings.ts';
import { cycleRow, settingsOf } from './context.ts';

export async function accrueEarnings(db: Db, input: { cycleId: number; completed?: boolean }): Promise<number> {
  const cycle = await cycleRow(db, input.cycleId);
  const lines = await cycleLines(db, input, cycle);
  if (lines.length === 0) return 0;
  const inserted = await db
    .insertInto('earnings_ledger')
    .values(lines.map((l) => ({ ...l, engagement_id: cycle.engagement_id, cycle_id: input.cycleId, month: cycle.month, reverses_id: null })))
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

/** The lines a cycle's accrual writes (also read before then: a hacker's earnings as they accrue). */
export async function cycleLines(db: Db, input: { cycleId: number; completed?: boolean }, known?: Awaited<ReturnType<typeof cycleRow>>) {
  const cycle = known ?? (await cycleRow(db, input.cycleId));
  const settings = await settingsOf(db, cycle.engagement_id);
  const proposals = await db
    .selectFrom('proposals')
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .leftJoin('tests', 'tests.offer_id', 'offers.id')
    .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final').on('verdicts.invalidated_at', 'is', null))
    .leftJoin('variants', 'variants.id', 'verdicts.winner_variant_id')
    .select([
      'proposals.id', 'proposals.hacker_id', 'proposals.status', 'proposals.offer_id', 'proposals.title', 'proposals.created_at',
      'proposals.selected_at', 'offers.adoption_fee_yen', 'offers.win_bonus_yen', 'offers.submission_fee_yen', 'variants.proposal_id as winning_proposal_id',
    ])
    .where('offers.cycle_id', '=', input.cycleId)
    .execute();
  const team = await db.selectFrom('growth_team_members').select(['hacker_id', 'share_percent']).where('engagement_id', '=', cycle.engagement_id).execute();
  return cycleEarnings({
    cycleId: input.cycleId,
    month: cycle.month,
    completed: input.completed ?? true,
    proposals: proposals.map((p) => ({ ...p, submitted_at: p.created_at, won: p.winning_proposal_id === p.id })),
    team,
    teamRetainerYen: settings.team_retainer_yen,
    now: new Date(),
  });
}
