// 個人番号 check digit and the 支払調書 (309) e-Tax CSV against the layout's field rules.
import { describe, expect, it } from 'vitest';
import { isValidMyNumber, myNumberCheckDigit, myNumberRetainUntil } from '../../src/domain/payouts/my-number.ts';
import {
  eFilingMandatory, RECORD_309, record309, record309Problems, statementCategory, statementsDue, statutoryRecordCsv, STATEMENT_CATEGORIES,
  type StatementLine,
} from '../../src/domain/payouts/statutory-record.ts';

describe('個人番号', () => {
  it('verifies the check digit by the official formula', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(isValidMyNumber('123456789018')).toBe(true);
    expect(isValidMyNumber('123456789017')).toBe(false);
    expect(isValidMyNumber('12345678901')).toBe(false);
    expect(isValidMyNumber('12345678901a')).toBe(false);
    // Remainders 0 and 1 give check digit 0.
    expect(myNumberCheckDigit('00000000000')).toBe(0);
  });

  it('is kept until 7 years after the filing year of its last statement', () => {
    expect(myNumberRetainUntil(2026)).toBe('2034-12-31');
  });
});

const payer = { name: 'カイゼンデスク株式会社', address: '東京都千代田区丸の内1-1-1', corporate_number: '1180301018771' };
const line = (over: Partial<StatementLine>): StatementLine => ({
  hacker_id: 1, payee_type: 'resident_individual', name: 'Yamada Taro', address: '大阪府大阪市北区1-2', category: 'デザイン料', detail: '採用報酬',
  paid_yen: 300_000, unpaid_yen: 0, withheld_yen: 30_630, consumption_tax_yen: 0, number: '123456789018', ...over,
});

describe('支払調書 309 CSV', () => {
  it('every record passes the field rules: field count, widths, 全角/半角, required fields, categories', () => {
    const records = [
      line({}),
      line({ hacker_id: 2, payee_type: 'corporation', name: '株式会社ウェブ制作', number: '5010001008846', withheld_yen: 0, consumption_tax_yen: 30_000 }),
      line({ hacker_id: 3, category: '紹介手数料', detail: '紹介手数料', withheld_yen: 0, number: null }),
      line({ hacker_id: 4, payee_type: 'nonresident_individual', name: 'A'.repeat(40), address: 'x'.repeat(80) }),
    ].map((s) => record309(2026, payer, s));
    const csv = statutoryRecordCsv(records);
    const rows = csv.split('\r\n').filter(Boolean).map((r) => r.split(','));
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r).toHaveLength(RECORD_309.length);
      expect(record309Problems(r)).toEqual([]);
      expect(r[0]).toBe('309');
      expect(r[10]).toBe('08'); // 令和8年 = 2026
      expect(STATEMENT_CATEGORIES).toContain(r[15]);
    }
    expect(rows[0]![13]).toBe('Ｙａｍａｄａ\u3000Ｔａｒｏ');
    expect(rows[3]![12]).toBe('1');
    expect([...rows[3]![13]!]).toHaveLength(30);
    expect(rows[1]![21]).toBe('消費税等３００００円');
  });

  it('names each broken rule', () => {
    const r = record309(2026, payer, line({}));
    const broken = [...r];
    broken[13] = '';
    broken[17] = '1,000';
    broken[15] = 'コンサル料';
    broken[3] = 'Tokyo';
    expect(record309Problems(broken)).toEqual([
      'field 4 (提出義務者の住所(居所)又は所在地) must be 全角',
      'field 14 (支払を受ける者 氏名又は名称) is required',
      'field 18 (支払金額) has the wrong form',
      'field 16 (区分) is not a known category',
    ]);
    expect(record309Problems(r.slice(1))).toEqual([`expected ${RECORD_309.length} fields, got ${RECORD_309.length - 1}`]);
    expect(() => statutoryRecordCsv([broken])).toThrow(/field 14/);
  });

  it('categories per ledger kind: design fees デザイン料, partner commissions their own', () => {
    expect(statementCategory('adoption_fee', 'design')).toBe('デザイン料');
    expect(statementCategory('win_bonus', 'design')).toBe('デザイン料');
    expect(statementCategory('partner_commission', 'none')).toBe('紹介手数料');
    expect(statementCategory('partner_commission', 'design')).toBe('紹介手数料');
    expect(statementCategory('submission_fee', 'none')).toBe('プログラミング料');
  });

  it('a statement per payee and category over ¥50,000; e-filing from 100 statements', () => {
    const due = statementsDue([line({ paid_yen: 50_000 }), line({ paid_yen: 50_001 }), line({ category: '紹介手数料', paid_yen: 40_000 })]);
    expect(due.map((d) => d.paid_yen)).toEqual([50_001]);
    expect(eFilingMandatory(99)).toBe(false);
    expect(eFilingMandatory(100)).toBe(true);
  });
});
