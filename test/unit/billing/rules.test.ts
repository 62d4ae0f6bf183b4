// Billing rules as tables of cases: tax once per rate, proration, due dates, drafting, payer names,
// receipt matching, statement CSV, consumption tax on payouts and input-tax credit.
import { describe, expect, it } from 'vitest';
import {
  applyBp,
  daysRan,
  draftInvoices,
  dueDate,
  invoiceTotals,
  matchReceipt,
  parseStatementCsv,
  payeeConsumptionTax,
  payerKey,
  standardRateBp,
  taxPerRate,
  unregisteredCreditBp,
  commissionYen,
  type EngagementToBill,
} from '../../../src/domain/billing/index.ts';
import { monthStartUtcMs } from '../../../src/domain/months.ts';
import { ValidationError } from '../../../src/domain/errors.ts';

describe('consumption tax: once per invoice per rate', () => {
  it.each([
    // [line amounts, rounding, expected tax]; per-line floor would give a different figure in each row
    [[333, 333, 334], 'floor', 100], // per line: 33+33+33 = 99
    [[105, 105, 105], 'floor', 31], // per line: 10×3 = 30
    [[1_999, 1_999], 'floor', 399], // per line: 199×2 = 398
    [[105, 105, 105], 'half_up', 32], // 31.5 → 32 (per line 11×3 = 33)
    [[101], 'ceil', 11],
    [[100], 'ceil', 10],
    [[-105, -105, -105], 'floor', -31], // credit notes round symmetrically
  ] as const)('%j %s → tax %i', (amounts, rounding, tax) => {
    const t = invoiceTotals(amounts.map((a) => ({ amount_yen: a, tax_rate_bp: 1000 })), rounding);
    expect(t.tax_yen).toBe(tax);
    expect(t.total_yen).toBe(amounts.reduce((s, a) => s + a, 0) + tax);
    expect(t.per_rate).toHaveLength(1);
  });

  it('keeps one total per rate', () => {
    const r = taxPerRate(
      [
        { amount_yen: 1000, tax_rate_bp: 1000 },
        { amount_yen: 999, tax_rate_bp: 800 },
        { amount_yen: 1, tax_rate_bp: 800 },
      ],
      'floor',
    );
    expect(r).toEqual([
      { rate_bp: 1000, taxable_yen: 1000, tax_yen: 100 },
      { rate_bp: 800, taxable_yen: 1000, tax_yen: 80 },
    ]);
  });

  it.each([
    [12_345, 1000, 'floor', 1234],
    [12_345, 1000, 'half_up', 1235],
    [12_344, 1000, 'half_up', 1234],
    [12_341, 1000, 'ceil', 1235],
    [9_007_199_254_740, 1000, 'floor', 900_719_925_474],
  ] as const)('applyBp(%i, %i, %s) = %i', (a, bp, r, want) => expect(applyBp(a, bp, r)).toBe(want));
});

describe('dated rate tables', () => {
  it.each([
    ['2019-09-30', 800],
    ['2019-10-01', 1000],
    ['2031-01-01', 1000],
  ])('standard rate on %s is %i bp', (d, bp) => expect(standardRateBp(d)).toBe(bp));
  it.each([
    ['2023-09-30', 10_000],
    ['2023-10-01', 8000],
    ['2026-09-30', 8000],
    ['2026-10-01', 5000],
    ['2029-09-30', 5000],
    ['2029-10-01', 0],
  ])('unregistered input-tax credit on %s is %i bp', (d, bp) => expect(unregisteredCreditBp(d)).toBe(bp));
});

describe('proration: days an engagement ran in the month', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['2026-04', undefined, 30],
    ['2026-04', at('2026-04-15T03:00:00Z'), 15], // ended 12:00 JST on the 15th: the 15th counts
    ['2026-04', at('2026-04-14T15:00:00Z'), 15], // 00:00 JST on the 15th
    ['2026-04', at('2026-04-14T14:59:59Z'), 14],
    ['2026-04', monthStartUtcMs('2026-05'), 30], // ended at the month end: whole month
    ['2026-04', monthStartUtcMs('2026-04'), 0],
    ['2026-02', at('2026-02-10T01:00:00Z'), 10],
  ] as const)('%s ended %s → %i days', (m, ended, days) => expect(daysRan(m, ended)).toBe(days));
});

