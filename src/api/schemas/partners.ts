// Request and answer shapes of partners: the partner, its user, attributions, its engagements and statements.
import { Type } from 'typebox';
import { CalendarDate, Id, Month, Nullable, Timestamp } from './common.ts';
import { closed, SignedYen } from './billing.ts';

export const Partner = closed({
  id: Id,
  name: Type.String(),
  legal_name: Type.String(),
  invoice_registration_number: Nullable(Type.String()),
  invoice_registered_on: Nullable(CalendarDate),
  invoice_expires_on: Nullable(CalendarDate),
  payer_kana: Type.Array(Type.String()),
  payee_hacker_id: Nullable(Id),
  created_at: Timestamp,
});

export const PartnerUser = closed({ id: Id, name: Type.String(), role: Type.Literal('partner'), partner_id: Id, token: Type.String({ description: 'shown once' }) });

export const Attribution = closed({
  engagement_id: Id,
  partner_id: Id,
  mode: Type.String(),
  commission_bp: Type.Integer(),
  commission_from_month: Month,
  commission_to_month: Nullable(Month),
  wholesale_bp: Type.Integer(),
  created_by: Nullable(Id),
  created_at: Timestamp,
});

export const PartnerEngagement = closed({
  id: Id,
  status: Type.String(),
  start_month: Month,
  current_month: Nullable(Type.String()),
  client_name: Type.String(),
  mode: Type.String(),
  commission_bp: Type.Integer(),
  commission_from_month: Month,
  commission_to_month: Nullable(Month),
  results: closed({ tests: Type.Integer(), wins: Type.Integer(), monthly_revenue_uplift_yen: SignedYen }),
});

export const PartnerStatement = closed({
  partner: closed({ id: Id, name: Type.String(), legal_name: Type.String(), registered: Type.Boolean(), registration_number: Nullable(Type.String()) }),
  month: Month,
  lines: Type.Array(closed({ id: Id, engagement_id: Id, month: Month, base_yen: SignedYen, rate_bp: Type.Integer(), amount_yen: SignedYen, invoice_number: Nullable(Type.String()), item: Type.String() })),
  commission_yen: SignedYen,
  consumption_tax_yen: SignedYen,
  withholding_yen: SignedYen,
  total_payable_yen: SignedYen,
  note: Type.String(),
});

// Requests.
export const PartnerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    legal_name: Type.String({ minLength: 1, maxLength: 200, description: 'legal name (Japanese) for invoices and statements' }),
    invoice: Type.Optional(
      Type.Union([
        Type.Object(
          { registration_number: Type.String({ pattern: '^T[0-9]{13}$' }), registered_on: CalendarDate, expires_on: Type.Optional(Type.Union([CalendarDate, Type.Null()])) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    payer_kana: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10 })),
  },
  { additionalProperties: false, examples: [{ name: 'Staffing Co', legal_name: '株式会社スタッフィング', invoice: { registration_number: 'T1180301018771', registered_on: '2023-10-01' }, payer_kana: ['ｽﾀﾂﾌｲﾝｸﾞ'] }] },
);
export const AttributionBody = Type.Object(
  {
    partner_id: Id,
    mode: Type.Union([Type.Literal('referral'), Type.Literal('resale')]),
    commission_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'referral: commission in basis points of invoiced fees' })),
    commission_from_month: Type.Optional(Month),
    commission_to_month: Type.Optional(Type.Union([Month, Type.Null()])),
    wholesale_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'resale: the partner\'s price in basis points of the list price' })),
  },
  { additionalProperties: false, examples: [{ partner_id: 1, mode: 'referral', commission_bp: 1500, commission_to_month: '2027-03' }] },
);
export const PartnerUserBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, examples: [{ name: 'Partner staff' }] });
export const PartnerEngagementParams = Type.Object({ id: Id, engagementId: Id }, { additionalProperties: false });
export const PartnerStatementParams = Type.Object({ id: Id, month: Month }, { additionalProperties: false });
export const Partners = Type.Object({ items: Type.Array(Partner) });
export const PartnerEngagements = Type.Object({ items: Type.Array(PartnerEngagement) });
