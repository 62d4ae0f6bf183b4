// Request and response shapes of the bank's answer to a payout run: the result file import and the
// manual mark of one transfer.
import { Type } from 'typebox';
import { PAYOUT_ITEM_STATUSES, PAYOUT_RUN_STATUSES } from '../../shared/payouts.ts';
import { Id } from './common.ts';

const Outcome = Type.Union([Type.Literal('confirmed'), Type.Literal('failed'), Type.Literal('returned')]);
const ItemStatus = Type.String({ description: `the item's status: ${PAYOUT_ITEM_STATUSES.join(', ')}` });
const RunStatus = Type.String({ description: `the run's status after: ${PAYOUT_RUN_STATUSES.join(', ')}` });

/**
 * The file's bytes. The body parser hands them over as a latin1 string (one character per byte, so the
 * Shift_JIS bytes come back exactly); the route turns it back into bytes.
 */
export const BankResultFile = Type.String({
  minLength: 1,
  maxLength: 32 * 1024 * 1024,
  examples: ['item_id,bank_code,branch_code,account_number,amount,result,reason\r\n41,0001,123,1234567,45000,0,\r\n'],
});

export const BankResultImport = Type.Object({
  run_id: Id,
  run_status: RunStatus,
  format: Type.Union([Type.Literal('zengin'), Type.Literal('csv')]),
  sha256: Type.String({ description: "the file's SHA-256: with the line, the key that makes a second import change nothing" }),
  counts: Type.Object({
    confirmed: Type.Integer(),
    failed: Type.Integer(),
    returned: Type.Integer(),
    unchanged: Type.Integer({ description: 'lines imported before (nothing changed)' }),
  }),
  lines: Type.Array(
    Type.Object({
      line: Type.Integer(),
      item_id: Id,
      hacker_id: Id,
      code: Type.String({ description: 'the result code (0 done; 1–5, 9 振込不能; 8 組戻し)' }),
      outcome: Outcome,
      status: ItemStatus,
      changed: Type.Boolean(),
    }),
  ),
});

export const MarkResultBody = Type.Object(
  {
    outcome: Outcome,
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'required for failed and returned: the payee is shown it' })),
  },
  { additionalProperties: false, examples: [{ outcome: 'failed', reason: '振込不能: 口座解約済 (the bank phoned)' }] },
);

export const MarkResultAnswer = Type.Object({
  item_id: Id,
  run_id: Id,
  status: ItemStatus,
  run_status: RunStatus,
  changed: Type.Boolean({ description: 'false when this request (its Idempotency-Key) had been recorded before' }),
});