describe('due dates', () => {
  const terms = (o: Partial<Parameters<typeof dueDate>[1]> = {}) => ({ due_rule: 'next_month_end' as const, due_days: 30, holiday_shift: 'previous' as const, ...o });
  it.each([
    ['2026-03', terms(), '2026-04-30'], // Thursday
    ['2026-04', terms(), '2026-05-29'], // 05-31 is a Sunday → Friday 29th
    ['2026-04', terms({ holiday_shift: 'next' }), '2026-06-01'],
    ['2026-11', terms(), '2026-12-30'], // 12-31 is a bank holiday
    ['2026-11', terms({ holiday_shift: 'next' }), '2027-01-04'], // 12/31–1/3 closed
    ['2026-03', terms({ due_rule: 'days_after_close', due_days: 30 }), '2026-04-30'],
    ['2026-04', terms({ due_rule: 'days_after_close', due_days: 10 }), '2026-05-08'], // 05-10 Sunday → Fri 8th (05-06 振替休日 not hit)
  ] as const)('%s %j → %s', (m, t, want) => expect(dueDate(m, t)).toBe(want));
});

describe('drafting', () => {
  const base = (o: Partial<EngagementToBill>): EngagementToBill => ({
    engagement_id: 1,
    client_id: 10,
    client_name: '株式会社テスト',
    start_month: '2026-01',
    plan: { platform_fee_yen: 300_000, cs_support_yen: 0, growth_team_yen: 0 },
    ...o,
  });
  const draft = (es: EngagementToBill[], month = '2026-04') =>
    draftInvoices({ month, rounding: 'floor', engagements: es, terms: () => ({ due_rule: 'next_month_end', due_days: 30, holiday_shift: 'previous' }) });

  it('one invoice per client, one line per engagement and item, tax once', () => {
    const inv = draft([
      base({ engagement_id: 1, plan: { platform_fee_yen: 333_333, cs_support_yen: 50_001, growth_team_yen: 0 } }),
      base({ engagement_id: 2, plan: { platform_fee_yen: 100_005, cs_support_yen: 0, growth_team_yen: 20_005 } }),
      base({ engagement_id: 3, client_id: 11, client_name: '別会社' }),
    ]);
    expect(inv.map((i) => i.draft_key)).toEqual(['2026-04:client:10', '2026-04:client:11']);
    const a = inv[0]!;
    expect(a.lines.map((l) => [l.engagement_id, l.item, l.amount_yen])).toEqual([
      [1, 'platform_fee', 333_333],
      [1, 'cs_support', 50_001],
      [2, 'platform_fee', 100_005],
      [2, 'growth_team', 20_005],
    ]);
    // Σ 503,344 → tax 50,334 (per-line floor: 33,333+5,000+10,000+2,000 = 50,333)
    expect(a.totals).toMatchObject({ subtotal_yen: 503_344, tax_yen: 50_334, total_yen: 553_678 });
    expect(a).toMatchObject({ period_start: '2026-04-01', period_end: '2026-04-30', due_date: '2026-05-29' });
  });

  it('prorates an engagement ended mid-month by days ran; skips not-yet-started and ended-before', () => {
    const inv = draft([
      base({ engagement_id: 1, ended_at_ms: Date.parse('2026-04-10T05:00:00Z') }),
      base({ engagement_id: 2, start_month: '2026-05' }),
      base({ engagement_id: 3, ended_at_ms: Date.parse('2026-03-20T05:00:00Z') }),
    ]);
    expect(inv).toHaveLength(1);
    expect(inv[0]!.lines).toEqual([expect.objectContaining({ engagement_id: 1, amount_yen: 100_000, days_billed: 10, days_in_month: 30 })]);
    expect(inv[0]!.lines[0]!.description).toContain('日割 10/30日');
  });

  it('a resale bills the partner at the wholesale price, not the client', () => {
    const inv = draft([
      base({ engagement_id: 1, attribution: { partner_id: 7, partner_name: '株式会社パートナー', mode: 'resale', wholesale_bp: 7000 } }),
      base({ engagement_id: 2, attribution: { partner_id: 8, partner_name: '紹介社', mode: 'referral', wholesale_bp: 10_000 } }),
    ]);
    expect(inv.map((i) => [i.bill_to.kind, i.bill_to.id, i.totals.subtotal_yen])).toEqual([
      ['partner', 7, 210_000],
      ['client', 10, 300_000],
    ]);
  });
});

