// Pure payout lifecycle rules: four eyes, what a payment consists of (deductions, carried balance),
// which months a payout run can exist for, and the one calendar-date check.
import { describe, expect, it } from 'vitest';
import { payoutMonthProblem } from '../../../src/domain/payouts/calendar.ts';
import { fourEyesRefusal, mayApprove } from '../../../src/domain/payouts/four-eyes.ts';
import { planPayment } from '../../../src/domain/payouts/payment.ts';
import { calendarDateProblem } from '../../../src/domain/payouts/validate.ts';

describe('four eyes', () => {
  it('refuses only the preparer; holds and releases do not count; a schedule-prepared run needs one finance user', () => {
    expect(fourEyesRefusal({ approver: 7, preparedBy: 7, runId: 3 })).toBe(
      'User 7 prepared payout run 3, so under the four eyes rule another finance user must approve it.',
    );
    expect(mayApprove({ approver: 8, preparedBy: 7 })).toBe(true);
    expect(mayApprove({ approver: 8, preparedBy: null })).toBe(true);
    // Two finance users can always finish: whoever prepared, the other may approve.
    for (const [a, b] of [[1, 2], [2, 1]]) expect(mayApprove({ approver: b!, preparedBy: a! })).toBe(true);
  });
});

describe('what a payment consists of', () => {
  const none = { design_earned: 0, design_deducted: 0, other_earned: 0, other_deducted: 0 };
  it('pays earnings when there is nothing to deduct', () => {
    expect(planPayment({ ...none, design_earned: 100_000, other_earned: 5_000 })).toEqual({
      kind: 'pay', design: 100_000, other: 5_000, fee_total: 105_000, deductions: 0,
    });
  });
  it('carries a reversal forward when nothing else is unpaid, and a zero balance too', () => {
    expect(planPayment({ ...none, design_deducted: 100_000 })).toEqual({ kind: 'carry_forward', balance: -100_000, deductions: 100_000 });
    expect(planPayment({ ...none, design_earned: 50_000, design_deducted: 50_000 })).toMatchObject({ kind: 'carry_forward', balance: 0 });
  });
  it('nets a reversal into the next payment, its own category first, then the other', () => {
    expect(planPayment({ ...none, design_earned: 150_000, design_deducted: 100_000 })).toEqual({
      kind: 'pay', design: 50_000, other: 0, fee_total: 50_000, deductions: 100_000,
    });
    expect(planPayment({ ...none, design_earned: 30_000, design_deducted: 100_000, other_earned: 200_000 })).toEqual({
      kind: 'pay', design: 0, other: 130_000, fee_total: 130_000, deductions: 100_000,
    });
    expect(planPayment({ ...none, design_earned: 200_000, other_earned: 10_000, other_deducted: 40_000 })).toEqual({
      kind: 'pay', design: 170_000, other: 0, fee_total: 170_000, deductions: 40_000,
    });
  });
});

describe('payout months', () => {
  it('are 2000-01 to 2099-11: the payment and the tax due date must be in the holiday table', () => {
    expect(payoutMonthProblem('2000-01')).toBeUndefined();
    expect(payoutMonthProblem('2099-11')).toBeUndefined();
    for (const m of ['1999-12', '2099-12', '2100-01']) expect(payoutMonthProblem(m)).toMatch(/^Payout runs exist for months 2000-01 to 2099-11 only .*\.$/);
    expect(payoutMonthProblem('2041-13')).toMatch(/not a month/);
  });
});

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(calendarDateProblem('2031-02-28')).toBeUndefined();
    expect(calendarDateProblem('2032-02-29')).toBeUndefined();
    expect(calendarDateProblem('2031-02-30')).toBe('must be a real calendar date; 2031-02-30 does not exist');
    expect(calendarDateProblem('2031-2-3')).toBe('must be a date written YYYY-MM-DD');
    expect(calendarDateProblem(20310203)).toBe('must be a date written YYYY-MM-DD');
  });
});
