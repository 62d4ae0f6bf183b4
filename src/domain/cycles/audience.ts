// Who an offer reaches. Targeted offers go to the top of a ranking by track record, shrunk toward a
// prior so newcomers get a fair (average) chance instead of zero and one lucky win does not top the
// list; team offers go to the growth team (targeted when there is none); too few proposals widen the
// audience one step. Who may SEE an offer is `offerVisibleTo` (the SQL in cycles/offers.ts mirrors it).
import type { OfferKind } from '../../db/schema.ts';

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
export function widen(kind: OfferKind): 'open' | 'targeted' {
  return kind === 'team' ? 'targeted' : 'open';
}

/** The kind an offer is posted as: the hypothesis' choice or the engagement's mode; no team → targeted. */
export function offerKindFor(requested: OfferKind | null, engagementMode: OfferKind, teamSize: number): OfferKind {
  const kind = requested ?? engagementMode;
  return kind === 'team' && teamSize === 0 ? 'targeted' : kind;
}

export interface OfferAudienceFacts {
  kind: OfferKind;
  status: 'open' | 'closed';
  /** The hacker is on the offer's invitation list (targeted rank, team, widened). */
  invited: boolean;
  /** The hacker has a proposal on it. */
  tookPart: boolean;
}

/**
 * A hacker sees an offer open to all or offered to it; in listings a closed one only if it took part
 * (asked for directly, an audience member learns that it closed). Anything else is a 404, never a 403,
 * so a targeted offer's existence does not leak.
 */
export function offerVisibleTo(o: OfferAudienceFacts, listing: boolean): boolean {
  if (o.kind !== 'open' && !o.invited) return false;
  return !listing || o.status === 'open' || o.tookPart;
}
