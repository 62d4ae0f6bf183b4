// Growth teams: CS forms a team per engagement (10 members × 10% by default). A share above the
// engagement's cap, or a hacker's shares across all teams above 100%, is refused (409 naming the
// hacker and its current total). Monthly, at the engagement's month boundary, the team is reviewed by
// contribution and the weakest member may be replaced by the best-ranked available hacker; CS accepts
// or dismisses each suggestion through an update on the engagement workflow (who, when, why).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { rankForOffer } from '../domain/cycles/audience.ts';
import { RuleError, ValidationError } from '../domain/errors.ts';
import { shareProblems, suggestReplacement, TEAM_DEFAULTS, type MemberContribution, type TeamMemberRequest } from '../domain/network/teams.ts';
import type { Actor } from '../shared/actor.ts';
import { networkRecords } from './track-records.ts';

type Tx = Db;

/** Team writes are serialised platform-wide (a hacker's total spans engagements). */
async function lockTeams(trx: Tx) {
  await sql`select pg_advisory_xact_lock(hashtext('kaizen:growth-team-shares'))`.execute(trx);
}

async function capOf(trx: Tx, engagementId: number): Promise<number> {
  await trx.insertInto('engagement_settings').values({ engagement_id: engagementId }).onConflict((oc) => oc.doNothing()).execute();
  const s = await trx.selectFrom('engagement_settings').select('team_share_cap_percent').where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
  return s.team_share_cap_percent;
}

async function sharesElsewhere(trx: Tx, engagementId: number, hackerIds: number[]): Promise<Map<number, number>> {
  if (hackerIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom('growth_team_members')
    .select(['hacker_id', sql<number>`sum(share_percent)::int`.as('total')])
    .where('hacker_id', 'in', hackerIds)
    .where('engagement_id', '!=', engagementId)
    .groupBy('hacker_id')
    .execute();
  return new Map(rows.map((r) => [r.hacker_id, r.total]));
}

function refuse(problems: ReturnType<typeof shareProblems>): never {
  throw new RuleError('conflict', problems.map((p) => p.message).join('; '));
}

export async function teamOf(db: Db, engagementId: number) {
  const members = await db
    .selectFrom('growth_team_members')
    .innerJoin('hackers', 'hackers.id', 'growth_team_members.hacker_id')
    .select(['growth_team_members.hacker_id', 'hackers.display_name', 'growth_team_members.share_percent', 'growth_team_members.joined_at'])
    .where('growth_team_members.engagement_id', '=', engagementId)
    .orderBy('growth_team_members.hacker_id')
    .execute();
  const shares = new Set(members.map((m) => m.share_percent));
  return {
    engagement_id: engagementId,
    hacker_ids: members.map((m) => m.hacker_id),
    share_percent: shares.size === 1 ? [...shares][0]! : shares.size === 0 ? TEAM_DEFAULTS.sharePercent : null,
    members,
  };
}

/** Replaces the team (each member with its share, 10% by default), refusing shares over the limits. */
export async function setTeam(db: Db, engagementId: number, members: TeamMemberRequest[]) {
  const ids = members.map((m) => m.hacker_id);
  const known = ids.length ? await db.selectFrom('hackers').select('id').where('id', 'in', ids).execute() : [];
  const missing = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.some((k) => k.id === id));
  if (missing.length) throw new ValidationError('unknown hacker', missing.map(({ id, i }) => ({ path: `/members/${i}/hacker_id`, message: `no hacker ${id}` })));
  await db.transaction().execute(async (trx) => {
    await lockTeams(trx);
    const problems = shareProblems(members, await capOf(trx, engagementId), await sharesElsewhere(trx, engagementId, ids));
    if (problems.length) refuse(problems);
    const current = await trx.selectFrom('growth_team_members').select(['hacker_id', 'share_percent']).where('engagement_id', '=', engagementId).execute();
    const keep = new Set(ids);
    const gone = current.filter((c) => !keep.has(c.hacker_id)).map((c) => c.hacker_id);
    if (gone.length) await trx.deleteFrom('growth_team_members').where('engagement_id', '=', engagementId).where('hacker_id', 'in', gone).execute();
    for (const m of members) {
      await trx
        .insertInto('growth_team_members')
        .values({ engagement_id: engagementId, hacker_id: m.hacker_id, share_percent: m.share_percent })
        .onConflict((oc) => oc.columns(['engagement_id', 'hacker_id']).doUpdateSet({ share_percent: m.share_percent }))
        .execute();
    }
  });
  return teamOf(db, engagementId);
}

