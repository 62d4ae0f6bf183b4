// Who an offer reaches. Targeted offers go to the top of an explainable ranking (shrunk win rate in
// the client's industry, adoption rate, skill match, recency), shrunk toward priors so newcomers get a
// fair chance and one lucky win does not top the list; team offers go to the growth team (targeted
// when there is none); too few proposals widen the audience one step. Who may SEE an offer is decided
// where offers are read: `visibleOffers` in src/cycles/offers.ts (SQL: listings filter in the database).
import type { OfferKind } from '../../shared/cycles.ts';

/** What targeting knows about one hacker (computed by network/track-records.ts). */
export interface NetworkRecord {
  hackerId: number;
  active: boolean;
  skills: string[];
  /** Proposals submitted (all time) and selected by a client (adopted). */
  proposals: number;
  adopted: number;
  /** Tests with a valid final verdict (won, lost or inconclusive) and the ones won: all industries. */
  decided: number;
  wins: number;
  /** The same in the client's industry. */
  industryDecided: number;
  industryWins: number;
  /** Epoch ms of the last proposal (null: never proposed). */
  lastActivityAt: number | null;
  /** Σ growth-team shares across all engagements, percent. */
  teamSharePercent: number;
}

/**
 * Shrinkage and weights of the targeting score (docs/network.md). A newcomer looks like
 * someone with 2.5 wins in 10 decided tests (the platform's typical 25%); the industry rate is shrunk
 * toward the hacker's own overall rate with 5 pseudo-tests; adoption toward 1 in 5.
 */
export const TARGETING = {
  winPrior: 0.25,
  winPriorWeight: 10,
  industryPriorWeight: 5,
  adoptionPrior: 0.2,
  adoptionPriorWeight: 5,
  recencyHalfLifeDays: 60,
  /** Recency of a hacker that never proposed: neutral, so newcomers get a fair chance. */
  newcomerRecency: 0.5,
  weights: { industry_win_rate: 0.5, adoption_rate: 0.2, skill_match: 0.2, recency: 0.1 },
  /** How many hackers just below the cut the explanation lists. */
  nearCut: 5,
  capacityPercent: 100,
} as const;

export type ScorePart = 'industry_win_rate' | 'adoption_rate' | 'skill_match' | 'recency';
/** One part of a score: the value (0..1), its weight, and the points it adds (value × weight). */
export interface PartExplanation {
  value: number;
  weight: number;
  points: number;
}
export type Explanation = Record<ScorePart, PartExplanation>;

export interface Ranked {
  hackerId: number;
  score: number;
  rank: number;
  parts: Explanation;
}

export type LeftOutReason = 'below_cut' | 'at_capacity' | 'inactive' | 'no_required_skill';
export interface LeftOut {
  hackerId: number;
  reason: LeftOutReason;
  /** The score it would have had (null when it lacks every required skill). */
  score: number | null;
  parts: Explanation | null;
}

/** Posterior mean of a win rate: (wins + prior × weight) / (decided + weight). */
export function shrunkWinRate(wins: number, decided: number, prior: number = TARGETING.winPrior, weight: number = TARGETING.winPriorWeight): number {
  return (wins + prior * weight) / (decided + weight);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The parts of a hacker's score; null when it has none of the required skills. */
export function explainScore(r: NetworkRecord, requiredSkills: string[], now: number): Explanation | null {
  const t = TARGETING;
  const matched = requiredSkills.filter((s) => r.skills.includes(s)).length;
  if (requiredSkills.length > 0 && matched === 0) return null;
  const overall = shrunkWinRate(r.wins, r.decided);
  const values: Record<ScorePart, number> = {
    industry_win_rate: (r.industryWins + overall * t.industryPriorWeight) / (r.industryDecided + t.industryPriorWeight),
    adoption_rate: (r.adopted + t.adoptionPrior * t.adoptionPriorWeight) / (r.proposals + t.adoptionPriorWeight),
    skill_match: requiredSkills.length === 0 ? 1 : matched / requiredSkills.length,
    recency: r.lastActivityAt === null ? t.newcomerRecency : 2 ** (-Math.max(0, now - r.lastActivityAt) / (t.recencyHalfLifeDays * 86_400_000)),
  };
  const parts = {} as Explanation;
  for (const k of Object.keys(t.weights) as ScorePart[]) {
    const value = round6(values[k]);
    parts[k] = { value, weight: t.weights[k], points: round6(value * t.weights[k]) };
  }
  return parts;
}

/** The score is exactly the sum of its parts' points (rounded to 6 decimals). */
export const scoreOf = (parts: Explanation) => round6(Object.values(parts).reduce((s, p) => s + p.points, 0));

/**
 * The ranking of a targeted offer: every eligible hacker scored by its parts, the top N invited (ties
 * break on hacker id, so the same inputs always give the same list). Inactive hackers, hackers at
 * capacity (team shares ≥ 100%) and hackers lacking every required skill are left out; the
 * explanation lists the ones just below the cut and the excluded ones that would have made it.
 */
export function rankForOffer(records: NetworkRecord[], opts: { requiredSkills: string[]; topN: number; now: number }): { invited: Ranked[]; leftOut: LeftOut[] } {
  const eligible: { hackerId: number; score: number; parts: Explanation }[] = [];
  const excluded: LeftOut[] = [];
  for (const r of records) {
    const parts = explainScore(r, opts.requiredSkills, opts.now);
    if (!parts) continue; // no required skill: not worth listing
    const entry = { hackerId: r.hackerId, score: scoreOf(parts), parts };
    if (!r.active) excluded.push({ ...entry, reason: 'inactive' });
    else if (r.teamSharePercent >= TARGETING.capacityPercent) excluded.push({ ...entry, reason: 'at_capacity' });
    else eligible.push(entry);
  }
  const byScore = (a: { score: number | null; hackerId: number }, b: { score: number | null; hackerId: number }) => (b.score ?? 0) - (a.score ?? 0) || a.hackerId - b.hackerId;
  eligible.sort(byScore);
  const n = Math.max(0, opts.topN);
  const invited = eligible.slice(0, n).map((e, i) => ({ ...e, rank: i + 1 }));
  const below: LeftOut[] = eligible.slice(n, n + TARGETING.nearCut).map((e) => ({ ...e, reason: 'below_cut' }));
  // Excluded hackers worth explaining: those who would have ranked above the last one listed.
  const floor = below.length ? below[below.length - 1]!.score! : invited.length === n && n > 0 ? invited[n - 1]!.score : -Infinity;
  const notable = excluded.filter((e) => (e.score ?? 0) >= floor).sort(byScore).slice(0, 20);
  return { invited, leftOut: [...below, ...notable] };
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

