import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ValidationError } from '../../../src/domain/errors.ts';
import { LEGAL_FORMS, ZENGIN_NAME_CHARS, toZenginName, zenginNamesOp } from '../../../src/domain/payouts/index.ts';

const ok = (s: string, opts?: { maxBytes?: number }) => {
  const r = toZenginName(s, opts);
  if (!r.ok) throw new Error(`expected ok for ${s}: ${r.error}`);
  return r.value;
};

describe('character conversion', () => {
  it.each([
    ['ヤマダ　タロウ', 'ﾔﾏﾀﾞ ﾀﾛｳ'],
    ['やまだ たろう', 'ﾔﾏﾀﾞ ﾀﾛｳ'],
    ['ｶﾞｸｾｲ', 'ｶﾞｸｾｲ'],
    ['キッカワ　ショウコ', 'ｷﾂｶﾜ ｼﾖｳｺ'],
    ['ァィゥェォッャュョヮヵヶ', 'ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ'],
    ['ぁぃぅぇぉっゃゅょゎ', 'ｱｲｳｴｵﾂﾔﾕﾖﾜ'],
    ['ヲ', 'ｵ'],
    ['を', 'ｵ'],
    ['グローバル', 'ｸﾞﾛ-ﾊﾞﾙ'],
    ['A－B', 'A-B'],
    ['ジョン・スミス', 'ｼﾞﾖﾝ.ｽﾐｽ'],
    ['パピプペポ', 'ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ'],
    ['ガギグゲゴザジズゼゾダヂヅデドバビブベボ', 'ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ'],
    ['ヴ', 'ｳﾞ'],
    ['ＡＢＣ１２３', 'ABC123'],
    ['（ABC）．', '(ABC).'],
    ['  ヤマダ   タロウ  ', 'ﾔﾏﾀﾞ ﾀﾛｳ'],
    ['SMITH JOHN', 'SMITH JOHN'],
  ])('%s → %s', (input, expected) => {
    expect(ok(input, { maxBytes: 100 })).toBe(expected);
    expect(ZENGIN_NAME_CHARS.test(expected)).toBe(true);
  });

  it('output always encodes to one byte per character in Shift_JIS', () => {
    const v = ok('ガギグ(ABC)-. 123ﾊﾟ');
    expect(iconv.encode(v, 'Shift_JIS').length).toBe(v.length);
  });

  it.each([
    ['山田太郎', 'kanji'],
    ['ヤマダ太郎', 'kanji'],
    ['yamada', 'lower case'],
    ['Yamada', 'lower case'],
    ['ＹＡＭＡＤＡ ｔａｒｏ', 'lower case'],
    ['A&B', 'outside'],
    ['A,B', 'outside'],
    ['ヤマダ@', 'outside'],
    ['ヽ', 'outside'],
  ])('rejects %s with a clear error (%s)', (input, kind) => {
    const r = toZenginName(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(kind);
  });

  it('rejects an empty name', () => {
    expect(toZenginName('').ok).toBe(false);
    expect(toZenginName('　 ').ok).toBe(false);
  });
});

describe('legal-form words by position', () => {
  const forms: Array<[string, string]> = [
    ['株式会社', 'ｶ'],
    ['有限会社', 'ﾕ'],
    ['合同会社', 'ﾄﾞ'],
    ['合名会社', 'ﾒ'],
    ['合資会社', 'ｼ'],
    ['一般社団法人', 'ｼﾔ'],
    ['一般財団法人', 'ｻﾞｲ'],
    ['医療法人', 'ｲ'],
    ['特定非営利活動法人', 'ﾄｸﾋ'],
  ];
  it('the table lists every form of the spec', () => {
    for (const [word, abbr] of forms) expect(LEGAL_FORMS).toContainEqual({ word, abbr });
  });
  for (const [word, abbr] of forms) {
    it(`${word}: leading ${abbr}), trailing (${abbr}, middle (${abbr})`, () => {
      expect(ok(`${word}ミライ`)).toBe(`${abbr})ﾐﾗｲ`);
      expect(ok(`ミライ${word}`)).toBe(`ﾐﾗｲ(${abbr}`);
      expect(ok(`ミライ${word}トウキョウ`)).toBe(`ﾐﾗｲ(${abbr})ﾄｳｷﾖｳ`);
      expect(ok(`${word}　ミライ`)).toBe(`${abbr})ﾐﾗｲ`);
      expect(ok(`ミライ ${word}`)).toBe(`ﾐﾗｲ(${abbr}`);
      expect(ok(`ミライ ${word} トウキョウ`)).toBe(`ﾐﾗｲ(${abbr})ﾄｳｷﾖｳ`);
    });
  }
  it('㈱ / (株) short forms', () => {
    expect(ok('㈱ミライ')).toBe('ｶ)ﾐﾗｲ');
    expect(ok('ミライ(株)')).toBe('ﾐﾗｲ(ｶ');
    expect(ok('ミライ（有）')).toBe('ﾐﾗｲ(ﾕ');
  });
  it('spec samples', () => {
    expect(ok('株式会社ミライカイゼン')).toBe('ｶ)ﾐﾗｲｶｲｾﾞﾝ');
    expect(ok('グロースハック株式会社')).toBe('ｸﾞﾛ-ｽﾊﾂｸ(ｶ');
    expect(ok('デザイン合同会社')).toBe('ﾃﾞｻﾞｲﾝ(ﾄﾞ');
    expect(ok('かぶしきがいしゃ')).toBe('ｶﾌﾞｼｷｶﾞｲｼﾔ');
  });
  it('other kanji next to a legal form is still rejected', () => {
    expect(toZenginName('株式会社未来').ok).toBe(false);
  });
});

describe('30-byte cap', () => {
  it('keeps exactly 30 single-byte characters', () => {
    const v = ok('ア'.repeat(40));
    expect(v).toBe('ｱ'.repeat(30));
  });
  it('never splits a voicing mark from its letter', () => {
    // 29 letters + ガ (2 bytes) = 31 bytes: ｶﾞ must go as a whole.
    expect(ok('ア'.repeat(29) + 'ガ')).toBe('ｱ'.repeat(29));
    expect(ok('ア'.repeat(29) + 'パ')).toBe('ｱ'.repeat(29));
    // 28 letters + ガ = 30 bytes: fits.
    expect(ok('ア'.repeat(28) + 'ガ')).toBe('ｱ'.repeat(28) + 'ｶﾞ');
    for (let n = 0; n < 40; n++) {
      const v = ok('ガ'.repeat(n + 1) + 'ア'.repeat(n % 3));
      expect(v.length).toBeLessThanOrEqual(30);
      expect(v.endsWith('ｶ')).toBe(false);
    }
  });
  it('does not leave a trailing space after cutting', () => {
    expect(ok('ア'.repeat(29) + ' ' + 'イイ')).toBe('ｱ'.repeat(29));
  });
  it('a wider field (requester name, 40 bytes)', () => {
    expect(ok('ア'.repeat(50), { maxBytes: 40 })).toHaveLength(40);
  });
});

describe('zenginNamesOp', () => {
  it('returns per-item results and errors without throwing', () => {
    expect(zenginNamesOp(['株式会社ミライカイゼン', '山田', 'やまだ'])).toEqual([
      { input: '株式会社ミライカイゼン', zengin: 'ｶ)ﾐﾗｲｶｲｾﾞﾝ' },
      { input: '山田', error: expect.stringContaining('kanji') },
      { input: 'やまだ', zengin: 'ﾔﾏﾀﾞ' },
    ]);
    expect(zenginNamesOp([])).toEqual([]);
  });
  it('rejects a body that is not an array of strings', () => {
    expect(() => zenginNamesOp({ names: [] })).toThrow(ValidationError);
    try {
      zenginNamesOp(['ア', 3]);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).details).toEqual([{ path: '/1', message: 'must be a string' }]);
    }
  });
});
