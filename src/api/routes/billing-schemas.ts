// Response shapes of the billing routes (they feed serialisation and /openapi.json).
import { Type, type TSchema } from 'typebox';
import { BDate, BId, BMonth } from './billing-common.ts';

const N = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Yen = Type.Integer({ description: 'integer yen' });
const Ts = Type.String({ format: 'date-time' });
const obj = <P extends Record<string, TSchema>>(p: P) => Type.Object(p, { additionalProperties: false });

export const RateTotal = obj({ rate_bp: Type.Integer(), taxable_yen: Yen, tax_yen: Yen });

export const InvoiceLine = obj({
  id: BId,
  invoice_id: BId,
  line_key: Type.String(),
  position: Type.Integer(),
  engagement_id: N(BId),
  item: Type.String(),
  description: Type.String(),
  amount_yen: Yen,
  tax_rate_bp: Type.Integer(),
  list_amount_yen: N(Yen),
  days_billed: N(Type.Integer()),
  days_in_month: N(Type.Integer()),
  original_line_id: N(BId),
});

const invoiceProps = {
  id: BId,
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
  draft_key: Type.String(),
  month: BMonth,
  bill_to_kind: Type.Union([Type.Literal('client'), Type.Literal('partner')]),
  client_id: N(BId),
  partner_id: N(BId),
  status: Type.Union([Type.Literal('draft'), Type.Literal('held'), Type.Literal('issued')]),
  number: N(Type.String({ description: 'INV-0000001 / CRN-0000001, set when issued' })),
  original_invoice_id: N(BId),
  recipient_name: Type.String(),
  issuer_name: Type.String(),
  issuer_registration_number: Type.String({ description: 'T + 13 digits' }),
  period_start: BDate,
  period_end: BDate,
  issue_date: N(BDate),
  due_date: BDate,
  terms_label: Type.String(),
  rounding: Type.String(),
  subtotal_yen: Yen,
  tax_yen: Yen,
  total_yen: Yen,
  tax_summary: Type.Array(RateTotal),
  hold_reason: N(Type.String()),
  note: N(Type.String()),
  issued_at: N(Ts),
  issued_by: N(BId),
  created_by: N(BId),
  created_at: Ts,
  updated_at: Ts,
  received_yen: Yen,
  fees_yen: Yen,
  credited_yen: Yen,
  outstanding_yen: Yen,
  payment_status: N(Type.Union([Type.Literal('paid'), Type.Literal('credited'), Type.Literal('overdue'), Type.Literal('partially_paid'), Type.Literal('unpaid')])),
};

export const InvoiceSummary = obj(invoiceProps);
export const Invoice = obj({
  ...invoiceProps,
  rounding_label: Type.String(),
  tax_basis: Type.Literal('tax_exclusive'),
  lines: Type.Array(InvoiceLine),
  original: N(obj({ id: BId, number: N(Type.String()), issue_date: N(BDate) })),
  credit_notes: Type.Array(obj({ id: BId, number: N(Type.String()), total_yen: Yen, issue_date: N(BDate) })),
  receipts: Type.Array(obj({ id: BId, received_on: BDate, amount_yen: Yen, fee_yen: Yen, matched_how: N(Type.String()) })),
});

const PlanVersion = obj({ effective_month: BMonth, platform_fee_yen: Yen, cs_support_yen: Yen, growth_team_yen: Yen, created_at: Type.String() });
export const PricePlan = obj({
  engagement_id: BId,
  month: BMonth,
  current: obj({ effective_month: N(BMonth), platform_fee_yen: Yen, cs_support_yen: Yen, growth_team_yen: Yen, monthly_total_yen: Yen }),
  upcoming: Type.Array(PlanVersion),
  versions: Type.Array(PlanVersion),
  tax: Type.String(),
});

export const BillingAccount = obj({
  client_id: BId,
  legal_name: Type.String(),
  payer_kana: Type.Array(Type.String()),
  due_rule: Type.String(),
  due_days: Type.Integer(),
  holiday_shift: Type.String(),
  updated_by: N(BId),
  updated_at: Ts,
});

const receiptProps = {
  id: BId,
  source: Type.String(),
  import_key: Type.String(),
  received_on: BDate,
  payer_name: Type.String(),
  amount_yen: Yen,
  status: Type.Union([Type.Literal('matched'), Type.Literal('unmatched')]),
  invoice_id: N(BId),
  fee_yen: Yen,
  matched_how: N(Type.String()),
  unmatched_reason: N(Type.String()),
  matched_by: N(BId),
  created_by: N(BId),
  created_at: Ts,
  matched_at: N(Ts),
};
export const Receipt = obj(receiptProps);
export const ImportResult = obj({
  lines: Type.Integer(),
  created: Type.Integer(),
  matched: Type.Integer(),
  unmatched: Type.Integer(),
  receipts: Type.Array(obj({ line: Type.Integer(), ...receiptProps })),
});

