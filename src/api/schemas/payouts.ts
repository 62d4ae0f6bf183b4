// Request and response shapes of the payee master, the hackers' payout reads (statement, ledger) and
// the payout runs (items, audit, decisions, withholding, bank file, annual records).
import { Type } from 'typebox';
import { PAYOUT_ITEM_STATUSES } from '../../shared/payouts.ts';
import { Actions, CalendarDate, Id, Month, Nullable, PagedQuery, Timestamp, WaitingForCode } from './common.ts';

const Amount = Type.Integer({ description: 'integer yen' });
const Reason = Type.String({ minLength: 1, maxLength: 1000 });

// ── payee master ────────────────────────────────────────────────────────────────────────────────

export const MaskedBank = Type.Object({
  bank_name: Type.String(),
  branch_name: Type.String(),
  account_type: Type.String({ description: '1 普通, 2 当座, 4 貯蓄, 9 その他' }),
  account_number: Type.String({ description: 'masked: ****567' }),
  holder_name: Type.String({ description: 'masked' }),
});

export const Payee = Type.Object({
  hacker_id: Id,
  display_name: Type.String(),
  kind: Type.String({ description: 'individual or corporation' }),
  residency: Type.String({ description: 'resident or non_resident' }),
  payee_type: Type.String(),
  legal_name: Nullable(Type.String()),
  address: Nullable(Type.String()),
  treaty: Nullable(Type.Object({ form_filed: Type.Boolean(), limit_rate_percent: Nullable(Type.Number()) })),
  income_source: Type.String(),
  invoice: Nullable(Type.Object({ registration_number: Type.String(), registered_on: Nullable(CalendarDate), expires_on: Nullable(CalendarDate) })),
  default_category: Type.String(),
  bank: Nullable(MaskedBank),
  updated_at: Nullable(Timestamp),
  payable: Type.Object(
    {
      ok: Type.Boolean(),
      code: Nullable(Type.String({ description: 'no_bank_details, bank_change_pending_review, bank_change_needs_info' })),
      reason: Nullable(Type.String()),
    },
    { description: 'whether a payout run would pay this payee now, and if not why (the code its held item carries)' },
  ),
  open_change: Nullable(
    Type.Object(
      { id: Id, status: Type.Union([Type.Literal('pending'), Type.Literal('needs_info')]), fields: Type.Array(Type.String()), comment: Nullable(Type.String()) },
      { description: "the payee's own change waiting for finance (pending) or for the payee's answer (needs_info)" },
    ),
  ),
});

