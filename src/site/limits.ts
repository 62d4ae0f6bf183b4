// Per-process fixed-window rate limits for site keys: requests per key per minute, and events per
// visitor per minute (a visitor past its share has its extra events dropped, the rest of the batch
// counts). Memory is bounded by one minute's keys and visitors: the window's maps are dropped when the
// minute turns. With several API processes each applies the limit on its own (documented).
export class MinuteWindow {
  private minute = -1;
  private counts = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  private roll(): void {
    const m = Math.floor(this.now() / 60_000);
    if (m !== this.minute) {
      this.minute = m;
      this.counts = new Map();
    }
  }

  /** Adds `n` to `key`'s count; true when it stays within `limit`. */
  take(key: string, limit: number, n = 1): boolean {
    this.roll();
    const used = this.counts.get(key) ?? 0;
    if (used + n > limit) return false;
    this.counts.set(key, used + n);
    return true;
  }

  /** Seconds until the window turns (for Retry-After). */
  retryAfter(): number {
    return Math.max(1, 60 - Math.floor((this.now() % 60_000) / 1000));
  }
}
