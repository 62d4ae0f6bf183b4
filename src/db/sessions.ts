// Browser sessions: the cookie carries a random id; the table keeps only its sha256 (like API tokens).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from './index.ts';
import type { Database, User } from './schema.ts';
import { hashToken, liveToken } from './users.ts';

export interface SessionsTable {
  id: import('kysely').Generated<number>;
  user_id: number;
  /** The API token it was signed in with (migration 0015): the session ends with it. Null only on rows from before 0015, which count as ended. */
  token_id: number | null;
  token_hash: string;
  created_at: import('kysely').ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
  last_seen_at: import('kysely').ColumnType<Date, Date | undefined, Date>;
  revoked_at: Date | null;
}

/** The sessions table lives beside the shared schema (its own migration, 0010). */
const withSessions = (db: Db) => db as unknown as Kysely<Database & { sessions: SessionsTable }>;

export const SESSION_HOURS = 12;

/** A session for the user signed in with `token`; it ends after SESSION_HOURS, or when the token does if sooner. */
export async function createSession(db: Db, userId: number, token: { id: number; expiresAt: Date | null }, now = new Date()): Promise<{ id: string; expiresAt: Date }> {
  const id = `kzs_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Math.min(now.getTime() + SESSION_HOURS * 3600_000, token.expiresAt?.getTime() ?? Infinity));
  await withSessions(db).insertInto('sessions').values({ user_id: userId, token_id: token.id, token_hash: hashToken(id), expires_at: expiresAt }).execute();
  return { id, expiresAt };
}

/**
 * The user of a live session (not revoked, not expired) whose token is live too, or undefined. Read
 * from Postgres on every request (no cache), so a revocation anywhere ends the session at once.
 */
export async function findUserBySession(db: Db, sessionId: string, now = new Date()): Promise<{ user: User; sessionRowId: number; expiresAt: Date } | undefined> {
  const row = await withSessions(db)
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    // The token it was signed in with (a row without one, from before migration 0015, matches nothing).
    .innerJoin('api_tokens', 'api_tokens.id', 'sessions.token_id')
    .selectAll('users')
    .select(['sessions.id as session_row_id', 'sessions.expires_at as session_expires_at'])
    .where('sessions.token_hash', '=', hashToken(sessionId))
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where(liveToken(now))
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_row_id, session_expires_at, ...user } = row as typeof row & { session_row_id: number; session_expires_at: Date };
  return { user: user as unknown as User, sessionRowId: session_row_id, expiresAt: session_expires_at };
}

export async function revokeSession(db: Db, sessionRowId: number): Promise<void> {
  await withSessions(db).updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionRowId).where('revoked_at', 'is', null).execute();
}
