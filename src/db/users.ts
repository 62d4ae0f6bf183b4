import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './index.ts';
import { broadcastRevocation } from './revocations.ts';
import type { Role } from '../shared/actor.ts';
import type { User } from './schema.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The one rule of a live API token (bearer or behind a session): not revoked, not past its expiry. */
export const liveToken = (now = new Date()) => sql<boolean>`api_tokens.revoked_at is null and (api_tokens.expires_at is null or api_tokens.expires_at > ${now})`;

export function generateToken(): string {
  return `kzd_${randomBytes(32).toString('base64url')}`;
}

export interface NewUser {
  name: string;
  role: Role;
  clientId?: number | null;
  hackerId?: number | null;
  /** A partner user's partner. */
  partnerId?: number | null;
  /** When the first token expires (null or absent: never). */
  tokenExpiresAt?: Date | null;
}

/** Creates a user and returns it with a fresh token (shown once; only its hash is stored). */
export async function createUserWithToken(
  db: Db,
  input: NewUser,
  token: string = generateToken(),
): Promise<{ user: User; token: string }> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        name: input.name,
        role: input.role,
        client_id: input.clientId ?? null,
        hacker_id: input.hackerId ?? null,
        partner_id: input.partnerId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('api_tokens').values({ user_id: user.id, token_hash: hashToken(token), expires_at: input.tokenExpiresAt ?? null }).execute();
    return { user, token };
  });
}

export async function findUserByToken(db: Db, token: string): Promise<User | undefined> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where(liveToken())
    .executeTakeFirst();
}

/**
 * Makes sure a bootstrap admin exists that `token` authenticates. Idempotent: the same token on every
 * start maps to the same admin.
 */
export async function ensureBootstrapAdmin(db: Db, token: string): Promise<User> {
  const existing = await findUserByToken(db, token);
  if (existing) return existing;
  const { user } = await createUserWithToken(db, { name: 'bootstrap admin', role: 'admin' }, token);
  return user;
}

/** A new token for an existing user (shown once). */
export async function issueToken(db: Db, userId: number, opts: { label?: string | null; expiresAt?: Date | null } = {}) {
  const token = generateToken();
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: userId, token_hash: hashToken(token), label: opts.label ?? null, expires_at: opts.expiresAt ?? null })
    .returning(['id', 'user_id', 'label', 'created_at', 'expires_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
  return { ...row, token };
}

/** Tokens as people may see them: never the hash. */
export function listTokens(db: Db, filter: { userId?: number; afterId?: number; limit: number }) {
  let q = db.selectFrom('api_tokens').select(['id', 'user_id', 'label', 'created_at', 'expires_at', 'revoked_at']).orderBy('id').limit(filter.limit);
  if (filter.userId) q = q.where('user_id', '=', filter.userId);
  if (filter.afterId) q = q.where('id', '>', filter.afterId);
  return q.execute();
}

/** Revokes tokens (one by id, or all of a user's); returns how many were live. Idempotent. */
export async function revokeTokens(db: Db, which: { tokenId?: number; userId?: number }, by: number | null): Promise<number> {
  let q = db.updateTable('api_tokens').set({ revoked_at: new Date(), revoked_by: by }).where('revoked_at', 'is', null);
  if (which.tokenId) q = q.where('id', '=', which.tokenId);
  if (which.userId) q = q.where('user_id', '=', which.userId);
  if (!which.tokenId && !which.userId) return 0;
  const res = await q.executeTakeFirst();
  // Every API process stops accepting them at once (revocations.ts).
  await broadcastRevocation(db, { kind: 'token', ...which });
  return Number(res.numUpdatedRows);
}

/** Users newest first: the user an admin just created is on the first page. */
export function listUsers(db: Db, f: { afterId?: number; limit: number }) {
  let q = db.selectFrom('users').select(['id', 'name', 'role', 'client_id', 'hacker_id', 'created_at']).orderBy('id', 'desc').limit(f.limit);
  if (f.afterId) q = q.where('id', '<', f.afterId);
  return q.execute();
}

export async function userExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst());
}

/** A token's id and owner (never its hash), to decide who may revoke it. */
export function tokenOwner(db: Db, tokenId: number) {
  return db.selectFrom('api_tokens').select(['id', 'user_id']).where('id', '=', tokenId).executeTakeFirst();
}

/** A client user needs an existing client; a hacker user an existing hacker; others neither. */
export async function userBindingProblems(db: Db, u: { role: string; client_id?: number; hacker_id?: number }, prefix = '/body') {
  const details: { path: string; message: string }[] = [];
  const check = async (field: 'client_id' | 'hacker_id', table: 'clients' | 'hackers', role: string) => {
    const value = u[field];
    if (u.role === role) {
      if (value === undefined) details.push({ path: `${prefix}/${field}`, message: `is required for role ${role}` });
      else if (!(await db.selectFrom(table).select('id').where('id', '=', value).executeTakeFirst())) {
        details.push({ path: `${prefix}/${field}`, message: `no such ${table.slice(0, -1)}` });
      }
    } else if (value !== undefined) {
      details.push({ path: `${prefix}/${field}`, message: `only allowed for role ${role}` });
    }
  };
  await check('client_id', 'clients', 'client');
  await check('hacker_id', 'hackers', 'hacker');
  return details;
}
