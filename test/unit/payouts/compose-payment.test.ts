// composePayment: one payee's payment in a run, per ../shared/specs/payouts-japan.md and the worked
// cases of ../shared/conformance/withholding.sample.json (W01, W05, W15, W17). Every expected figure
// below is worked out by hand from the spec, not by the code under test.
import { describe, expect, it } from 'vitest';
import { composePayment, type PayeeFacts } from '../../../src/domain/payouts/payment.ts';

const PAY_DAY = '2026-07-24'; // standard consumption tax 10%; surtax era 10.21% / 20.42%

const REGISTERED = { invoice_registration_number: 'T1180301018771', invoice_registered_on: '2023-10-01', invoice_expires_on: null };

function facts(f: Partial<PayeeFacts>): PayeeFacts {
  return {
    kind: 'individual',
    residency: 'resident',
    treaty_form_filed: null,
    treaty_limit_rate_bp: null,
    income_source: null,
    invoice_registration_number: null,
    invoice_registered_on: null,
    invoice_expires_on: null,
    has_bank: true,
    overdue_lines: 0,
    design_earned: 0,
    design_deducted: 0,
    other_earned: 0,
    other_deducted: 0,
    ...f,
  };
}

const pending = { status: 'pending', hold_reason: null, flags: [] } as const;

