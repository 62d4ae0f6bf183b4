// The bank's answer, imported or marked by hand (issue 24 item 2). A result file (全銀 fixed-width or
// CSV, src/domain/payouts/zengin-result.ts) is matched line by line to the run's items by the customer
// codes our 総合振込 file writes (payee id, run id) or the item id; the amount and the account must be
// the ones handed to the bank for the item's current attempt, else the line is refused naming it. All
// or nothing: every line is checked and recorded in one transaction through recordTransferResult (the
// one place item states change), keyed `<file sha256>:<line>`, so importing the same file again
// changes nothing. Nothing here logs or returns bank details.
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import { parseBankResultFile, type BankResultLine, type BankResultOutcome } from '../domain/payouts/zengin-result.ts';
import type { Actor } from '../shared/actor.ts';
import type { PayoutItemStatus } from '../shared/payouts.ts';
import { zenginLineAad, type BankAdapter } from './bank.ts';
import { decryptJson } from './crypto.ts';
import type { BankAccount } from './payees.ts';
import { recordTransferResult } from './transfers.ts';

type BankKey = Parameters<typeof decryptJson>[0];

export interface ImportedLine {
  line: number;
  item_id: number;
  hacker_id: number;
  code: string;
  outcome: BankResultOutcome;
  /** The item's status after the import. */
  status: PayoutItemStatus;
  /** False when this line had been imported before. */
  changed: boolean;
}

export interface BankResultImport {
  run_id: number;
  format: 'zengin' | 'csv';
  sha256: string;
  lines: ImportedLine[];
  counts: { confirmed: number; failed: number; returned: number; unchanged: number };
}

/** A line's own refusal: the same kind, the message naming the line. */
function onLine(line: BankResultLine, err: unknown): never {
  if (err instanceof RuleError) throw new RuleError(err.kind, `Line ${line.line}: ${err.message}`, { ...(err.code ? { code: err.code } : {}), ...(err.path ? { path: err.path } : {}) });
  throw err;
}

const refused = (line: BankResultLine, field: string, message: string) =>
  new RuleError('invalid', `/line/${line.line}/${field} line ${line.line}: ${message}`, { path: `/line/${line.line}/${field}` });

