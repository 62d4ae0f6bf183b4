// The My Number vault: an individual's 個人番号, submitted by the hacker (write-only: answers say only
// whether it is on file), encrypted with the vault's own key (KAIZEN_MYNUMBER_KEY, the hacker id as
// additional data), read only by finance users an admin granted `my_number_access`, every read logged
// (who, when, why) in the read's own transaction. It never enters payout items, logs or Temporal
// payloads; the only export carrying it is the tax-office copy of the 支払調書 (src/payouts/annual.ts).
import { sql } from 'kysely';
import type { KeyRing } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import { ValidationError } from '../domain/errors.ts';
import { isValidMyNumber, myNumberRetainUntil } from '../domain/payouts/my-number.ts';
import { decryptJson, encryptJson } from './crypto.ts';

/** The vault envelope's additional data: a number copied to another hacker's row does not decrypt. */
export const myNumberAad = (hackerId: number) => `mynumber:${hackerId}`;
const aad = myNumberAad;

export interface MyNumberStatus {
  hacker_id: number;
  on_file: boolean;
  submitted_at: string | null;
}

/** Why `user` may not read 個人番号, or undefined when they may (finance with the admin's grant). */
export function myNumberReadRefusal(user: Pick<User, 'role' | 'my_number_access'>): string | undefined {
  if (user.role !== 'finance' || !user.my_number_access) return 'Reading My Numbers needs a finance user with the My Number permission (granted by an admin).';
  return undefined;
}

export async function myNumberStatus(db: Db, hackerId: number): Promise<MyNumberStatus> {
  const row = await db.selectFrom('my_numbers').select(['submitted_at']).where('hacker_id', '=', hackerId).executeTakeFirst();
  return { hacker_id: hackerId, on_file: row !== undefined, submitted_at: row ? row.submitted_at.toISOString() : null };
}

/** Stores (or replaces) an individual's 個人番号; `today` (YYYY-MM-DD, Asia/Tokyo) starts its retention. */
export async function submitMyNumber(db: Db, key: KeyRing, hackerId: number, number: string, today: string): Promise<MyNumberStatus> {
  const hacker = await db.selectFrom('hackers').select(['kind']).where('id', '=', hackerId).executeTakeFirst();
  if (!hacker) throw new ValidationError(`hacker ${hackerId} does not exist`);
  if (hacker.kind !== 'individual') {
    throw new ValidationError('/body/my_number only individuals have a 個人番号 (a corporation files its 法人番号 through its invoice number)', [
      { path: '/my_number', message: 'only individuals have a 個人番号' },
    ]);
  }
  if (!isValidMyNumber(number)) {
    throw new ValidationError('/body/my_number must be 12 digits with a valid check digit', [{ path: '/my_number', message: 'must be 12 digits with a valid check digit' }]);
  }
  const retainUntil = myNumberRetainUntil(Number(today.slice(0, 4)));
  await db
    .insertInto('my_numbers')
    .values({ hacker_id: hackerId, number_encrypted: encryptJson(key, aad(hackerId), number), retain_until: retainUntil })
    .onConflict((oc) =>
      oc.column('hacker_id').doUpdateSet({
        number_encrypted: (eb) => eb.ref('excluded.number_encrypted'),
        submitted_at: sql`now()`,
        retain_until: sql`greatest(my_numbers.retain_until, excluded.retain_until)`,
      }),
    )
    .execute();
  return myNumberStatus(db, hackerId);
}

/**
 * The 個人番号 of `hackerIds` for `reader` (refused unless myNumberReadRefusal passes), each read
 * logged with `purpose` in the same transaction: no number leaves without its log line.
 */
export async function readMyNumbers(
  db: Db,
  key: KeyRing,
  reader: Pick<User, 'id' | 'role' | 'my_number_access'>,
  hackerIds: readonly number[],
  purpose: string,
): Promise<Map<number, string>> {
  const refusal = myNumberReadRefusal(reader);
  if (refusal) throw new MyNumberAccessError(refusal);
  if (hackerIds.length === 0) return new Map();
  return db.transaction().execute(async (tx) => {
    const rows = await tx.selectFrom('my_numbers').select(['hacker_id', 'number_encrypted']).where('hacker_id', 'in', [...hackerIds]).execute();
    if (rows.length) await tx.insertInto('my_number_reads').values(rows.map((r) => ({ hacker_id: r.hacker_id, reader_user_id: reader.id, purpose }))).execute();
    return new Map(rows.map((r) => [r.hacker_id, decryptJson<string>(key, aad(r.hacker_id), r.number_encrypted)]));
  });
}

export class MyNumberAccessError extends Error {
  override name = 'MyNumberAccessError';
}

/** Numbers filed on the tax-office copy of `year`'s statements are kept 7 years past that filing. */
export async function recordFiling(db: Db, hackerIds: readonly number[], year: number): Promise<void> {
  if (hackerIds.length === 0) return;
  await db
    .updateTable('my_numbers')
    .set({ last_filed_year: sql`greatest(coalesce(last_filed_year, ${year}), ${year})`, retain_until: sql`greatest(retain_until, ${myNumberRetainUntil(year)}::date)` })
    .where('hacker_id', 'in', [...hackerIds])
    .execute();
}

export async function myNumberReadLog(db: Db, hackerId: number) {
  return db.selectFrom('my_number_reads').select(['id', 'reader_user_id', 'purpose', 'created_at']).where('hacker_id', '=', hackerId).orderBy('id').execute();
}

/** An admin grants or withdraws the read permission; only a finance user may hold it. */
export async function setMyNumberAccess(db: Db, userId: number, granted: boolean): Promise<void> {
  const user = await db.selectFrom('users').select(['role']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new ValidationError(`user ${userId} does not exist`);
  if (granted && user.role !== 'finance') throw new ValidationError(`user ${userId} is not a finance user`);
  await db.updateTable('users').set({ my_number_access: granted }).where('id', '=', userId).execute();
}

/** Deletes every number past its retention day (idempotent: run by the yearly retention schedule). */
export async function purgeExpiredMyNumbers(db: Db, today: string): Promise<number> {
  const gone = await db.deleteFrom('my_numbers').where('retain_until', '<', today).executeTakeFirst();
  return Number(gone.numDeletedRows);
}
