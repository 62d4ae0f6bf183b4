import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import {
  corporateNumberCheckDigit,
  isValidCorporateNumber,
  toZenginName,
  withholdingOp,
  zenginFileOp,
} from '../../../src/domain/payouts/index.ts';

const yen = fc.integer({ min: 0, max: 50_000_000 });
const line = fc.record({
  fee: yen,
  consumption_tax: fc.integer({ min: 0, max: 5_000_000 }),
  consumption_tax_separated: fc.boolean(),
  category: fc.constantFrom('design', 'none'),
  reimbursed_expenses: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
  income_source: fc.option(fc.constantFrom('domestic', 'domestic_royalty', 'foreign_service'), { nil: undefined }),
});
const payee = fc.oneof(
  fc.constant({ type: 'resident_individual' }),
  fc.constant({ type: 'corporation' }),
  fc.constant({ type: 'nonresident_individual' }),
  fc.record({
    type: fc.constant('nonresident_individual'),
    treaty: fc.record({ form_filed: fc.boolean(), limit_rate_percent: fc.constantFrom(0, 5, 10, 12.5, 15, 20, 25) }),
  }),
);
const payment = fc.record({
  payment_date: fc.constantFrom('2013-01-01', '2026-07-24', '2026-12-31', '2027-01-01', '2040-05-05'),
  payee,
  lines: fc.array(line, { minLength: 1, maxLength: 6 }),
});

describe('withholding properties', () => {
  it('net = gross − tax; 0 ≤ tax ≤ base ≤ gross-ish; all integers', () => {
    fc.assert(
      fc.property(payment, (p) => {
        const r = withholdingOp(p);
        for (const v of Object.values(r)) expect(Number.isSafeInteger(v)).toBe(true);
        expect(r.net_transfer).toBe(r.gross_payable - r.withholding);
        expect(r.withholding).toBeGreaterThanOrEqual(0);
        expect(r.withholding).toBeLessThanOrEqual(r.withholding_base);
        expect(r.withholding_base).toBeLessThanOrEqual(r.gross_payable);
        const gross = p.lines.reduce((s, l) => s + l.fee + l.consumption_tax + (l.reimbursed_expenses ?? 0), 0);
        expect(r.gross_payable).toBe(gross);
        if (p.payee.type === 'corporation') expect(r.withholding_base + r.withholding).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('resident tax is monotone in the base and matches the two-tier formula', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e7 }), (a, d) => {
        const tax = (base: number) =>
          withholdingOp({
            payment_date: '2026-07-24',
            payee: { type: 'resident_individual' },
            lines: [{ fee: base, consumption_tax: 0, consumption_tax_separated: true, category: 'design' }],
          }).withholding;
        const t = tax(a);
        expect(tax(a + d)).toBeGreaterThanOrEqual(t);
        const expected =
          a <= 1_000_000 ? (BigInt(a) * 1021n) / 10_000n : (BigInt(a - 1_000_000) * 2042n) / 10_000n + 102_100n;
        expect(BigInt(t)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a payment split into lines equals one line of the summed base (one payment = one base)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 1, maxLength: 5 }), (fees) => {
        const mk = (fs: number[]) =>
          withholdingOp({
            payment_date: '2026-07-24',
            payee: { type: 'resident_individual' },
            lines: fs.map((fee) => ({ fee, consumption_tax: 0, consumption_tax_separated: true, category: 'design' })),
          });
        expect(mk(fees)).toEqual(mk([fees.reduce((s, f) => s + f, 0)]));
      }),
    );
  });

  it('non-resident tax is monotone and a treaty never raises it', () => {
    fc.assert(
      fc.property(yen, yen, fc.constantFrom(0, 5, 10, 15, 20, 30), (a, d, rate) => {
        const tax = (base: number, treaty?: object) =>
          withholdingOp({
            payment_date: '2026-07-24',
            payee: { type: 'nonresident_individual', ...(treaty ? { treaty } : {}) },
            lines: [{ fee: base, consumption_tax: 0, consumption_tax_separated: true, category: 'design' }],
          }).withholding;
        expect(tax(a + d)).toBeGreaterThanOrEqual(tax(a));
        const treaty = { form_filed: true, limit_rate_percent: rate };
        expect(tax(a, treaty)).toBeLessThanOrEqual(tax(a));
        expect(tax(a + d, treaty)).toBeGreaterThanOrEqual(tax(a, treaty));
      }),
    );
  });
});

describe('corporate number properties', () => {
  it('12 random digits + computed check digit always validate', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), (base) => {
        expect(isValidCorporateNumber(`${corporateNumberCheckDigit(base)}${base}`)).toBe(true);
        const wrong = (corporateNumberCheckDigit(base) % 9) + 1;
        expect(isValidCorporateNumber(`${wrong}${base}`)).toBe(false);
      }),
    );
  });
});

describe('Zengin name properties', () => {
  const kana = fc.constantFrom(...'あいうえおかがきぎくぐっゃゅょアイウエオガギグパピプッャュョヲヴー・ 　ＡＢ１２ABC0123()-.'.split(''));
  it('any kana/ASCII-upper input converts within the cap, in the allowed set, 1 byte per character', () => {
    fc.assert(
      fc.property(fc.array(kana, { minLength: 1, maxLength: 60 }), fc.integer({ min: 2, max: 40 }), (chars, max) => {
        const r = toZenginName(chars.join(''), { maxBytes: max });
        if (!r.ok) {
          expect(r.error).toContain('empty');
          return;
        }
        expect(r.value.length).toBeLessThanOrEqual(max);
        expect(/^[0-9A-Z\uFF71-\uFF9F ().\-]+$/.test(r.value)).toBe(true);
        expect(/^[ﾞﾟ]/.test(r.value)).toBe(false);
        expect(/[ﾞﾟ][ﾞﾟ]/.test(r.value)).toBe(false);
        expect(iconv.encode(r.value, 'Shift_JIS').length).toBe(r.value.length);
      }),
      { numRuns: 500 },
    );
  });

  it('files built from random names and amounts always have 120-byte records and a correct trailer', () => {
    fc.assert(
      fc.property(
        fc.array(
          // At most 2 bytes a character: names that fit the 30-byte field (a longer one is refused, not cut).
          fc.record({ name: fc.array(kana, { minLength: 1, maxLength: 14 }).map((a) => `ア${a.join('')}`), amount: fc.integer({ min: 1, max: 9_999_999_999 }) }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom('none', 'crlf'),
        (ts, le) => {
          const buf = zenginFileOp({
            payer: { requester_code: '0000000001', name: 'テスト', bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1' },
            transfer_date: '2026-07-24',
            line_ending: le,
            transfers: ts.map((t) => ({ bank_code: '0005', branch_code: '001', account_type: '1', account_number: '1', ...t })),
          });
          const stride = le === 'crlf' ? 122 : 120;
          expect(buf.length).toBe((ts.length + 3) * stride);
          const trailer = buf.subarray((ts.length + 1) * stride, (ts.length + 1) * stride + 120).toString('latin1');
          expect(Number(trailer.slice(1, 7))).toBe(ts.length);
          expect(Number(trailer.slice(7, 19))).toBe(ts.reduce((s, t) => s + t.amount, 0));
        },
      ),
      { numRuns: 100 },
    );
  });
});
