// Proposals: a hacker submits (row first, idempotent with a key) or withdraws before the deadline;
// the client or CS selects 1–3 per offer and the rest are rejected.
import type { Db } from '../db/index.ts';
import type { Proposal } from '../db/schema.ts';
import { cleanChangeSet, httpUrlProblem, jsApprovalRefused, scriptHash } from '../domain/cycles/changes.ts';
import {
  cleanReviewComment,
  proposalLimitReached,
  proposalWindowClosed,
  reviewRefused,
  reviewUnchanged,
  reviseRefused,
  selectionProblems,
  withdrawRefused,
  type OfferWindow,
  type SelectionRequestItem,
} from '../domain/cycles/proposals.ts';
import { RuleError, type ErrorDetail } from '../domain/errors.ts';
import type { Actor } from '../shared/actor.ts';
import type { ChangeSet } from '../shared/changes.ts';
import type { ReviewDecision } from '../shared/cycles.ts';
import { insertPendingRenders, rendersOfProposals, type RenderView } from '../renders/versions.ts';
import { recordDecision } from './context.ts';
import { offerFor, type Viewer } from './offers.ts';

export interface NewProposal {
  title: string;
  description: string;
  design_url: string;
  /** The variant as data (src/shared/changes.ts); none: an empty change set. */
  changes?: ChangeSet;
}

export type Revision = Partial<NewProposal>;

/** CS's last review of a proposal as views carry it (its status is the current version's). */
export interface ReviewView {
  status: Proposal['review_status'];
  comment: string | null;
  reviewed_by: number | null;
  reviewed_at: Date | null;
}

/** A proposal with its current version's change set and its review. */
export type ProposalWithChanges = Proposal & { changes: ChangeSet; review: ReviewView; renders: RenderView[] };

const reviewOf = (p: Proposal): ReviewView => ({ status: p.review_status, comment: p.review_comment, reviewed_by: p.reviewed_by, reviewed_at: p.reviewed_at });

/**
 * THE rule of which proposals a viewer sees (each also needs its offer visible: offerFor). Blind
 * (issue 23): the client sees only what CS passed; a hacker sees their own and, once the offer's
 * selection is made, the selected ones of others (to learn from), never others' rejected,
 * withdrawn or unselected ones; CS and admin see all.
 */
function visibleProposals(db: Db, viewer: Viewer) {
  const q = db.selectFrom('proposals').selectAll();
  if (viewer.role === 'client') return q.where('review_status', '=', 'passed');
  if (viewer.role === 'hacker') return q.where((eb) => eb.or([eb('hacker_id', '=', viewer.hacker_id!), eb('status', '=', 'selected')]));
  return q;
}

/** The proposal's author or staff (CS, admin): who reads the review's comments and the custom script. */
const insider = (viewer: Viewer | undefined, p: { hacker_id: number }) =>
  viewer === undefined || (viewer.role !== 'client' && viewer.role !== 'hacker') || p.hacker_id === viewer.hacker_id;

/**
 * A proposal as `viewer` reads it. Review comments are between CS and the author (the client and
 * other hackers see the status only). Another hacker reading a selected proposal gets its change set
 * without the custom script: the author's code, perhaps never approved, is not passed around (the
 * visible change is what there is to learn from; the version's js_hash says there is a script).
 */
function asSeenBy<T extends ProposalWithChanges>(viewer: Viewer | undefined, p: T): T {
  if (insider(viewer, p)) return p;
  const { js: _, ...changes } = p.changes;
  return { ...p, changes: viewer?.role === 'hacker' ? changes : p.changes, review: { ...p.review, comment: null } };
}

/** The URL of the page an offer's hypothesis is about (a redirect must stay on its origin). */
async function pageUrlOfOffer(db: Db, offerId: number): Promise<string> {
  const row = await db
    .selectFrom('offers')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
    .select('pages.url')
    .where('offers.id', '=', offerId)
    .executeTakeFirstOrThrow();
  return row.url;
}