/** Imports a bank result file for run `runId`: every line applies, or none (a RuleError names the first bad line). */
export async function importBankResults(db: Db, key: BankKey, req: { runId: number; file: Buffer; actor: Actor }): Promise<BankResultImport> {
  const parsed = parseBankResultFile(req.file);
  const sha256 = createHash('sha256').update(req.file).digest('hex');
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('payout_runs').select('id').where('id', '=', req.runId).executeTakeFirst();
    if (!run) throw new RuleError('not_found', `Payout run ${req.runId} does not exist.`);
    const items = await trx
      .selectFrom('payout_items as i')
      .leftJoin('payout_zengin_lines as z', (j) => j.onRef('z.run_id', '=', 'i.run_id').onRef('z.hacker_id', '=', 'i.hacker_id').onRef('z.file_no', '=', 'i.attempt'))
      .select(['i.id', 'i.hacker_id', 'i.net_transfer', 'z.idempotency_key', 'z.amount', 'z.transfer_encrypted'])
      .where('i.run_id', '=', req.runId)
      .execute();
    const byItem = new Map(items.map((i) => [i.id, i]));
    const byPayee = new Map(items.map((i) => [i.hacker_id, i]));
    const seen = new Map<number, number>();
    const matched = parsed.lines.map((line) => {
      const ref = line.ref;
      if (ref.kind === 'customer' && ref.runId !== null && ref.runId !== req.runId) {
        throw refused(line, 'customer_code2', `the transfer belongs to payout run ${ref.runId}, not ${req.runId}`);
      }
      const item = ref.kind === 'item' ? byItem.get(ref.itemId) : byPayee.get(ref.payeeId);
      if (!item) {
        throw ref.kind === 'item'
          ? refused(line, 'item_id', `item ${ref.itemId} is not part of payout run ${req.runId}`)
          : refused(line, 'customer_code1', `payout run ${req.runId} has no transfer to payee ${ref.payeeId}`);
      }
      const earlier = seen.get(item.id);
      if (earlier !== undefined) throw refused(line, 'customer_code1', `item ${item.id} already has a result on line ${earlier} of this file`);
      seen.set(item.id, line.line);
      if (!item.transfer_encrypted || !item.idempotency_key) {
        throw refused(line, 'customer_code1', `item ${item.id} is in no transfer file of this run (nothing was handed to the bank for its current attempt)`);
      }
      if (line.amount !== item.amount) throw refused(line, 'amount', `the amount ${line.amount} is not the ${item.amount} handed to the bank for item ${item.id}`);
      const account = decryptJson<BankAccount>(key, zenginLineAad(item.idempotency_key), item.transfer_encrypted);
      const same = account.bank_code === line.bank_code && account.branch_code === line.branch_code && account.account_number.padStart(7, '0') === line.account_number;
      if (!same) throw refused(line, 'account_number', `the account is not the one handed to the bank for item ${item.id}`);
      return { line, item };
    });
    const lines: ImportedLine[] = [];
    for (const { line, item } of matched) {
      const r = await recordTransferResult(trx, {
        itemId: item.id,
        outcome: line.outcome,
        reason: `${line.code} ${line.reason}`,
        source: 'import',
        actor: req.actor,
        key: `bank-result:${sha256}:${line.line}`,
      }).catch((err: unknown) => onLine(line, err));
      lines.push({ line: line.line, item_id: item.id, hacker_id: item.hacker_id, code: line.code, outcome: line.outcome, status: r.status, changed: r.changed });
    }
    const count = (o: BankResultOutcome) => lines.filter((l) => l.changed && l.outcome === o).length;
    return {
      run_id: req.runId,
      format: parsed.format,
      sha256,
      lines,
      counts: { confirmed: count('confirmed'), failed: count('failed'), returned: count('returned'), unchanged: lines.filter((l) => !l.changed).length },
    };
  });
}

/** Finance marks one transfer by hand (the bank told them by phone or letter); idempotent per key. */
export async function markTransferResult(
  db: Db,
  req: { runId: number; itemId: number; outcome: BankResultOutcome; reason?: string; actor: Actor; key: string },
) {
  const item = await db.selectFrom('payout_items').select('id').where('id', '=', req.itemId).where('run_id', '=', req.runId).executeTakeFirst();
  if (!item) throw new RuleError('not_found', `Item ${req.itemId} is not part of payout run ${req.runId}.`);
  if (req.outcome !== 'confirmed' && !req.reason?.trim()) {
    throw new RuleError('invalid', `/reason is required for a ${req.outcome} transfer (the payee is shown it).`, { path: '/reason' });
  }
  return recordTransferResult(db, { itemId: req.itemId, outcome: req.outcome, reason: req.reason, source: 'manual', actor: req.actor, key: req.key });
}

/**
 * For a bank with a transfer API (BankAdapter.results): records the results it reported after `cursor`
 * through recordTransferResult (source `adapter`, keyed by adapter, transfer key and state, so asking
 * twice changes nothing) and answers the cursor to ask with next time. A key we did not send is skipped.
 */
export async function recordAdapterResults(db: Db, adapter: BankAdapter, cursor: string | null): Promise<{ recorded: number; cursor: string | null }> {
  if (!adapter.results) return { recorded: 0, cursor };
  const answer = await adapter.results(cursor);
  let recorded = 0;
  for (const r of answer.results) {
    if (r.state === 'handed_to_bank') continue;
    const payment = await db.selectFrom('payout_payments').select('item_id').where('idempotency_key', '=', r.idempotencyKey).executeTakeFirst();
    if (!payment) continue;
    const out = await recordTransferResult(db, {
      itemId: payment.item_id,
      outcome: r.state,
      reason: r.reason,
      source: 'adapter',
      actor: null,
      key: `adapter:${adapter.name}:${r.idempotencyKey}:${r.state}`,
    });
    if (out.changed) recorded += 1;
  }
  return { recorded, cursor: answer.cursor };
}
