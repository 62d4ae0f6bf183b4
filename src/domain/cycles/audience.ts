// Ranks growth hackers for a targeted offer by track record, shrunk toward a prior so newcomers get
// a fair (average) chance instead of zero and one lucky win does not top the list.

export interface TrackRecord {
  hackerId: number;
  /** Proposals submitted (all time). */
  proposals: number;
  /** Proposals selected by a client (adopted). */
  adopted: number;
  /** Adopted proposals whose test won. */
  wins: number;
  industries: string[];
  skills: string[];
}

/** Beta-prior pseudo-counts: a newcomer looks like someone with 1 adoption in 5 and a 55% win rate. */
export const RANKING_PRIOR = { adoptionRate: 0.2, adoptionWeight: 5, winRate: 0.55, winWeight: 2 } as const;

export interface Ranked {
  hackerId: number;
  score: number;
  rank: number;
}

/**
 * Score = P(adopted) × P(win | adopted), both posterior means, × 1.5 for experience in the client's
 * industry. Hackers lacking every required skill are left out (no skills required → all qualify).
 * Ties break on hacker id so the ranking is deterministic.
 */
export function rankHackers(records: TrackRecord[], industry: string, requiredSkills: string[], topN: number): Ranked[] {
  const p = RANKING_PRIOR;
  return records
    .filter((r) => requiredSkills.length === 0 || requiredSkills.some((s) => r.skills.includes(s)))
    .map((r) => {
      const adoption = (r.adopted + p.adoptionRate * p.adoptionWeight) / (r.proposals + p.adoptionWeight);
      const win = (r.wins + p.winRate * p.winWeight) / (r.adopted + p.winWeight);
      const fit = r.industries.includes(industry) ? 1.5 : 1;
      return { hackerId: r.hackerId, score: adoption * win * fit };
    })
    .sort((a, b) => b.score - a.score || a.hackerId - b.hackerId)
    .slice(0, Math.max(0, topN))
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** The audience one step wider: team → targeted → open. */
export function widen(kind: 'open' | 'targeted' | 'team'): 'open' | 'targeted' {
  return kind === 'team' ? 'targeted' : 'open';
}

/**
 * Revenue uplift estimate for a month: the LOWER confidence bound of the winner's relative lift (never
 * the optimistic point estimate; negative bounds count as 0) × baseline monthly conversions × value
 * per conversion. Integer yen, rounded down.
 */
export function revenueUpliftEstimate(
  liftLowerBound: number | null,
  baselineRate: number,
  dailyVisitors: number,
  valuePerConversionYen: number,
  daysPerMonth = 30,
): number {
  if (liftLowerBound === null || !(liftLowerBound > 0)) return 0;
  const monthlyConversions = baselineRate * dailyVisitors * daysPerMonth;
  return Math.floor(liftLowerBound * monthlyConversions * valuePerConversionYen);
}
