// What one payment to a payee consists of, and how a negative balance is carried forward.
//
// A payout run pays, per payee, every unpaid ledger line up to the run's month in ONE payment:
// earnings (positive lines) less deductions (negative lines, e.g. a reversed win bonus). Deductions net
// first against earnings of their own withholding category, then against the other category, so the
// withholding base is the net design fee. When deductions reach or exceed the earnings, nothing is paid:
// the lines stay unpaid and the balance (≤ 0) is carried forward to the next run, where later earnings
// absorb it. Integer yen throughout.

export interface PayeeLines {
  /** Σ positive design lines. */
  design_earned: number;
  /** Σ |negative design lines|. */
  design_deducted: number;
  /** Σ positive lines of category `none`. */
  other_earned: number;
  /** Σ |negative lines of category `none`|. */
  other_deducted: number;
}

export type PaymentPlan =
  | {
      kind: 'pay';
      /** Net design fee (subject to withholding). */
      design: number;
      /** Net other fee. */
      other: number;
      /** design + other: what the payment is worth before tax. */
      fee_total: number;
      /** Σ deductions netted into this payment (≥ 0). */
      deductions: number;
    }
  | {
      kind: 'carry_forward';
      /** earnings − deductions, ≤ 0: carried to the next run. */
      balance: number;
      deductions: number;
    };

export function planPayment(l: PayeeLines): PaymentPlan {
  const deductions = l.design_deducted + l.other_deducted;
  const balance = l.design_earned + l.other_earned - deductions;
  if (balance <= 0) return { kind: 'carry_forward', balance, deductions };
  let design = l.design_earned - l.design_deducted;
  let other = l.other_earned - l.other_deducted;
  if (design < 0) {
    other += design;
    design = 0;
  }
  if (other < 0) {
    design += other;
    other = 0;
  }
  return { kind: 'pay', design, other, fee_total: design + other, deductions };
}
