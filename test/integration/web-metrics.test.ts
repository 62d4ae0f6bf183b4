// The test page's metrics section in a real browser, in English and Japanese (issue 25): a test whose
// AOV guardrail blocked its winner, with a phone segment whose split is skewed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizeTest } from '../../src/cycles/tests.ts';
import { updateSettings } from '../../src/engagements/settings.ts';
import { aovLoweringTraffic, GUARDRAIL_METRICS, visits, visitorsIn } from '../fixtures/metrics.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { HAVE_CHROMIUM, missingKeys, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let f: TrafficFixture;

async function api(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  const res = await h.app.inject({ method, url, headers: cs.auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  f = await runningTest(h.db, cs.user.id, [0.5, 0.5]);
  await updateSettings(h.db, f.engagementId, { verdict_engine: 'frequentist' });
  await api('POST', `/v1/tests/${f.testId}/metrics`, GUARDRAIL_METRICS);
  const events = [
    ...aovLoweringTraffic(f, { device: 'pc' }),
    ...visits(visitorsIn(f, 'control', 300, 'p'), 0, () => 0, { device: 'phone' }),
    ...visits(visitorsIn(f, 'A', 200, 'p'), 0, () => 0, { device: 'phone' }),
  ];
  for (let i = 0; i < events.length; i += 5000) await api('POST', `/v1/tests/${f.testId}/events`, { events: events.slice(i, i + 5000) });
  await finalizeTest(h.db, { testId: f.testId, reason: 'planned sample reached', srm: false, end: 'planned_sample' });
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('test page: metrics, guardrails, segments', () => {
  for (const lang of ['en', 'ja'] as const) {
    it(`shows the blocked verdict, the breached guardrail and the skewed phone segment (${lang})`, async () => {
      const { context, page } = await signedIn(web, cs.token, lang);
      await page.goto(`${web.base}/tests/${f.testId}`);
      const section = page.getByTestId('metrics-section');
      await section.waitFor();
      const text = (await section.textContent()) ?? '';
      const words = lang === 'en'
        ? { worse: 'Significantly worse: blocks a win', browsing: 'You are browsing 2 segments', srm: 'Sample ratio mismatch', blocked: 'blocked by the guardrail aov', corrected: "Corrected by Holm's method; comparisons: 1" }
        : { worse: '有意に悪化：勝ちを止めます', browsing: '2 個のセグメントを見ています', srm: 'サンプル比率の不一致', blocked: 'ガードレール aov の悪化により保留', corrected: '1 件の比較で補正済み（Holm 法）' };
      expect(text).toContain(words.worse);
      expect(text).toContain(words.browsing);
      expect(await section.locator('[data-segment="device:phone"]').textContent()).toContain(words.srm);
      expect(await section.locator('[data-segment="device:pc"]').textContent()).not.toContain(words.srm);
      expect(await page.locator('body').textContent()).toContain(words.blocked);
      // the verdict sentence says it was corrected and over how many comparisons
      expect(await page.getByTestId('verdict').textContent()).toContain(words.corrected);
      expect(await missingKeys(page)).toEqual([]);
      await context.close();
    });
  }
});
