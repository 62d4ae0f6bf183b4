// Bearer token → user, cached for a couple of seconds per process so an authenticated request costs
// no database round trip. Revocation still takes effect within seconds everywhere:
// - in the process that revokes (DELETE /v1/tokens/:id), at once: revokeTokens drops the entries;
// - in other API processes at once too: revokeTokens broadcasts the revocation (revocations.ts, a
//   Postgres NOTIFY each API process listens to), and the TTL (TOKEN_CACHE_MS, 2 s) bounds what a
//   process that missed it (its listener reconnecting) keeps;
// - a token's expiry is never overstepped: an entry lives at most until the token's expires_at.
// Only hits are cached (an unknown token always asks the database). Entries hold the user row, never
// log anything. Browser sessions never rely on this cache: their lookup (sessions.ts) checks their
// token in Postgres on every request.
// Every database lookup can be preceded by a check (the failed-authentication limit, src/api/auth-limit.ts):
// a cache hit is a known good token and costs nothing, so it is never held up.
import type { Db } from './index.ts';
import { onRevocation } from './revocations.ts';
import type { User } from './schema.ts';
import { hashToken, liveToken } from './users.ts';

export const TOKEN_CACHE_MS = 2_000;
const MAX_ENTRIES = 10_000;

/** A live token: its user, its id (a session remembers it) and its expiry. */
export interface TokenHit {
  user: User;
  tokenId: number;
  expiresAt: Date | null;
}

interface Entry extends TokenHit {
  until: number;
}

let ttlMs = TOKEN_CACHE_MS;
const caches = new WeakMap<Db, Map<string, Entry>>();
const all = new Set<Map<string, Entry>>();

/** For benches and tests: 0 turns the cache off. */
export function setTokenCacheTtl(ms: number): void {
  ttlMs = ms;
  for (const c of all) c.clear();
}

function cacheFor(db: Db): Map<string, Entry> {
  let c = caches.get(db);
  if (!c) {
    caches.set(db, (c = new Map()));
    all.add(c);
  }
  return c;
}

/** The live token (not revoked, not expired) and its user, from the cache when fresh; `beforeLookup` runs before a database lookup only. */
export async function userByToken(db: Db, token: string, opts: { beforeLookup?: () => Promise<void>; now?: number } = {}): Promise<TokenHit | undefined> {
  const now = opts.now ?? Date.now();
  const cache = cacheFor(db);
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit;
  if (hit) cache.delete(token);
  await opts.beforeLookup?.();
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_row_id', 'api_tokens.expires_at as token_expires_at'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where(liveToken(new Date(now)))
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_row_id, token_expires_at, ...user } = row as typeof row & { token_row_id: number; token_expires_at: Date | null };
  const found: TokenHit = { user: user as unknown as User, tokenId: token_row_id, expiresAt: token_expires_at };
  if (ttlMs > 0) {
    const until = Math.min(now + ttlMs, token_expires_at ? token_expires_at.getTime() : Infinity);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(token, { ...found, until });
  }
  return found;
}

/** Drops cached entries of revoked tokens (one by id, or all of a user's), in every handle of this process. */
export function forgetTokens(which: { tokenId?: number; userId?: number }): void {
  for (const cache of all) {
    for (const [k, e] of cache) if ((which.tokenId && e.tokenId === which.tokenId) || (which.userId && e.user.id === which.userId)) cache.delete(k);
  }
}

// Revocations from any process (revocations.ts) drop this process's entries.
onRevocation((r) => {
  if (r.kind === 'token') forgetTokens(r);
  else if (r.kind === 'all') for (const c of all) c.clear();
});