describe('payer names and matching', () => {
  it.each([
    // small kana become large (Zengin), legal-form marks and spaces go
    ['ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ', 'ｶｲｾﾞﾝｼﾖｳｼﾞ'],
    ['カイゼンショウジ', 'ｶｲｾﾞﾝｼﾖｳｼﾞ'],
    ['ｶｲｾﾞﾝ ｼｮｳｼﾞ(ｶ', 'ｶｲｾﾞﾝｼﾖｳｼﾞ'],
    ['株式会社カイゼンショウジ', 'ｶｲｾﾞﾝｼﾖｳｼﾞ'],
    ['かいぜんしょうじ', 'ｶｲｾﾞﾝｼﾖｳｼﾞ'],
  ])('%s → %s', (raw, key) => expect(payerKey(raw)).toBe(key));
  it('rejects kanji-only names', () => expect(payerKey('山田')).toBeUndefined());

  const open = [
    { invoice_id: 1, outstanding_yen: 330_000, payer_keys: [payerKey('ｶｲｾﾞﾝｼｮｳｼﾞ')!], due_date: '2026-05-29' },
    { invoice_id: 2, outstanding_yen: 550_000, payer_keys: [payerKey('ｶｲｾﾞﾝｼｮｳｼﾞ')!], due_date: '2026-06-30' },
    { invoice_id: 3, outstanding_yen: 330_000, payer_keys: [payerKey('ﾍﾞﾂｼﾔ')!], due_date: '2026-05-29' },
  ];
  it.each([
    [330_000, 'ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ', { matched: true, invoice_id: 1, fee_yen: 0, how: 'exact' }],
    [329_340, 'ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ', { matched: true, invoice_id: 1, fee_yen: 660, how: 'within_fee_tolerance' }],
    [549_120, 'ｶｲｾﾞﾝｼｮｳｼﾞ', { matched: true, invoice_id: 2, fee_yen: 880, how: 'within_fee_tolerance' }],
    [549_119, 'ｶｲｾﾞﾝｼｮｳｼﾞ', { matched: false }], // short by 881
    [330_001, 'ｶｲｾﾞﾝｼｮｳｼﾞ', { matched: false }], // over-paid
    [330_000, 'ｶｲｾﾞﾝｼｮｳｼﾞｱ', { matched: false }], // another name
    [330_000, 'ﾍﾞﾂｼﾔ', { matched: true, invoice_id: 3 }],
  ])('%i from %s', (amount, name, want) => expect(matchReceipt({ amount_yen: amount, payer_name: name }, open, 880)).toMatchObject(want));
});

