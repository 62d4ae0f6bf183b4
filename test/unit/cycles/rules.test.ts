// Tables of cases for the pure rules of the improvement cycle (src/domain/cycles/*, domain/engagements).
import { describe, expect, it } from 'vitest';
import { offerKindFor, widen } from '../../../src/domain/cycles/audience.ts';
import { designProblems, MAX_PLANNED_SAMPLE, plannedSample, settingsProblems } from '../../../src/domain/cycles/design.ts';
import { cycleEarnings, ledgerKey, type EarningProposal } from '../../../src/domain/cycles/earnings.ts';
import { promotedControl, restoredControl } from '../../../src/domain/cycles/promotion.ts';
import { proposalLimitReached, proposalWindowClosed, reviewRefused, reviewUnchanged, selectionProblems, withdrawRefused } from '../../../src/domain/cycles/proposals.ts';
import { cycleReport, reportTest } from '../../../src/domain/cycles/report.ts';
import { finalDecision } from '../../../src/domain/cycles/verdict-text.ts';
import { endRequestProblem } from '../../../src/domain/engagements.ts';
import type { VerdictResult } from '../../../src/domain/stats/index.ts';

describe('audience', () => {
  it.each([
    [null, 'team', 3, 'team'],
    [null, 'team', 0, 'targeted'],
    ['team', 'open', 0, 'targeted'],
    ['open', 'team', 5, 'open'],
    [null, 'targeted', 0, 'targeted'],
  ] as const)('requested %s, mode %s, team of %i → %s', (requested, mode, team, kind) => {
    expect(offerKindFor(requested, mode, team)).toBe(kind);
  });

  it.each([
    ['team', 'targeted'],
    ['targeted', 'open'],
    ['open', 'open'],
  ] as const)('widens %s to %s', (from, to) => expect(widen(from)).toBe(to));
});

describe('test design', () => {
  it.each([
    [{ baseline_rate: 0.1, mde_relative: 0.1, alpha: 0.05, variants: 2 }, null],
    [{ baseline_rate: 0.1, mde_relative: 1e-9, alpha: 0.05, variants: 2 }, '/mde_relative'],
    [{ baseline_rate: 0.1, mde_relative: 0.002, alpha: 0.05, variants: 4 }, '/mde_relative'],
    [{ baseline_rate: 0.00001, mde_relative: 0.1, alpha: 0.05, variants: 2 }, '/mde_relative'],
    [{ baseline_rate: 0.1, mde_relative: 0.1, alpha: 5e-324, variants: 2 }, '/mde_relative'],
  ])('%o → problem at %s', (d, path) => {
    const problems = designProblems(d);
    if (path === null) expect(problems).toEqual([]);
    else expect(problems[0]?.path).toBe(path);
  });

  it('plans within the cap and refuses beyond it', () => {
    const n = plannedSample({ baseline_rate: 0.1, mde_relative: 0.3, alpha: 0.05, variants: 2 });
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(MAX_PLANNED_SAMPLE);
    expect(() => plannedSample({ baseline_rate: 0.1, mde_relative: 0.001, alpha: 0.05, variants: 4 })).toThrow(/cannot be planned/);
  });

  it('checks settings against the worst page with four arms, under the given prefix', () => {
    expect(settingsProblems({ alpha: 0.05, mde_relative: 0.1 }, [{ baseline_rate: 0.1 }, { baseline_rate: 0.2 }])).toEqual([]);
    expect(settingsProblems({ alpha: 0.05, mde_relative: 0.1 }, [{ baseline_rate: 0.1 }, { baseline_rate: 0.00001 }], '/settings')[0]?.path).toBe('/settings/mde_relative');
    expect(settingsProblems({ alpha: 0.05, mde_relative: 0.003 }, [])).toEqual([]);
  });
});

