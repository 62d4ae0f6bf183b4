import { describe, expect, it } from 'vitest';
import { rankHackers, widen } from '../../../src/domain/cycles/audience.ts';
import { revenueUpliftEstimate } from '../../../src/domain/cycles/report.ts';

const rec = (hackerId: number, proposals: number, adopted: number, wins: number, industries: string[] = [], skills: string[] = ['design']) => ({
  hackerId,
  proposals,
  adopted,
  wins,
  industries,
  skills,
});

describe('ranking', () => {
  it('prefers a proven track record, keeps newcomers above proven non-performers', () => {
    const ranked = rankHackers([rec(1, 0, 0, 0), rec(2, 20, 8, 6), rec(3, 20, 0, 0)], 'retail', [], 10);
    expect(ranked.map((r) => r.hackerId)).toEqual([2, 1, 3]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('one lucky win does not beat a long record', () => {
    const ranked = rankHackers([rec(1, 1, 1, 1), rec(2, 40, 16, 12)], 'retail', [], 2);
    expect(ranked[0]!.hackerId).toBe(2);
  });

  it('weights industry experience, filters by skill, cuts at N, breaks ties by id', () => {
    const ranked = rankHackers([rec(1, 5, 1, 1), rec(2, 5, 1, 1, ['retail']), rec(3, 5, 1, 1, [], ['frontend'])], 'retail', ['design'], 5);
    expect(ranked.map((r) => r.hackerId)).toEqual([2, 1]);
    expect(rankHackers([rec(5, 0, 0, 0), rec(4, 0, 0, 0)], 'x', [], 1).map((r) => r.hackerId)).toEqual([4]);
  });

  it('widens team → targeted → open', () => {
    expect(widen('team')).toBe('targeted');
    expect(widen('targeted')).toBe('open');
    expect(widen('open')).toBe('open');
  });

  it('revenue uplift uses the lower bound, never the point estimate, and never goes negative', () => {
    // 2% baseline × 10,000 visitors/day × 30 days = 6,000 conversions; lower bound 5% → 300 × ¥4,000.
    expect(revenueUpliftEstimate(0.05, 0.02, 10_000, 4_000)).toBe(1_200_000);
    expect(revenueUpliftEstimate(-0.01, 0.02, 10_000, 4_000)).toBe(0);
    expect(revenueUpliftEstimate(null, 0.02, 10_000, 4_000)).toBe(0);
  });
});
