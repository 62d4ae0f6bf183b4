import { describe, expect, it } from 'vitest';
import { RATE_TABLE, computeWithholding, ratesFor, withholdingOp } from '../../../src/domain/payouts/index.ts';
import { errorOf } from './expect-error.ts';

const DATE = '2026-07-24';
const design = (fee: number, extra: Record<string, unknown> = {}) => ({
  fee,
  consumption_tax: 0,
  consumption_tax_separated: true,
  category: 'design',
  ...extra,
});
const resident = (lines: unknown[], date = DATE) => ({ payment_date: date, payee: { type: 'resident_individual' }, lines });
const nonresident = (lines: unknown[], treaty?: unknown) => ({
  payment_date: DATE,
  payee: { type: 'nonresident_individual', ...(treaty ? { treaty } : {}) },
  lines,
});


describe('resident individual, design fees', () => {
  it('spec example: 600,000 + 500,000 in ONE transfer is one payment → 122,520', () => {
    const r = withholdingOp(resident([design(600_000), design(500_000)]));
    expect(r).toEqual({ withholding_base: 1_100_000, withholding: 122_520, gross_payable: 1_100_000, net_transfer: 977_480 });
  });

  it('spec example: the same invoices in two transfers → 61,260 + 51,050', () => {
    expect(withholdingOp(resident([design(600_000)])).withholding).toBe(61_260);
    expect(withholdingOp(resident([design(500_000)])).withholding).toBe(51_050);
  });

  it.each([
    [0, 0],
    [1, 0],
    [9, 0],
    [10, 1],
    [100_000, 10_210],
    [999_999, 102_099],
    [1_000_000, 102_100],
    [1_000_001, 102_100],
    [1_000_004, 102_100],
    [1_000_005, 102_101],
    [1_100_000, 122_520],
    [2_000_000, 306_300],
    [10_000_000, 1_939_900],
  ])('base %i → tax %i', (base, tax) => {
    const r = withholdingOp(resident([design(base)]));
    expect(r.withholding_base).toBe(base);
    expect(r.withholding).toBe(tax);
  });

  it('consumption tax shown separately is not in the base', () => {
    const r = withholdingOp(resident([design(100_000, { consumption_tax: 10_000, consumption_tax_separated: true })]));
    expect(r).toEqual({ withholding_base: 100_000, withholding: 10_210, gross_payable: 110_000, net_transfer: 99_790 });
  });

  it('consumption tax not shown separately is in the base', () => {
    const r = withholdingOp(resident([design(100_000, { consumption_tax: 10_000, consumption_tax_separated: false })]));
    expect(r).toEqual({ withholding_base: 110_000, withholding: 11_231, gross_payable: 110_000, net_transfer: 98_769 });
  });

  it('CT separation is per line: mixed invoices in one payment', () => {
    const r = withholdingOp(
      resident([
        design(600_000, { consumption_tax: 60_000, consumption_tax_separated: false }),
        design(500_000, { consumption_tax: 50_000, consumption_tax_separated: true }),
      ]),
    );
    expect(r.withholding_base).toBe(1_160_000);
    expect(r.withholding).toBe(102_100 + Math.floor((160_000 * 2042) / 10_000));
    expect(r.gross_payable).toBe(1_210_000);
  });

  it('reimbursed expenses are in the base and in gross', () => {
    const r = withholdingOp(resident([design(100_000, { consumption_tax: 10_000, reimbursed_expenses: 20_000 })]));
    expect(r).toEqual({ withholding_base: 120_000, withholding: 12_252, gross_payable: 130_000, net_transfer: 117_748 });
  });

  it('reimbursed expenses push the base over the 1,000,000 tier', () => {
    const r = withholdingOp(resident([design(990_000, { reimbursed_expenses: 20_000 })]));
    expect(r.withholding_base).toBe(1_010_000);
    expect(r.withholding).toBe(102_100 + 2_042);
  });

  it('category none counts in gross but not in the base', () => {
    const r = withholdingOp(
      resident([
        design(600_000, { consumption_tax: 60_000 }),
        { fee: 500_000, consumption_tax: 50_000, consumption_tax_separated: false, category: 'none', reimbursed_expenses: 1_000 },
      ]),
    );
    expect(r).toEqual({
      withholding_base: 600_000,
      withholding: 61_260,
      gross_payable: 1_211_000,
      net_transfer: 1_211_000 - 61_260,
    });
  });

  it('only category none → base 0, tax 0', () => {
    const r = withholdingOp(resident([{ fee: 300_000, consumption_tax: 30_000, consumption_tax_separated: true, category: 'none' }]));
    expect(r).toEqual({ withholding_base: 0, withholding: 0, gross_payable: 330_000, net_transfer: 330_000 });
  });

  it('income_source and a treaty are ignored for residents', () => {
    const r = withholdingOp({
      payment_date: DATE,
      payee: { type: 'resident_individual', treaty: { form_filed: true, limit_rate_percent: 10 } },
      lines: [design(100_000, { income_source: 'foreign_service' })],
    });
    expect(r.withholding).toBe(10_210);
  });
});

