// The verdict in words, from the decision's codes (issue 25): the correction and its number of
// comparisons, the guardrail that blocked a win and that CS decides, in Japanese and English.
import { describe, expect, it } from 'vitest';
import { verdictText } from '../../../src/domain/cycles/verdict-text.ts';
import { testVerdict } from '../../../src/domain/stats/index.ts';

const arm = (name: string, n: number, conversions: number) => ({ arm: name, n, conversions });

describe('verdictText', () => {
  it('says a three-variant test was corrected by Holm over three comparisons', () => {
    const v = testVerdict({
      engine: 'frequentist',
      metrics: [{ id: 'conversion', kind: 'binomial', role: 'primary', arms: [arm('control', 10_000, 500), arm('A', 10_000, 574), arm('B', 10_000, 500), arm('C', 10_000, 500)] }],
    });
    expect(v.decision.outcome).toBe('inconclusive');
    expect(verdictText(v.decision, 'ja')).toBe('明確な差はありません（conversion）（3 件の比較で Holm 法により補正）');
    expect(verdictText(v.decision, 'en')).toBe('No clear difference on conversion (Holm-corrected over 3 comparisons)');
  });

  it('names the guardrail that blocked a win and says CS decides', () => {
    const v = testVerdict({
      engine: 'frequentist',
      metrics: [
        { id: 'conversion', kind: 'binomial', role: 'primary', arms: [arm('control', 1500, 150), arm('A', 1500, 240)] },
        { id: 'revenue', kind: 'mean', role: 'guardrail', arms: [{ arm: 'control', n: 1500, sum: 1_500_000, sum_squares: 1.6e10 }, { arm: 'A', n: 1500, sum: 1_080_000, sum_squares: 5e9 }] },
      ],
    });
    expect(v.decision.outcome).toBe('blocked_by_guardrail');
    expect(verdictText(v.decision, 'ja')).toBe('案 A は conversion で勝ちましたが、ガードレール revenue が有意に悪化したため保留：反映せず、成功報酬なし。CS が判断します（1 件の比較で Holm 法により補正）');
    expect(verdictText(v.decision, 'en')).toBe('Variant A won on conversion but is significantly worse on the guardrail revenue: not promoted, no win bonus; CS decides (Holm-corrected over 1 comparison)');
  });

  it('a verdict from before the correction existed says nothing about one', () => {
    expect(verdictText({ outcome: 'winner', arm: 'B', reason: 'p < 0.05' }, 'en')).toBe('Variant B wins on conversion');
  });
});