/** Forms a team from the best-ranked available hackers for the client's industry (and skills). */
export async function formTeam(db: Db, engagementId: number, opts: { size: number; sharePercent: number; skills: string[] }) {
  const e = await db.selectFrom('engagements').innerJoin('clients', 'clients.id', 'engagements.client_id').select(['clients.industry']).where('engagements.id', '=', engagementId).executeTakeFirst();
  if (!e) throw new RuleError('not_found', `engagement ${engagementId} does not exist`);
  const records = (await networkRecords(db, e.industry)).filter((r) => r.teamSharePercent + opts.sharePercent <= TEAM_DEFAULTS.maxPercentAcrossTeams);
  const { invited } = rankForOffer(records, { requiredSkills: opts.skills, topN: opts.size, now: Date.now() });
  return setTeam(db, engagementId, invited.map((r) => ({ hacker_id: r.hackerId, share_percent: opts.sharePercent })));
}

/** Each member's contribution in the engagement's `month`: proposals, adoptions, wins, response time. */
async function contributions(db: Db, engagementId: number, month: string): Promise<MemberContribution[]> {
  const { rows } = await sql<MemberContribution>`
    select m.hacker_id, m.share_percent,
           count(p.id)::int as proposals,
           count(p.id) filter (where p.status = 'selected')::int as adoptions,
           count(distinct v.id) filter (where v.winner_variant_id = var.id)::int as wins,
           (percentile_cont(0.5) within group (order by extract(epoch from p.created_at - o.created_at) / 3600))::float8 as median_response_hours
      from growth_team_members m
      left join cycles c on c.engagement_id = m.engagement_id and c.month = ${month}
      left join offers o on o.cycle_id = c.id
      left join proposals p on p.offer_id = o.id and p.hacker_id = m.hacker_id and p.status <> 'withdrawn'
      left join tests t on t.offer_id = o.id and p.id is not null
      left join variants var on var.test_id = t.id and var.proposal_id = p.id
      left join verdicts v on v.test_id = t.id and v.kind = 'final' and v.invalidated_at is null
     where m.engagement_id = ${engagementId}
     group by m.hacker_id, m.share_percent
     order by m.hacker_id`.execute(db);
  return rows;
}

/**
 * The month's review, written once per engagement and month: members by contribution, and one
 * suggestion to replace the weakest with the best-ranked available hacker (none when no one is free).
 */
