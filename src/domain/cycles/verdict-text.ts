// The final decision of a test as a person reads it: the engine's decision, corrected for how the
// test ended (an SRM overrides any lift; a test stopped by CS before a decision says so instead of
// "keep running").
import type { Decision, TestDecision } from '../stats/index.ts';

export type TestEnd =
  | { by: 'srm'; reason: string }
  | { by: 'cs'; reason: string }
  | { by: 'engine' | 'planned_sample' | 'max_duration'; reason: string };

export function finalDecision<D extends Decision | TestDecision>(engine: D, end: TestEnd): D {
  if (end.by === 'srm' && engine.outcome !== 'invalid') {
    return { ...engine, outcome: 'invalid', arm: undefined, reason: `sample ratio mismatch: ${end.reason}` };
  }
  if (engine.outcome !== 'inconclusive') return engine;
  if (end.by === 'cs') {
    return { ...engine, reason: `${end.reason} before the test reached a decision: no treatment differs clearly from the control in the data collected` };
  }
  if (end.by === 'planned_sample' || end.by === 'max_duration') {
    return { ...engine, reason: `${end.reason} without a clear difference: no treatment beats or loses to the control` };
  }
  return engine;
}

type Lang = 'ja' | 'en';
const METHOD: Record<string, Record<Lang, string>> = {
  holm: { ja: 'Holm 法', en: 'Holm' },
  'benjamini-hochberg': { ja: 'Benjamini–Hochberg 法', en: 'Benjamini–Hochberg' },
};

/** "3 件の比較で Holm 法により補正" / "Holm-corrected over 3 comparisons"; null before issue 25 (no correction recorded). */
export function correctionText(d: Decision | TestDecision, lang: Lang): string | null {
  if (!('correction' in d)) return null;
  const { method, comparisons: n } = d.correction;
  const name = METHOD[method];
  if (!name) return lang === 'ja' ? `${n} 件の比較、補正なし` : `uncorrected, ${n} comparison${n === 1 ? '' : 's'}`;
  return lang === 'ja' ? `${n} 件の比較で ${name.ja}により補正` : `${name.en}-corrected over ${n} comparison${n === 1 ? '' : 's'}`;
}

/**
 * The decision in a person's words, from its codes (not the engine's English reason): who won or lost,
 * which guardrail blocked a win and that CS decides, and the correction behind it.
 */
export function verdictText(d: Decision | TestDecision, lang: Lang): string {
  const arm = d.arm ?? '';
  const metric = 'metric' in d ? d.metric : 'conversion';
  const guardrail = 'guardrail' in d ? d.guardrail?.id : undefined;
  const text: Record<string, Record<Lang, string>> = {
    winner: { ja: `案 ${arm} の勝ち（${metric}）`, en: `Variant ${arm} wins on ${metric}` },
    loser: { ja: `案 ${arm} は現行ページより悪い結果（${metric}）`, en: `Variant ${arm} is worse than the control on ${metric}` },
    inconclusive: { ja: `明確な差はありません（${metric}）`, en: `No clear difference on ${metric}` },
    invalid: { ja: `このテスト結果は信頼できません：${d.reason}`, en: `This test's result cannot be trusted: ${d.reason}` },
    blocked_by_guardrail: {
      ja: `案 ${arm} は ${metric} で勝ちましたが、ガードレール ${guardrail} が有意に悪化したため保留：反映せず、成功報酬なし。CS が判断します`,
      en: `Variant ${arm} won on ${metric} but is significantly worse on the guardrail ${guardrail}: not promoted, no win bonus; CS decides`,
    },
  };
  const main = text[d.outcome]![lang];
  const corrected = d.outcome === 'invalid' ? null : correctionText(d, lang);
  return corrected === null ? main : lang === 'ja' ? `${main}（${corrected}）` : `${main} (${corrected})`;
}