describe('earnings', () => {
  const at = (s: string) => new Date(`2031-01-${s}T00:00:00Z`);
  const p = (over: Partial<EarningProposal>): EarningProposal => ({
    id: 1, hacker_id: 10, offer_id: 100, title: 'T', status: 'selected', submitted_at: at('02'), selected_at: at('05'),
    adoption_fee_yen: 150_000, win_bonus_yen: 100_000, submission_fee_yen: 0, won: false, ...over,
  });
  const run = (proposals: EarningProposal[], completed = true, team: { hacker_id: number; share_percent: number }[] = [], retainer = 0) =>
    cycleEarnings({ cycleId: 7, month: '2031-01', completed, proposals, team, teamRetainerYen: retainer, now: at('28') }).map((l) => [l.kind, l.hacker_id, l.amount_yen, l.delivered_at.toISOString().slice(0, 10)]);

  it.each([
    ['a selected winner: adoption fee and bonus, both delivered at selection', [p({ won: true })], true, [['adoption_fee', 10, 150_000, '2031-01-05'], ['win_bonus', 10, 100_000, '2031-01-05']]],
    ['a selected loser: the adoption fee only', [p({})], true, [['adoption_fee', 10, 150_000, '2031-01-05']]],
    ['rejected and withdrawn proposals earn nothing', [p({ status: 'rejected' }), p({ id: 2, status: 'withdrawn' })], true, []],
    ['submission fees count from the submission, withdrawn ones not', [p({ status: 'rejected', submission_fee_yen: 5_000 }), p({ id: 2, status: 'withdrawn', submission_fee_yen: 5_000 })], true, [['submission_fee', 10, 5_000, '2031-01-02']]],
    ['cut short: the adoption is earned, the win is not', [p({ won: true })], false, [['adoption_fee', 10, 150_000, '2031-01-05']]],
  ] as const)('%s', (_name, proposals, completed, expected) => {
    expect(run([...proposals], completed)).toEqual(expected);
  });

  it('team retainers by share, rounded down, only for a completed month', () => {
    const team = [{ hacker_id: 20, share_percent: 10 }, { hacker_id: 21, share_percent: 15 }];
    expect(run([], true, team, 333_333)).toEqual([['team_retainer', 20, 33_333, '2031-01-28'], ['team_retainer', 21, 49_999, '2031-01-28']]);
    expect(run([], false, team, 333_333)).toEqual([]);
  });

  it('one key per kind, hacker, cycle and offer', () => {
    expect(ledgerKey('win_bonus', 10, 7, 100)).toBe('win_bonus:10:7:100');
    expect(ledgerKey('team_retainer', 10, 7, null)).toBe('team_retainer:10:7:-');
  });
});

describe('page control', () => {
  const current = { description: 'current page', baseline_rate: 0.1, since_test_id: null };
  it.each([
    [{ title: 'B', n: 1000, conversions: 200, binomial: true }, { description: 'B', baseline_rate: 0.2, since_test_id: 5 }],
    [{ title: 'B', n: 1000, conversions: 200, binomial: false }, { description: 'B', baseline_rate: 0.1, since_test_id: 5 }],
    [{ title: 'B', n: 0, conversions: 0, binomial: true }, { description: 'B', baseline_rate: 0.1, since_test_id: 5 }],
  ])('a winner %o becomes %o', (winner, next) => expect(promotedControl(current, winner, 5)).toEqual(next));

  it('is given back only while the page still shows that test', () => {
    expect(restoredControl({ description: 'B', baseline_rate: 0.2, since_test_id: 5 }, current, 5)).toEqual(current);
    expect(restoredControl({ description: 'C', baseline_rate: 0.3, since_test_id: 9 }, current, 5)).toBeNull();
    expect(restoredControl({ description: 'B', baseline_rate: 0.2, since_test_id: 5 }, null, 5)).toBeNull();
  });
});

