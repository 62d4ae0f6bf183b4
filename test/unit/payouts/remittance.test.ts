import { describe, expect, it } from 'vitest';
import {
  exceedsFreelanceActDeadline,
  freelanceActPaymentDeadline,
  monthlyRemittance,
  needsPaymentRecord,
  paymentRecordDueDate,
} from '../../../src/domain/payouts/index.ts';
import type { WithheldPayment } from '../../../src/domain/payouts/index.ts';

describe('monthly remittance slips', () => {
  const payments: WithheldPayment[] = [
    { payee_id: 'a', payee_type: 'resident_individual', payment_date: '2026-07-24', withholding_base: 600_000, withholding: 61_260 },
    { payee_id: 'a', payee_type: 'resident_individual', payment_date: '2026-07-31', withholding_base: 500_000, withholding: 51_050 },
    { payee_id: 'b', payee_type: 'resident_individual', payment_date: '2026-07-10', withholding_base: 100_000, withholding: 10_210 },
    { payee_id: 'c', payee_type: 'corporation', payment_date: '2026-07-24', withholding_base: 0, withholding: 0 },
    { payee_id: 'd', payee_type: 'nonresident_individual', payment_date: '2026-07-24', withholding_base: 300_000, withholding: 61_260 },
    { payee_id: 'e', payee_type: 'nonresident_individual', payment_date: '2026-07-24', withholding_base: 0, withholding: 0 },
    { payee_id: 'f', payee_type: 'resident_individual', payment_date: '2026-08-01', withholding_base: 100_000, withholding: 10_210 },
  ];
  it('splits residents and non-residents, counts distinct payees, sums base and tax, gives the due date', () => {
    expect(monthlyRemittance('2026-07', payments)).toEqual({
      month: '2026-07',
      due_date: '2026-08-10',
      residents: { payees: 2, base_total: 1_200_000, tax_total: 122_520 },
      nonresidents: { payees: 1, base_total: 300_000, tax_total: 61_260 },
    });
    expect(monthlyRemittance('2026-12', payments)).toEqual({
      month: '2026-12',
      due_date: '2027-01-12',
      residents: { payees: 0, base_total: 0, tax_total: 0 },
      nonresidents: { payees: 0, base_total: 0, tax_total: 0 },
    });
  });
});

describe('annual payment record', () => {
  it('more than ¥50,000 in the year', () => {
    expect(needsPaymentRecord(50_000)).toBe(false);
    expect(needsPaymentRecord(50_001)).toBe(true);
  });
  it('due 31 January, next business day when closed', () => {
    expect(paymentRecordDueDate(2025)).toBe('2026-02-02'); // 2026-01-31 is a Saturday
    expect(paymentRecordDueDate(2026)).toBe('2027-02-01'); // 2027-01-31 is a Sunday
    expect(paymentRecordDueDate(2027)).toBe('2028-01-31');
  });
});

describe('Freelance Act 60-day deadline', () => {
  it('60 days counted from the receipt day', () => {
    expect(freelanceActPaymentDeadline('2026-04-01')).toBe('2026-05-30');
    expect(exceedsFreelanceActDeadline('2026-04-01', '2026-05-30')).toBe(false);
    expect(exceedsFreelanceActDeadline('2026-04-01', '2026-05-31')).toBe(true);
    expect(() => exceedsFreelanceActDeadline('2026-04-01', '2026-02-30')).toThrow(RangeError);
  });
});
