// Billing master data over Postgres: billing accounts (invoice name, payer kana, payment terms) per
// client, dated price plans per engagement, partners and partner attributions.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { addMonths, tokyoMonthOf } from '../domain/months.ts';
import { isValidInvoiceRegistrationNumber } from '../domain/payouts/corporate-number.ts';
import { payerKey } from '../domain/billing/matching.ts';
import type { PricePlan } from '../domain/billing/draft.ts';
import { RuleError } from '../domain/errors.ts';

export interface BillingAccountInput {
  legal_name: string;
  payer_kana?: string[];
  due_rule?: 'next_month_end' | 'days_after_close';
  due_days?: number;
  holiday_shift?: 'previous' | 'next';
}

function checkKana(names: string[] | undefined, path: string) {
  (names ?? []).forEach((n, i) => {
    if (!payerKey(n)) throw new RuleError('invalid', `${path}/${i} must be a kana name as on bank statements`, { path: `${path}/${i}` });
  });
}

export async function putBillingAccount(db: Db, clientId: number, input: BillingAccountInput, by: number) {
  const client = await db.selectFrom('clients').select('id').where('id', '=', clientId).executeTakeFirst();
  if (!client) throw new RuleError('not_found', 'client not found');
  checkKana(input.payer_kana, '/payer_kana');
  const values = {
    legal_name: input.legal_name,
    payer_kana: input.payer_kana ?? [],
    due_rule: input.due_rule ?? 'next_month_end',
    due_days: input.due_days ?? 30,
    holiday_shift: input.holiday_shift ?? 'previous',
    updated_by: by,
  };
  return db
    .insertInto('billing_accounts')
    .values({ client_id: clientId, ...values })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getBillingAccount(db: Db, clientId: number) {
  return db.selectFrom('billing_accounts').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/**
 * Stores a price-plan version. The first plan of an engagement applies from its start month; a change
 * applies from the next Tokyo month (`from_month` may name a later month, never an earlier one), so an
 * invoice already drafted or issued never changes under it. The same month again replaces that version.
 */
export async function putPricePlan(db: Db, engagementId: number, plan: PricePlan & { from_month?: string }, by: number, nowMs = Date.now()) {
  const e = await db.selectFrom('engagements').select(['id', 'start_month']).where('id', '=', engagementId).executeTakeFirst();
  if (!e) throw new RuleError('not_found', 'engagement not found');
  const existing = await db.selectFrom('price_plans').select('id').where('engagement_id', '=', engagementId).executeTakeFirst();
  const next = addMonths(tokyoMonthOf(nowMs), 1);
  const earliest = existing ? next : e.start_month;
  const month = plan.from_month ?? earliest;
  if (month < earliest) {
    throw new RuleError('invalid', `/from_month a price change takes effect from ${earliest} at the earliest`, { path: '/from_month' });
  }
  const values = {
    platform_fee_yen: plan.platform_fee_yen,
    cs_support_yen: plan.cs_support_yen,
    growth_team_yen: plan.growth_team_yen,
    created_by: by,
  };
  await db
    .insertInto('price_plans')
    .values({ engagement_id: engagementId, effective_month: month, ...values })
    .onConflict((oc) => oc.columns(['engagement_id', 'effective_month']).doUpdateSet(values))
    .execute();
  return pricePlanView(db, engagementId, nowMs);
}

/** The plan in force for `month`: the latest version from on or before it, else the engagement's monthly fee. */
export async function planInForce(db: Db, engagementId: number, month: string): Promise<PricePlan & { effective_month: string | null }> {
  const v = await db
    .selectFrom('price_plans')
    .select(['effective_month', 'platform_fee_yen', 'cs_support_yen', 'growth_team_yen'])
    .where('engagement_id', '=', engagementId)
    .where('effective_month', '<=', month)
    .orderBy('effective_month', 'desc')
    .executeTakeFirst();
  if (v) return v;
  const e = await db.selectFrom('engagements').select('monthly_fee_yen').where('id', '=', engagementId).executeTakeFirstOrThrow();
  return { effective_month: null, platform_fee_yen: e.monthly_fee_yen, cs_support_yen: 0, growth_team_yen: 0 };
}

export async function pricePlanView(db: Db, engagementId: number, nowMs = Date.now()) {
  const month = tokyoMonthOf(nowMs);
  const versions = await db
    .selectFrom('price_plans')
    .select(['effective_month', 'platform_fee_yen', 'cs_support_yen', 'growth_team_yen', 'created_at'])
    .where('engagement_id', '=', engagementId)
    .orderBy('effective_month')
    .execute();
  const current = await planInForce(db, engagementId, month);
  const upcoming = versions.filter((v) => v.effective_month > month);
  return {
    engagement_id: engagementId,
    month,
    current: { ...current, monthly_total_yen: current.platform_fee_yen + current.cs_support_yen + current.growth_team_yen },
    upcoming: upcoming.map((v) => ({ ...v, created_at: v.created_at.toISOString() })),
    versions: versions.map((v) => ({ ...v, created_at: v.created_at.toISOString() })),
    tax: 'tax-exclusive (税抜) integer yen',
  };
}

export interface PartnerInput {
  name: string;
  legal_name: string;
  invoice?: { registration_number: string; registered_on: string; expires_on?: string | null } | null;
  payer_kana?: string[];
}

export async function createPartner(db: Db, input: PartnerInput) {
  if (input.invoice && !isValidInvoiceRegistrationNumber(input.invoice.registration_number)) {
    throw new RuleError('invalid', '/invoice/registration_number has an invalid check digit', { path: '/invoice/registration_number' });
  }
  checkKana(input.payer_kana, '/payer_kana');
  // A partner is a payee of the payout run: a corporation (no withholding) with its own payee master
  // (bank details via PUT /v1/hackers/<payee_hacker_id>/payee). Inactive: it never receives offers.
  return db.transaction().execute(async (trx) => {
    const payee = await trx
      .insertInto('hackers')
      .values({ display_name: `Partner: ${input.name}`, kind: 'corporation', residency: 'resident', skills: [], industries: [], status: 'inactive' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('payees')
      .values({
        hacker_id: payee.id,
        legal_name: input.legal_name,
        invoice_registration_number: input.invoice?.registration_number ?? null,
        invoice_registered_on: input.invoice?.registered_on ?? null,
        invoice_expires_on: input.invoice?.expires_on ?? null,
        default_category: 'none',
      })
      .execute();
    return trx
      .insertInto('partners')
      .values({
        name: input.name,
        legal_name: input.legal_name,
        invoice_registration_number: input.invoice?.registration_number ?? null,
        invoice_registered_on: input.invoice?.registered_on ?? null,
        invoice_expires_on: input.invoice?.expires_on ?? null,
        payer_kana: input.payer_kana ?? [],
        payee_hacker_id: payee.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Partners by id; `partnerId` narrows the list to that one (a partner user's own). */
export function listPartners(db: Db, partnerId?: number) {
  let q = db.selectFrom('partners').selectAll().orderBy('id');
  if (partnerId !== undefined) q = q.where('id', '=', partnerId);
  return q.execute();
}

export function getPartner(db: Db, id: number) {
  return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function partnerExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.selectFrom('partners').select('id').where('id', '=', id).executeTakeFirst());
}

export interface AttributionInput {
  partner_id: number;
  mode: 'referral' | 'resale';
  commission_bp?: number;
  commission_from_month?: string;
  commission_to_month?: string | null;
  wholesale_bp?: number;
}

export async function putAttribution(db: Db, engagementId: number, input: AttributionInput, by: number) {
  const e = await db.selectFrom('engagements').select(['id', 'start_month']).where('id', '=', engagementId).executeTakeFirst();
  if (!e) throw new RuleError('not_found', 'engagement not found');
  const p = await db.selectFrom('partners').select('id').where('id', '=', input.partner_id).executeTakeFirst();
  if (!p) throw new RuleError('invalid', '/partner_id no such partner', { path: '/partner_id' });
  if (input.mode === 'resale' && input.wholesale_bp === undefined) {
    throw new RuleError('invalid', '/wholesale_bp is required for a resale', { path: '/wholesale_bp' });
  }
  if (input.mode === 'referral' && input.commission_bp === undefined) {
    throw new RuleError('invalid', '/commission_bp is required for a referral', { path: '/commission_bp' });
  }
  const from = input.commission_from_month ?? e.start_month;
  if (input.commission_to_month && input.commission_to_month < from) {
    throw new RuleError('invalid', '/commission_to_month is before commission_from_month', { path: '/commission_to_month' });
  }
  const values = {
    partner_id: input.partner_id,
    mode: input.mode,
    commission_bp: input.mode === 'referral' ? input.commission_bp! : 0,
    commission_from_month: from,
    commission_to_month: input.commission_to_month ?? null,
    wholesale_bp: input.mode === 'resale' ? input.wholesale_bp! : 10_000,
    created_by: by,
  };
  return db
    .insertInto('partner_attributions')
    .values({ engagement_id: engagementId, ...values })
    .onConflict((oc) => oc.column('engagement_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}
