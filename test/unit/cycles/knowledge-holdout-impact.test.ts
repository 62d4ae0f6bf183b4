import { describe, expect, it } from 'vitest';
import { impactRows, monthsLive } from '../../../src/domain/cycles/impact.ts';
import { anonymiseText, documentTokens, indexTokens, knowledgeSearchFields, preferWalk, normalizeSearchText, queryTokens } from '../../../src/domain/cycles/knowledge-search.ts';
import { writeCsv } from '../../../src/domain/csv.ts';
import { holdoutEffect, holdoutPoint, inHoldout } from '../../../src/domain/holdout.ts';

describe('knowledge search tokens', () => {
  it('normalises width and case', () => {
    expect(normalizeSearchText('ＣＴＡ  Button ｶﾞｲﾄﾞ')).toBe('cta button ガイド');
  });
  it('indexes every kana/kanji and adjacent pair, Latin words whole', () => {
    expect(documentTokens('申込ボタン CTA')).toEqual(['cta', 'ボ', 'ボタ', 'タ', 'タン', 'ン', '申', '申込', '込', '込ボ'].sort());
  });
  it.each([
    ['解', ['解']],
    ['解約', ['解約']],
    ['ボタン', ['タン', 'ボタ']],
    ['申込フォーム', ['フォ', 'ーム', '申込']],
    ['Free Shipping', ['free', 'shipping']],
  ])('query %s needs %j', (q, tokens) => {
    expect(queryTokens(q).tokens).toEqual([...tokens].sort());
  });
  it('looks up the rarest tokens of a long query only (unlisted = rare)', () => {
    const freq = new Map([['申込', 0.2], ['フォ', 0.1], ['ーム', 0.1], ['の入', 0.02], ['入力', 0.05]]);
    expect(indexTokens(queryTokens('申込フォームの入力').tokens, freq)).toEqual(['の入', 'フォ', '入力']);
    expect(indexTokens(['b', 'a'], new Map())).toEqual(['a', 'b']);
  });
  it('walks the id index when matches are common, uses GIN when they are rare or absent', () => {
    const base = { rows: 1_000_000, limit: 20 };
    // ボタン (18% of entries): walk ~110 rows instead of fetching 180,000.
    expect(preferWalk({ ...base, postings: 0.36, candidates: 0.18, matches: 0.18 })).toBe(true);
    // a word in 0.1%: GIN fetches 1,000 rows, a walk would visit 20,000.
    expect(preferWalk({ ...base, postings: 0.001, candidates: 0.001, matches: 0.001 })).toBe(false);
    // nothing matches: a walk would visit every row.
    expect(preferWalk({ ...base, postings: 0.3, candidates: 0.01, matches: 0 })).toBe(false);
    // common tokens whose combination is rarer (解約 + tag cta + 2023): 27,000 candidates vs a walk of ~4,300 rows.
    expect(preferWalk({ ...base, postings: 0.33, candidates: 0.027, matches: 0.0046 })).toBe(true);
  });
  it('a query matches a text when its tokens are a subset of the text tokens', () => {
    const f = knowledgeSearchFields({ hypothesis: '申込ボタンの色を変更', change: 'A: 解約フローの確認画面を短く', learnings: 'Free shipping banner', tags: ['form'], page_type: 'checkout', outcome: 'winner', industry: 'finance', month: '2026-04' });
    const doc = new Set([...f.search_tokens, ...f.search_head_tokens]);
    for (const q of ['ボタン', '解約', '申込', 'フロー', 'FREE', 'form', 'checkout']) expect(queryTokens(q).tokens.every((t) => doc.has(t))).toBe(true);
    expect(f.search_head_tokens).toEqual(expect.arrayContaining(['industry:finance', 'tag:form', 'outcome:winner', 'page:checkout', 'month:2026-04']));
    expect(f.search_tokens).not.toContain('申込');
  });
});

