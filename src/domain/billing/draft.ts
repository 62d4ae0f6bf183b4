// Monthly invoice drafting as a pure function: one invoice per bill-to party (the client, or the
// reselling partner) and month, one line per engagement and plan item, tax once per rate. The use case
// (src/billing/invoicing.ts) loads the facts and stores the result behind unique keys.
import { daysInMonth, daysRan, dueDate, firstDay, lastDay, termsLabelJa, type PaymentTerms } from './calendar.ts';
import { standardRateBp } from './rates.ts';
import { invoiceTotals, type InvoiceTotals, type Rounding } from './tax.ts';

export type PlanItem = 'platform_fee' | 'cs_support' | 'growth_team';
export const PLAN_ITEMS: readonly PlanItem[] = ['platform_fee', 'cs_support', 'growth_team'];
export const ITEM_LABEL_JA: Record<PlanItem | 'adjustment', string> = {
  platform_fee: 'プラットフォーム利用料',
  cs_support: 'カスタマーサクセス支援（有償）',
  growth_team: 'グロースチーム費',
  adjustment: '調整',
};

export interface PricePlan {
  platform_fee_yen: number;
  cs_support_yen: number;
  growth_team_yen: number;
}

export interface Attribution {
  partner_id: number;
  partner_name: string;
  mode: 'referral' | 'resale';
  /** Resale: the partner's price as bp of the list price (8000 = 80%). */
  wholesale_bp: number;
}

export interface EngagementToBill {
  engagement_id: number;
  client_id: number;
  client_name: string;
  start_month: string;
  /** Set when the engagement ended (immediately or at a month end). */
  ended_at_ms?: number;
  plan: PricePlan;
  attribution?: Attribution;
}

export interface DraftLine {
  line_key: string;
  engagement_id: number;
  item: PlanItem;
  description: string;
  /** Tax-exclusive yen actually billed (after wholesale and proration). */
  amount_yen: number;
  tax_rate_bp: number;
  list_amount_yen: number;
  days_billed: number;
  days_in_month: number;
}

export interface BillTo {
  kind: 'client' | 'partner';
  id: number;
  name: string;
}

export interface DraftInvoice {
  draft_key: string;
  month: string;
  bill_to: BillTo;
  period_start: string;
  period_end: string;
  due_date: string;
  terms_label: string;
  lines: DraftLine[];
  totals: InvoiceTotals;
}

export interface DraftInput {
  month: string;
  rounding: Rounding;
  engagements: readonly EngagementToBill[];
  /** Payment terms per bill-to key (`client:<id>` / `partner:<id>`); default terms when absent. */
  terms: (billTo: BillTo) => PaymentTerms;
}

export const draftKey = (month: string, b: Pick<BillTo, 'kind' | 'id'>) => `${month}:${b.kind}:${b.id}`;

/** floor(amount × num / den) in integers. */
export function prorate(amount: number, num: number, den: number): number {
  if (num >= den) return amount;
  return Number((BigInt(amount) * BigInt(num)) / BigInt(den));
}

export function draftInvoices(input: DraftInput): DraftInvoice[] {
  const { month } = input;
  const dim = daysInMonth(month);
  const rate = standardRateBp(lastDay(month));
  const invoices = new Map<string, DraftInvoice>();
  const sorted = [...input.engagements].sort((a, b) => a.engagement_id - b.engagement_id);
  for (const e of sorted) {
    if (e.start_month > month) continue;
    const days = daysRan(month, e.ended_at_ms);
    if (days === 0) continue;
    const resale = e.attribution?.mode === 'resale' ? e.attribution : undefined;
    const billTo: BillTo = resale
      ? { kind: 'partner', id: resale.partner_id, name: resale.partner_name }
      : { kind: 'client', id: e.client_id, name: e.client_name };
    const key = draftKey(month, billTo);
    let inv = invoices.get(key);
    if (!inv) {
      const terms = input.terms(billTo);
      inv = {
        draft_key: key,
        month,
        bill_to: billTo,
        period_start: firstDay(month),
        period_end: lastDay(month),
        due_date: dueDate(month, terms),
        terms_label: termsLabelJa(terms),
        lines: [],
        totals: { subtotal_yen: 0, tax_yen: 0, total_yen: 0, per_rate: [] },
      };
      invoices.set(key, inv);
    }
    const prices: Record<PlanItem, number> = {
      platform_fee: e.plan.platform_fee_yen,
      cs_support: e.plan.cs_support_yen,
      growth_team: e.plan.growth_team_yen,
    };
    for (const item of PLAN_ITEMS) {
      const list = prices[item];
      if (!list) continue;
      const priced = resale ? prorate(list, resale.wholesale_bp, 10_000) : list;
      const amount = prorate(priced, days, dim);
      if (amount <= 0) continue;
      const notes = [`案件#${e.engagement_id}`, `${month}`];
      if (resale) notes.push(`卸価格（顧客: ${e.client_name}）`);
      if (days < dim) notes.push(`日割 ${days}/${dim}日`);
      inv.lines.push({
        line_key: `${month}:e${e.engagement_id}:${item}`,
        engagement_id: e.engagement_id,
        item,
        description: `${ITEM_LABEL_JA[item]}（${notes.join('・')}）`,
        amount_yen: amount,
        tax_rate_bp: rate,
        list_amount_yen: list,
        days_billed: days,
        days_in_month: dim,
      });
    }
  }
  const out = [...invoices.values()].filter((i) => i.lines.length > 0);
  for (const inv of out) inv.totals = invoiceTotals(inv.lines, input.rounding);
  return out;
}
