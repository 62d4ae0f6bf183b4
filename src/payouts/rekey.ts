// Re-encryption after a key rotation: every envelope not under its ring's current key (a v1 envelope,
// or an older key id) is decrypted with the ring and sealed again with the current key — the payees'
// and pending payee changes' bank details and the Zengin file lines (KAIZEN_BANK_KEY), and the My
// Number vault (KAIZEN_MYNUMBER_KEY). Idempotent (a second run finds nothing to do) and safe beside
// the running app: each row is replaced only if its envelope is still the one read. Values are never
// logged or returned, only counts.
import { sql } from 'kysely';
import type { KeyRing } from '../config.ts';
import type { Db } from '../db/index.ts';
import { zenginLineAad } from './bank.ts';
import { currentKeyId, decryptJson, encryptJson, needsRekey } from './crypto.ts';
import { bankAad } from './payees.ts';
import { myNumberAad } from './vault.ts';

export interface RekeyCounts {
  payees: number;
  payee_change_requests: number;
  payout_zengin_lines: number;
  my_numbers: number;
}

interface Target {
  table: keyof RekeyCounts;
  id: string;
  column: string;
  /** The column the additional data is made from (the row's hacker, or the Zengin line's key). */
  aadColumn: string;
  key: KeyRing;
  aad: (value: string) => string;
}

const BATCH = 500;

async function rekeyTable(db: Db, t: Target): Promise<number> {
  const current = `v2.${currentKeyId(t.key).replace(/[\\%_]/g, '\\$&')}.%`;
  let changed = 0;
  let after = '';
  for (;;) {
    // Keyset pages over the rows still under an older key (ids compared as text: one loop for every table).
    const { rows } = await sql<{ id: string; aad_of: string; envelope: string }>`
      select ${sql.ref(t.id)}::text as id, ${sql.ref(t.aadColumn)}::text as aad_of, ${sql.ref(t.column)} as envelope from ${sql.table(t.table)}
      where ${sql.ref(t.column)} is not null and ${sql.ref(t.column)} not like ${current} and ${sql.ref(t.id)}::text > ${after}
      order by ${sql.ref(t.id)}::text limit ${BATCH}`.execute(db);
    for (const r of rows) {
      if (!needsRekey(t.key, r.envelope)) continue;
      const aad = t.aad(r.aad_of);
      const sealed = encryptJson(t.key, aad, decryptJson<unknown>(t.key, aad, r.envelope));
      const res = await sql`update ${sql.table(t.table)} set ${sql.ref(t.column)} = ${sealed}
        where ${sql.ref(t.id)}::text = ${r.id} and ${sql.ref(t.column)} = ${r.envelope}`.execute(db);
      changed += Number(res.numAffectedRows ?? 0n);
    }
    if (rows.length < BATCH) return changed;
    after = rows[rows.length - 1]!.id;
  }
}

/** Re-encrypts every envelope under an older key with the current one; answers how many per table. */
export async function rekeyEnvelopes(db: Db, keys: { bankKey: KeyRing; myNumberKey: KeyRing }): Promise<RekeyCounts> {
  const byHacker = (aad: (hackerId: number) => string) => (v: string) => aad(Number(v));
  return {
    payees: await rekeyTable(db, { table: 'payees', id: 'hacker_id', column: 'bank_encrypted', aadColumn: 'hacker_id', key: keys.bankKey, aad: byHacker(bankAad) }),
    payee_change_requests: await rekeyTable(db, { table: 'payee_change_requests', id: 'id', column: 'bank_encrypted', aadColumn: 'hacker_id', key: keys.bankKey, aad: byHacker(bankAad) }),
    payout_zengin_lines: await rekeyTable(db, { table: 'payout_zengin_lines', id: 'idempotency_key', column: 'transfer_encrypted', aadColumn: 'idempotency_key', key: keys.bankKey, aad: zenginLineAad }),
    my_numbers: await rekeyTable(db, { table: 'my_numbers', id: 'hacker_id', column: 'number_encrypted', aadColumn: 'hacker_id', key: keys.myNumberKey, aad: byHacker(myNumberAad) }),
  };
}
