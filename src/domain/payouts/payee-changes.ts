// Payee self-onboarding rules (pure): which fields a payee may enter about themselves (each change
// waits for finance), which only finance sets (they decide the tax a payment carries), and which
// decision a change request in a given state still accepts.

/** What a payee may enter; a change to any of them waits for finance's review. */
export const PAYEE_SELF_FIELDS = ['legal_name', 'address', 'residency', 'invoice', 'treaty', 'bank'] as const;

/**
 * Set by finance only: kind, the withholding inputs (income source, default category) and a treaty's
 * limit rate. A payee who could set them could set the tax withheld from (or added to) their pay.
 */
export const FINANCE_ONLY_FIELDS = ['kind', 'income_source', 'default_category', 'treaty.limit_rate_percent'] as const;

export type PayeeChangeStatus = 'pending' | 'needs_info' | 'approved' | 'rejected' | 'superseded';
export type PayeeChangeDecision = 'approve' | 'reject' | 'ask';

/** The finance-only fields present in a payee's own input, as paths (empty when none). */
export function financeOnlyFieldsIn(input: Record<string, unknown>): string[] {
  const found: string[] = FINANCE_ONLY_FIELDS.filter((f) => !f.includes('.') && input[f] !== undefined);
  const treaty = input.treaty as { limit_rate_percent?: unknown } | null | undefined;
  if (treaty && treaty.limit_rate_percent !== undefined) found.push('treaty.limit_rate_percent');
  return found;
}

/** Why a payee may not submit `input` as their own change, or undefined. */
export function selfChangeRefusal(input: Record<string, unknown>): string | undefined {
  const finance = financeOnlyFieldsIn(input);
  if (finance.length > 0) return `${finance.join(', ')} ${finance.length === 1 ? 'is' : 'are'} set by finance only; ask finance to change ${finance.length === 1 ? 'it' : 'them'}.`;
  if (!PAYEE_SELF_FIELDS.some((f) => input[f] !== undefined)) return 'Nothing to change: give at least one of ' + PAYEE_SELF_FIELDS.join(', ') + '.';
  return undefined;
}

/** Why change `id` in `status` cannot take `decision` now, or undefined: only a pending change is decided. */
export function payeeChangeDecisionRefusal(id: number, status: PayeeChangeStatus, decision: PayeeChangeDecision): string | undefined {
  if (status === 'pending') return undefined;
  const verb = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'sent back';
  const now = status === 'needs_info' ? 'waiting for the payee to answer' : status;
  return `Payee change ${id} is ${now}; only a pending change can be ${verb}.`;
}
