// Offers: posted per hypothesis to an audience (open / targeted / team), closed at their deadline or
// extended once and widened when too few proposals came; and who may see them.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { OfferKind } from '../shared/cycles.ts';
import { offerKindFor, rankForOffer, widen, type Explanation } from '../domain/cycles/audience.ts';
import { RuleError } from '../domain/errors.ts';
import { renderBriefText, type BriefContent } from '../domain/cycles/brief.ts';
import type { Actor } from '../shared/actor.ts';
import { networkRecords } from '../network/track-records.ts';
import { cycleRow, settingsOf } from './context.ts';

export interface Viewer {
  role: Actor['role'];
  client_id: number | null;
  hacker_id: number | null;
}

/**
 * THE rule of who sees an offer (every read of offers goes through it): hackers see offers open to
 * all or offered to them (targeted rank, team, widened); in listings a closed one only if they took
 * part (asked for directly, an audience member learns that it closed); anything else is a 404, never
 * a 403, so a targeted offer's existence does not leak. Client users see their own client's; offers
 * of an ended engagement are never listed to hackers.
 */
export function visibleOffers(db: Db, viewer: Viewer, listing = true) {
  let q = db
    .selectFrom('offers')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('offers')
    .select(['engagements.client_id', 'engagements.id as engagement_id', 'engagements.status as engagement_status', 'engagements.end_reason as engagement_end_reason']);
  if (viewer.role === 'client') q = q.where('engagements.client_id', '=', viewer.client_id!);
  if (viewer.role === 'hacker') {
    const hackerId = viewer.hacker_id!;
    const tookPart = (eb: any) => eb.exists(eb.selectFrom('proposals').select(sql`1`.as('x')).whereRef('proposals.offer_id', '=', 'offers.id').where('proposals.hacker_id', '=', hackerId));
    q = q.where((eb) =>
      eb.or([
        eb('offers.kind', '=', 'open'),
        eb.exists(eb.selectFrom('offer_invitations').select(sql`1`.as('x')).whereRef('offer_invitations.offer_id', '=', 'offers.id').where('offer_invitations.hacker_id', '=', hackerId)),
      ]),
    );
    if (listing) {
      q = q.where((eb) => eb.or([eb.and([eb('offers.status', '=', 'open'), eb('engagements.status', '!=', 'ended')]), tookPart(eb)]));
    }
  }
  return q;
}

/** A page of the offers a viewer sees, by id, optionally only open or closed ones. */
export function listOffers(db: Db, viewer: Viewer, f: { status?: 'open' | 'closed'; afterId?: number; limit: number }) {
  let q = visibleOffers(db, viewer).orderBy('offers.id').limit(f.limit);
  if (f.status) q = q.where('offers.status', '=', f.status);
  if (f.afterId) q = q.where('offers.id', '>', f.afterId);
  return q.execute();
}

export async function offerFor(db: Db, viewer: Viewer, offerId: number) {
  const offer = await visibleOffers(db, viewer, false).where('offers.id', '=', offerId).executeTakeFirst();
  if (!offer) throw new RuleError('not_found', 'offer not found');
  return offer;
}

export async function postOffer(db: Db, input: { cycleId: number; hypothesisId: number; windowMs: number }) {
  const cycle = await cycleRow(db, input.cycleId);
  const settings = await settingsOf(db, cycle.engagement_id);
  const hypothesis = await db
    .selectFrom('hypotheses')
    .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
    .select(['hypotheses.problem', 'hypotheses.offer_kind', 'hypotheses.skills', 'hypotheses.metric', 'pages.url', 'pages.page_type'])
    .where('hypotheses.id', '=', input.hypothesisId)
    .executeTakeFirst();
  if (!hypothesis) throw new RuleError('not_found', `hypothesis ${input.hypothesisId} does not exist`);
  const team = await db.selectFrom('growth_team_members').select('hacker_id').where('engagement_id', '=', cycle.engagement_id).execute();
  const brief = await db.selectFrom('briefs').select('content').where('hypothesis_id', '=', input.hypothesisId).executeTakeFirst();
  const kind = offerKindFor(hypothesis.offer_kind, cycle.offer_mode, team.length);
  await db
    .insertInto('offers')
    .values({
      cycle_id: input.cycleId,
      hypothesis_id: input.hypothesisId,
      kind,
      // Posted from a structured brief: its fields rendered; a free-text plan: the hypothesis and page.
      brief: brief
        ? renderBriefText(brief.content as BriefContent, hypothesis)
        : `${hypothesis.problem}\n\nPage: ${hypothesis.url} (${hypothesis.page_type}); metric: ${hypothesis.metric}`,
      adoption_fee_yen: settings.adoption_fee_yen,
      win_bonus_yen: settings.win_bonus_yen,
      submission_fee_yen: settings.submission_fee_yen,
      deadline: new Date(Date.now() + input.windowMs),
    })
    .onConflict((oc) => oc.column('hypothesis_id').doNothing())
    .execute();
  const offer = await db.selectFrom('offers').selectAll().where('hypothesis_id', '=', input.hypothesisId).executeTakeFirstOrThrow();
  await invite(db, offer.id, offer.kind, cycle.industry, hypothesis.skills, settings.targeted_top_n, team.map((m) => m.hacker_id));
  return { offerId: offer.id, hypothesisId: input.hypothesisId, kind: offer.kind, deadline: offer.deadline.toISOString(), extended: offer.extended };
}

