// The demo's hidden effect model (src/demo/pages.ts): over many proposals about four in ten find a
// real gain, a share hurt and the rest change nothing — with two or three selected per offer, about
// half of the tests have a winner to find — and no page converts beyond its page type's ceiling
// however many winners ship (the old model let a form reach 93%).
import { describe, expect, it } from 'vitest';
import { DEMO_PAGES, trueEffect, trueRate } from '../../src/demo/pages.ts';
import { hash01 } from '../../src/demo/world.ts';

describe('demo effect model', () => {
  it('gains, losses and nulls in plausible shares, the same for the same seed', () => {
    for (const page of DEMO_PAGES) {
      const effects = Array.from({ length: 3000 }, (_, id) => {
        // The demo's own draw: skill^1.6 of a hashed hacker, pGain = 0.24 + 0.4 × skill.
        const pGain = 0.24 + 0.4 * Math.pow(hash01(7, 'quality', id % 40), 1.6);
        return trueEffect(page, hash01(7, 'lift', id), hash01(7, 'size', id), pGain);
      });
      const share = (f: (e: number) => boolean) => effects.filter(f).length / effects.length;
      expect(share((e) => e > 0)).toBeGreaterThan(0.25);
      expect(share((e) => e > 0)).toBeLessThan(0.55);
      expect(share((e) => e < 0)).toBeGreaterThan(0.15);
      expect(share((e) => e === 0)).toBeGreaterThan(0.25);
      expect(trueEffect(page, hash01(7, 'lift', 1), hash01(7, 'size', 1), 0.4)).toBe(trueEffect(page, hash01(7, 'lift', 1), hash01(7, 'size', 1), 0.4));
    }
  });

  it('a page never converts above its ceiling (≤ 60%), even after many shipped winners', () => {
    for (const page of DEMO_PAGES) {
      expect(page.ceiling).toBeLessThanOrEqual(0.6);
      const shipped = Array.from({ length: 24 }, () => page.gain[1]);
      expect(trueRate(page, shipped, page.gain[1])).toBeLessThanOrEqual(page.ceiling);
      expect(trueRate(page, [], 0)).toBeCloseTo(page.baseline, 10);
    }
  });
});
