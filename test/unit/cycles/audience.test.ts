import { describe, expect, it } from 'vitest';
import { rankForOffer, scoreOf, widen, type NetworkRecord } from '../../../src/domain/cycles/audience.ts';
import { revenueUpliftEstimate } from '../../../src/domain/cycles/report.ts';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const rec = (hackerId: number, o: Partial<NetworkRecord> = {}): NetworkRecord => ({
  hackerId,
  active: true,
  skills: ['design'],
  proposals: 0,
  adopted: 0,
  decided: 0,
  wins: 0,
  industryDecided: 0,
  industryWins: 0,
  lastActivityAt: null,
  teamSharePercent: 0,
  ...o,
});
const rank = (records: NetworkRecord[], topN = 10, requiredSkills: string[] = []) => rankForOffer(records, { requiredSkills, topN, now: NOW });

describe('ranking', () => {
  it('a newcomer with one win ranks below a veteran with 30 wins in 50', () => {
    const newcomer = rec(1, { proposals: 1, adopted: 1, decided: 1, wins: 1, industryDecided: 1, industryWins: 1, lastActivityAt: NOW - DAY });
    const veteran = rec(2, { proposals: 80, adopted: 50, decided: 50, wins: 30, industryDecided: 50, industryWins: 30, lastActivityAt: NOW - DAY });
    expect(rank([newcomer, veteran]).invited.map((r) => r.hackerId)).toEqual([2, 1]);
  });

  it('keeps newcomers above proven non-performers', () => {
    const { invited } = rank([rec(1), rec(2, { proposals: 20, adopted: 8, decided: 8, wins: 6, industryDecided: 8, industryWins: 6, lastActivityAt: NOW }), rec(3, { proposals: 20, decided: 0, lastActivityAt: NOW - 400 * DAY })]);
    expect(invited.map((r) => r.hackerId)).toEqual([2, 1, 3]);
    expect(invited.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('the parts add up to the score; the win rate in the client industry counts', () => {
    const inIndustry = rec(1, { proposals: 10, adopted: 5, decided: 5, wins: 3, industryDecided: 5, industryWins: 3 });
    const elsewhere = rec(2, { proposals: 10, adopted: 5, decided: 5, wins: 3, industryDecided: 0, industryWins: 0 });
    const { invited } = rank([elsewhere, inIndustry]);
    expect(invited[0]!.hackerId).toBe(1);
    for (const r of invited) {
      expect(scoreOf(r.parts)).toBe(r.score);
      expect(Object.values(r.parts).reduce((s, p) => s + p.points, 0)).toBeCloseTo(r.score, 9);
    }
  });

  it('cuts at N, breaks ties by id, filters by skill, lists who was left out near the cut and why', () => {
    const records = [rec(5), rec(4), rec(3), rec(9, { skills: ['frontend'] }), rec(7, { active: false, wins: 9, decided: 10, industryWins: 9, industryDecided: 10 }), rec(8, { teamSharePercent: 100 })];
    const { invited, leftOut } = rank(records, 2, ['design']);
    expect(invited.map((r) => r.hackerId)).toEqual([3, 4]);
    expect(leftOut.map((l) => [l.hackerId, l.reason])).toEqual([[5, 'below_cut'], [7, 'inactive'], [8, 'at_capacity']]);
    expect(leftOut.some((l) => l.hackerId === 9)).toBe(false);
    // Same inputs, any order → same ranking.
    expect(rank([...records].reverse(), 2, ['design']).invited.map((r) => r.hackerId)).toEqual([3, 4]);
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