export async function reviewTeam(db: Db, input: { engagementId: number; month: string }) {
  const existing = await db.selectFrom('team_reviews').select('id').where('engagement_id', '=', input.engagementId).where('month', '=', input.month).executeTakeFirst();
  if (existing) return teamReview(db, input.engagementId, input.month);
  const members = await contributions(db, input.engagementId, input.month);
  if (members.length === 0) return null;
  const e = await db.selectFrom('engagements').innerJoin('clients', 'clients.id', 'engagements.client_id').select('clients.industry').where('engagements.id', '=', input.engagementId).executeTakeFirstOrThrow();
  const records = await networkRecords(db, e.industry);
  const { invited } = rankForOffer(records, { requiredSkills: [], topN: 50, now: Date.now() });
  const free = new Map(records.map((r) => [r.hackerId, TEAM_DEFAULTS.maxPercentAcrossTeams - r.teamSharePercent]));
  const suggestion = suggestReplacement(members, invited.map((r) => ({ hackerId: r.hackerId, score: r.score, freePercent: free.get(r.hackerId) ?? 0 })));
  await db.transaction().execute(async (trx) => {
    const review = await trx
      .insertInto('team_reviews')
      .values({ engagement_id: input.engagementId, month: input.month, members: JSON.stringify(members) })
      .onConflict((oc) => oc.columns(['engagement_id', 'month']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (review && suggestion) {
      await trx.insertInto('team_suggestions').values({ review_id: review.id, engagement_id: input.engagementId, ...suggestion }).onConflict((oc) => oc.columns(['review_id', 'out_hacker_id']).doNothing()).execute();
    }
  });
  return teamReview(db, input.engagementId, input.month);
}

/** A month's review (the latest when `month` is null) with its suggestions and their decisions. */
export async function teamReview(db: Db, engagementId: number, month: string | null) {
  let q = db.selectFrom('team_reviews').selectAll().where('engagement_id', '=', engagementId);
  q = month ? q.where('month', '=', month) : q.orderBy('month', 'desc').limit(1);
  const review = await q.executeTakeFirst();
  if (!review) return null;
  const suggestions = await db.selectFrom('team_suggestions').selectAll().where('review_id', '=', review.id).orderBy('id').execute();
  return { id: review.id, engagement_id: engagementId, month: review.month, members: review.members as MemberContribution[], suggestions, created_at: review.created_at };
}

/**
 * CS's decision on a suggestion (run by the engagement workflow's update): accept swaps the members
 * (the new one takes the old one's share, within the limits), dismiss keeps the team. Repeating the
 * same decision is a no-op; a different one on a decided suggestion is refused.
 */
export async function decideSuggestion(db: Db, input: { engagementId: number; suggestionId: number; decision: 'accept' | 'dismiss'; reason: string; actor: Actor }) {
  return db.transaction().execute(async (trx) => {
    await lockTeams(trx);
    const s = await trx.selectFrom('team_suggestions').selectAll().where('id', '=', input.suggestionId).where('engagement_id', '=', input.engagementId).forUpdate().executeTakeFirst();
    if (!s) throw new RuleError('not_found', `suggestion ${input.suggestionId} is not one of engagement ${input.engagementId}'s`);
    const status = input.decision === 'accept' ? 'accepted' : 'dismissed';
    if (s.status !== 'pending') {
      if (s.status === status) return s;
      throw new RuleError('conflict', `suggestion ${s.id} was already ${s.status}`);
    }
    if (input.decision === 'accept') {
      const out = await trx.selectFrom('growth_team_members').select('hacker_id').where('engagement_id', '=', input.engagementId).where('hacker_id', '=', s.out_hacker_id).executeTakeFirst();
      if (!out) throw new RuleError('conflict', `hacker ${s.out_hacker_id} is no longer on the team`);
      const problems = shareProblems([{ hacker_id: s.in_hacker_id, share_percent: s.share_percent }], await capOf(trx, input.engagementId), await sharesElsewhere(trx, input.engagementId, [s.in_hacker_id]));
      if (problems.length) refuse(problems);
      await trx.deleteFrom('growth_team_members').where('engagement_id', '=', input.engagementId).where('hacker_id', '=', s.out_hacker_id).execute();
      await trx
        .insertInto('growth_team_members')
        .values({ engagement_id: input.engagementId, hacker_id: s.in_hacker_id, share_percent: s.share_percent })
        .onConflict((oc) => oc.columns(['engagement_id', 'hacker_id']).doUpdateSet({ share_percent: s.share_percent }))
        .execute();
    }
    return trx
      .updateTable('team_suggestions')
      .set({ status, decided_by: input.actor.userId, decided_at: new Date(), decision_reason: input.reason.trim() })
      .where('id', '=', s.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** One team suggestion as recorded (after its decision). */
export function suggestionOf(db: Db, suggestionId: number) {
  return db.selectFrom('team_suggestions').selectAll().where('id', '=', suggestionId).executeTakeFirstOrThrow();
}