export const PayeeBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('corporation')])),
    residency: Type.Optional(Type.Union([Type.Literal('resident'), Type.Literal('non_resident')])),
    legal_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500 }))),
    treaty: Type.Optional(
      Nullable(
        Type.Object(
          { form_filed: Type.Boolean(), limit_rate_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })) },
          { additionalProperties: false },
        ),
      ),
    ),
    income_source: Type.Optional(Type.Union([Type.Literal('domestic'), Type.Literal('domestic_royalty'), Type.Literal('foreign_service')])),
    invoice: Type.Optional(
      Nullable(
        Type.Object(
          {
            registration_number: Type.String({ pattern: '^T[0-9]{13}$', description: '"T" + 13 digits' }),
            registered_on: CalendarDate,
            expires_on: Type.Optional(Nullable(CalendarDate)),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    default_category: Type.Optional(Type.Union([Type.Literal('design'), Type.Literal('none')])),
    bank: Type.Optional(
      Nullable(
        Type.Object(
          {
            bank_code: Type.String({ pattern: '^[0-9]{4}$', description: '4 digits' }),
            branch_code: Type.String({ pattern: '^[0-9]{3}$', description: '3 digits' }),
            account_type: Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('4'), Type.Literal('9')], {
              description: '1 普通, 2 当座, 4 貯蓄, 9 その他',
            }),
            account_number: Type.String({ pattern: '^[0-9]{7}$', description: '7 digits' }),
            holder_name: Type.String({ minLength: 1, maxLength: 100, description: 'account holder in kana, as the bank has it' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        legal_name: '山田太郎',
        address: '東京都千代田区丸の内1-1-1',
        income_source: 'domestic',
        invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' },
        default_category: 'design',
        bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1234567', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ' },
      },
    ],
  },
);

// ── a hacker's statement and ledger ──────────────────────────────────────────────────────────────

export const StatementParams = Type.Object({ id: Id, month: Month }, { additionalProperties: false });

const StatementLine = Type.Object({
  ledger_id: Id,
  kind: Type.String(),
  category: Type.String(),
  amount_yen: Type.Integer({ description: 'integer yen; negative for a reversal' }),
  month: Type.String(),
  delivered_at: Timestamp,
  engagement_id: Type.Union([Id, Type.Null()], { description: 'null for a line of no engagement (e.g. a network retainer)' }),
  cycle_id: Nullable(Id),
  offer_id: Nullable(Id),
  proposal_id: Nullable(Id),
  description: Type.String(),
});

export const Statement = Type.Object({
  hacker_id: Id,
  month: Type.String(),
  gross_payable: Amount,
  deductions_yen: Type.Integer(),
  withholding: Amount,
  net_transfer: Amount,
  carried_forward_yen: Type.Integer({ description: "negative balance this month's run carried forward (0 if none)" }),
  unpaid_balance_yen: Type.Integer({ description: 'lines up to this month in no live payment, now (may be negative)' }),
  payments: Type.Array(
    Type.Object({
      id: Id,
      run_id: Id,
      payment_date: Nullable(CalendarDate),
      status: Type.String(),
      payee_type: Type.String(),
      gross_payable: Amount,
      deductions_yen: Type.Integer(),
      withholding_base: Amount,
      withholding: Amount,
      net_transfer: Amount,
      flags: Type.Array(Type.String()),
      submitted_at: Nullable(Timestamp),
      failure_reason: Nullable(Type.String({ description: 'why the transfer failed or came back' })),
      resolution: Nullable(Type.String({ description: 'moved (to the next run) or cancelled' })),
      lines: Type.Array(StatementLine),
    }),
  ),
});

export const LedgerQuery = PagedQuery({});

const LedgerLine = Type.Object({
  id: Id,
  kind: Type.String(),
  category: Type.String(),
  amount_yen: Type.Integer({ description: 'integer yen; negative for a reversal' }),
  month: Type.String(),
  description: Type.String(),
  delivered_at: Timestamp,
  reverses_id: Nullable(Id),
  created_at: Timestamp,
  status: Type.Union([Type.Literal('paid'), Type.Literal('in_run'), Type.Literal('cancelled'), Type.Literal('unpaid')], {
    description:
      'paid: the bank confirmed the transfer; in_run: in a live payment not yet confirmed (review, held, handed to the bank, or failed/returned and waiting for finance); cancelled: finance cancelled its payment; unpaid: waiting for a run',
  }),
  run_id: Nullable(Id),
  item_id: Nullable(Id),
  payment_date: Nullable(CalendarDate),
  failure_reason: Nullable(Type.String({ description: 'why the transfer failed, came back or was cancelled (fix your bank details on your payee page)' })),
});

export const Ledger = Type.Object({
  hacker_id: Id,
  balance: Type.Object({
    unpaid_yen: Type.Integer({ description: 'Σ unpaid lines; negative when reversals exceed the earnings not yet paid (carried forward)' }),
    in_run_yen: Type.Integer(),
    paid_yen: Type.Integer(),
  }),
  items: Type.Array(LedgerLine),
  next_after_id: Nullable(Id),
});

// ── payout runs ──────────────────────────────────────────────────────────────────────────────────

const Totals = Type.Object({
  items: Type.Integer({ description: 'items (one per payee paid by this run)' }),
  pending: Type.Integer({ description: 'items to pay (count)' }),
  held: Type.Integer(),
  sent: Type.Integer({ description: 'items whose transfer was handed to the bank (awaiting its result or confirmed)' }),
  handed_to_bank: Type.Integer({ description: 'handed to the bank, no result yet' }),
  confirmed: Type.Integer({ description: "the bank's result confirmed the transfer" }),
  failed: Type.Integer(),
  returned: Type.Integer({ description: 'came back from the bank (組戻し)' }),
  needs_resolution: Type.Integer({ description: 'failed or returned items waiting for finance to retry, move or cancel them' }),
  cancelled: Type.Integer(),
  flagged: Type.Integer(),
  gross_yen: Type.Integer({ description: 'gross of every item that is not cancelled, held ones included' }),
  held_gross_yen: Type.Integer({ description: 'gross of the held items (not paid by this run unless released)' }),
  to_pay_gross_yen: Type.Integer({ description: 'gross of the items still to hand to the bank' }),
  to_pay_net_yen: Type.Integer({ description: 'net transfers still to hand to the bank' }),
  sent_gross_yen: Type.Integer(),
  sent_net_yen: Type.Integer({ description: 'net transfers handed to the bank; the bank executes them on payment_date' }),
  confirmed_net_yen: Type.Integer({ description: 'net transfers the bank confirmed' }),
  failed_net_yen: Type.Integer({ description: 'net transfers that failed or came back' }),
  withholding_yen: Type.Integer({ description: 'tax on the items to pay, handed over or confirmed (not on held, failed or returned ones)' }),
  deductions_yen: Type.Integer({ description: 'reversals netted into the payments' }),
  carried_forward_payees: Type.Integer({ description: 'payees not paid because their balance is zero or negative' }),
  carried_forward_yen: Type.Integer({ description: 'their balance, carried to the next run (≤ 0)' }),
  zengin_files: Type.Integer({ description: 'Zengin files of the run: 1, plus one per round of retried transfers (GET …/zengin?file=N); 0 before the hand-over' }),
});
const CarriedForward = Type.Object({ hacker_id: Id, balance_yen: Type.Integer(), line_count: Type.Integer() });

export const RUN_ACTIONS = ['approve', 'reject', 'hold', 'release', 'record_remittance'] as const;
/** What the caller may do to the run now (hold/release: its items), by the checks those routes enforce. */
export const RunActions = Actions(RUN_ACTIONS);

export const Run = Type.Object({
  id: Id,
  month: Type.String(),
  workflow_id: Type.String(),
  status: Type.String({
    description:
      'drafting, review, paying (handing over, then awaiting the bank results), needs_attention (a failed or returned transfer waits for finance), remitting, completed, rejected or blocked (the reason in waiting_for)',
  }),
  payment_date: Type.Union([CalendarDate, Type.Null()], { description: 'the transfer date: the bank executes the transfers on this day' }),
  prepared_by: Nullable(Id),
  last_changed_by: Nullable(Id),
  decided_by: Nullable(Id),
  decided_at: Nullable(Timestamp),
  decision_reason: Nullable(Type.String()),
  remitted_on: Nullable(CalendarDate),
  remitted_by: Nullable(Id),
  remittance_note: Nullable(Type.String()),
  waiting_for: Nullable(Type.String()),
  ...WaitingForCode,
  prepared_by_name: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  totals: Totals,
  carried_forward: Type.Array(CarriedForward),
  actions: RunActions,
});

export const ITEM_ACTIONS = ['retry', 'move_to_next_run', 'cancel'] as const;
/** What the caller may do to a failed or returned item now, by the checks those routes enforce. */
export const ItemActions = Actions(ITEM_ACTIONS);

export const Item = Type.Object({
  id: Id,
  run_id: Id,
  hacker_id: Id,
  display_name: Type.String(),
  status: Type.String(),
  payee_type: Type.String(),
  line_count: Type.Integer(),
  fee_total: Type.Integer({ description: 'fees of the lines paid, net of deductions' }),
  deductions_yen: Type.Integer({ description: 'negative lines (e.g. a reversed bonus) netted into this payment' }),
  withholding_base: Amount,
  withholding: Amount,
  gross_payable: Amount,
  net_transfer: Amount,
  flags: Type.Array(Type.String()),
  hold_reason: Nullable(Type.String()),
  hold_code: Nullable(Type.String({ description: 'why a held item is not paid: no_bank_details, bank_change_pending_review, bank_change_needs_info, held_by_finance' })),
  failure_reason: Nullable(Type.String()),
  bank_reference: Nullable(Type.String()),
  submitted_at: Nullable(Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'when the transfer was handed to the bank' })),
  payment_date: Type.Union([CalendarDate, Type.Null()], { description: 'when the bank executes it (the money is due that day)' }),
  bank_masked: Nullable(MaskedBank),
  attempt: Type.Integer({ description: 'transfer attempt: 1, plus one per retry (the Zengin file number it is in)' }),
  downloaded_by: Nullable(Id),
  downloaded_at: Nullable(Timestamp),
  result_at: Nullable(Timestamp),
  resolution: Nullable(Type.String({ description: 'moved (to the next run) or cancelled' })),
  resolution_reason: Nullable(Type.String()),
  resolved_by: Nullable(Id),
  resolved_at: Nullable(Timestamp),
  cancel_requested_by: Nullable(Id),
  cancel_requested_at: Nullable(Timestamp),
  cancel_reason: Nullable(Type.String()),
  actions: ItemActions,
});

export const ItemActionBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false, examples: [{ reason: 'payee corrected the account number' }] },
);
export const ZenginQuery = Type.Object(
  { file: Type.Optional(Type.Integer({ minimum: 1, description: 'file number (default: the latest; a retry goes into a later file)' })) },
  { additionalProperties: false },
);

