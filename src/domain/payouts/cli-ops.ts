// Entry points for the CLI/API: untrusted JSON in, validated and computed results out. Validation
// problems throw ValidationError naming every bad field (JSON-pointer paths).
import { ValidationError } from '../errors.ts';
import { computeWithholding, parseWithholdingPayment } from './withholding.ts';
import type { WithholdingResult } from './withholding.ts';
import { toZenginName } from './zengin-name.ts';
import { buildZenginFile } from './zengin-file.ts';
import type { ZenginFileInput } from './zengin-file.ts';

/** `{ payment_date, payee, lines }` → `{ withholding_base, withholding, gross_payable, net_transfer }`. */
export function withholdingOp(body: unknown): WithholdingResult {
  return computeWithholding(parseWithholdingPayment(body));
}

export type ZenginNameItem = { input: string; zengin: string } | { input: string; error: string };

/** A JSON array of strings → one converted name or error per item (per-item errors are not thrown). */
export function zenginNamesOp(body: unknown): ZenginNameItem[] {
  if (!Array.isArray(body)) {
    throw new ValidationError('expected a JSON array of names', [{ path: '', message: 'must be an array of strings' }]);
  }
  const details = body.flatMap((v: unknown, i: number) =>
    typeof v === 'string' ? [] : [{ path: `/${i}`, message: 'must be a string' }],
  );
  if (details.length) throw new ValidationError('expected a JSON array of names', details);
  return (body as string[]).map((input) => {
    const r = toZenginName(input);
    return r.ok ? { input, zengin: r.value } : { input, error: r.error };
  });
}

/** `{ payer, transfer_date, line_ending, transfers }` → the 総合振込 file's bytes (Shift_JIS). */
export function zenginFileOp(body: unknown): Buffer {
  return buildZenginFile(body as ZenginFileInput);
}