describe('bank statement CSV', () => {
  it('parses the documented format', () => {
    expect(parseStatementCsv('date,payer_name,amount\n2026/05/29,ｶ)ｶｲｾﾞﾝ,"1,099,890"\n\n2026-05-30,ﾍﾞﾂｼﾔ,5000\n')).toEqual([
      { line: 2, received_on: '2026-05-29', payer_name: 'ｶ)ｶｲｾﾞﾝ', amount_yen: 1_099_890 },
      { line: 4, received_on: '2026-05-30', payer_name: 'ﾍﾞﾂｼﾔ', amount_yen: 5000 },
    ]);
  });
  it('names the bad line and column', () => {
    try {
      parseStatementCsv('date,payer_name,amount\n2026-05-29,ｶｲｾﾞﾝ,12.5\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual([{ path: '/line/2/amount', message: expect.any(String) }]);
    }
  });
});

describe('consumption tax on payouts', () => {
  const reg = { registration_number: 'T1180301018771', registered_on: '2023-10-01', expires_on: null };
  it.each([
    [500_000, reg, '2026-05-25', { registered: true, consumption_tax_yen: 50_000, creditable_input_tax_yen: 50_000 }],
    [500_000, null, '2026-05-25', { registered: false, consumption_tax_yen: 0, deemed_input_tax_yen: 45_454, creditable_input_tax_yen: 36_363, credit_bp: 8000 }],
    [500_000, null, '2026-10-26', { registered: false, deemed_input_tax_yen: 45_454, creditable_input_tax_yen: 22_727, credit_bp: 5000 }],
    [500_000, { ...reg, registered_on: '2026-06-01' }, '2026-05-25', { registered: false }],
    [500_000, { ...reg, expires_on: '2026-04-30' }, '2026-05-25', { registered: false }],
  ] as const)('fee %i, %j on %s', (fee, r, d, want) => expect(payeeConsumptionTax(fee, r, d)).toMatchObject(want));
  it.each([
    [300_000, 1500, 45_000],
    [333_333, 1000, 33_333],
  ])('commission on %i at %i bp = %i', (a, bp, c) => expect(commissionYen(a, bp)).toBe(c));
});

describe('the worked example of docs/billing.md', () => {
  it('April 2026: invoice, receipt, commission, payee tax', () => {
    const [inv] = draftInvoices({
      month: '2026-04',
      rounding: 'floor',
      terms: () => ({ due_rule: 'next_month_end', due_days: 30, holiday_shift: 'previous' }),
      engagements: [
        { engagement_id: 1, client_id: 1, client_name: '株式会社カイゼン商事', start_month: '2026-01', plan: { platform_fee_yen: 300_000, cs_support_yen: 50_000, growth_team_yen: 0 } },
        { engagement_id: 2, client_id: 1, client_name: '株式会社カイゼン商事', start_month: '2026-01', ended_at_ms: Date.parse('2026-04-10T02:00:00Z'), plan: { platform_fee_yen: 200_000, cs_support_yen: 0, growth_team_yen: 0 } },
      ],
    });
    expect(inv!.lines.map((l) => l.amount_yen)).toEqual([300_000, 50_000, 66_666]);
    expect(inv!.totals).toMatchObject({ subtotal_yen: 416_666, tax_yen: 41_666, total_yen: 458_332 });
    expect(inv!.due_date).toBe('2026-05-29');
    const m = matchReceipt({ amount_yen: 457_672, payer_name: 'ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ' }, [{ invoice_id: 1, outstanding_yen: 458_332, payer_keys: [payerKey('カイゼンショウジ')!], due_date: '2026-05-29' }], 880);
    expect(m).toEqual({ matched: true, invoice_id: 1, fee_yen: 660, how: 'within_fee_tolerance' });
    expect(commissionYen(300_000, 1500) + commissionYen(50_000, 1500)).toBe(52_500);
    const reg = { registration_number: 'T1180301018771', registered_on: '2023-10-01', expires_on: null };
    expect(payeeConsumptionTax(52_500, reg, '2026-04-24').consumption_tax_yen).toBe(5_250);
    expect(payeeConsumptionTax(120_000, reg, '2026-04-24').consumption_tax_yen).toBe(12_000);
    expect(payeeConsumptionTax(120_000, null, '2026-04-24')).toMatchObject({ consumption_tax_yen: 0, deemed_input_tax_yen: 10_909, creditable_input_tax_yen: 8_727 });
  });
});

describe('consumption-tax history', () => {
  it.each([
    ['2000-01-31', 500],
    ['2014-03-31', 500],
    ['2014-04-01', 800],
    ['2019-10-01', 1000],
  ])('%s → %i bp', async (date, bp) => {
    const { standardRateBp } = await import('../../../src/domain/billing/rates.ts');
    expect(standardRateBp(date)).toBe(bp);
  });
});
