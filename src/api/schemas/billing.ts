// Shapes of billing as a whole (price plans, billing accounts, tasks, alerts, the margin report) and
// the helpers every billing schema uses. They feed validation, serialisation and /openapi.json.
import { Type, type TSchema } from 'typebox';
import { authErrors, CalendarDate, ErrorResponse, Id, Month, Nullable, Timestamp } from './common.ts';

/** An amount of integer yen of either sign (answers: totals, adjustments, credits). */
export const SignedYen = Type.Integer({ description: 'integer yen' });
/** An object that carries nothing else. */
export const closed = <P extends Record<string, TSchema>>(p: P) => Type.Object(p, { additionalProperties: false });
/** The billing routes' errors: the authenticated ones and 409 (a state or immutability rule). */
export const billingErrors = { ...authErrors, 409: ErrorResponse } as const;

// ── price plans ─────────────────────────────────────────────────────────────────────────────────

const YenAmount = Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'integer yen, tax-exclusive' });
export const PricePlanBody = Type.Object(
  {
    platform_fee_yen: Type.Integer({ minimum: 1, maximum: 10_000_000_000, description: 'monthly platform fee, tax-exclusive yen' }),
    cs_support_yen: Type.Optional(YenAmount),
    growth_team_yen: Type.Optional(YenAmount),
    from_month: Type.Optional(Month),
  },
  { additionalProperties: false, examples: [{ platform_fee_yen: 300_000, cs_support_yen: 50_000, growth_team_yen: 0 }] },
);

const PlanVersion = closed({ effective_month: Month, platform_fee_yen: SignedYen, cs_support_yen: SignedYen, growth_team_yen: SignedYen, created_at: Type.String() });

export const PricePlan = closed({
  engagement_id: Id,
  month: Month,
  current: closed({ effective_month: Nullable(Month), platform_fee_yen: SignedYen, cs_support_yen: SignedYen, growth_team_yen: SignedYen, monthly_total_yen: SignedYen }),
  upcoming: Type.Array(PlanVersion),
  versions: Type.Array(PlanVersion),
  tax: Type.String(),
});

// ── billing accounts ────────────────────────────────────────────────────────────────────────────

export const BillingAccountBody = Type.Object(
  {
    legal_name: Type.String({ minLength: 1, maxLength: 200, description: 'recipient name on invoices (Japanese legal name)' }),
    payer_kana: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10, description: 'payer names as on bank statements (kana)' })),
    due_rule: Type.Optional(Type.Union([Type.Literal('next_month_end'), Type.Literal('days_after_close')])),
    due_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    holiday_shift: Type.Optional(Type.Union([Type.Literal('previous'), Type.Literal('next')])),
  },
  { additionalProperties: false, examples: [{ legal_name: '株式会社カイゼン商事', payer_kana: ['ｶｲｾﾞﾝｼｮｳｼﾞ'], due_rule: 'next_month_end', holiday_shift: 'previous' }] },
);

export const BillingAccount = closed({
  client_id: Id,
  legal_name: Type.String(),
  payer_kana: Type.Array(Type.String()),
  due_rule: Type.String(),
  due_days: Type.Integer(),
  holiday_shift: Type.String(),
  updated_by: Nullable(Id),
  updated_at: Timestamp,
});

// ── tasks, alerts, reports ──────────────────────────────────────────────────────────────────────

export const BillingTask = closed({
  kind: Type.Union([Type.Literal('review_invoice_draft'), Type.Literal('invoice_overdue'), Type.Literal('match_receipt')]),
  invoice_id: Nullable(Id),
  client_id: Nullable(Id),
  receipt_id: Type.Optional(Id),
  due_at: Nullable(Type.String()),
  overdue: Type.Boolean(),
  waiting_for: Type.String(),
});

export const BillingTasks = Type.Object({ items: Type.Array(BillingTask) });
export const BillingAlert = closed({ id: Id, unique_key: Type.String(), kind: Type.String(), invoice_id: Nullable(Id), engagement_id: Nullable(Id), recipient: Type.String(), message: Type.String(), created_at: Timestamp });

const marginProps = { billed_yen: SignedYen, received_yen: SignedYen, paid_to_hackers_yen: SignedYen, withheld_yen: SignedYen, commissions_yen: SignedYen, margin_yen: SignedYen };

export const Margin = closed({
  items: Type.Array(closed({ engagement_id: Id, client_id: Id, partner_id: Nullable(Id), month: Month, ...marginProps })),
  totals: closed(marginProps),
});

export const MarginQuery = Type.Object(
  { month: Type.Optional(Month), client_id: Type.Optional(Id), partner_id: Type.Optional(Id), format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }) },
  { additionalProperties: false },
);

const taxGroup = { payees: Type.Integer(), fee_yen: SignedYen, consumption_tax_paid_yen: SignedYen, deemed_input_tax_yen: SignedYen, creditable_input_tax_yen: SignedYen };

export const InputTax = closed({
  month: Month,
  run_id: Id,
  payment_date: CalendarDate,
  rate_bp: Type.Integer(),
  registered: closed(taxGroup),
  unregistered: closed({ ...taxGroup, credit_bp: Type.Integer() }),
  creditable_input_tax_yen: SignedYen,
  payees: Type.Array(closed({ hacker_id: Id, status: Type.String(), registered: Type.Boolean(), fee_yen: SignedYen, consumption_tax_paid_yen: SignedYen, deemed_input_tax_yen: SignedYen, credit_bp: Type.Integer(), creditable_input_tax_yen: SignedYen })),
});

export const InputTaxQuery = Type.Object({ month: Month }, { additionalProperties: false });
