// Site keys: public keys a client's website uses (the browser SDK) to read its running test
// configuration and post its events. One client per key, allowed origins, rate limits, revocation and
// rotation. Only the key's sha256 is stored (like API tokens), with a short prefix to recognise it.
import { randomBytes } from 'node:crypto';
import type { Generated, Kysely } from 'kysely';
import type { Db } from './index.ts';
import { hashToken } from './users.ts';

export interface SiteKeysTable {
  id: Generated<number>;
  client_id: number;
  label: string | null;
  key_hash: string;
  key_prefix: string;
  origins: string[];
  rate_per_minute: Generated<number>;
  visitor_events_per_minute: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: number | null;
  replaced_by: number | null;
}

/** The site_keys table lives beside the shared schema (its own migration, 0013). */
const withKeys = (db: Db) => (db as unknown as Kysely<object>).withTables<{ site_keys: SiteKeysTable }>();

export interface SiteKey {
  id: number;
  client_id: number;
  label: string | null;
  key_prefix: string;
  origins: string[];
  rate_per_minute: number;
  visitor_events_per_minute: number;
  created_by: number | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  replaced_by: number | null;
}

const PUBLIC_COLUMNS = ['id', 'client_id', 'label', 'key_prefix', 'origins', 'rate_per_minute', 'visitor_events_per_minute', 'created_by', 'created_at', 'expires_at', 'revoked_at', 'replaced_by'] as const;

export const generateSiteKey = () => `kzk_${randomBytes(18).toString('base64url')}`;

/** An origin as browsers send it: scheme://host[:port], lower case, no path; throws on anything else. */
export function normaliseOrigin(origin: string): string {
  const u = new URL(origin);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new RangeError(`origin must be http(s): ${origin}`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) throw new RangeError(`origin must be scheme://host[:port] only: ${origin}`);
  return u.origin;
}

export interface NewSiteKey {
  clientId: number;
  origins: string[];
  label?: string | null;
  ratePerMinute?: number;
  visitorEventsPerMinute?: number;
  createdBy: number | null;
}

/** Creates a key (returned once, in clear, with its row). */
export async function createSiteKey(db: Db | Kysely<never>, input: NewSiteKey): Promise<SiteKey & { key: string }> {
  const key = generateSiteKey();
  const row = await withKeys(db as Db)
    .insertInto('site_keys')
    .values({
      client_id: input.clientId,
      label: input.label ?? null,
      key_hash: hashToken(key),
      key_prefix: key.slice(0, 10),
      origins: input.origins.map(normaliseOrigin),
      ...(input.ratePerMinute ? { rate_per_minute: input.ratePerMinute } : {}),
      ...(input.visitorEventsPerMinute ? { visitor_events_per_minute: input.visitorEventsPerMinute } : {}),
      created_by: input.createdBy,
      expires_at: null,
      revoked_at: null,
      revoked_by: null,
      replaced_by: null,
    })
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
  return { ...(row as SiteKey), key };
}

export function listSiteKeys(db: Db, clientId: number): Promise<SiteKey[]> {
  return withKeys(db).selectFrom('site_keys').select(PUBLIC_COLUMNS).where('client_id', '=', clientId).orderBy('id').execute() as Promise<SiteKey[]>;
}

export async function getSiteKey(db: Db, id: number): Promise<SiteKey | undefined> {
  return (await withKeys(db).selectFrom('site_keys').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()) as SiteKey | undefined;
}

/** A live key (not revoked, not expired) by its clear value, or undefined. */
export async function findLiveSiteKey(db: Db, key: string): Promise<SiteKey | undefined> {
  const row = await withKeys(db)
    .selectFrom('site_keys')
    .select(PUBLIC_COLUMNS)
    .where('key_hash', '=', hashToken(key))
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
    .executeTakeFirst();
  return row as SiteKey | undefined;
}

/** Revokes a key now (idempotent); returns the row. */
export async function revokeSiteKey(db: Db, id: number, by: number | null): Promise<SiteKey | undefined> {
  await withKeys(db).updateTable('site_keys').set({ revoked_at: new Date(), revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  return getSiteKey(db, id);
}

/**
 * Rotation: a new key with the same client, origins and limits; the old one keeps working for
 * `overlapMinutes` (0: revoked now) so pages already holding it are not cut off, then stops.
 */
export async function rotateSiteKey(db: Db, id: number, overlapMinutes: number, by: number | null): Promise<{ replaced: SiteKey; key: SiteKey & { key: string } } | undefined> {
  return db.transaction().execute(async (trx) => {
    const old = await withKeys(trx as unknown as Db).selectFrom('site_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).forUpdate().executeTakeFirst();
    if (!old) return undefined;
    const fresh = await createSiteKey(trx as unknown as Db, {
      clientId: old.client_id,
      origins: old.origins,
      label: old.label,
      ratePerMinute: old.rate_per_minute,
      visitorEventsPerMinute: old.visitor_events_per_minute,
      createdBy: by,
    });
    const until = new Date(Date.now() + overlapMinutes * 60_000);
    const ends = old.expires_at && old.expires_at < until ? old.expires_at : until;
    const patch = overlapMinutes > 0 ? { expires_at: ends, replaced_by: fresh.id } : { revoked_at: new Date(), revoked_by: by, replaced_by: fresh.id };
    const replaced = await withKeys(trx as unknown as Db).updateTable('site_keys').set(patch).where('id', '=', id).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
    return { replaced: replaced as SiteKey, key: fresh };
  });
}
