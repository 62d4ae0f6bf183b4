import { describe, expect, it } from 'vitest';
import zenginCode from 'zengin-code';
import { ValidationError } from '../../../src/domain/errors.ts';
import { ZENGIN_NAME_CHARS, lookupBank, lookupBranch, yuchoToZengin } from '../../../src/domain/payouts/index.ts';

describe('bank and branch lookup (zengin-code)', () => {
  it('known banks and branches in Zengin half-width kana', () => {
    expect(lookupBank('0001')?.zengin_name).toBe('ﾐｽﾞﾎ');
    expect(lookupBank('0036')?.zengin_name).toBe('ﾗｸﾃﾝ');
    expect(lookupBank('0033')?.zengin_name).toBe('ﾍﾟｲﾍﾟｲ');
    expect(lookupBank('9900')?.zengin_name).toBe('ﾕｳﾁﾖ');
    expect(lookupBranch('0001', '001')?.zengin_name).toBe('ﾄｳｷﾖｳ');
    expect(lookupBranch('0036', '201')?.zengin_name).toBe('ｼﾞﾔｽﾞ');
    expect(lookupBranch('0009', '015')?.zengin_name).toBe('ﾄｳｷﾖｳﾁﾕｳｵｳ');
    expect(lookupBranch('0033', '003')?.zengin_name).toBe('ﾊﾔﾌﾞｻ');
  });

  it.each([['9998'], ['001'], ['00001'], ['abcd'], ['toString'], ['__proto__']])('unknown bank %s → undefined', (code) => {
    expect(lookupBank(code)).toBeUndefined();
  });

  it('unknown branch → undefined', () => {
    expect(lookupBranch('0001', '999')).toBeUndefined();
    expect(lookupBranch('9998', '001')).toBeUndefined();
    expect(lookupBranch('0001', '01')).toBeUndefined();
    expect(lookupBranch('0001', 'constructor')).toBeUndefined();
  });

  it('every bank and branch name in the pinned data set converts to the Zengin character set', () => {
    let count = 0;
    for (const [code, bank] of Object.entries(zenginCode)) {
      const b = lookupBank(code)!;
      expect(b.zengin_name.length, `${code} ${bank.kana}`).toBeGreaterThan(0);
      expect(ZENGIN_NAME_CHARS.test(b.zengin_name)).toBe(true);
      for (const br of Object.keys(bank.branches)) {
        const z = lookupBranch(code, br)!.zengin_name;
        if (z.length === 0 || !ZENGIN_NAME_CHARS.test(z)) throw new Error(`${code}/${br}: ${z}`);
        count++;
      }
    }
    expect(count).toBeGreaterThan(10_000);
  });
});

describe('ゆうちょ 記号/番号 → Zengin account', () => {
  it('branch = digits 2-3 of the 記号 + 8; account = first 7 of the 8-digit 番号', () => {
    expect(yuchoToZengin('12340', '12345671')).toEqual({
      bank_code: '9900',
      branch_code: '238',
      account_type: '1',
      account_number: '1234567',
    });
    expect(yuchoToZengin('10180', '00123451')).toEqual({
      bank_code: '9900',
      branch_code: '018',
      account_type: '1',
      account_number: '0012345',
    });
  });

  it('a 番号 shorter than 8 digits is zero-padded first', () => {
    expect(yuchoToZengin('14010', '123451').account_number).toBe('0012345');
  });

  it('accepts full-width digits and hyphens as printed on passbooks', () => {
    expect(yuchoToZengin('１２３４０', '1234-5671')).toMatchObject({ branch_code: '238', account_number: '1234567' });
  });

  it('the converted branch exists in zengin-code', () => {
    const a = yuchoToZengin('12340', '12345671');
    expect(lookupBranch(a.bank_code, a.branch_code)).toBeDefined();
  });

  it.each([
    ['1234', '12345671', '/kigou'],
    ['02340', '12345671', '/kigou'],
    ['123456', '12345671', '/kigou'],
    ['12340', '123456712', '/bangou'],
    ['12340', '', '/bangou'],
    ['12340', 'abc', '/bangou'],
  ])('rejects 記号 %s 番号 %s (%s)', (k, b, path) => {
    try {
      yuchoToZengin(k, b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details.map((d) => d.path)).toContain(path);
    }
  });
});
