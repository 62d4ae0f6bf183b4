// Shapes of receipts (入金消込): a receipt, a bank statement's import, and finance's entries and matches.
import { Type } from 'typebox';
import { Actions, CalendarDate, Id, Nullable, PagedQuery, Timestamp } from './common.ts';
import { closed, SignedYen } from './billing.ts';

const receiptProps = {
  id: Id,
  source: Type.String(),
  import_key: Type.String(),
  received_on: CalendarDate,
  payer_name: Type.String(),
  amount_yen: SignedYen,
  status: Type.Union([Type.Literal('matched'), Type.Literal('unmatched')]),
  invoice_id: Nullable(Id),
  fee_yen: SignedYen,
  matched_how: Nullable(Type.String()),
  unmatched_reason: Nullable(Type.String()),
  matched_by: Nullable(Id),
  created_by: Nullable(Id),
  created_at: Timestamp,
  matched_at: Nullable(Timestamp),
};

/** A receipt with what the caller may do to it (the match route's role and state checks). */
export const Receipt = closed({ ...receiptProps, actions: Actions(['match'] as const) });

export const ImportResult = closed({
  lines: Type.Integer(),
  created: Type.Integer(),
  matched: Type.Integer(),
  unmatched: Type.Integer(),
  receipts: Type.Array(closed({ line: Type.Integer(), ...receiptProps })),
});

export const ReceiptBody = Type.Object(
  {
    received_on: CalendarDate,
    payer_name: Type.String({ minLength: 1, maxLength: 100, description: 'payer name as on the bank statement (kana)' }),
    amount_yen: Type.Integer({ minimum: 1, maximum: 10_000_000_000 }),
  },
  { additionalProperties: false, examples: [{ received_on: '2026-05-29', payer_name: 'ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ', amount_yen: 457_672 }] },
);
export const StatementCsv = Type.String({ minLength: 1, examples: ['date,payer_name,amount\n2026-05-29,ｶ)ｶｲｾﾞﾝｼｮｳｼﾞ,457672\n'] });
export const ReceiptsQuery = PagedQuery({ status: Type.Optional(Type.Union([Type.Literal('matched'), Type.Literal('unmatched')])) });
export const MatchBody = Type.Object({ invoice_id: Id, fee_yen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })) }, { additionalProperties: false, examples: [{ invoice_id: 1, fee_yen: 660 }] });
