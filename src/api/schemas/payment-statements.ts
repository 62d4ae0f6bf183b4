// Shapes of a payee's monthly payment statement (支払通知書).
import { Type } from 'typebox';
import { CalendarDate, Id, Month, Nullable } from './common.ts';
import { closed, SignedYen } from './billing.ts';

export const PaymentStatementParams = Type.Object({ id: Id, month: Month }, { additionalProperties: false });

export const PaymentStatement = closed({
  payee_name: Type.String(),
  month: Month,
  payment_date: CalendarDate,
  issuer_name: Type.String(),
  issuer_registration_number: Type.String(),
  payee_registration_number: Nullable(Type.String()),
  fee_yen: SignedYen,
  consumption_tax_yen: SignedYen,
  rate_bp: Type.Integer(),
  withholding_yen: SignedYen,
  net_yen: SignedYen,
  run_id: Id,
  item_id: Id,
  status: Type.String(),
  payee_type: Type.String(),
  registered: Type.Boolean(),
  withholding_base_yen: SignedYen,
  gross_payable_yen: SignedYen,
  lines: Type.Array(closed({ ledger_id: Id, kind: Type.String(), category: Type.String(), month: Month, description: Type.String(), amount_yen: SignedYen })),
});