const Slip = Type.Object({ payees: Type.Integer(), base_total: Amount, tax_total: Amount });
export const Withholding = Type.Object({
  run_id: Id,
  month: Type.String({ description: 'month of payment (tax withheld)' }),
  due_date: CalendarDate,
  residents: Slip,
  nonresidents: Slip,
  remitted_on: Nullable(CalendarDate),
  counts: Type.String({ description: 'what the figures count: payments the bank confirmed, nothing else' }),
});

export const AuditEntry = Type.Object({
  id: Id,
  run_id: Nullable(Id),
  item_id: Nullable(Id),
  hacker_id: Nullable(Id),
  actor: Type.String({ description: 'user:<id>, system or schedule' }),
  actor_user_id: Nullable(Id),
  actor_name: Nullable(Type.String({ description: "the user's name when a person acted" })),
  action: Type.String({ description: 'a code (src/domain/messages.ts AUDIT_ACTIONS) pages translate' }),
  reason: Nullable(Type.String()),
  details: Type.Unknown({ description: 'what changed (action-specific)' }),
  created_at: Timestamp,
});

/**
 * A run's month: any YYYY-MM passes the schema so the route answers a month outside the tax calendar
 * (2000-01..2099-11) with the rule's own sentence, naming /body/month.
 */
const RunMonth = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'Asia/Tokyo month, YYYY-MM (2000-01 to 2099-11: the tax calendar)' });

