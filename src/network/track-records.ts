// Track records of growth hackers: per proposal, whether it was adopted and how its test ended
// (won / lost / inconclusive: a valid final verdict; invalid or invalidated verdicts never count), in
// which industry and for which skills. Aggregated per hacker for targeting (one query for the whole
// network) and per hacker, industry and skill for the track-record view.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { shrunkWinRate, type NetworkRecord } from '../domain/cycles/audience.ts';

/** Per proposal facts as SQL (a CTE body); `$hacker` narrows it to one hacker when given. */
function factsSql(hackerId: number | null) {
  return sql`
    select p.hacker_id, p.created_at, p.status = 'selected' as adopted, cl.industry, hy.skills as skills,
           case when v.id is null or p.status <> 'selected' or var.id is null then null
                when v.winner_variant_id = var.id then 'won'
                -- blocked by a guardrail: not a win, nor a loss on the goal
                when v.outcome in ('inconclusive', 'blocked_by_guardrail') then 'inconclusive'
                else 'lost' end as result,
           case when v.winner_variant_id = var.id then
             (select (x->>'expected')::float8 from jsonb_array_elements(v.result->'variants') x where x->>'arm' = var.arm limit 1)
           end as win_lift
      from proposals p
      join offers o on o.id = p.offer_id
      join hypotheses hy on hy.id = o.hypothesis_id
      join cycles c on c.id = o.cycle_id
      join engagements e on e.id = c.engagement_id
      join clients cl on cl.id = e.client_id
      left join tests t on t.offer_id = o.id
      left join variants var on var.test_id = t.id and var.proposal_id = p.id
      left join verdicts v on v.test_id = t.id and v.kind = 'final' and v.invalidated_at is null and v.outcome <> 'invalid'
     where p.status <> 'withdrawn' ${hackerId === null ? sql`` : sql`and p.hacker_id = ${hackerId}`}`;
}

/** Every hacker's record for targeting an offer of a client in `industry`. */
export async function networkRecords(db: Db, industry: string): Promise<NetworkRecord[]> {
  const { rows } = await sql<{
    id: number; status: string; skills: string[]; proposals: number; adopted: number; decided: number; wins: number;
    industry_decided: number; industry_wins: number; last_activity_at: Date | null; team_share: number;
  }>`
    with facts as (${factsSql(null)}),
    per as (
      select hacker_id, count(*)::int as proposals, count(*) filter (where adopted)::int as adopted,
             count(result)::int as decided, count(*) filter (where result = 'won')::int as wins,
             count(result) filter (where industry = ${industry})::int as industry_decided,
             count(*) filter (where result = 'won' and industry = ${industry})::int as industry_wins,
             max(created_at) as last_activity_at
        from facts group by hacker_id
    ),
    shares as (select hacker_id, sum(share_percent)::int as team_share from growth_team_members group by hacker_id)
    select h.id, h.status, h.skills, coalesce(per.proposals, 0) as proposals, coalesce(per.adopted, 0) as adopted,
           coalesce(per.decided, 0) as decided, coalesce(per.wins, 0) as wins,
           coalesce(per.industry_decided, 0) as industry_decided, coalesce(per.industry_wins, 0) as industry_wins,
           per.last_activity_at, coalesce(shares.team_share, 0) as team_share
      from hackers h
      left join per on per.hacker_id = h.id
      left join shares on shares.hacker_id = h.id
     order by h.id`.execute(db);
  return rows.map((r) => ({
    hackerId: r.id,
    active: r.status === 'active',
    skills: r.skills,
    proposals: r.proposals,
    adopted: r.adopted,
    decided: r.decided,
    wins: r.wins,
    industryDecided: r.industry_decided,
    industryWins: r.industry_wins,
    lastActivityAt: r.last_activity_at ? r.last_activity_at.getTime() : null,
    teamSharePercent: r.team_share,
  }));
}

export interface RecordStats {
  proposals: number;
  adopted: number;
  tests_won: number;
  tests_lost: number;
  tests_inconclusive: number;
  /** won ÷ decided (null with none decided). */
  win_rate: number | null;
  /** The win rate shrunk toward the platform prior (what grades and targeting use). */
  shrunk_win_rate: number;
  /** Median relative lift of the won tests (null with no win). */
  median_win_lift: number | null;
  last_activity_at: string | null;
}

interface Fact {
  created_at: Date;
  adopted: boolean;
  industry: string;
  skills: string[];
  result: 'won' | 'lost' | 'inconclusive' | null;
  win_lift: number | null;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function statsOf(facts: Fact[]): RecordStats {
  const won = facts.filter((f) => f.result === 'won');
  const lost = facts.filter((f) => f.result === 'lost').length;
  const inconclusive = facts.filter((f) => f.result === 'inconclusive').length;
  const decided = won.length + lost + inconclusive;
  const last = facts.reduce<Date | null>((m, f) => (m === null || f.created_at > m ? f.created_at : m), null);
  return {
    proposals: facts.length,
    adopted: facts.filter((f) => f.adopted).length,
    tests_won: won.length,
    tests_lost: lost,
    tests_inconclusive: inconclusive,
    win_rate: decided ? won.length / decided : null,
    shrunk_win_rate: Math.round(shrunkWinRate(won.length, decided) * 1e6) / 1e6,
    median_win_lift: median(won.map((f) => f.win_lift).filter((x): x is number => x !== null)),
    last_activity_at: last ? last.toISOString() : null,
  };
}

export async function hackerFacts(db: Db, hackerId: number): Promise<Fact[]> {
  const { rows } = await sql<Fact>`${factsSql(hackerId)}`.execute(db);
  return rows;
}

/** Overall, per industry and per skill (of the hypotheses worked on), plus the grade and its history. */
export async function trackRecord(db: Db, hackerId: number) {
  const facts = await hackerFacts(db, hackerId);
  const group = (keyOf: (f: Fact) => string[]) => {
    const m = new Map<string, Fact[]>();
    for (const f of facts) for (const k of keyOf(f)) m.set(k, [...(m.get(k) ?? []), f]);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  };
  const grades = await db.selectFrom('hacker_grades').selectAll().where('hacker_id', '=', hackerId).orderBy('month', 'desc').limit(24).execute();
  return {
    hacker_id: hackerId,
    overall: statsOf(facts),
    by_industry: group((f) => [f.industry]).map(([industry, fs]) => ({ industry, ...statsOf(fs) })),
    by_skill: group((f) => f.skills).map(([skill, fs]) => ({ skill, ...statsOf(fs) })),
    grade: (grades[0]?.grade ?? 'none') as 'gold' | 'silver' | 'bronze' | 'none',
    grade_month: grades[0]?.month ?? null,
    grade_history: grades.map((g) => ({ month: g.month, grade: g.grade, shrunk_win_rate: g.shrunk_win_rate, decided_tests: g.decided_tests, wins: g.wins })),
  };
}
