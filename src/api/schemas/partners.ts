// Answer shapes of partners: the partner, its user, attributions, its engagements and statements.
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
