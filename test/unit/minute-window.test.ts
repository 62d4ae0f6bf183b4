// The rate window's local rule (src/site/limits.ts) without a database: a fixed UTC minute, counts
// reset when it turns. Sharing between processes: test/integration/processes.test.ts.
import { describe, expect, it } from 'vitest';
import { MinuteWindow } from '../../src/site/limits.ts';

describe('MinuteWindow', () => {
  it('admits up to the limit per key and minute, n at a time, and starts again at the next minute', () => {
    let now = Date.UTC(2026, 11, 7, 0, 0, 10);
    const w = new MinuteWindow(undefined, () => now);
    expect([1, 2, 3, 4].map(() => w.take('a', 3))).toEqual([true, true, true, false]);
    expect(w.take('b', 3, 3)).toBe(true);
    expect(w.take('b', 3, 1)).toBe(false);
    expect(w.retryAfter()).toBe(50);
    now += 50_000;
    expect(w.take('a', 3)).toBe(true);
  });
});
