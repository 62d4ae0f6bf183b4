// What the API says to a person, as codes and parameters a page renders from its own catalogue
// (web/src/i18n/{ja,en}.json, `msg.*`); the English text stays beside them for API users. One list
// per kind: test/unit/web-messages.test.ts renders every code of every list in both languages, so a
// code added here without its translations fails.
import { TRANSFER_OUTCOMES } from '../shared/payouts.ts';

/** A message as data: `code` names the sentence, `params` fill it. */
export interface Message {
  code: string;
  params: Record<string, string | number>;
}

/** Every `error.code` an answer may carry (src/api/errors.ts and the routes' HttpErrors). */
export const ERROR_CODES = [
  'validation_error', 'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'conflict', 'idempotency_key_in_progress',
  'idempotency_key_used', 'unsupported_media_type', 'idempotency_key_reused', 'rate_limited', 'service_unavailable',
  'workflow_unavailable', 'internal_error', 'bad_request', 'request_header_fields_too_large',
] as const;

/**
 * What is wrong with one field (`error.details[].code`): the schema's keyword, a named pattern
 * (FIELD_PATTERNS), or `rule` (a use case's rule naming the field; its sentence is `message`).
 */
export const FIELD_ERROR_CODES = [
  'required', 'not_allowed', 'type', 'choice', 'min_length', 'max_length', 'minimum', 'maximum', 'above', 'below', 'min_items', 'max_items', 'unique_items',
  'pattern', 'slug', 'event_name', 'month', 'date', 'tag', 'format', 'invalid', 'rule',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** What a cycle, a payout run or a finance task is waiting for (`waiting_for_code`). */
export const WAITING_FOR_CODES = [
  'cycle.plan', 'cycle.proposals', 'cycle.selection', 'cycle.learnings', 'cycle.fix_engagement', 'cycle.review_proposals', 'offer.your_proposal',
  'payout.draft', 'payout.review', 'payout.review_other', 'payout.transfers', 'payout.bank_results', 'payout.attention', 'payout.remittance', 'payout.remittance_yen',
  'payout.blocked', 'payout.nothing', 'payout.fix_bank', 'billing.review_draft', 'billing.release_draft', 'billing.payment', 'billing.match_receipt', 'other',
] as const;
export type WaitingForCode = (typeof WAITING_FOR_CODES)[number];

/** Codes of broken rules an error names (`error.params.rule`), where a page has its own sentence; others show `message`. */
export const RULE_CODES = ['four_eyes'] as const;

/** Warnings a view carries (`warnings[].code`). */
export const WARNING_CODES = ['test.no_traffic'] as const;

/** Payout audit log actions (payout_audit_log.action). */
export const AUDIT_ACTIONS = [
  'run_opened', 'run_drafted', 'run_completed_empty', 'run_redrafted', 'run_approved', 'run_rejected', 'run_blocked', 'run_needs_attention',
  'run_attention_resolved', 'run_paid', 'remittance_recorded', 'reminder', 'zengin_downloaded', 'item_held', 'item_released', 'item_cancel_requested',
  'item_cancelled', 'item_moved_to_next_run', 'item_retried', 'payee_updated', 'payee_change_submitted', 'payee_change_approved',
  'payee_change_rejected', 'payee_change_needs_info', ...TRANSFER_OUTCOMES.map((o) => `transfer_${o}` as const),
] as const;

/** Who did it, as a page names them: a person (by name; "you" when it is the reader), the system, the schedule. */
export const ACTOR_KINDS = ['you', 'user', 'system', 'schedule'] as const;

// The waiting-for sentences the workflows, views and billing tasks write, read back as codes (the
// workflows keep writing the same text: their command sequences stay as recorded).
const WAITING_FOR_TEXTS: [RegExp, WaitingForCode, string[]][] = [
  [/^a plan from the client or CS$/, 'cycle.plan', []],
  [/^proposals from growth hackers$/, 'cycle.proposals', []],
  [/^the client or CS to select proposals$/, 'cycle.selection', []],
  [/^CS learnings \(optional\)$/, 'cycle.learnings', []],
  [/^CS to fix the engagement: (.*)$/s, 'cycle.fix_engagement', ['reason']],
  [/^CS to review (\d+) proposals?$/, 'cycle.review_proposals', ['n']],
  [/^your proposal$/, 'offer.your_proposal', []],
  [/^the draft$/, 'payout.draft', []],
  [/^finance to review, then approve \(any finance user\) or reject$/, 'payout.review', []],
  [/^finance to review, then approve \(a finance user other than user (\d+), who prepared it\) or reject$/, 'payout.review_other', ['user_id']],
  [/^bank transfers$/, 'payout.transfers', []],
  [/^the bank's results for (\d+) transfers? /, 'payout.bank_results', ['n']],
  [/^finance: (\d+) transfers? failed or came back/, 'payout.attention', ['n']],
  [/^finance to record the remittance of ¥(\d+) withheld$/, 'payout.remittance_yen', ['yen']],
  [/^finance to record the withholding remittance$/, 'payout.remittance', []],
  [/^finance: the run is blocked while (\w+): (.*)$/s, 'payout.blocked', ['phase', 'reason']],
  [/^nothing\b/, 'payout.nothing', []],
  [/^you: your payment of (\S+) did not reach your account \((.*)\); check your bank details$/s, 'payout.fix_bank', ['month', 'reason']],
  [/^finance to review and issue the (\d{4}-\d{2}) draft$/, 'billing.review_draft', ['month']],
  [/^finance to release the held draft \((.*)\) and issue it$/s, 'billing.release_draft', ['reason']],
  [/^payment of ¥(\d+) on (\S+) \(due (\S+)\)$/, 'billing.payment', ['yen', 'number', 'due']],
  [/^finance to match ¥(\d+) received (\S+) \((.*)\)$/s, 'billing.match_receipt', ['yen', 'received_on', 'reason']],
];

/** A view row with its waiting-for as a code and parameters beside the text. */
export function withWaitingFor<T extends { waiting_for: string | null }>(row: T): T & { waiting_for_code: string | null; waiting_for_params: Message['params'] } {
  const w = waitingForMessage(row.waiting_for);
  return { ...row, waiting_for_code: w?.code ?? null, waiting_for_params: w?.params ?? {} };
}

/**
 * A waiting-for sentence as a code and its parameters; `other` (with the text) for one no page
 * knows, so nothing reaches a page untranslated without a test noticing the list.
 */
export function waitingForMessage(text: string | null | undefined): Message | null {
  if (text == null) return null;
  for (const [re, code, names] of WAITING_FOR_TEXTS) {
    const m = re.exec(text);
    if (!m) continue;
    const params: Record<string, string | number> = {};
    names.forEach((name, i) => {
      const v = m[i + 1];
      if (v !== undefined) params[name] = /^\d+$/.test(v) ? Number(v) : v;
    });
    return { code, params };
  }
  return { code: 'other', params: { text } };
}