export const NewRun = Type.Object(
  {
    month: RunMonth,
    reminder_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86400, description: 'reminder interval (default 1 day)' })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'payees per pay activity (default 500)' })),
  },
  { additionalProperties: false, examples: [{ month: '2031-04' }] },
);

export const ItemParams = Type.Object({ id: Id, itemId: Id }, { additionalProperties: false });
export const ItemsQuery = PagedQuery({
  status: Type.Optional(
    Type.Union(PAYOUT_ITEM_STATUSES.map((s) => Type.Literal(s))),
  ),
});
export const RunsQuery = PagedQuery({});

export const HoldBody = Type.Object({ reason: Reason }, { additionalProperties: false, examples: [{ reason: 'bank account under verification' }] });
export const RejectBody = Type.Object({ reason: Reason }, { additionalProperties: false, examples: [{ reason: 'fees of engagement 12 are still disputed' }] });
export const RemittanceBody = Type.Object(
  { remitted_on: CalendarDate, note: Type.Optional(Reason) },
  { additionalProperties: false, examples: [{ remitted_on: '2031-05-09', note: 'e-Tax receipt 2031-0509-001' }] },
);

export const AnnualRecordsQuery = Type.Object(
  {
    year: Type.Integer({ minimum: 2000, maximum: 2099 }),
    copy: Type.Optional(Type.Union([Type.Literal('tax_office'), Type.Literal('payee')], { description: 'payee: without the 法人番号' })),
  },
  { additionalProperties: false },
);
