import { describe, expect, it } from 'vitest';
import { briefFromTemplate, briefTransitionRefused, renderBriefText, type BriefContent } from '../../src/domain/cycles/brief.ts';
import { briefChecklist, briefPower, powerSentence, BRIEF_TEST_DAYS } from '../../src/domain/cycles/brief-checklist.ts';
import { mde, sampleSize } from '../../src/domain/stats/index.ts';

const complete = (over: Partial<BriefContent> = {}): BriefContent => ({
  ...briefFromTemplate('finance'),
  page_ids: [1],
  observation: 'half of the visitors leave at the income field',
  hypothesis: 'the field looks mandatory and intrusive',
  expected_change: 'more completed applications',
  visibility: 'open',
  ...over,
});
const page = { baseline_rate: 0.05, daily_visitors: 4000, value_per_conversion_yen: 12000 };
const settings = { mde_relative: 0.1, alpha: 0.05 };
const rule = (c: ReturnType<typeof briefChecklist>, r: string) => c.items.find((i) => i.rule === r)!;

describe('brief checklist', () => {
  it('passes a complete brief whose page can detect the month’s MDE', () => {
    const c = briefChecklist({ content: complete(), industry: 'finance', page, settings, pageKnowledgeIds: [] });
    expect(c.items.filter((i) => !i.passed)).toEqual([]);
    expect(c.passed).toBe(true);
    expect(c.score).toBe(1);
  });

  it('computes the power sentence with the stats engine and fails when the traffic cannot reach the MDE', () => {
    const expected = mde({ baseline_rate: 0.05, alpha: 0.05, power: 0.8, variants: 2, n_total: 4000 * BRIEF_TEST_DAYS }).mde_relative!;
    const p = briefPower(page, settings);
    expect(p.detectable_relative).toBe(expected);
    expect(p.days_for_target).toBe(sampleSize({ baseline_rate: 0.05, alpha: 0.05, power: 0.8, variants: 2, mde_relative: 0.1, daily_traffic: 4000 }).days);
    expect(powerSentence(p)).toBe(`with your traffic this test can detect a +${(expected * 100).toFixed(1)}% change in ${BRIEF_TEST_DAYS} days`);

    const small = briefChecklist({ content: complete(), industry: 'finance', page: { ...page, daily_visitors: 100 }, settings, pageKnowledgeIds: [] });
    expect(small.passed).toBe(false);
    expect(rule(small, 'detectable_effect').passed).toBe(false);
    expect(rule(small, 'detectable_effect').detail).toMatch(/^with your traffic this test can detect a \+\d+\.\d% change in 28 days; the month's \+10\.0% needs \d+ days for it$/);
  });

  it('needs a measurable metric: a page, traffic, a rate, a value for revenue', () => {
    const none = briefChecklist({ content: complete(), industry: 'finance', page: null, settings, pageKnowledgeIds: [] });
    expect(rule(none, 'metric_measurable').passed).toBe(false);
    expect(rule(none, 'detectable_effect').passed).toBe(false);
    const revenue = briefChecklist({ content: complete({ primary_metric: 'revenue' }), industry: 'finance', page: { ...page, value_per_conversion_yen: 0 }, settings, pageKnowledgeIds: [] });
    expect(rule(revenue, 'metric_measurable').detail).toBe('revenue needs a value per conversion on the page');
  });

  it('asks for one reviewed past entry of the page when there are any', () => {
    const unread = briefChecklist({ content: complete(), industry: 'finance', page, settings, pageKnowledgeIds: [7, 9] });
    expect(rule(unread, 'knowledge_reviewed')).toMatchObject({ passed: false, detail: '0 of 2 past entries for this page reviewed' });
    // An id of another page's entry does not count.
    const other = briefChecklist({ content: complete({ reviewed_knowledge_ids: [3] }), industry: 'finance', page, settings, pageKnowledgeIds: [7, 9] });
    expect(rule(other, 'knowledge_reviewed').passed).toBe(false);
    const read = briefChecklist({ content: complete({ reviewed_knowledge_ids: [9] }), industry: 'finance', page, settings, pageKnowledgeIds: [7, 9] });
    expect(rule(read, 'knowledge_reviewed').passed).toBe(true);
  });

  it('needs an explicit visibility and, for finance, cosmetics and health, the constraints', () => {
    const noVis = briefChecklist({ content: complete({ visibility: null }), industry: 'finance', page, settings, pageKnowledgeIds: [] });
    expect(rule(noVis, 'visibility_chosen').passed).toBe(false);
    for (const industry of ['finance', 'cosmetics', 'health']) {
      const c = briefChecklist({ content: complete({ constraints: ' ', mandatory_notices: [] }), industry, page, settings, pageKnowledgeIds: [] });
      expect(rule(c, 'constraints_stated').passed, industry).toBe(false);
      expect(c.score).toBeCloseTo(5 / 6);
    }
    const recruiting = briefChecklist({ content: complete({ constraints: '', mandatory_notices: [] }), industry: 'recruiting', page, settings, pageKnowledgeIds: [] });
    expect(rule(recruiting, 'constraints_stated').passed).toBe(true);
  });

  it('moves draft → in_review → approved → posted only', () => {
    expect(briefTransitionRefused('draft', 'submit_for_review')).toBeUndefined();
    expect(briefTransitionRefused('in_review', 'approve')).toBeUndefined();
    expect(briefTransitionRefused('in_review', 'return')).toBeUndefined();
    expect(briefTransitionRefused('approved', 'post')).toBeUndefined();
    expect(briefTransitionRefused('draft', 'post')).toBe('the brief is draft; post needs it approved');
    expect(briefTransitionRefused('in_review', 'edit')).toMatch(/in_review/);
    expect(briefTransitionRefused('posted', 'approve')).toMatch(/posted/);
  });

  it('renders the offer text from the fields', () => {
    const text = renderBriefText(complete(), { url: 'https://x.example/apply', page_type: 'form' });
    expect(text).toContain('Based on half of the visitors leave at the income field, we expect more completed applications because the field looks mandatory and intrusive.');
    expect(text).toContain('Page: https://x.example/apply (form)');
    expect(text).toContain('Constraints: No misleading claims');
  });
});
