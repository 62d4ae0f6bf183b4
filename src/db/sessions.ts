// Browser sessions: the cookie carries a random id; the table keeps only its sha256 (like API tokens).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from './index.ts';
import type { Database, User } from './schema.ts';
import { hashToken } from './users.ts';

export interface SessionsTable {
  id: import('kysely').Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: import('kysely').ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
  last_seen_at: import('kysely').ColumnType<Date, Date | undefined, Date>;
  revoked_at: Date | null;
}

/** The sessions table lives beside the shared schema (its own migration, 0010). */
const withSessions = (db: Db) => db as unknown as Kysely<Database & { sessions: SessionsTable }>;

export const SESSION_HOURS = 12;

export async function createSession(db: Db, userId: number, now = new Date()): Promise<{ id: string; expiresAt: Date }> {
  const id = `kzs_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await withSessions(db).insertInto('sessions').values({ user_id: userId, token_hash: hashToken(id), expires_at: expiresAt }).execute();
  return { id, expiresAt };
}

/** The user of a live session (not revoked, not expired), or undefined. */
export async function findUserBySession(db: Db, sessionId: string): Promise<{ user: User; sessionRowId: number; expiresAt: Date } | undefined> {
  const row = await withSessions(db)
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_row_id', 'sessions.expires_at as session_expires_at'])
    .where('sessions.token_hash', '=', hashToken(sessionId))
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', new Date())
    // A user whose tokens were all revoked or expired loses its browser sessions too.
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('api_tokens')
          .select('api_tokens.id')
          .whereRef('api_tokens.user_id', '=', 'sessions.user_id')
          .where('api_tokens.revoked_at', 'is', null)
          .where((t) => t.or([t('api_tokens.expires_at', 'is', null), t('api_tokens.expires_at', '>', new Date())])),
      ),
    )
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_row_id, session_expires_at, ...user } = row as typeof row & { session_row_id: number; session_expires_at: Date };
  return { user: user as unknown as User, sessionRowId: session_row_id, expiresAt: session_expires_at };
}

export async function revokeSession(db: Db, sessionRowId: number): Promise<void> {
  await withSessions(db).updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionRowId).where('revoked_at', 'is', null).execute();
}