/** A version's fields checked and cleaned (design link, change set): RuleError `invalid` naming the field. */
function cleanVersion<T extends Revision>(body: T, pageUrl: string): T {
  if (body.design_url !== undefined) {
    const problem = httpUrlProblem(body.design_url);
    if (problem) throw new RuleError('invalid', `/design_url ${problem}`, { path: '/design_url' });
  }
  return body.changes === undefined ? body : { ...body, changes: cleanChangeSet(body.changes, pageUrl) };
}

/**
 * Inserts a version of a proposal (its script's hash with it) and its pending renders (the screenshots
 * the render workflow makes: src/renders/versions.ts) in the caller's transaction.
 */
async function insertVersion(q: Db, proposalId: number, version: number, v: NewProposal & { changes: ChangeSet }) {
  const row = await q
    .insertInto('proposal_versions')
    .values({
      proposal_id: proposalId,
      version,
      title: v.title,
      description: v.description,
      design_url: v.design_url,
      changes: JSON.stringify(v.changes),
      js_sha256: v.changes.js === undefined ? null : scriptHash(v.changes.js),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await insertPendingRenders(q, row.id);
  return row;
}

/** The proposals' current versions' change sets, by proposal id. */
async function currentChanges(db: Db, proposals: Proposal[]): Promise<ProposalWithChanges[]> {
  if (proposals.length === 0) return [];
  const rows = await db
    .selectFrom('proposal_versions')
    .innerJoin('proposals', (j) => j.onRef('proposals.id', '=', 'proposal_versions.proposal_id').onRef('proposals.version', '=', 'proposal_versions.version'))
    .select(['proposal_versions.proposal_id', 'proposal_versions.changes'])
    .where('proposals.id', 'in', proposals.map((p) => p.id))
    .execute();
  const byId = new Map(rows.map((r) => [r.proposal_id, r.changes]));
  const renders = await rendersOfProposals(db, proposals.map((p) => p.id));
  return proposals.map((p) => ({ ...p, changes: byId.get(p.id) ?? {}, review: reviewOf(p), renders: renders.get(p.id) ?? [] }));
}

/**
 * Stores a proposal of the viewer (a hacker) on an offer it may see. Returns the row and whether it
 * was new; a retry with the same idempotency key returns the first row.
 */
export async function submitProposal(db: Db, viewer: Viewer, offerId: number, input: NewProposal, key: string | null) {
  const offer = await offerFor(db, viewer, offerId);
  const { changes, ...fields } = cleanVersion(input, await pageUrlOfOffer(db, offer.id));
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
      .values({ offer_id: offer.id, hacker_id: hackerId, ...fields, idempotency_key: key })
      .onConflict((oc) => oc.columns(['hacker_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) await insertVersion(trx, inserted.id, 1, { ...fields, changes: changes ?? {} });
    // No row: the same key was used at the same moment on another offer; that proposal is the answer.
    return inserted ? { proposal: inserted, created: true } : { proposal: (await existingByKey(trx))!, created: false };
  });
  const [proposal] = await currentChanges(db, [row.proposal]);
  return { proposal: proposal!, created: row.created, offer };
}

export async function withdrawProposal(db: Db, viewer: Viewer, proposalId: number): Promise<ProposalWithChanges> {
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
  if (p.status === 'withdrawn') return (await currentChanges(db, [proposal]))[0]!;
  const refused = withdrawRefused(p, { engagementStatus: engagement_status, engagementEndReason: end_reason, offerStatus: offer_status, deadline }, new Date());
  if (refused) throw new RuleError('conflict', refused);
  const withdrawn = await db.updateTable('proposals').set({ status: 'withdrawn', updated_at: new Date() }).where('id', '=', p.id).returningAll().executeTakeFirstOrThrow();
  return (await currentChanges(db, [withdrawn]))[0]!;
}

/** An offer's proposals as the viewer sees them, with the offer's window and CS manager (the list's actions). */
export async function listProposals(db: Db, viewer: Viewer, offerId: number, page: { afterId?: number; limit: number } = { limit: 100 }) {
  const offer = await offerFor(db, viewer, offerId);
  let q = visibleProposals(db, viewer).where('offer_id', '=', offer.id).orderBy('id').limit(page.limit);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  const [rows, context] = await Promise.all([q.execute(), offerContext(db, offer)]);
  return { items: (await currentChanges(db, rows)).map((p) => asSeenBy(viewer, p)), ...context };
}

/** What the proposals' actions and the routes' checks need of their offer: its window and the engagement's CS manager. */
async function offerContext(db: Db, offer: Awaited<ReturnType<typeof offerFor>>) {
  const e = await db.selectFrom('engagements').select(['id', 'cs_manager_id']).where('id', '=', offer.engagement_id).executeTakeFirstOrThrow();
  const window: OfferWindow = { engagementStatus: offer.engagement_status, engagementEndReason: offer.engagement_end_reason, offerStatus: offer.status, deadline: offer.deadline };
  return { window, engagement: { id: e.id, cs_manager_id: e.cs_manager_id } };
}

/**
 * THE rule of who sees a proposal: whoever sees its offer (cycles/offers.ts) and the proposal
 * (visibleProposals: the client only passed ones, a hacker their own and others' selected ones);
 * anyone else 404. With its offer's window and the engagement's CS manager, which the actions and the
 * routes' checks need.
 */
export async function proposalFor(db: Db, viewer: Viewer, proposalId: number) {
  const p = await visibleProposals(db, viewer).where('id', '=', proposalId).executeTakeFirst();
  if (!p) throw new RuleError('not_found', 'proposal not found');
  return { proposal: p, ...(await offerContext(db, await offerFor(db, viewer, p.offer_id))) };
}

/**
 * A proposal with its current change set (as `viewer` reads it), its review, every version (newest
 * last) and its review log (the author and staff only).
 */
export async function proposalDetail(db: Db, proposal: Proposal, viewer?: Viewer) {
  const [versions, reviews] = await Promise.all([
    db.selectFrom('proposal_versions').selectAll().where('proposal_id', '=', proposal.id).orderBy('version').execute(),
    insider(viewer, proposal) ? reviewLog(db, proposal.id) : [],
  ]);
  const current = versions.find((v) => v.version === proposal.version);
  const renders = (await rendersOfProposals(db, [proposal.id])).get(proposal.id) ?? [];
  return asSeenBy(viewer, { ...proposal, changes: current?.changes ?? {}, review: reviewOf(proposal), renders, versions, reviews });
}

/**
 * The author's revision: version n+1 from version n and the fields given (a version is never edited).
 * Refused once selected (frozen), after the deadline or unless submitted (domain reviseRefused).
 */
export async function reviseProposal(db: Db, viewer: Viewer, proposalId: number, input: Revision) {
  const { proposal } = await proposalFor(db, viewer, proposalId);
  if (proposal.hacker_id !== viewer.hacker_id) throw new RuleError('not_found', 'proposal not found');
  const body = cleanVersion(input, await pageUrlOfOffer(db, proposal.offer_id));
  // Under a lock on the proposal row: a selection (which updates it) and revisions queue, so a
  // selected proposal never gains a version and versions are numbered without gaps.
  const revised = await db.transaction().execute(async (trx) => {
    const p = await trx.selectFrom('proposals').selectAll().where('id', '=', proposalId).forUpdate().executeTakeFirstOrThrow();
    const { window } = await proposalFor(trx, viewer, proposalId);
    const refused = reviseRefused(p, window, new Date());
    if (refused) throw new RuleError('conflict', refused);
    const previous = await trx.selectFrom('proposal_versions').selectAll().where('proposal_id', '=', p.id).where('version', '=', p.version).executeTakeFirstOrThrow();
    const next = {
      title: body.title ?? previous.title,
      description: body.description ?? previous.description,
      design_url: body.design_url ?? previous.design_url,
      changes: body.changes ?? previous.changes,
    };
    await insertVersion(trx, p.id, p.version + 1, next);
    const { changes: _, ...fields } = next;
    // A new version needs a new look: pending again (the last review's comment stays to read).
    return trx
      .updateTable('proposals')
      .set({ ...fields, version: p.version + 1, review_status: 'pending', updated_at: new Date() })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return proposalDetail(db, revised);
}

/**
 * Records a CS manager's approval of a version's custom script: `sha256` must be that version's
 * script's hash, so an approval never applies to other text. Approving again changes nothing.
 */
export async function approveScript(db: Db, input: { proposalId: number; version: number; sha256: string; actor: Actor }) {
  const v = await db.selectFrom('proposal_versions').selectAll().where('proposal_id', '=', input.proposalId).where('version', '=', input.version).executeTakeFirst();
  if (!v) throw new RuleError('not_found', `version ${input.version} of proposal ${input.proposalId} not found`);
  const refused = jsApprovalRefused(v, input.sha256);
  if (refused) throw new RuleError('conflict', refused);
  if (v.js_approved_at) return v;
  const updated = await db
    .updateTable('proposal_versions')
    .set({ js_approved_by: input.actor.userId, js_approved_at: new Date() })
    .where('id', '=', v.id)
    .where('js_approved_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return updated ?? (await db.selectFrom('proposal_versions').selectAll().where('id', '=', v.id).executeTakeFirstOrThrow());
}

/**
 * CS's review of a proposal's current version (the route checks the CS scope): pass, or return with a
 * comment for the author to revise. Under a lock on the proposal row, so a revision or a selection
 * and a review queue; the same review again changes nothing (no second log line).
 */
export async function reviewProposal(db: Db, viewer: Viewer, proposalId: number, input: { decision: ReviewDecision; comment?: string; actor: Actor }) {
  const comment = cleanReviewComment(input.decision, input.comment);
  const reviewed = await db.transaction().execute(async (trx) => {
    const p = await trx.selectFrom('proposals').selectAll().where('id', '=', proposalId).forUpdate().executeTakeFirstOrThrow();
    if (reviewUnchanged(p, input.decision, comment)) return p;
    const { window } = await proposalFor(trx, viewer, proposalId);
    const refused = reviewRefused(p, window, input.decision, new Date());
    if (refused) throw new RuleError('conflict', refused);
    const now = new Date();
    await trx
      .insertInto('proposal_reviews')
      .values({ proposal_id: p.id, version: p.version, decision: input.decision, comment, actor_user_id: input.actor.userId })
      .execute();
    return trx
      .updateTable('proposals')
      .set({ review_status: input.decision === 'pass' ? 'passed' : 'returned', review_comment: comment, reviewed_by: input.actor.userId, reviewed_at: now, updated_at: now })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return reviewed;
}

/** A proposal's reviews, oldest first (every pass and return with its version). */
export function reviewLog(db: Db, proposalId: number) {
  return db.selectFrom('proposal_reviews').select(['version', 'decision', 'comment', 'actor_user_id', 'created_at']).where('proposal_id', '=', proposalId).orderBy('id').execute();
}

/** Problems with a selection for the cycle (details naming each field); empty when it may go ahead. */
export async function checkSelection(db: Db, cycleId: number, selections: SelectionRequestItem[]): Promise<ErrorDetail[]> {
  const offers = await db.selectFrom('offers').select('id').where('cycle_id', '=', cycleId).execute();
  const ids = selections.flatMap((s) => s.proposal_ids);
  const proposals = ids.length ? await db.selectFrom('proposals').select(['id', 'offer_id', 'status', 'review_status']).where('id', 'in', ids).execute() : [];
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