const cases: { name: string; payee: PayeeFacts; expected: Record<string, unknown> }[] = [
  {
    name: 'resident, invoice-registered: fee + 10% shown separately, withholding on the fee only (W01)',
    payee: facts({ ...REGISTERED, design_earned: 100_000 }),
    expected: {
      ...pending, payee_type: 'resident_individual', fee_total: 100_000, deductions: 0, consumption_tax_yen: 10_000,
      // 100,000 × 10.21% = 10,210
      withholding_base: 100_000, withholding: 10_210, gross_payable: 110_000, net_transfer: 99_790,
      lines: [{ fee: 100_000, consumption_tax: 10_000, consumption_tax_separated: true, category: 'design', income_source: 'domestic' }],
    },
  },
  {
    name: 'resident, not registered: paid the agreed fee, no tax added, all of it in the base',
    payee: facts({ design_earned: 100_000 }),
    expected: {
      ...pending, payee_type: 'resident_individual', consumption_tax_yen: 0,
      withholding_base: 100_000, withholding: 10_210, gross_payable: 100_000, net_transfer: 89_790,
      lines: [{ fee: 100_000, consumption_tax: 0, consumption_tax_separated: false, category: 'design', income_source: 'domestic' }],
    },
  },
  {
    name: 'resident, a registration expired before the payment date counts as not registered',
    payee: facts({ ...REGISTERED, invoice_expires_on: '2026-06-30', design_earned: 100_000 }),
    expected: { consumption_tax_yen: 0, withholding: 10_210, gross_payable: 100_000, net_transfer: 89_790 },
  },
  {
    name: 'resident, base 1,000,001: the yen above 1,000,000 at 20.42% is truncated (W05)',
    payee: facts({ ...REGISTERED, design_earned: 1_000_001 }),
    expected: {
      // tax: floor(1,000,001 × 10%) = 100,000; withholding: 102,100 + floor(1 × 20.42%) = 102,100
      consumption_tax_yen: 100_000, withholding_base: 1_000_001, withholding: 102_100, gross_payable: 1_100_001, net_transfer: 997_901,
    },
  },
  {
    name: 'corporation, registered: tax added, no withholding (W15)',
    payee: facts({ ...REGISTERED, kind: 'corporation', design_earned: 500_000 }),
    expected: { ...pending, payee_type: 'corporation', consumption_tax_yen: 50_000, withholding_base: 0, withholding: 0, gross_payable: 550_000, net_transfer: 550_000 },
  },
  {
    name: 'non-resident, Japan-source, no treaty form: flat 20.42% (W17)',
    payee: facts({ residency: 'non_resident', design_earned: 300_000 }),
    expected: { payee_type: 'nonresident_individual', withholding_base: 300_000, withholding: 61_260, gross_payable: 300_000, net_transfer: 238_740 },
  },
  {
    name: 'non-resident with a treaty form filed (limit 10%): the treaty rate without surtax',
    payee: facts({ residency: 'non_resident', treaty_form_filed: true, treaty_limit_rate_bp: 1_000, design_earned: 300_000 }),
    expected: { payee_type: 'nonresident_individual', withholding_base: 300_000, withholding: 30_000, net_transfer: 270_000 },
  },
  {
    name: 'non-resident, a treaty rate without the form filed is not applied',
    payee: facts({ residency: 'non_resident', treaty_form_filed: false, treaty_limit_rate_bp: 1_000, design_earned: 300_000 }),
    expected: { withholding: 61_260, net_transfer: 238_740 },
  },
  {
    name: 'non-resident, work done wholly abroad: nothing withheld',
    payee: facts({ residency: 'non_resident', income_source: 'foreign_service', design_earned: 300_000 }),
    expected: {
      withholding_base: 0, withholding: 0, gross_payable: 300_000, net_transfer: 300_000,
      lines: [{ fee: 300_000, consumption_tax: 0, consumption_tax_separated: false, category: 'design', income_source: 'foreign_service' }],
    },
  },
  {
    name: 'a corporation that is non-resident is still a corporation: no withholding',
    payee: facts({ kind: 'corporation', residency: 'non_resident', design_earned: 300_000 }),
    expected: { payee_type: 'corporation', withholding: 0, net_transfer: 300_000 },
  },
  {
    name: 'design and other fees, registered: one tax on the payment split by category, withholding on design only',
    payee: facts({ ...REGISTERED, design_earned: 100_005, other_earned: 30_000 }),
    expected: {
      // tax on 130,005: 13,000; design share floor(100,005 × 10%) = 10,000, the other fees get 3,000
      fee_total: 130_005, consumption_tax_yen: 13_000,
      // base 100,005 → floor(100,005 × 10.21%) = 10,210
      withholding_base: 100_005, withholding: 10_210, gross_payable: 143_005, net_transfer: 132_795,
      lines: [
        { fee: 100_005, consumption_tax: 10_000, consumption_tax_separated: true, category: 'design', income_source: 'domestic' },
        { fee: 30_000, consumption_tax: 3_000, consumption_tax_separated: true, category: 'none', income_source: 'domestic' },
      ],
    },
  },
  {
    name: 'other fees only (not listed in 204条): nothing withheld',
    payee: facts({ other_earned: 80_000 }),
    expected: { withholding_base: 0, withholding: 0, gross_payable: 80_000, net_transfer: 80_000 },
  },
  {
    name: 'a deduction nets against its own category first: the base is the net design fee',
    payee: facts({ design_earned: 100_000, design_deducted: 20_000, other_earned: 10_000 }),
    expected: {
      fee_total: 90_000, deductions: 20_000,
      // 80,000 × 10.21% = 8,168
      withholding_base: 80_000, withholding: 8_168, gross_payable: 90_000, net_transfer: 81_832,
    },
  },
  {
    name: 'a deduction larger than its category nets against the other one',
    payee: facts({ design_earned: 50_000, other_earned: 10_000, other_deducted: 30_000 }),
    expected: { fee_total: 30_000, deductions: 30_000, withholding_base: 30_000, withholding: 3_063, net_transfer: 26_937 },
  },
  {
    name: 'held without bank details, and flagged: a line is past the Freelance-Act 60 days',
    payee: facts({ has_bank: false, overdue_lines: 2, design_earned: 50_000 }),
    expected: {
      status: 'held', hold_reason: 'missing bank details', flags: ['freelance_act_overdue', 'missing_bank_details'],
      // 50,000 × 10.21% = 5,105: computed as for any payment, paid once released
      withholding: 5_105, net_transfer: 44_895,
    },
  },
  {
    name: 'an overdue line alone flags the payment but does not hold it',
    payee: facts({ overdue_lines: 1, design_earned: 50_000 }),
    expected: { status: 'pending', hold_reason: null, flags: ['freelance_act_overdue'] },
  },
];

describe('composePayment', () => {
  it.each(cases)('$name', ({ payee, expected }) => {
    expect(composePayment(payee, PAY_DAY)).toMatchObject({ kind: 'pay', ...expected });
  });

  it('deductions at least as large as the earnings: nothing is paid, the balance is carried forward', () => {
    expect(composePayment(facts({ design_earned: 10_000, design_deducted: 30_000 }), PAY_DAY)).toEqual({ kind: 'carry_forward', balance: -20_000, deductions: 30_000 });
    expect(composePayment(facts({ design_earned: 30_000, other_deducted: 30_000 }), PAY_DAY)).toEqual({ kind: 'carry_forward', balance: 0, deductions: 30_000 });
  });

  it('the net transfer is what is payable less what is withheld, in integer yen', () => {
    for (const { payee } of cases) {
      const p = composePayment(payee, PAY_DAY);
      if (p.kind !== 'pay') throw new Error('expected a payment');
      expect(p.gross_payable).toBe(p.fee_total + p.consumption_tax_yen);
      expect(p.net_transfer).toBe(p.gross_payable - p.withholding);
      for (const v of [p.gross_payable, p.withholding, p.net_transfer, p.withholding_base]) expect(Number.isSafeInteger(v)).toBe(true);
    }
  });
});
