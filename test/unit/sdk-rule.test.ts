// The browser SDK assigns visitors itself: it must give exactly the server's variant. Its code
// (sdk/src, the same source the API serves minified) is run here against the server's rule
// (domain/holdout.ts, then domain/assignment.ts, as cycles/traffic.ts applies them).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignVariant } from '../../src/domain/assignment.ts';
import { inHoldout } from '../../src/domain/holdout.ts';
import { assign, point } from '../../sdk/src/rule.ts';
import { sha256Hex } from '../../sdk/src/sha256.ts';
import { sdkFiles } from '../../src/site/sdk-build.ts';

const LAYOUTS: { name: string; weights: number[]; holdout: number }[] = [
  { name: 'two arms 50/50', weights: [0.5, 0.5], holdout: 0 },
  { name: 'three equal thirds (1/3 each)', weights: [1 / 3, 1 / 3, 1 / 3], holdout: 0 },
  { name: 'uneven 0.7/0.2/0.1 with a 5% holdout', weights: [0.7, 0.2, 0.1], holdout: 5 },
  { name: 'a zero-weight arm, four arms, 12.5% holdout', weights: [2, 0, 1, 1], holdout: 12.5 },
  { name: 'tiny weights 1e-9/1', weights: [1e-9, 1], holdout: 0 },
];

function server(clientId: number, testId: number, variants: { id: number; arm: string; position: number; weight: number }[], holdout: number, visitorId: string) {
  if (inHoldout(clientId, visitorId, holdout)) return variants.find((v) => v.position === 0)!.id;
  return assignVariant(testId, visitorId, variants).id;
}

describe('browser SDK assignment = server assignment', () => {
  it('sha256 matches node:crypto (ASCII, multi-byte UTF-8, block boundaries)', () => {
    for (let n = 0; n < 200; n++) {
      const s = 'x'.repeat(n) + (n % 3 === 0 ? 'ビジター' : n % 3 === 1 ? '🙂' : '');
      expect(sha256Hex(new TextEncoder().encode(s))).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });

  it('gives the same variant for 100,000 visitors across several weight layouts and holdouts', () => {
    let compared = 0;
    let heldOut = 0;
    LAYOUTS.forEach((layout, li) => {
      const testId = 1000 + li * 7919;
      const clientId = 30 + li;
      // Positions listed out of order on purpose: both sides sort by position.
      const variants = layout.weights.map((weight, i) => ({ id: testId * 10 + i, arm: i === 0 ? 'control' : `V${i}`, position: i, weight })).reverse();
      const test = { id: testId, holdout_percent: layout.holdout, variants };
      const mismatches: string[] = [];
      for (let i = 0; i < 100_000 / LAYOUTS.length; i++) {
        const visitor = i % 97 === 0 ? `訪問者-${i}` : `v-${i.toString(36)}-${(i * 2654435761) >>> 0}`;
        const sdk = assign(clientId, test, visitor);
        if (sdk.heldOut) heldOut++;
        if (sdk.variant.id !== server(clientId, testId, variants, layout.holdout, visitor)) mismatches.push(`${layout.name}: ${visitor}`);
        compared++;
      }
      expect(mismatches.slice(0, 5), layout.name).toEqual([]);
    });
    expect(compared).toBe(100_000);
    expect(heldOut).toBeGreaterThan(0);
  });

  it('points at the edges of [0, 1) agree with the server rule', () => {
    for (let i = 0; i < 2000; i++) {
      const u = point(`7:${i}`);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  // Issue 22's budget: 8 KB gzipped with the change-set applier (dom-mutator) bundled.
  it('the served SDK is small: ES module and classic script under 8 KB gzipped', async () => {
    const { esm, iife } = await sdkFiles();
    process.stdout.write(`SDK sizes: v1.mjs ${esm.code.length} B (${esm.gzip.length} B gzip), v1.js ${iife.code.length} B (${iife.gzip.length} B gzip)\n`);
    expect(esm.gzip.length).toBeLessThanOrEqual(8 * 1024);
    expect(iife.gzip.length).toBeLessThanOrEqual(8 * 1024);
    // The classic script defines window.Kaizen with init; the module exports init.
    expect(iife.code.toString()).toMatch(/^"use strict";var Kaizen=/);
    expect(esm.code.toString()).toMatch(/export\{/);
  });
});
