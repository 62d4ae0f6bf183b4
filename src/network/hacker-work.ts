// A hacker's own work across offers: every proposal with its fate, and the earnings its work in
// cycles still running has earned so far (written to the ledger only when the cycle ends).
import type { Db } from '../db/index.ts';
import { cycleLines } from '../cycles/earnings.ts';
import { proposalFate } from '../domain/cycles/proposal-fate.ts';

/** Phases after the selection: a proposal still `submitted` then was not selected. */
const AFTER_SELECTION = new Set(['test_run', 'verdict', 'knowledge_capture', 'earnings', 'completed', 'abandoned', 'failed']);

export async function hackerProposals(db: Db, hackerId: number) {
  const rows = await db
    .selectFrom('proposals')
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .leftJoin('tests', 'tests.offer_id', 'offers.id')
    .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final').on('verdicts.invalidated_at', 'is', null))
    .leftJoin('variants', 'variants.id', 'verdicts.winner_variant_id')
    .select([
      'proposals.id', 'proposals.title', 'proposals.status', 'proposals.review_status', 'proposals.review_comment', 'proposals.created_at',
      'offers.id as offer_id', 'hypotheses.problem as hypothesis', 'cycles.month', 'cycles.phase', 'clients.name as client_name',
      'tests.id as test_id', 'verdicts.outcome as final_outcome', 'variants.proposal_id as winning_proposal_id',
    ])
    .where('proposals.hacker_id', '=', hackerId)
    .orderBy('proposals.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    offer_id: r.offer_id,
    hypothesis: r.hypothesis,
    client_name: r.client_name,
    month: r.month,
    test_id: r.test_id,
    review_comment: r.review_status === 'returned' ? r.review_comment : null,
    submitted_at: r.created_at.toISOString(),
    fate: proposalFate({
      status: r.status,
      review_status: r.review_status,
      selection_done: r.test_id !== null || AFTER_SELECTION.has(r.phase),
      final_outcome: r.final_outcome,
      won: r.winning_proposal_id === r.id,
    }),
  }));
}

/**
 * What the hacker's work in cycles not yet ended has earned so far: the lines the cycle's end will
 * write (the same rule, as for a cycle cut short: work received — submissions, adoptions), less any
 * already in the ledger. A win bonus and a team retainer accrue only when the cycle completes.
 */
export async function accruingEarnings(db: Db, hackerId: number) {
  const cycles = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .select(['cycles.id', 'cycles.month', 'clients.name as client_name'])
    .where('cycles.completed_at', 'is', null)
    .where('cycles.phase', 'not in', ['completed', 'abandoned', 'failed'])
    .where((eb) =>
      eb.exists(
        eb.selectFrom('proposals').innerJoin('offers', 'offers.id', 'proposals.offer_id').select('proposals.id').whereRef('offers.cycle_id', '=', 'cycles.id').where('proposals.hacker_id', '=', hackerId),
      ),
    )
    .orderBy('cycles.id')
    .execute();
  const lines = [];
  for (const c of cycles) {
    const all = (await cycleLines(db, { cycleId: c.id, completed: false })).filter((l) => l.hacker_id === hackerId);
    const written = all.length
      ? new Set((await db.selectFrom('earnings_ledger').select('unique_key').where('unique_key', 'in', all.map((l) => l.unique_key)).execute()).map((r) => r.unique_key))
      : new Set<string>();
    for (const l of all) {
      // The ledger keeps the first line of a key (one submission fee per hacker and offer, however many proposals).
      if (written.has(l.unique_key)) continue;
      written.add(l.unique_key);
      lines.push({ kind: l.kind, cycle_id: c.id, month: c.month, client_name: c.client_name, offer_id: l.offer_id, proposal_id: l.proposal_id, amount_yen: l.amount_yen, delivered_at: l.delivered_at.toISOString(), description: l.description });
    }
  }
  return { lines, total_yen: lines.reduce((s, l) => s + l.amount_yen, 0) };
}
