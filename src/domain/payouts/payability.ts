// Why a payee cannot be paid now, as a code and a sentence: the one rule behind a run's held item
// (its hold_code) and the payee's own record (`payable`). Pure.

export type UnpayableCode = 'no_bank_details' | 'bank_change_pending_review' | 'bank_change_needs_info' | 'held_by_finance';

/** The code of an item finance held by hand (review: hold with a reason). */
export const HELD_BY_FINANCE: UnpayableCode = 'held_by_finance';

export interface PayabilityFacts {
  /** An approved bank account is on file. */
  has_bank: boolean;
  /** The payee's open change request, if any, and whether it carries a bank account. */
  open_change?: { status: 'pending' | 'needs_info'; has_bank: boolean } | null;
}

export interface Unpayable {
  code: UnpayableCode;
  message: string;
}

/**
 * Null when the payee can be paid. An account entered by the payee counts only once finance approved
 * it, so a pending one explains the hold but does not lift it.
 */
export function unpayableReason(f: PayabilityFacts): Unpayable | null {
  if (f.has_bank) return null;
  if (f.open_change?.has_bank && f.open_change.status === 'pending') {
    return { code: 'bank_change_pending_review', message: 'bank details entered, waiting for finance to review them' };
  }
  if (f.open_change?.has_bank && f.open_change.status === 'needs_info') {
    return { code: 'bank_change_needs_info', message: 'finance asked the payee for more about the bank details entered' };
  }
  return { code: 'no_bank_details', message: 'missing bank details' };
}
