// Consumption tax on what the platform pays (hackers and partners), read from the payout run: each
// payee's monthly payment statement (支払通知書, JSON and PDF) and finance's monthly input-tax figures
// with the transitional credit for unregistered payees (80% / 50% / 0 by payment date).
import type { Db } from '../db/index.ts';
import { isRegisteredOn, payeeConsumptionTax } from '../domain/billing/payee-tax.ts';
import { standardRateBp } from '../domain/billing/rates.ts';
import type { PaymentStatementData } from './pdf.ts';

async function runOfMonth(db: Db, month: string) {
  return db.selectFrom('payout_runs').select(['id', 'month', 'payment_date', 'status']).where('month', '=', month).executeTakeFirst();
}

/** The payee's payment in the month's run: lines, fee, consumption tax by rate, withholding, net. */
export async function paymentStatement(db: Db, hackerId: number, month: string, issuer: { name: string; registrationNumber: string }) {
  const run = await runOfMonth(db, month);
  if (!run) return undefined;
  const item = await db
    .selectFrom('payout_items as i')
    .innerJoin('hackers as h', 'h.id', 'i.hacker_id')
    .leftJoin('payees as p', 'p.hacker_id', 'i.hacker_id')
    .select([
      'i.id', 'i.status', 'i.payee_type', 'i.fee_total', 'i.consumption_tax_yen', 'i.withholding_base', 'i.withholding', 'i.gross_payable',
      'i.net_transfer', 'h.display_name', 'p.legal_name', 'p.invoice_registration_number', 'p.invoice_registered_on', 'p.invoice_expires_on',
    ])
    .where('i.run_id', '=', run.id)
    .where('i.hacker_id', '=', hackerId)
    .where('i.status', '!=', 'cancelled')
    .executeTakeFirst();
  if (!item) return undefined;
  const lines = await db
    .selectFrom('payout_item_lines as l')
    .innerJoin('earnings_ledger as e', 'e.id', 'l.ledger_id')
    .select(['e.id', 'e.kind', 'e.category', 'e.amount_yen', 'e.month', 'e.description'])
    .where('l.item_id', '=', item.id)
    .orderBy('e.id')
    .execute();
  const paymentDate = run.payment_date ?? `${month}-25`;
  const registered = isRegisteredOn(
    { registration_number: item.invoice_registration_number, registered_on: item.invoice_registered_on, expires_on: item.invoice_expires_on },
    paymentDate,
  );
  const data: PaymentStatementData = {
    payee_name: item.legal_name ?? item.display_name,
    month,
    payment_date: paymentDate,
    issuer_name: issuer.name,
    issuer_registration_number: issuer.registrationNumber,
    payee_registration_number: registered ? item.invoice_registration_number : null,
    lines: lines.map((l) => ({ description: l.description, amount_yen: l.amount_yen })),
    fee_yen: item.fee_total,
    consumption_tax_yen: item.consumption_tax_yen,
    rate_bp: standardRateBp(paymentDate),
    withholding_yen: item.withholding,
    net_yen: item.net_transfer,
  };
  return {
    ...data,
    run_id: run.id,
    item_id: item.id,
    status: item.status,
    payee_type: item.payee_type,
    registered,
    withholding_base_yen: item.withholding_base,
    gross_payable_yen: item.gross_payable,
    lines: lines.map((l) => ({ ledger_id: l.id, kind: l.kind, category: l.category, month: l.month, description: l.description, amount_yen: l.amount_yen })),
  };
}

/**
 * The month's input-tax figures from its payout run: registered payees (tax shown, fully creditable)
 * and unregistered ones (deemed tax inside the fee × the transitional share on the payment date).
 */
export async function inputTaxReport(db: Db, month: string) {
  const run = await runOfMonth(db, month);
  if (!run) return undefined;
  const items = await db
    .selectFrom('payout_items')
    .select(['hacker_id', 'status', 'fee_total', 'consumption_tax_yen'])
    .where('run_id', '=', run.id)
    .where('status', 'not in', ['cancelled'])
    .orderBy('hacker_id')
    .execute();
  const paymentDate = run.payment_date ?? `${month}-25`;
  const rows = items.map((i) => {
    const registered = i.consumption_tax_yen > 0;
    const t = registered
      ? { deemed_input_tax_yen: i.consumption_tax_yen, creditable_input_tax_yen: i.consumption_tax_yen, credit_bp: 10_000 }
      : payeeConsumptionTax(i.fee_total, null, paymentDate);
    return {
      hacker_id: i.hacker_id,
      status: i.status,
      registered,
      fee_yen: i.fee_total,
      consumption_tax_paid_yen: i.consumption_tax_yen,
      deemed_input_tax_yen: t.deemed_input_tax_yen,
      credit_bp: t.credit_bp,
      creditable_input_tax_yen: t.creditable_input_tax_yen,
    };
  });
  const group = (reg: boolean) => {
    const g = rows.filter((r) => r.registered === reg);
    return {
      payees: g.length,
      fee_yen: g.reduce((s, r) => s + r.fee_yen, 0),
      consumption_tax_paid_yen: g.reduce((s, r) => s + r.consumption_tax_paid_yen, 0),
      deemed_input_tax_yen: g.reduce((s, r) => s + r.deemed_input_tax_yen, 0),
      creditable_input_tax_yen: g.reduce((s, r) => s + r.creditable_input_tax_yen, 0),
    };
  };
  const unregistered = group(false);
  return {
    month,
    run_id: run.id,
    payment_date: paymentDate,
    rate_bp: standardRateBp(paymentDate),
    registered: group(true),
    unregistered: { ...unregistered, credit_bp: payeeConsumptionTax(0, null, paymentDate).credit_bp },
    creditable_input_tax_yen: group(true).creditable_input_tax_yen + unregistered.creditable_input_tax_yen,
    payees: rows,
  };
}

/** The hacker record a partner is paid through (its payee), if any. */
export async function partnerPayeeHackerId(db: Db, partnerId: number): Promise<number | null | undefined> {
  const p = await db.selectFrom('partners').select('payee_hacker_id').where('id', '=', partnerId).executeTakeFirst();
  return p?.payee_hacker_id;
}
