// Billing tables as Kysely sees them (migration 0008_billing). Money is integer yen, tax-exclusive
// unless a name says otherwise; rates are basis points; months 'YYYY-MM' (Asia/Tokyo); dates 'YYYY-MM-DD'.
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateCol = ColumnType<string, string, string>;

export interface PartnersTable {
  id: Generated<number>;
  name: string;
  /** Legal name printed on invoices and statements (Japanese). */
  legal_name: string;
  invoice_registration_number: string | null;
  invoice_registered_on: ColumnType<string | null, string | null | undefined, string | null>;
  invoice_expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  payer_kana: ColumnType<string[], string[] | undefined, string[]>;
  /** The partner's payee record (a `hackers` row, kind corporation, inactive): commissions are paid through it (0009). */
  payee_hacker_id: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
}

export interface BillingAccountsTable {
  client_id: number;
  /** Recipient name printed on the invoice (Japanese legal name). */
  legal_name: string;
  /** Payer names as they appear on bank statements (kana): receipts are matched against them. */
  payer_kana: ColumnType<string[], string[] | undefined, string[]>;
  due_rule: ColumnType<'next_month_end' | 'days_after_close', string | undefined, string>;
  due_days: ColumnType<number, number | undefined, number>;
  holiday_shift: ColumnType<'previous' | 'next', string | undefined, string>;
  updated_by: number | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PricePlansTable {
  id: Generated<number>;
  engagement_id: number;
  /** First Tokyo month the version applies to. */
  effective_month: string;
  platform_fee_yen: number;
  cs_support_yen: number;
  growth_team_yen: number;
  created_by: number | null;
  created_at: CreatedAt;
}

export interface PartnerAttributionsTable {
  engagement_id: number;
  partner_id: number;
  mode: 'referral' | 'resale';
  commission_bp: number;
  commission_from_month: string;
  commission_to_month: string | null;
  wholesale_bp: number;
  created_by: number | null;
  created_at: CreatedAt;
}

export type InvoiceStatus = 'draft' | 'held' | 'issued';

export interface InvoicesTable {
  id: Generated<number>;
  kind: 'invoice' | 'credit_note';
  /** Unique: `<month>:client:<id>`, `<month>:partner:<id>` or `credit:<original>:<n>`. */
  draft_key: string;
  month: string;
  bill_to_kind: 'client' | 'partner';
  client_id: number | null;
  partner_id: number | null;
  status: ColumnType<InvoiceStatus, InvoiceStatus | undefined, InvoiceStatus>;
  number: string | null;
  original_invoice_id: number | null;
  recipient_name: string;
  issuer_name: string;
  issuer_registration_number: string;
  period_start: DateCol;
  period_end: DateCol;
  issue_date: ColumnType<string | null, string | null | undefined, string | null>;
  due_date: DateCol;
  terms_label: string;
  rounding: 'floor' | 'half_up' | 'ceil';
  subtotal_yen: number;
  tax_yen: number;
  total_yen: number;
  /** [{ rate_bp, taxable_yen, tax_yen }] */
  tax_summary: ColumnType<unknown, string, string>;
  hold_reason: string | null;
  note: string | null;
  issued_at: Timestamp | null;
  issued_by: number | null;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface InvoiceLinesTable {
  id: Generated<number>;
  invoice_id: number;
  line_key: string;
  position: number;
  engagement_id: number | null;
  item: 'platform_fee' | 'cs_support' | 'growth_team' | 'adjustment';
  description: string;
  amount_yen: number;
  tax_rate_bp: number;
  list_amount_yen: number | null;
  days_billed: number | null;
  days_in_month: number | null;
  original_line_id: number | null;
}

export interface ReceiptsTable {
  id: Generated<number>;
  source: 'manual' | 'bank_csv';
  /** Unique per business fact: `csv:<sha256 of the line and its position in the file>` or the Idempotency-Key. */
  import_key: string;
  received_on: DateCol;
  payer_name: string;
  amount_yen: number;
  status: ColumnType<'unmatched' | 'matched', 'unmatched' | 'matched' | undefined, 'unmatched' | 'matched'>;
  invoice_id: number | null;
  fee_yen: ColumnType<number, number | undefined, number>;
  matched_how: string | null;
  unmatched_reason: string | null;
  matched_by: number | null;
  created_by: number | null;
  created_at: CreatedAt;
  matched_at: Timestamp | null;
}

export interface PartnerCommissionsTable {
  id: Generated<number>;
  /** `commission:<invoice line id>`: one accrual per invoice line whatever the retries. */
  unique_key: string;
  partner_id: number;
  engagement_id: number;
  invoice_line_id: number;
  month: string;
  base_yen: number;
  rate_bp: number;
  amount_yen: number;
  created_at: CreatedAt;
}

export interface BillingAlertsTable {
  id: Generated<number>;
  unique_key: string;
  kind: string;
  invoice_id: number | null;
  engagement_id: number | null;
  /** 'finance' or `user:<cs manager id>`. */
  recipient: string;
  message: string;
  created_at: CreatedAt;
}

export interface BillingTables {
  partners: PartnersTable;
  billing_accounts: BillingAccountsTable;
  price_plans: PricePlansTable;
  partner_attributions: PartnerAttributionsTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  receipts: ReceiptsTable;
  partner_commissions: PartnerCommissionsTable;
  billing_alerts: BillingAlertsTable;
}