describe('anonymised view and CSV', () => {
  it('hides the client name and URLs', () => {
    const t = anonymiseText('Sakura Bank: https://sakura-bank.example.jp/apply and www.sakura.co.jp の申込 (ｓａｋｕｒａ bank)', ['Sakura Bank']);
    expect(t).not.toMatch(/sakura/i);
    expect(t).toContain('[client]');
    expect(t).toContain('[url]');
  });
  it('starts with a BOM and quotes what needs it', () => {
    const csv = writeCsv([['a', 'text'], ['b', 'number']], [['申込, "x"', 1]], { bom: true });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toBe('\uFEFFa,b\r\n"申込, ""x""",1\r\n');
  });
});

describe('holdout', () => {
  it('is sticky per client and visitor, independent of the test, near the configured share', () => {
    expect(holdoutPoint(7, 'v1')).toBe(holdoutPoint(7, 'v1'));
    let n = 0;
    for (let i = 0; i < 20_000; i++) if (inHoldout(7, `v${i}`, 5)) n++;
    expect(n / 20_000).toBeGreaterThan(0.045);
    expect(n / 20_000).toBeLessThan(0.055);
    expect(inHoldout(7, 'v1', 0)).toBe(false);
  });
  it('reports the difference with an interval', () => {
    const e = holdoutEffect({ n: 1000, conversions: 100 }, { n: 19000, conversions: 2280 });
    expect(e.absolute).toBeCloseTo(0.02, 10);
    expect(e.absolute_ci![0]).toBeLessThan(0.02);
    expect(e.relative).toBeCloseTo(0.2, 10);
    expect(holdoutEffect({ n: 0, conversions: 0 }, { n: 5, conversions: 1 }).absolute).toBeNull();
  });
});

describe('impact', () => {
  const tests = [
    { test_id: 1, client_id: 1, engagement_id: 1, month: '2026-01', outcome: 'winner' as const, monthly_uplift_yen: 100_000 },
    { test_id: 2, client_id: 1, engagement_id: 1, month: '2026-02', outcome: 'loser' as const, monthly_uplift_yen: 0 },
    { test_id: 3, client_id: 2, engagement_id: 2, month: '2026-02', outcome: 'inconclusive' as const, monthly_uplift_yen: 0 },
  ];
  const fees = [
    { engagement_id: 1, client_id: 1, month: '2026-01', fee_yen: 50_000 },
    { engagement_id: 1, client_id: 1, month: '2026-02', fee_yen: 50_000 },
    { engagement_id: 1, client_id: 1, month: '2026-03', fee_yen: 50_000 },
  ];
  it('counts a winner from the month after its test', () => {
    expect(monthsLive('2026-01', '2026-03')).toBe(2);
    expect(monthsLive('2026-03', '2026-03')).toBe(0);
  });
  it('per client: wins, win rate, cumulative uplift and ROI', () => {
    const [c1, c2] = impactRows(tests, fees, 'client', '2026-03');
    expect(c1).toMatchObject({ key: 'client-1', tests: 2, wins: 1, losses: 1, win_rate: 0.5, monthly_uplift_yen: 100_000, cumulative_uplift_yen: 200_000, fees_yen: 150_000, roi: 1.333 });
    expect(c2).toMatchObject({ key: 'client-2', wins: 0, inconclusive: 1, win_rate: 0, fees_yen: 0, roi: null });
  });
  it('per month: the uplift in force and its running total', () => {
    const rows = impactRows(tests, fees, 'month', '2026-03');
    expect(rows.map((r) => [r.key, r.wins, r.monthly_uplift_yen, r.cumulative_uplift_yen, r.fees_yen])).toEqual([
      ['2026-01', 1, 0, 0, 50_000],
      ['2026-02', 0, 100_000, 100_000, 50_000],
      ['2026-03', 0, 100_000, 200_000, 50_000],
    ]);
  });
  it("per month: ROI is to date (uplift so far ÷ fees so far), the expected uplift beside the lower bound's", () => {
    const withExpected = tests.map((t) => ({ ...t, expected_monthly_uplift_yen: t.monthly_uplift_yen * 2 }));
    const rows = impactRows(withExpected, fees, 'month', '2026-03');
    expect(rows.map((r) => [r.key, r.roi, r.expected_monthly_uplift_yen])).toEqual([
      ['2026-01', 0, 0],
      ['2026-02', 1, 200_000],
      ['2026-03', 1.333, 200_000],
    ]);
  });
});