describe('corporation', () => {
  it('no withholding, base 0, gross counted', () => {
    const r = withholdingOp({
      payment_date: DATE,
      payee: { type: 'corporation' },
      lines: [design(500_000, { consumption_tax: 50_000 }), design(2_000_000, { consumption_tax: 200_000, consumption_tax_separated: false })],
    });
    expect(r).toEqual({ withholding_base: 0, withholding: 0, gross_payable: 2_750_000, net_transfer: 2_750_000 });
  });
});

describe('non-resident individual', () => {
  it('domestic source: flat 20.42% with no 1,000,000 tier', () => {
    expect(withholdingOp(nonresident([design(300_000)]))).toEqual({
      withholding_base: 300_000,
      withholding: 61_260,
      gross_payable: 300_000,
      net_transfer: 238_740,
    });
    expect(withholdingOp(nonresident([design(2_000_000)])).withholding).toBe(408_400);
  });

  it('income_source omitted → domestic', () => {
    expect(withholdingOp(nonresident([design(100_000)])).withholding).toBe(20_420);
  });

  it('domestic_royalty is withheld at 20.42%', () => {
    expect(withholdingOp(nonresident([design(100_000, { income_source: 'domestic_royalty' })])).withholding).toBe(20_420);
  });

  it('foreign_service (work done wholly abroad): base 0, tax 0', () => {
    const r = withholdingOp(nonresident([design(500_000, { income_source: 'foreign_service' })]));
    expect(r).toEqual({ withholding_base: 0, withholding: 0, gross_payable: 500_000, net_transfer: 500_000 });
  });

  it('mixed domestic and foreign lines: only domestic in the base', () => {
    const r = withholdingOp(
      nonresident([design(300_000, { income_source: 'foreign_service' }), design(200_000, { income_source: 'domestic' })]),
    );
    expect(r).toEqual({ withholding_base: 200_000, withholding: 40_840, gross_payable: 500_000, net_transfer: 459_160 });
  });

  it('treaty limit rate 10% with form filed: floor(A × 10/100), no surtax', () => {
    const r = withholdingOp(nonresident([design(300_005)], { form_filed: true, limit_rate_percent: 10 }));
    expect(r).toEqual({ withholding_base: 300_005, withholding: 30_000, gross_payable: 300_005, net_transfer: 270_005 });
  });

  it('treaty exemption: base = full amount, tax 0', () => {
    const r = withholdingOp(nonresident([design(300_000)], { form_filed: true, limit_rate_percent: 0 }));
    expect(r).toEqual({ withholding_base: 300_000, withholding: 0, gross_payable: 300_000, net_transfer: 300_000 });
    const r2 = withholdingOp(nonresident([design(300_000)], { form_filed: true, exempt: true }));
    expect(r2.withholding).toBe(0);
    expect(r2.withholding_base).toBe(300_000);
  });

  it('treaty form not filed → treaty ignored', () => {
    expect(withholdingOp(nonresident([design(300_000)], { form_filed: false, limit_rate_percent: 10 })).withholding).toBe(61_260);
    expect(withholdingOp(nonresident([design(300_000)], { form_filed: false, limit_rate_percent: 0 })).withholding).toBe(61_260);
  });

  it('treaty rate at or above 20% does not reduce: domestic 20.42% applies', () => {
    expect(withholdingOp(nonresident([design(100_000)], { form_filed: true, limit_rate_percent: 20 })).withholding).toBe(20_420);
    expect(withholdingOp(nonresident([design(100_000)], { form_filed: true, limit_rate_percent: 25 })).withholding).toBe(20_420);
  });

  it('fractional treaty rate 12.5% in integer arithmetic', () => {
    expect(withholdingOp(nonresident([design(100_007)], { form_filed: true, limit_rate_percent: 12.5 })).withholding).toBe(12_500);
  });

  it('treaty does not apply to foreign-source lines (still 0)', () => {
    const r = withholdingOp(nonresident([design(100_000, { income_source: 'foreign_service' })], { form_filed: true, limit_rate_percent: 10 }));
    expect(r.withholding).toBe(0);
    expect(r.withholding_base).toBe(0);
  });

  it('category none is not withheld even when domestic', () => {
    const r = withholdingOp(nonresident([{ fee: 100_000, consumption_tax: 0, consumption_tax_separated: true, category: 'none' }]));
    expect(r.withholding).toBe(0);
  });
});

