// Shapes of invoices and credit notes: the documents, their lines, the invoicing run, the month's
// export, and what finance sends to review, hold, issue and credit them.
import { Type } from 'typebox';
import { Actions, CalendarDate, Id, Month, Nullable, Timestamp } from './common.ts';
import { closed, SignedYen } from './billing.ts';

export const RateTotal = closed({ rate_bp: Type.Integer(), taxable_yen: SignedYen, tax_yen: SignedYen });

export const InvoiceLine = closed({
  id: Id,
  invoice_id: Id,
  line_key: Type.String(),
  position: Type.Integer(),
  engagement_id: Nullable(Id),
  item: Type.String(),
  description: Type.String(),
  amount_yen: SignedYen,
  tax_rate_bp: Type.Integer(),
  list_amount_yen: Nullable(SignedYen),
  days_billed: Nullable(Type.Integer()),
  days_in_month: Nullable(Type.Integer()),
  original_line_id: Nullable(Id),
});

const invoiceProps = {
  id: Id,
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
  draft_key: Type.String(),
  month: Month,
  bill_to_kind: Type.Union([Type.Literal('client'), Type.Literal('partner')]),
  client_id: Nullable(Id),
  partner_id: Nullable(Id),
  status: Type.Union([Type.Literal('draft'), Type.Literal('held'), Type.Literal('issued')]),
  number: Nullable(Type.String({ description: 'INV-0000001 / CRN-0000001, set when issued' })),
  original_invoice_id: Nullable(Id),
  recipient_name: Type.String(),
  issuer_name: Type.String(),
  issuer_registration_number: Type.String({ description: 'T + 13 digits' }),
  period_start: CalendarDate,
  period_end: CalendarDate,
  issue_date: Nullable(CalendarDate),
  due_date: CalendarDate,
  terms_label: Type.String(),
  rounding: Type.String(),
  subtotal_yen: SignedYen,
  tax_yen: SignedYen,
  total_yen: SignedYen,
  tax_summary: Type.Array(RateTotal),
  hold_reason: Nullable(Type.String()),
  note: Nullable(Type.String()),
  issued_at: Nullable(Timestamp),
  issued_by: Nullable(Id),
  created_by: Nullable(Id),
  created_at: Timestamp,
  updated_at: Timestamp,
  received_yen: SignedYen,
  fees_yen: SignedYen,
  credited_yen: SignedYen,
  outstanding_yen: SignedYen,
  payment_status: Nullable(Type.Union([Type.Literal('paid'), Type.Literal('credited'), Type.Literal('overdue'), Type.Literal('partially_paid'), Type.Literal('unpaid')])),
};

export const InvoiceSummary = closed(invoiceProps);

/** What the caller may do to the invoice now (the review routes' role and state checks). */
export const InvoiceActions = Actions(['edit_lines', 'add_line', 'hold', 'release', 'issue', 'credit_note'] as const);

export const Invoice = closed({
  ...invoiceProps,
  rounding_label: Type.String(),
  tax_basis: Type.Literal('tax_exclusive'),
  lines: Type.Array(InvoiceLine),
  original: Nullable(closed({ id: Id, number: Nullable(Type.String()), issue_date: Nullable(CalendarDate) })),
  credit_notes: Type.Array(closed({ id: Id, number: Nullable(Type.String()), total_yen: SignedYen, issue_date: Nullable(CalendarDate) })),
  receipts: Type.Array(closed({ id: Id, received_on: CalendarDate, amount_yen: SignedYen, fee_yen: SignedYen, matched_how: Nullable(Type.String()) })),
  actions: InvoiceActions,
});

export const ExportJson = closed({
  month: Month,
  totals: closed({ subtotal_yen: SignedYen, tax_yen: SignedYen, total_yen: SignedYen }),
  invoices: Type.Array(
    closed({
      number: Nullable(Type.String()),
      kind: Type.String(),
      original_number: Nullable(Type.String()),
      issue_date: Nullable(CalendarDate),
      month: Month,
      period: closed({ start: CalendarDate, end: CalendarDate }),
      due_date: CalendarDate,
      bill_to: closed({ kind: Type.String(), client_id: Nullable(Id), partner_id: Nullable(Id), name: Type.String() }),
      issuer: closed({ name: Type.String(), registration_number: Type.String() }),
      subtotal_yen: SignedYen,
      tax_yen: SignedYen,
      total_yen: SignedYen,
      per_rate: Type.Array(RateTotal),
      lines: Type.Array(closed({ engagement_id: Nullable(Id), item: Type.String(), description: Type.String(), amount_yen: SignedYen, tax_rate_bp: Type.Integer() })),
    }),
  ),
});

export const InvoicingRun = Type.Object({ month: Month, workflow_id: Type.String(), started: Type.Boolean() });
export const InvoicePage = Type.Object({ items: Type.Array(InvoiceSummary), next_after_id: Type.Union([Id, Type.Null()]) });

export const MonthBody = Type.Object({ month: Month }, { additionalProperties: false, examples: [{ month: '2026-04' }] });
export const InvoiceListQuery = Type.Object(
  {
    month: Type.Optional(Month),
    status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('held'), Type.Literal('issued')])),
    kind: Type.Optional(Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')])),
    client_id: Type.Optional(Id),
    partner_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'invoices billed to this partner (a partner user sees only its own anyway)' })),
    after_id: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
export const LineParams = Type.Object({ id: Id, lineId: Id }, { additionalProperties: false });
export const LineEdit = Type.Object(
  { amount_yen: Type.Optional(Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000 })), description: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false, minProperties: 1, examples: [{ amount_yen: 45_000, description: 'プラットフォーム利用料（値引き後）' }] },
);
export const NewLine = Type.Object(
  { description: Type.String({ minLength: 1, maxLength: 500 }), amount_yen: Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000 }), engagement_id: Type.Optional(Id) },
  { additionalProperties: false, examples: [{ description: '初月値引き', amount_yen: -10_000, engagement_id: 1 }] },
);
export const HoldReason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false, examples: [{ reason: '終了日を確認中' }] });
export const CreditBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    lines: Type.Optional(Type.Array(Type.Object({ line_id: Id, amount_yen: Type.Integer({ minimum: 1, maximum: 10_000_000_000 }) }, { additionalProperties: false }), { minItems: 1 })),
  },
  { additionalProperties: false, examples: [{ reason: '契約解除による返金', lines: [{ line_id: 1, amount_yen: 50_000 }] }] },
);
export const ExportQuery = Type.Object({ month: Month, format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }) }, { additionalProperties: false });
