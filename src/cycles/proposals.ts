// Proposals: a hacker submits (row first, idempotent with a key) or withdraws before the deadline;
// the client or CS selects 1–3 per offer and the rest are rejected.
import type { Db } from '../db/index.ts';
import type { Proposal } from '../db/schema.ts';
import { proposalLimitReached, proposalWindowClosed, selectionProblems, withdrawRefused, type SelectionRequestItem } from '../domain/cycles/proposals.ts';
import { RuleError, type ErrorDetail } from '../domain/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { recordDecision } from './context.ts';
import { offerFor, type Viewer } from './offers.ts';

export interface NewProposal {
  title: string;
  description: string;
  design_url: string;
}

/**
 * Stores a proposal of the viewer (a hacker) on an offer it may see. Returns the row and whether it
 * was new; a retry with the same idempotency key returns the first row.
 */
export async function submitProposal(db: Db, viewer: Viewer, offerId: number, body: NewProposal, key: string | null) {
  const offer = await offerFor(db, viewer, offerId);
  const hackerId = viewer.hacker_id!;
  const existingByKey = (q: Db) =>
    key ? q.selectFrom('proposals').selectAll().where('hacker_id', '=', hackerId).where('idempotency_key', '=', key).executeTakeFirst() : Promise.resolve(undefined);
  // Check and insert under a lock on the offer row: parallel submissions (and the window closing)
  // queue one after another, so the per-hacker cap and the deadline hold under concurrency.
  const row = await db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('offers').select(['status', 'deadline']).where('id', '=', offer.id).forUpdate().executeTakeFirstOrThrow();
    // A retry (its key already stored) gets the first proposal, whatever the window and cap say now.
    const replay = await existingByKey(trx);
    if (replay) return { proposal: replay, created: false };
    const closed = proposalWindowClosed(
      { engagementStatus: offer.engagement_status, engagementEndReason: offer.engagement_end_reason, offerStatus: locked.status, deadline: locked.deadline },
      new Date(),
    );
    if (closed) throw new RuleError('conflict', closed);
    const settings = await trx.selectFrom('engagement_settings').select('max_proposals_per_hacker').where('engagement_id', '=', offer.engagement_id).executeTakeFirst();
    const mine = await trx
      .selectFrom('proposals')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('offer_id', '=', offer.id)
      .where('hacker_id', '=', hackerId)
      .where('status', '!=', 'withdrawn')
      .executeTakeFirstOrThrow();
    const limit = proposalLimitReached(Number(mine.n), settings?.max_proposals_per_hacker ?? 3);
    if (limit) throw new RuleError('conflict', limit);
    const inserted = await trx
      .insertInto('proposals')
      .values({ offer_id: offer.id, hacker_id: hackerId, ...body, idempotency_key: key })
      .onConflict((oc) => oc.columns(['hacker_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    // No row: the same key was used at the same moment on another offer; that proposal is the answer.
    return inserted ? { proposal: inserted, created: true } : { proposal: (await existingByKey(trx))!, created: false };
  });
  return { ...row, offer };
}

export async function withdrawProposal(db: Db, viewer: Viewer, proposalId: number): Promise<Proposal> {
  const p = await db
    .selectFrom('proposals')
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('proposals')
    .select(['offers.deadline', 'offers.status as offer_status', 'engagements.status as engagement_status', 'engagements.end_reason'])
    .where('proposals.id', '=', proposalId)
    .where('proposals.hacker_id', '=', viewer.hacker_id!)
    .executeTakeFirst();
  if (!p) throw new RuleError('not_found', 'proposal not found');
  const { deadline, offer_status, engagement_status, end_reason, ...proposal } = p;
  if (p.status === 'withdrawn') return proposal;
  const refused = withdrawRefused(p, { engagementStatus: engagement_status, engagementEndReason: end_reason, offerStatus: offer_status, deadline }, new Date());
  if (refused) throw new RuleError('conflict', refused);
  return db.updateTable('proposals').set({ status: 'withdrawn', updated_at: new Date() }).where('id', '=', p.id).returningAll().executeTakeFirstOrThrow();
}

export async function listProposals(db: Db, viewer: Viewer, offerId: number, page: { afterId?: number; limit: number } = { limit: 100 }) {
  const offer = await offerFor(db, viewer, offerId);
  let q = db.selectFrom('proposals').selectAll().where('offer_id', '=', offer.id).orderBy('id').limit(page.limit);
  if (viewer.role === 'hacker') q = q.where('hacker_id', '=', viewer.hacker_id!);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  return q.execute();
}

/** Problems with a selection for the cycle (details naming each field); empty when it may go ahead. */
export async function checkSelection(db: Db, cycleId: number, selections: SelectionRequestItem[]): Promise<ErrorDetail[]> {
  const offers = await db.selectFrom('offers').select('id').where('cycle_id', '=', cycleId).execute();
  const ids = selections.flatMap((s) => s.proposal_ids);
  const proposals = ids.length ? await db.selectFrom('proposals').select(['id', 'offer_id', 'status']).where('id', 'in', ids).execute() : [];
  return selectionProblems(selections, offers.map((o) => o.id), proposals);
}

export async function recordSelection(db: Db, input: { offerId: number; proposalIds: number[]; actor: Actor }) {
  await db.transaction().execute(async (trx) => {
    const selected = await trx
      .updateTable('proposals')
      .set({ status: 'selected', selected_by: input.actor?.userId ?? null, selected_at: new Date(), updated_at: new Date() })
      .where('offer_id', '=', input.offerId)
      .where('id', 'in', input.proposalIds)
      .where('status', '=', 'submitted')
      .returning('id')
      .execute();
    await trx.updateTable('proposals').set({ status: 'rejected', updated_at: new Date() }).where('offer_id', '=', input.offerId).where('status', '=', 'submitted').execute();
    const offer = await trx.selectFrom('offers').select('cycle_id').where('id', '=', input.offerId).executeTakeFirstOrThrow();
    if (selected.length) {
      await recordDecision(trx, {
        cycleId: offer.cycle_id,
        kind: 'selection',
        actorUserId: input.actor?.userId ?? null,
        summary: `selected proposal${input.proposalIds.length > 1 ? 's' : ''} ${input.proposalIds.join(', ')} for offer ${input.offerId}`,
        key: `selection:${input.offerId}`,
      });
    }
  });
}
