// Grades of growth hackers (gold / silver / bronze / none), recomputed at each Tokyo month boundary
// from the shrunk win rate (the same shrinkage as targeting: domain/cycles/audience.ts) and the volume
// of decided tests. A grade needs both: a high rate on few tests is luck, many tests at a low rate is
// not excellence. Thresholds are in docs/network.md.
import { shrunkWinRate } from '../cycles/audience.ts';

export type Grade = 'gold' | 'silver' | 'bronze' | 'none';

/** Best first; the first rule a hacker meets is its grade. */
export const GRADE_RULES: readonly { grade: Exclude<Grade, 'none'>; minShrunkWinRate: number; minDecidedTests: number }[] = [
  { grade: 'gold', minShrunkWinRate: 0.45, minDecidedTests: 20 },
  { grade: 'silver', minShrunkWinRate: 0.35, minDecidedTests: 8 },
  { grade: 'bronze', minShrunkWinRate: 0.28, minDecidedTests: 3 },
];

export interface GradeInput {
  /** Tests with a valid final verdict (won, lost or inconclusive) on the hacker's adopted proposals. */
  decided: number;
  wins: number;
}

export function gradeFor(r: GradeInput): { grade: Grade; shrunk_win_rate: number } {
  const shrunk = Math.round(shrunkWinRate(r.wins, r.decided) * 1e6) / 1e6;
  const rule = GRADE_RULES.find((g) => shrunk >= g.minShrunkWinRate && r.decided >= g.minDecidedTests);
  return { grade: rule?.grade ?? 'none', shrunk_win_rate: shrunk };
}