export const Partner = obj({
  id: BId,
  name: Type.String(),
  legal_name: Type.String(),
  invoice_registration_number: N(Type.String()),
  invoice_registered_on: N(BDate),
  invoice_expires_on: N(BDate),
  payer_kana: Type.Array(Type.String()),
  payee_hacker_id: N(BId),
  created_at: Ts,
});
export const PartnerUser = obj({ id: BId, name: Type.String(), role: Type.Literal('partner'), partner_id: BId, token: Type.String({ description: 'shown once' }) });
export const Attribution = obj({
  engagement_id: BId,
  partner_id: BId,
  mode: Type.String(),
  commission_bp: Type.Integer(),
  commission_from_month: BMonth,
  commission_to_month: N(BMonth),
  wholesale_bp: Type.Integer(),
  created_by: N(BId),
  created_at: Ts,
});
export const PartnerEngagement = obj({
  id: BId,
  status: Type.String(),
  start_month: BMonth,
  current_month: N(Type.String()),
  client_name: Type.String(),
  mode: Type.String(),
  commission_bp: Type.Integer(),
  commission_from_month: BMonth,
  commission_to_month: N(BMonth),
  results: obj({ tests: Type.Integer(), wins: Type.Integer(), monthly_revenue_uplift_yen: Yen }),
});
export const PartnerStatement = obj({
  partner: obj({ id: BId, name: Type.String(), legal_name: Type.String(), registered: Type.Boolean(), registration_number: N(Type.String()) }),
  month: BMonth,
  lines: Type.Array(obj({ id: BId, engagement_id: BId, month: BMonth, base_yen: Yen, rate_bp: Type.Integer(), amount_yen: Yen, invoice_number: N(Type.String()), item: Type.String() })),
  commission_yen: Yen,
  consumption_tax_yen: Yen,
  withholding_yen: Yen,
  total_payable_yen: Yen,
  note: Type.String(),
});

export const BillingTask = obj({
  kind: Type.Union([Type.Literal('review_invoice_draft'), Type.Literal('invoice_overdue'), Type.Literal('match_receipt')]),
  invoice_id: N(BId),
  client_id: N(BId),
  receipt_id: Type.Optional(BId),
  due_at: N(Type.String()),
  overdue: Type.Boolean(),
  waiting_for: Type.String(),
});
export const BillingAlert = obj({ id: BId, unique_key: Type.String(), kind: Type.String(), invoice_id: N(BId), engagement_id: N(BId), recipient: Type.String(), message: Type.String(), created_at: Ts });

const marginProps = { billed_yen: Yen, received_yen: Yen, paid_to_hackers_yen: Yen, withheld_yen: Yen, commissions_yen: Yen, margin_yen: Yen };
export const Margin = obj({
  items: Type.Array(obj({ engagement_id: BId, client_id: BId, partner_id: N(BId), month: BMonth, ...marginProps })),
  totals: obj(marginProps),
});

export const ExportJson = obj({
  month: BMonth,
  totals: obj({ subtotal_yen: Yen, tax_yen: Yen, total_yen: Yen }),
  invoices: Type.Array(
    obj({
      number: N(Type.String()),
      kind: Type.String(),
      original_number: N(Type.String()),
      issue_date: N(BDate),
      month: BMonth,
      period: obj({ start: BDate, end: BDate }),
      due_date: BDate,
      bill_to: obj({ kind: Type.String(), client_id: N(BId), partner_id: N(BId), name: Type.String() }),
      issuer: obj({ name: Type.String(), registration_number: Type.String() }),
      subtotal_yen: Yen,
      tax_yen: Yen,
      total_yen: Yen,
      per_rate: Type.Array(RateTotal),
      lines: Type.Array(obj({ engagement_id: N(BId), item: Type.String(), description: Type.String(), amount_yen: Yen, tax_rate_bp: Type.Integer() })),
    }),
  ),
});

export const PaymentStatement = obj({
  payee_name: Type.String(),
  month: BMonth,
  payment_date: BDate,
  issuer_name: Type.String(),
  issuer_registration_number: Type.String(),
  payee_registration_number: N(Type.String()),
  fee_yen: Yen,
  consumption_tax_yen: Yen,
  rate_bp: Type.Integer(),
  withholding_yen: Yen,
  net_yen: Yen,
  run_id: BId,
  item_id: BId,
  status: Type.String(),
  payee_type: Type.String(),
  registered: Type.Boolean(),
  withholding_base_yen: Yen,
  gross_payable_yen: Yen,
  lines: Type.Array(obj({ ledger_id: BId, kind: Type.String(), category: Type.String(), month: BMonth, description: Type.String(), amount_yen: Yen })),
});

const taxGroup = { payees: Type.Integer(), fee_yen: Yen, consumption_tax_paid_yen: Yen, deemed_input_tax_yen: Yen, creditable_input_tax_yen: Yen };
export const InputTax = obj({
  month: BMonth,
  run_id: BId,
  payment_date: BDate,
  rate_bp: Type.Integer(),
  registered: obj(taxGroup),
  unregistered: obj({ ...taxGroup, credit_bp: Type.Integer() }),
  creditable_input_tax_yen: Yen,
  payees: Type.Array(obj({ hacker_id: BId, status: Type.String(), registered: Type.Boolean(), fee_yen: Yen, consumption_tax_paid_yen: Yen, deemed_input_tax_yen: Yen, credit_bp: Type.Integer(), creditable_input_tax_yen: Yen })),
});
