// Growth teams: ten hackers giving 10% each by default. No client may lock a hacker: one share above
// the engagement's cap is refused, and a hacker's shares across all teams never exceed 100%. Each
// month the team is reviewed by contribution and the weakest member may be replaced by the
// best-ranked available hacker (CS decides).
export const TEAM_DEFAULTS = { size: 10, sharePercent: 10, maxPercentAcrossTeams: 100 } as const;

export interface TeamMemberRequest {
  hacker_id: number;
  share_percent: number;
}

export interface ShareProblem {
  hackerId: number;
  index: number;
  kind: 'above_cap' | 'over_capacity';
  /** The hacker's shares in other teams now (percent). */
  currentTotal: number;
  requested: number;
  message: string;
}

/**
 * Problems of a team's shares, given each member's shares in OTHER engagements' teams. Empty when the
 * team may be saved.
 */
export function shareProblems(members: TeamMemberRequest[], capPercent: number, elsewhere: ReadonlyMap<number, number>): ShareProblem[] {
  const problems: ShareProblem[] = [];
  members.forEach((m, index) => {
    const currentTotal = elsewhere.get(m.hacker_id) ?? 0;
    if (m.share_percent > capPercent) {
      problems.push({ hackerId: m.hacker_id, index, kind: 'above_cap', currentTotal, requested: m.share_percent, message: `hacker ${m.hacker_id}: a share of ${m.share_percent}% is above this engagement's cap of ${capPercent}%` });
    } else if (currentTotal + m.share_percent > TEAM_DEFAULTS.maxPercentAcrossTeams) {
      problems.push({
        hackerId: m.hacker_id,
        index,
        kind: 'over_capacity',
        currentTotal,
        requested: m.share_percent,
        message: `hacker ${m.hacker_id} already gives ${currentTotal}% to other teams; ${m.share_percent}% more would exceed 100%`,
      });
    }
  });
  return problems;
}

export interface MemberContribution {
  hacker_id: number;
  share_percent: number;
  proposals: number;
  adoptions: number;
  wins: number;
  /** Median hours from an offer's posting to this member's proposal (null: no proposal). */
  median_response_hours: number | null;
}

/** Best first: wins, adoptions, proposals, faster response, then hacker id (deterministic). */
export function rankContributions(members: MemberContribution[]): MemberContribution[] {
  const rt = (m: MemberContribution) => m.median_response_hours ?? Number.POSITIVE_INFINITY;
  return [...members].sort((a, b) => b.wins - a.wins || b.adoptions - a.adoptions || b.proposals - a.proposals || rt(a) - rt(b) || a.hacker_id - b.hacker_id);
}

export interface Suggestion {
  out_hacker_id: number;
  in_hacker_id: number;
  share_percent: number;
  reason: string;
}

/**
 * Replace the weakest member with the best-ranked available candidate (not a member, with room for the
 * share). None when the team is empty or no candidate is available. `candidates` are best first.
 */
export function suggestReplacement(members: MemberContribution[], candidates: { hackerId: number; score: number; freePercent: number }[]): Suggestion | null {
  if (members.length === 0) return null;
  const ranked = rankContributions(members);
  const weakest = ranked[ranked.length - 1]!;
  const memberIds = new Set(members.map((m) => m.hacker_id));
  const pick = candidates.find((c) => !memberIds.has(c.hackerId) && c.freePercent >= weakest.share_percent);
  if (!pick) return null;
  return {
    out_hacker_id: weakest.hacker_id,
    in_hacker_id: pick.hackerId,
    share_percent: weakest.share_percent,
    reason: `weakest contribution this month (${weakest.proposals} proposals, ${weakest.adoptions} adoptions, ${weakest.wins} wins); hacker ${pick.hackerId} is the best-ranked available (score ${pick.score})`,
  };
}
