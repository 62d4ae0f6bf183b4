// Consumption tax on what the platform buys (payouts to hackers and partners) and the input-tax credit
// the platform may take. Pure; rates from ./rates.ts by payment date.
import { standardRateBp, unregisteredCreditBp } from './rates.ts';
import { applyBp } from './tax.ts';

export interface Registration {
  registration_number: string | null;
  registered_on: string | null;
  expires_on: string | null;
}

/** Registered as a qualified-invoice issuer on `date` (YYYY-MM-DD). */
export function isRegisteredOn(r: Registration | null | undefined, date: string): boolean {
  if (!r?.registration_number || !r.registered_on) return false;
  return r.registered_on <= date && (!r.expires_on || date <= r.expires_on);
}

export interface PayeeTax {
  registered: boolean;
  rate_bp: number;
  /** Consumption tax added to the fee and shown separately (0 when unregistered). */
  consumption_tax_yen: number;
  /** The input tax the platform may credit: the tax shown, or for an unregistered payee the deemed
   *  tax (fee × 10/110) × the transitional share. */
  deemed_input_tax_yen: number;
  creditable_input_tax_yen: number;
  credit_bp: number;
}

export function payeeConsumptionTax(feeYen: number, registration: Registration | null | undefined, paymentDate: string): PayeeTax {
  const rate = standardRateBp(paymentDate);
  if (isRegisteredOn(registration, paymentDate)) {
    const tax = applyBp(feeYen, rate, 'floor');
    return { registered: true, rate_bp: rate, consumption_tax_yen: tax, deemed_input_tax_yen: tax, creditable_input_tax_yen: tax, credit_bp: 10_000 };
  }
  // The agreed fee is the full amount; the tax inside it is fee × rate / (10000 + rate).
  const deemed = Number((BigInt(feeYen) * BigInt(rate)) / BigInt(10_000 + rate));
  const credit = unregisteredCreditBp(paymentDate);
  return {
    registered: false,
    rate_bp: rate,
    consumption_tax_yen: 0,
    deemed_input_tax_yen: deemed,
    creditable_input_tax_yen: applyBp(deemed, credit, 'floor'),
    credit_bp: credit,
  };
}

/** A referral commission on one invoice line (floor). */
export function commissionYen(lineAmountYen: number, rateBp: number): number {
  return applyBp(lineAmountYen, rateBp, 'floor');
}
