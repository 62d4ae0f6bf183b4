import { describe, expect, it } from 'vitest';
import { filledShare, orderingMonth, orderingTrend, type OrderingCounts } from '../../../src/domain/cycles/ordering-ability.ts';
import { addendumText, answerRefused, askRefused, extendedDeadline, questionVisible } from '../../../src/domain/cycles/questions.ts';

const counts = (over: Partial<OrderingCounts> = {}): OrderingCounts => ({
  month: '2026-09',
  offers: 2,
  brief_completeness_sum: 1.6,
  questions: 3,
  proposals: 4,
  proposals_passed: 3,
  proposals_selected: 2,
  tests_decided: 2,
  tests_won: 1,
  uplift_yen: 250_000.4,
  ...over,
});

describe('ordering ability', () => {
  it('turns a month of counts into per-offer figures and rates', () => {
    expect(orderingMonth(counts())).toEqual({
      month: '2026-09',
      offers: 2,
      brief_completeness: 0.8,
      questions_per_offer: 1.5,
      proposals_per_offer: 2,
      proposals_passed: 3,
      qa_pass_rate: 0.75,
      selection_rate: 0.5,
      win_rate: 0.5,
      uplift_yen: 250_000,
    });
  });

  it('says nothing (null), not zero, where there is nothing to divide by', () => {
    const m = orderingMonth(counts({ offers: 0, brief_completeness_sum: 0, questions: 0, proposals: 0, proposals_passed: 0, proposals_selected: 0, tests_decided: 0, tests_won: 0, uplift_yen: 0 }));
    expect([m.brief_completeness, m.questions_per_offer, m.proposals_per_offer, m.qa_pass_rate, m.selection_rate, m.win_rate]).toEqual([null, null, null, null, null, null]);
    expect(m.uplift_yen).toBe(0);
  });

  it('orders the trend oldest month first', () => {
    expect(orderingTrend([counts({ month: '2026-12' }), counts({ month: '2026-09' }), counts({ month: '2026-11' })]).map((m) => m.month)).toEqual(['2026-09', '2026-11', '2026-12']);
  });

  it('measures a brief by the share of its filled fields', () => {
    expect(filledShare({ problem: 'Shipping shown late', page: 3, metric: 'conversion', skills: ['copy'], visibility: 'team' })).toBe(1);
    expect(filledShare({ problem: '  ', page: 3, metric: 'conversion', skills: [], visibility: null })).toBe(0.4);
    expect(filledShare({ goal: { metric: 'conversion' }, constraints: {}, notes: '' })).toBeCloseTo(1 / 3);
    expect(filledShare({})).toBe(0);
  });
});

describe('Q&A rules', () => {
  const deadline = new Date('2026-12-10T00:00:00Z');
  const day = 86_400_000;
  const open = { deadline, status: 'open' as const, qa_extended: false };

  it('a question is for its asker and the owners until answered, then for the whole audience', () => {
    const pending = { hacker_id: 7, answered_at: null };
    expect(questionVisible(pending, { role: 'hacker', hacker_id: 7 })).toBe(true);
    expect(questionVisible(pending, { role: 'hacker', hacker_id: 8 })).toBe(false);
    expect(questionVisible(pending, { role: 'client', hacker_id: null })).toBe(true);
    expect(questionVisible({ ...pending, answered_at: new Date() }, { role: 'hacker', hacker_id: 8 })).toBe(true);
  });

  it('an addendum in the last day moves the deadline by a day, once', () => {
    expect(extendedDeadline(open, new Date(deadline.getTime() - 3_600_000), day)).toEqual(new Date(deadline.getTime() + day));
    expect(extendedDeadline(open, new Date(deadline.getTime() - day - 1), day)).toBeNull();
    expect(extendedDeadline({ ...open, qa_extended: true }, new Date(deadline.getTime() - 1000), day)).toBeNull();
    expect(extendedDeadline({ ...open, status: 'closed' }, new Date(deadline.getTime() - 1000), day)).toBeNull();
    expect(extendedDeadline(open, deadline, day)).toBeNull();
  });

  it('asks only while the offer is open; answers once', () => {
    const w = { engagementStatus: 'active' as const, engagementEndReason: null, offerStatus: 'open' as const, deadline };
    expect(askRefused(w, new Date(deadline.getTime() - 1))).toBeNull();
    expect(askRefused(w, deadline)).toMatch(/closed for questions/);
    expect(answerRefused({ id: 1, answered_at: null }, { engagementStatus: 'active' })).toBeNull();
    expect(answerRefused({ id: 1, answered_at: deadline }, { engagementStatus: 'active' })).toMatch(/already answered/);
    expect(addendumText(2, ' May we change the CTA? ', 'Yes.')).toBe('Addendum 2\nQ: May we change the CTA?\nA: Yes.');
  });
});