export async function closeOfferWindow(db: Db, input: { offerId: number; minProposals: number; canExtend: boolean; windowMs: number }) {
  const offer = await db.selectFrom('offers').selectAll().where('id', '=', input.offerId).executeTakeFirst();
  if (!offer) throw new RuleError('not_found', `offer ${input.offerId} does not exist`);
  const n = await db
    .selectFrom('proposals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('offer_id', '=', input.offerId)
    .where('status', '=', 'submitted')
    .executeTakeFirstOrThrow();
  const proposals = Number(n.n);
  const result = (o: typeof offer, reopened: boolean) => ({ proposals, kind: o.kind, deadline: o.deadline.toISOString(), extended: o.extended, reopened });
  // A retry after the extension was written sees it and reports it again rather than extending twice.
  if (offer.status === 'open' && offer.extended && offer.deadline.getTime() > Date.now()) return result(offer, true);
  if (offer.status === 'closed') return result(offer, false);
  if (proposals < input.minProposals && input.canExtend && !offer.extended) {
    const cycle = await cycleRow(db, offer.cycle_id);
    const settings = await settingsOf(db, cycle.engagement_id);
    const kind = widen(offer.kind);
    const why = `only ${proposals} of ${input.minProposals} proposals by ${offer.deadline.toISOString()}: extended once and widened from ${offer.kind} to ${kind}`;
    const updated = await db
      .updateTable('offers')
      .set({ kind, extended: true, widen_reason: why, deadline: new Date(Date.now() + input.windowMs) })
      .where('id', '=', offer.id)
      .where('extended', '=', false)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    const current = updated ?? (await db.selectFrom('offers').selectAll().where('id', '=', offer.id).executeTakeFirstOrThrow());
    const hypothesis = await db.selectFrom('hypotheses').select('skills').where('id', '=', offer.hypothesis_id).executeTakeFirstOrThrow();
    await invite(db, offer.id, kind, cycle.industry, hypothesis.skills, settings.targeted_top_n, [], 'widened');
    return result(current, current.status === 'open');
  }
  const closed = await db.updateTable('offers').set({ status: 'closed' }).where('id', '=', offer.id).returningAll().executeTakeFirstOrThrow();
  return result(closed, false);
}

async function invite(
  db: Db,
  offerId: number,
  kind: OfferKind,
  industry: string,
  skills: string[],
  topN: number,
  team: number[],
  reason: 'targeted_rank' | 'team' | 'widened' = kind === 'team' ? 'team' : 'targeted_rank',
) {
  if (kind === 'open') return;
  if (kind === 'team') {
    const rows = team.map((hackerId) => ({ offer_id: offerId, hacker_id: hackerId, reason, rank: null, score: null }));
    if (rows.length) await db.insertInto('offer_invitations').values(rows).onConflict((oc) => oc.columns(['offer_id', 'hacker_id']).doNothing()).execute();
    return;
  }
  const { invited, leftOut } = rankForOffer(await networkRecords(db, industry), { requiredSkills: skills, topN, now: Date.now() });
  if (invited.length) {
    await db
      .insertInto('offer_invitations')
      .values(invited.map((r) => ({ offer_id: offerId, hacker_id: r.hackerId, reason, rank: r.rank, score: r.score, explanation: JSON.stringify(r.parts) })))
      .onConflict((oc) => oc.columns(['offer_id', 'hacker_id']).doNothing())
      .execute();
  }
  // Who was left out near the cut, and why (only the first ranking of an offer is explained).
  const already = invited.length ? await db.selectFrom('offer_invitations').select('hacker_id').where('offer_id', '=', offerId).execute() : [];
  const invitedIds = new Set(already.map((a) => a.hacker_id));
  const out = leftOut.filter((l) => !invitedIds.has(l.hackerId));
  if (out.length) {
    await db
      .insertInto('offer_exclusions')
      .values(out.map((l) => ({ offer_id: offerId, hacker_id: l.hackerId, reason: l.reason, score: l.score, explanation: l.parts ? JSON.stringify(l.parts) : null })))
      .onConflict((oc) => oc.columns(['offer_id', 'hacker_id']).doNothing())
      .execute();
  }
}

/** The offer's invitees with their scores and parts, and the hackers left out near the cut with why. */
export async function offerInvitations(db: Db, offerId: number) {
  const offer = await db.selectFrom('offers').select(['id', 'kind']).where('id', '=', offerId).executeTakeFirst();
  if (!offer) throw new RuleError('not_found', 'offer not found');
  const invited = await db
    .selectFrom('offer_invitations')
    .innerJoin('hackers', 'hackers.id', 'offer_invitations.hacker_id')
    .select(['offer_invitations.hacker_id', 'hackers.display_name', 'offer_invitations.reason', 'offer_invitations.rank', 'offer_invitations.score', 'offer_invitations.explanation', 'offer_invitations.created_at'])
    .where('offer_id', '=', offerId)
    .orderBy(sql`rank nulls last`)
    .orderBy('offer_invitations.hacker_id')
    .execute();
  const leftOut = await db
    .selectFrom('offer_exclusions')
    .innerJoin('hackers', 'hackers.id', 'offer_exclusions.hacker_id')
    .select(['offer_exclusions.hacker_id', 'hackers.display_name', 'offer_exclusions.reason', 'offer_exclusions.score', 'offer_exclusions.explanation'])
    .where('offer_id', '=', offerId)
    .orderBy(sql`score desc nulls last`)
    .orderBy('offer_exclusions.hacker_id')
    .execute();
  return {
    offer_id: offer.id,
    kind: offer.kind,
    invited: invited.map((i) => ({ ...i, parts: (i.explanation ?? null) as Explanation | null, explanation: undefined })),
    left_out: leftOut.map((l) => ({ ...l, parts: (l.explanation ?? null) as Explanation | null, explanation: undefined })),
  };
}
