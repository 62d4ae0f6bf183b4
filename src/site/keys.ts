// The rules of a site key at the public gate: which live key a request carries (cached like user
// tokens), and whether the request's Origin is one the key allows.
import type { Db } from '../db/index.ts';
import { findLiveSiteKey, type SiteKey } from '../db/site-keys.ts';
import type { Revocation } from '../db/revocations.ts';
import { TOKEN_CACHE_MS } from '../db/token-cache.ts';

const MAX_CACHED_KEYS = 10_000;

/**
 * Site key → row, like the token cache: a revocation in any process is immediate (the API applies
 * broadcast revocations, src/db/revocations.ts); a key is never served past its own expiry.
 */
export class SiteKeyCache {
  private readonly entries = new Map<string, { key: SiteKey; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live key `clear` names, or undefined (unknown, revoked or expired). */
  async live(clear: string): Promise<SiteKey | undefined> {
    const now = this.now();
    const hit = this.entries.get(clear);
    if (hit && hit.until > now) return hit.key;
    const key = await findLiveSiteKey(this.db, clear);
    if (!key) return undefined;
    // Bounded: the oldest entry goes first.
    if (this.entries.size >= MAX_CACHED_KEYS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(clear, { key, until: Math.min(now + TOKEN_CACHE_MS, key.expires_at ? key.expires_at.getTime() : Infinity) });
    return key;
  }

  /** Drops key `id` (revoked or rotated), so its next request reads the database. */
  forget(id: number): void {
    for (const [clear, e] of this.entries) if (e.key.id === id) this.entries.delete(clear);
  }

  /** A revocation from any process (src/db/revocations.ts). */
  apply(r: Revocation): void {
    if (r.kind === 'site_key') this.forget(r.id);
    else if (r.kind === 'all') this.entries.clear();
  }
}

/** A key answers only requests from one of its origins, as the browser sends them (exact match). */
export function originAllowed(key: Pick<SiteKey, 'origins'>, origin: string | undefined): boolean {
  return origin !== undefined && key.origins.includes(origin);
}