describe('dated rate table', () => {
  it('2026 and 2027 both combine to 10.21% / 20.42%, with the surtax split from 2027-01-01', () => {
    const r26 = ratesFor('2026-12-31')!;
    const r27 = ratesFor('2027-01-01')!;
    expect(r26.surtaxes.map((s) => s.name)).toEqual(['reconstruction']);
    expect(r27.surtaxes.map((s) => [s.name, s.rateBpOfIncomeTax])).toEqual([
      ['defence', 100],
      ['reconstruction', 110],
    ]);
    for (const r of [r26, r27]) {
      expect([r.residentLowerBp, r.residentUpperBp, r.nonresidentBp, r.residentThresholdTaxYen]).toEqual([1021, 2042, 2042, 102_100]);
    }
    expect(RATE_TABLE.length).toBeGreaterThanOrEqual(2);
  });

  it('same figures on either side of 2027-01-01', () => {
    for (const date of ['2026-12-31', '2027-01-01', '2030-06-30']) {
      expect(withholdingOp(resident([design(1_100_000)], date)).withholding).toBe(122_520);
    }
  });

  it('a payment date before the table is a validation error', () => {
    const e = errorOf(() => withholdingOp(resident([design(1)], '2012-12-31')));
    expect(e.details[0]!.path).toBe('/payment_date');
  });
});

describe('large amounts: integer arithmetic', () => {
  it('handles amounts whose product would exceed 2^53', () => {
    const fee = 9_000_000_000_000; // × 2042 > 2^53
    const r = withholdingOp(resident([design(fee)]));
    const expected = (BigInt(fee - 1_000_000) * 2042n) / 10_000n + 102_100n;
    expect(BigInt(r.withholding)).toBe(expected);
    expect(r.net_transfer).toBe(fee - r.withholding);
  });

  it('a total beyond 2^53 − 1 is rejected', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const e = errorOf(() => withholdingOp(resident([design(big), design(big)])));
    expect(e.details[0]!.path).toBe('/lines');
  });

  it('computeWithholding (typed) gives the same result as the op', () => {
    const payment = { payment_date: DATE, payee: { type: 'resident_individual' as const }, lines: [design(600_000) as never, design(500_000) as never] };
    expect(computeWithholding(payment)).toEqual(withholdingOp(payment));
  });
});

describe('validation', () => {
  it('names every bad field with a JSON pointer', () => {
    const e = errorOf(() =>
      withholdingOp({
        payment_date: '2026-02-30',
        payee: { type: 'alien', treaty: { form_filed: 'yes', limit_rate_percent: 'ten' } },
        lines: [
          { fee: -1, consumption_tax: 1.5, consumption_tax_separated: 'no', category: 'code', reimbursed_expenses: '3', income_source: 'mars' },
          'x',
        ],
      }),
    );
    expect(e.details.map((d) => d.path).sort()).toEqual(
      [
        '/payment_date',
        '/payee/type',
        '/payee/treaty/form_filed',
        '/payee/treaty/limit_rate_percent',
        '/lines/0/fee',
        '/lines/0/consumption_tax',
        '/lines/0/reimbursed_expenses',
        '/lines/0/consumption_tax_separated',
        '/lines/0/category',
        '/lines/0/income_source',
        '/lines/1',
      ].sort(),
    );
    expect(e.details.find((d) => d.path === '/lines/0/fee')!.message).toBe('must be a non-negative integer (yen)');
  });

  it.each([
    [null, ''],
    [[], ''],
    [{ payment_date: DATE, payee: { type: 'corporation' }, lines: [] }, '/lines'],
    [{ payment_date: DATE, payee: { type: 'corporation' } }, '/lines'],
    [{ payment_date: DATE, lines: [design(1)] }, '/payee'],
    [{ payee: { type: 'corporation' }, lines: [design(1)] }, '/payment_date'],
    [{ payment_date: DATE, payee: { type: 'corporation' }, lines: [{ consumption_tax: 0, consumption_tax_separated: true, category: 'design' }] }, '/lines/0/fee'],
    [{ payment_date: DATE, payee: { type: 'corporation' }, lines: [{ fee: 1, consumption_tax_separated: true, category: 'design' }] }, '/lines/0/consumption_tax'],
    [{ payment_date: DATE, payee: { type: 'corporation' }, lines: [{ fee: 1, consumption_tax: 0, category: 'design' }] }, '/lines/0/consumption_tax_separated'],
    [{ payment_date: DATE, payee: { type: 'corporation' }, lines: [{ fee: 1, consumption_tax: 0, consumption_tax_separated: true }] }, '/lines/0/category'],
    [nonresident([design(1)], { form_filed: true }), '/payee/treaty/limit_rate_percent'],
    [nonresident([design(1)], { form_filed: true, limit_rate_percent: 101 }), '/payee/treaty/limit_rate_percent'],
    [nonresident([design(1)], { form_filed: true, limit_rate_percent: 10.123 }), '/payee/treaty/limit_rate_percent'],
    [resident([design(1.5)]), '/lines/0/fee'],
    [resident([design(Number.MAX_SAFE_INTEGER + 1)]), '/lines/0/fee'],
    [resident([design(1)], '2026-7-24'), '/payment_date'],
  ])('rejects %j at %s', (body, path) => {
    const e = errorOf(() => withholdingOp(body));
    expect(e.details.map((d) => d.path)).toContain(path);
  });
});
