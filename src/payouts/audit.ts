// The append-only payout audit log: who (user:<id> | system | schedule), what, when, why. Rules in the
// database drop UPDATE and DELETE. A unique key makes an entry written by a retried activity appear once.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface AuditEntry {
  run_id?: number | null;
  item_id?: number | null;
  hacker_id?: number | null;
  actor: string;
  action: string;
  reason?: string | null;
  /** Never bank details or other personal data. */
  details?: Record<string, unknown>;
  unique_key?: string | null;
}

export async function writeAudit(db: Kysely<Database> | Transaction<Database>, e: AuditEntry): Promise<boolean> {
  const res = await db
    .insertInto('payout_audit_log')
    .values({
      run_id: e.run_id ?? null,
      item_id: e.item_id ?? null,
      hacker_id: e.hacker_id ?? null,
      actor: e.actor,
      action: e.action,
      reason: e.reason ?? null,
      details: JSON.stringify(e.details ?? {}),
      unique_key: e.unique_key ?? null,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export const actorOf = (userId: number | null | undefined) => (userId == null ? 'system' : `user:${userId}`);
