// Receipts (入金消込) over Postgres: manual entry and bank-statement import (idempotent per line),
// automatic matching against open invoices, manual matching by finance.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { matchReceipt, parseStatementCsv, payerKey, type OpenInvoice } from '../domain/billing/matching.ts';
import { matchRefusal } from '../domain/billing/review.ts';
import { RuleError } from '../domain/errors.ts';
import { openInvoices } from './queries.ts';

async function openForMatching(db: Db): Promise<OpenInvoice[]> {
  const rows = await openInvoices(db);
  return rows.map((r) => ({
    invoice_id: r.id,
    outstanding_yen: r.outstanding_yen,
    payer_keys: [...r.payer_kana.map(payerKey), payerKey(r.recipient_name)].filter((k): k is string => !!k),
    due_date: r.due_date,
  }));
}

/** Tries to match one unmatched receipt inside the caller's transaction; returns the receipt row afterwards. */
async function matchIn(trx: Transaction<Database>, receiptId: number, toleranceYen: number) {
  // One matcher at a time: two receipts must not both settle the same invoice.
  await sql`select pg_advisory_xact_lock(hashtext('billing-receipt-matching'))`.execute(trx);
  const r = await trx.selectFrom('receipts').selectAll().where('id', '=', receiptId).executeTakeFirstOrThrow();
  if (r.status === 'matched') return r;
  const m = matchReceipt(r, await openForMatching(trx as unknown as Db), toleranceYen);
  if (!m.matched) {
    return trx.updateTable('receipts').set({ unmatched_reason: m.reason }).where('id', '=', receiptId).returningAll().executeTakeFirstOrThrow();
  }
  return trx
    .updateTable('receipts')
    .set({ status: 'matched', invoice_id: m.invoice_id, fee_yen: m.fee_yen, matched_how: m.how, unmatched_reason: null, matched_at: new Date() })
    .where('id', '=', receiptId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface ReceiptInput {
  received_on: string;
  payer_name: string;
  amount_yen: number;
}

type NewReceipt = ReceiptInput & { source: 'manual' | 'bank_csv'; import_key: string };

/** Stores a receipt once per import key and matches it, inside the caller's transaction. */
async function recordIn(trx: Transaction<Database>, input: NewReceipt, by: number | null, toleranceYen: number) {
  const inserted = await trx
    .insertInto('receipts')
    .values({ source: input.source, import_key: input.import_key, received_on: input.received_on, payer_name: input.payer_name, amount_yen: input.amount_yen, created_by: by })
    .onConflict((oc) => oc.column('import_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  const id = inserted?.id ?? (await trx.selectFrom('receipts').select('id').where('import_key', '=', input.import_key).executeTakeFirstOrThrow()).id;
  return { receipt: await matchIn(trx, id, toleranceYen), created: !!inserted };
}

export async function recordReceipt(db: Db, input: NewReceipt, by: number | null, toleranceYen: number) {
  return db.transaction().execute((trx) => recordIn(trx, input, by, toleranceYen));
}

/**
 * Imports a bank statement CSV, all or nothing: every line is checked before anything is written, and
 * the lines are stored and matched in one transaction. Each line's key is the hash of its content and
 * how often that content came before it in the file, so importing the same file again (or a later
 * statement that repeats it) adds nothing.
 */
export async function importStatement(db: Db, csv: string, by: number | null, toleranceYen: number) {
  const lines = parseStatementCsv(csv);
  const seen = new Map<string, number>();
  const results = await db.transaction().execute(async (trx) => {
    const done = [];
    for (const l of lines) {
      const fact = `${l.received_on}|${l.payer_name}|${l.amount_yen}`;
      const n = (seen.get(fact) ?? 0) + 1;
      seen.set(fact, n);
      const key = `csv:${createHash('sha256').update(`${fact}|${n}`).digest('hex').slice(0, 40)}`;
      const { receipt, created } = await recordIn(trx, { ...l, source: 'bank_csv', import_key: key }, by, toleranceYen);
      done.push({ line: l.line, created, receipt });
    }
    return done;
  });
  return {
    lines: results.length,
    created: results.filter((r) => r.created).length,
    matched: results.filter((r) => r.receipt.status === 'matched').length,
    unmatched: results.filter((r) => r.receipt.status === 'unmatched').length,
    receipts: results.map((r) => ({ line: r.line, ...r.receipt })),
  };
}

export async function listReceipts(db: Db, status?: 'matched' | 'unmatched', page: { afterId?: number; limit: number } = { limit: 100 }) {
  let q = db.selectFrom('receipts').selectAll();
  if (status) q = q.where('status', '=', status);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  return q.orderBy('id').limit(page.limit).execute();
}

/** Finance matches a waiting receipt by hand; the shortfall (if any, up to the outstanding) is booked as fee. */
export async function matchByHand(db: Db, receiptId: number, invoiceId: number, by: number, feeYen = 0) {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('billing-receipt-matching'))`.execute(trx);
    const r = await trx.selectFrom('receipts').selectAll().where('id', '=', receiptId).forUpdate().executeTakeFirst();
    if (!r) throw new RuleError('not_found', 'receipt not found');
    const refusal = matchRefusal(r);
    if (refusal) throw new RuleError('conflict', refusal);
    const open = (await openInvoices(trx as unknown as Db)).find((o) => o.id === invoiceId);
    if (!open) throw new RuleError('invalid', '/invoice_id is not an open issued invoice', { path: '/invoice_id' });
    if (r.amount_yen + feeYen > open.outstanding_yen) throw new RuleError('invalid', `/fee_yen receipt + fee exceed the outstanding ¥${open.outstanding_yen}`, { path: '/fee_yen' });
    return trx
      .updateTable('receipts')
      .set({ status: 'matched', invoice_id: invoiceId, fee_yen: feeYen, matched_how: 'manual', matched_by: by, unmatched_reason: null, matched_at: new Date() })
      .where('id', '=', receiptId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