describe('proposals', () => {
  const now = new Date('2031-01-10T00:00:00Z');
  const open = { engagementStatus: 'active' as const, engagementEndReason: null, offerStatus: 'open' as const, deadline: new Date('2031-01-11T00:00:00Z') };
  it.each([
    [open, null],
    [{ ...open, deadline: now }, /closed for proposals at its deadline 2031-01-10/],
    [{ ...open, offerStatus: 'closed' as const }, /deadline/],
    [{ ...open, engagementStatus: 'ended' as const, engagementEndReason: 'budget cut' }, /engagement has ended \(budget cut\)/],
  ])('window %o → %s', (o, expected) => {
    const r = proposalWindowClosed(o, now);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatch(expected);
  });

  it('limits and withdrawals', () => {
    expect(proposalLimitReached(2, 3)).toBeNull();
    expect(proposalLimitReached(3, 3)).toMatch(/already have 3/);
    expect(withdrawRefused({ status: 'submitted' }, open, now)).toBeNull();
    expect(withdrawRefused({ status: 'selected' }, open, now)).toMatch(/only while it is submitted/);
    expect(withdrawRefused({ status: 'submitted' }, { ...open, engagementStatus: 'ended', engagementEndReason: 'x' }, now)).toMatch(/engagement has ended/);
  });

  it('reviews: a submitted proposal, returned only while its author could revise it', () => {
    const closed = { ...open, deadline: new Date(now.getTime() - 1000) };
    expect(reviewRefused({ status: 'submitted' }, open, 'return', now)).toBeNull();
    expect(reviewRefused({ status: 'submitted' }, closed, 'pass', now)).toBeNull();
    expect(reviewRefused({ status: 'submitted' }, closed, 'return', now)).toMatch(/could no longer revise/);
    expect(reviewRefused({ status: 'selected' }, open, 'pass', now)).toMatch(/selected proposal cannot be reviewed/);
    expect(reviewRefused({ status: 'submitted' }, { ...open, engagementStatus: 'ended', engagementEndReason: 'x' }, 'pass', now)).toMatch(/engagement has ended/);
    expect(reviewUnchanged({ review_status: 'passed', review_comment: null }, 'pass', 'again')).toBe(true);
    expect(reviewUnchanged({ review_status: 'returned', review_comment: 'a' }, 'return', 'a')).toBe(true);
    expect(reviewUnchanged({ review_status: 'returned', review_comment: 'a' }, 'return', 'b')).toBe(false);
    expect(reviewUnchanged({ review_status: 'pending', review_comment: null }, 'pass', null)).toBe(false);
  });

  it.each([
    [[{ offer_id: 1, proposal_ids: [11] }], []],
    [[{ offer_id: 2, proposal_ids: [11] }], ['/body/selections/0/offer_id']],
    [[{ offer_id: 1, proposal_ids: [21] }], ['/body/selections/0/proposal_ids/0']],
    [[{ offer_id: 1, proposal_ids: [12] }], ['/body/selections/0/proposal_ids/0']],
    [[{ offer_id: 1, proposal_ids: [11, 13, 14, 15] }], ['/body/selections/0/proposal_ids', '/body/selections/0/proposal_ids/3']],
    [[{ offer_id: 1, proposal_ids: [11] }, { offer_id: 1, proposal_ids: [13] }], ['/body/selections/1/offer_id']],
    // Only what CS passed (issue 23).
    [[{ offer_id: 1, proposal_ids: [11, 16, 17] }], ['/body/selections/0/proposal_ids/1', '/body/selections/0/proposal_ids/2']],
  ])('selection %j → %j', (selections, paths) => {
    const proposals = [
      { id: 11, offer_id: 1, status: 'submitted', review_status: 'passed' as const },
      { id: 12, offer_id: 1, status: 'withdrawn', review_status: 'passed' as const },
      { id: 13, offer_id: 1, status: 'submitted', review_status: 'passed' as const },
      { id: 14, offer_id: 1, status: 'submitted', review_status: 'passed' as const },
      { id: 21, offer_id: 3, status: 'submitted', review_status: 'passed' as const },
      { id: 16, offer_id: 1, status: 'submitted', review_status: 'pending' as const },
      { id: 17, offer_id: 1, status: 'submitted', review_status: 'returned' as const },
    ];
    expect(selectionProblems(selections, [1, 3], proposals).map((x) => x.path)).toEqual(paths);
  });
});

