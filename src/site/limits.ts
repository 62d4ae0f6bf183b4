// Fixed-window rate limits for site keys (requests per key per minute) and visitors (events per
// visitor per minute: a visitor past its share has its extra events dropped, the rest of the batch
// counts), shared by every API process without a database round trip per request: each process
// counts locally and adds its counts to Postgres (`rate_counters`, migration 0029, unlogged) every
// FLUSH_MS in one statement, learning the total of all processes in the same statement. A key's first
// request of a minute in a process reads the shared count (`takeShared`), so a process that joins late
// starts from what the others used. What several processes admit between two flushes can overshoot
// a limit by at most what each admits in FLUSH_MS (documented in docs/traffic-and-sdk.md). Without a
// database (unit tests, benches) the window is local. Memory is bounded by one minute's keys.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

export const FLUSH_MS = 200;

export class MinuteWindow {
  private minute = -1;
  /** Each key's total over every process, as Postgres last answered (this process's flushed counts included). */
  private known = new Map<string, number>();
  /** Taken here since the last flush. */
  private pending = new Map<string, number>();
  /** Taken here and being added to Postgres now (not yet in `known`). */
  private inflight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastSweep = -1;

  constructor(
    private readonly db?: Db,
    private readonly now: () => number = Date.now,
  ) {}

  private roll(): void {
    const m = Math.floor(this.now() / 60_000);
    if (m !== this.minute) {
      this.minute = m;
      this.known = new Map();
      this.pending = new Map();
      this.inflight = new Map();
    }
  }

  /** Adds `n` to `key`'s count; true when it stays within `limit` (as far as this process knows). */
  take(key: string, limit: number, n = 1): boolean {
    this.roll();
    const pending = this.pending.get(key) ?? 0;
    if ((this.known.get(key) ?? 0) + (this.inflight.get(key) ?? 0) + pending + n > limit) return false;
    this.pending.set(key, pending + n);
    this.schedule();
    return true;
  }

  /** As take, but a key this process has not seen this minute first reads the count of every process. */
  async takeShared(key: string, limit: number, n = 1): Promise<boolean> {
    this.roll();
    if (this.db && !this.known.has(key)) {
      const minute = this.minute;
      const { rows } = await sql<{ count: number }>`select count from rate_counters where key = ${key} and minute = ${minute}`.execute(this.db);
      if (this.minute === minute && !this.known.has(key)) this.known.set(key, rows[0]?.count ?? 0);
    }
    return this.take(key, limit, n);
  }

  /** Seconds until the window turns (for Retry-After). */
  retryAfter(): number {
    return Math.max(1, 60 - Math.floor((this.now() % 60_000) / 1000));
  }

  private schedule(): void {
    if (!this.db || this.timer) return;
    this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Adds this process's counts to the shared ones and reads the totals back (one statement). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (!this.db || this.pending.size === 0) return;
    const minute = this.minute;
    const batch = [...this.pending];
    this.inflight = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        const { rows } = await sql<{ key: string; count: number }>`
          insert into rate_counters (key, minute, count)
          select k, ${minute}, c from unnest(${batch.map(([k]) => k)}::text[], ${batch.map(([, c]) => c)}::int[]) as t(k, c)
          on conflict (key, minute) do update set count = rate_counters.count + excluded.count
          returning key, count`.execute(this.db!);
        if (this.minute === minute) {
          for (const r of rows) this.known.set(r.key, r.count);
          this.inflight = new Map();
        }
        if (this.lastSweep !== minute) {
          this.lastSweep = minute;
          await sql`delete from rate_counters where minute < ${minute - 1}`.execute(this.db!);
        }
      } catch {
        // The database is away (the API answers 503 meanwhile): keep the counts for the next flush.
        if (this.minute === minute) {
          for (const [k, c] of batch) this.pending.set(k, (this.pending.get(k) ?? 0) + c);
          this.inflight = new Map();
        }
        this.schedule();
      }
    })();
    await this.flushing;
    this.flushing = undefined;
  }

  /** Flushes what is left (the API closing). */
  async close(): Promise<void> {
    await this.flush();
  }
}
