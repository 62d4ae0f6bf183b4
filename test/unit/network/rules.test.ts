import { describe, expect, it } from 'vitest';
import { gradeFor } from '../../../src/domain/network/grades.ts';
import { rankContributions, shareProblems, suggestReplacement } from '../../../src/domain/network/teams.ts';

describe('grades', () => {
  it.each([
    [{ decided: 0, wins: 0 }, 'none'],
    [{ decided: 1, wins: 1 }, 'none'],
    [{ decided: 3, wins: 2 }, 'bronze'],
    [{ decided: 10, wins: 5 }, 'silver'],
    [{ decided: 50, wins: 30 }, 'gold'],
    [{ decided: 50, wins: 10 }, 'none'],
    [{ decided: 19, wins: 19 }, 'silver'],
  ] as const)('%j → %s', (input, grade) => {
    expect(gradeFor(input).grade).toBe(grade);
  });
});

describe('teams', () => {
  it('refuses a share above the cap and totals above 100%, naming the hacker and its total', () => {
    const p = shareProblems([{ hacker_id: 1, share_percent: 60 }, { hacker_id: 2, share_percent: 10 }, { hacker_id: 3, share_percent: 10 }], 50, new Map([[2, 100], [3, 90]]));
    expect(p.map((x) => [x.hackerId, x.kind, x.currentTotal])).toEqual([[1, 'above_cap', 0], [2, 'over_capacity', 100]]);
    expect(p[1]!.message).toMatch(/hacker 2 already gives 100%/);
  });
  it('ranks contributions and suggests replacing the weakest with the best available', () => {
    const members = [
      { hacker_id: 1, share_percent: 10, proposals: 3, adoptions: 1, wins: 1, median_response_hours: 5 },
      { hacker_id: 2, share_percent: 10, proposals: 0, adoptions: 0, wins: 0, median_response_hours: null },
      { hacker_id: 3, share_percent: 10, proposals: 3, adoptions: 1, wins: 1, median_response_hours: 2 },
    ];
    expect(rankContributions(members).map((m) => m.hacker_id)).toEqual([3, 1, 2]);
    const s = suggestReplacement(members, [{ hackerId: 1, score: 0.9, freePercent: 90 }, { hackerId: 7, score: 0.8, freePercent: 5 }, { hackerId: 8, score: 0.7, freePercent: 50 }]);
    expect(s).toMatchObject({ out_hacker_id: 2, in_hacker_id: 8, share_percent: 10 });
    expect(suggestReplacement([], [])).toBeNull();
  });
});