describe('report', () => {
  const result = (outcome: 'winner' | 'inconclusive', low: number): VerdictResult => ({
    variants: [{ arm: 'A', expected: 0.2, ci: [low, 0.4], uplift_stddev: 0.05 }],
    decision: outcome === 'winner' ? { outcome, arm: 'A', reason: 'r' } : { outcome, reason: 'r' },
  });
  const input = { test_id: 1, offer_id: 2, baseline_rate: 0.1, daily_visitors: 1000, value_per_conversion_yen: 5000 };
  it.each([
    ['a winner counts its lower bound', result('winner', 0.05), false, 'winner', Math.floor(0.05 * 0.1 * 1000 * 30 * 5000)],
    ['a winner whose bound is below 0 counts 0', result('winner', -0.01), false, 'winner', 0],
    ['an inconclusive test counts 0', result('inconclusive', 0.05), false, 'inconclusive', 0],
    ['an invalidated winner is invalid and counts 0', result('winner', 0.05), true, 'invalid', 0],
  ] as const)('%s', (_n, r, invalidated, outcome, yen) => {
    const t = reportTest({ ...input, result: r, invalidated });
    expect(t.outcome).toBe(outcome);
    expect(t.monthly_revenue_uplift_yen).toBe(yen);
  });

  it('sums winners and uplift over the cycle', () => {
    const r = cycleReport([{ ...input, result: result('winner', 0.05), invalidated: false }, { ...input, test_id: 3, result: result('winner', 0.05), invalidated: true }]);
    expect(r.winners).toBe(1);
    expect(r.monthly_revenue_uplift_yen).toBe(750_000);
  });
});

describe('final decision text', () => {
  const inconclusive = { outcome: 'inconclusive' as const, reason: 'no treatment differs significantly from the control at alpha 0.05; keep running until the planned sample or maximum duration' };
  it.each([
    [inconclusive, { by: 'cs', reason: 'stopped by CS: redesign' }, 'inconclusive', /^stopped by CS: redesign before the test reached a decision/],
    [inconclusive, { by: 'planned_sample', reason: 'planned sample of 900 reached' }, 'inconclusive', /^planned sample of 900 reached without a clear difference/],
    [inconclusive, { by: 'max_duration', reason: 'maximum duration reached' }, 'inconclusive', /^maximum duration reached without/],
    [{ outcome: 'winner' as const, arm: 'A', reason: '"A" beats the control' }, { by: 'srm', reason: 'p = 1e-5' }, 'invalid', /^sample ratio mismatch: p = 1e-5/],
    [{ outcome: 'winner' as const, arm: 'A', reason: '"A" beats the control' }, { by: 'cs', reason: 'stopped by CS: x' }, 'winner', /beats the control/],
  ] as const)('%o ended by %o → %s', (engine, end, outcome, reason) => {
    const d = finalDecision(engine, end);
    expect(d.outcome).toBe(outcome);
    expect(d.reason).toMatch(reason);
    expect(d.reason).not.toMatch(outcome === 'inconclusive' ? /keep running/ : /^$/);
  });
});

describe('ending an engagement', () => {
  it.each([
    ['active', 'at_month_end', undefined, null],
    ['active', 'immediately', 'contract terminated', null],
    ['active', 'immediately', '  ', '/reason'],
    ['active', 'sometime', undefined, '/mode'],
    ['ending', 'at_month_end', undefined, 'already ends at the end of 2031-01'],
    ['ending', 'immediately', 'now please', null],
    ['ended', 'immediately', 'again', 'already ended'],
  ] as const)('%s + %s (%s) → %s', (status, mode, reason, expected) => {
    const p = endRequestProblem({ status, month: '2031-01' }, { mode, reason });
    if (expected === null) expect(p).toBeNull();
    else if (expected.startsWith('/')) expect(p?.path).toBe(expected);
    else expect(p?.message).toContain(expected);
  });
});
