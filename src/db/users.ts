import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './index.ts';
import type { Role, User } from './schema.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `kzd_${randomBytes(32).toString('base64url')}`;
}

export interface NewUser {
  name: string;
  role: Role;
  clientId?: number | null;
  hackerId?: number | null;
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
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('api_tokens').values({ user_id: user.id, token_hash: hashToken(token) }).execute();
    return { user, token };
  });
}

export async function findUserByToken(db: Db, token: string): Promise<User | undefined> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
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
