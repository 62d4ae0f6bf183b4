// The limit on failed authentication (issue 20): a bearer token or session cookie that matches nothing
// live counts one failure against the caller's address and one against the credential's prefix. Past
// either limit the caller gets 429 with Retry-After, before any token lookup, until the window (from
// the key's first failure) ends. The counters live in Postgres (auth_failures, migration 0015), so
// every API process applies the same limit; what a process has already seen blocked it also remembers
// in memory, so a blocked burst costs it no database round trip at all. Successes are never counted.
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { sql } from 'kysely';
import type { AuthFailureLimits } from '../config.ts';
import type { Db } from '../db/index.ts';
import { HttpError } from './errors.ts';

/**
 * A credential's prefix: `kzd_`/`kzs_` and 8 random characters (48 bits). Long enough that blocking
 * one holds up only guesses at the tokens that share it, never everyone's (a bare `kzd_` would);
 * short enough to catch many addresses hammering at one token they know the start of.
 */
export const PREFIX_LENGTH = 12;
const MAX_REMEMBERED = 10_000;

/** An IPv4 address as is; an IPv6 address by its /64 (what one subscriber usually holds). */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `a:${mapped[1]}`;
  if (!isIPv6(ip)) return `a:${ip}`;
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const groups = head ? head.split(':') : [];
  const end = tail === undefined ? [] : tail ? tail.split(':') : [];
  const all = tail === undefined ? groups : [...groups, ...Array<string>(8 - groups.length - end.length).fill('0'), ...end];
  return `a:${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The prefix, hashed: even a typo of a real token is not stored in the clear. */
export const prefixKey = (credential: string) => `p:${createHash('sha256').update(credential.slice(0, PREFIX_LENGTH)).digest('hex').slice(0, 32)}`;

export function tooManyFailures(seconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `too many failed authentications from this address or with this token; try again in ${seconds} s`, [], seconds);
}

export class AuthLimiter {
  /** Keys this process saw reach their limit → when their window ends (ms). */
  private readonly blocked = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly limits: AuthFailureLimits,
  ) {}

  private keys(ip: string, credential: string): { key: string; limit: number }[] {
    return [
      { key: addressKey(ip), limit: this.limits.perAddress },
      { key: prefixKey(credential), limit: this.limits.perPrefix },
    ];
  }

  private remember(key: string, seconds: number, now: number): void {
    if (this.blocked.size >= MAX_REMEMBERED) {
      for (const [k, until] of this.blocked) if (until <= now) this.blocked.delete(k);
      if (this.blocked.size >= MAX_REMEMBERED) this.blocked.delete(this.blocked.keys().next().value!);
    }
    this.blocked.set(key, now + seconds * 1000);
  }

  /** Seconds the caller must wait (0: go ahead): this process's memory first, then the shared counters. */
  async waitFor(ip: string, credential: string, now = Date.now()): Promise<number> {
    const keys = this.keys(ip, credential);
    for (const { key } of keys) {
      const until = this.blocked.get(key);
      if (until !== undefined && until > now) return Math.ceil((until - now) / 1000);
      if (until !== undefined) this.blocked.delete(key);
    }
    const w = this.limits.windowSeconds;
    const rows = await sql<{ key: string; failures: number; retry: number }>`
      select key, failures, ceil(extract(epoch from window_start + ${w} * interval '1 second' - now()))::int as retry
      from auth_failures where key in (${sql.join(keys.map((k) => k.key))}) and window_start > now() - ${w} * interval '1 second'`.execute(this.db);
    let wait = 0;
    for (const row of rows.rows) {
      if (row.failures < keys.find((k) => k.key === row.key)!.limit) continue;
      const seconds = Math.max(1, row.retry);
      this.remember(row.key, seconds, now);
      wait = Math.max(wait, seconds);
    }
    return wait;
  }

  /** Counts one failure against the address and the prefix (one upsert); a key that reaches its limit is remembered as blocked. */
  async fail(ip: string, credential: string, now = Date.now()): Promise<void> {
    const keys = this.keys(ip, credential);
    const w = this.limits.windowSeconds;
    const current = sql`auth_failures.window_start > now() - ${w} * interval '1 second'`;
    const rows = await sql<{ key: string; failures: number; retry: number }>`
      insert into auth_failures (key, window_start, failures)
      select k, now(), 1 from unnest(${keys.map((k) => k.key)}::text[]) as k
      on conflict (key) do update set
        failures = case when ${current} then auth_failures.failures + 1 else 1 end,
        window_start = case when ${current} then auth_failures.window_start else now() end
      returning key, failures, ceil(extract(epoch from window_start + ${w} * interval '1 second' - now()))::int as retry`.execute(this.db);
    for (const row of rows.rows) {
      if (row.failures >= keys.find((k) => k.key === row.key)!.limit) this.remember(row.key, Math.max(1, row.retry), now);
    }
    // Counters of ended windows are dropped now and then (an attacker's random prefixes each leave a row).
    if (now - this.lastSweep > w * 1000) {
      this.lastSweep = now;
      // Not awaited: a refused caller's 401 does not wait for the clean-up.
      void sql`delete from auth_failures where window_start < now() - ${w} * interval '1 second'`.execute(this.db).catch(() => undefined);
    }
  }
}
