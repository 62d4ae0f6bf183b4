// A client's revenue dashboard in a real Chromium against the real API and Postgres: an engagement
// with a won test (October), a lost one (November) and a running month, and a holdout. The client
// sees each month's tests and wins, the uplift in force from the winner's lower bound (from the
// month after its test), fees, ROI to date and the holdout's measured difference — in English and
// Japanese, accessible, at 390 px; the completed cycle's page shows the test's uplift; another
// client does not see the dashboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { FEE, HOLDOUT, PAGE, peopleWorld, type PeopleWorld } from '../fixtures/people.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';
import { revenueUpliftEstimate } from '../../src/domain/cycles/report.ts';

let h: Harness;
let web: Web;
let world: PeopleWorld;
let client: { token: string };
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
  const cs = await userWithToken(h.db, 'cs_manager');
  const hackers = await h.db
    .insertInto('hackers')
    .values([1, 2].map((i) => ({ display_name: `Revenue hacker ${i}`, kind: 'individual' as const, residency: 'resident' as const, skills: [], industries: ['ecommerce'] })))
    .returning('id')
    .execute();
  world = await peopleWorld(h.db, { csUserId: cs.user.id, hackerId: hackers[0]!.id, otherHackerId: hackers[1]!.id });
  client = await userWithToken(h.db, 'client', { clientId: world.clientId });
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

const yen = (n: number) => `¥${n.toLocaleString('en-US')}`;

describe.skipIf(!HAVE_CHROMIUM)("a client's revenue dashboard", () => {
  it('shows each month, the uplift from its lower bound, ROI to date and the holdout difference, in both languages', async () => {
    // What the page must say, from the fixture's own counts (the report's formula, not the page's code).
    const lower = world.winner.variants[0]!.ci[0]!;
    const uplift = revenueUpliftEstimate(lower, PAGE.baseline_rate, PAGE.daily_visitors, PAGE.value_per_conversion_yen);
    expect(uplift).toBeGreaterThan(0);
    const roi = Math.round(((2 * uplift) / (3 * FEE)) * 1000) / 1000;
    const relative = HOLDOUT.rest.conversions / HOLDOUT.rest.n / (HOLDOUT.holdout.conversions / HOLDOUT.holdout.n) - 1;

    const { page, context } = await signedIn(web, client.token, 'en');
    await page.goto(`${web.base}/engagements/${world.engagementId}`);
    await page.getByRole('link', { name: 'Revenue impact' }).click();
    await page.getByRole('heading', { name: `Revenue impact · ${world.clientName}` }).waitFor();
    const rows = page.getByTestId('revenue-month');
    await expect.poll(() => rows.count()).toBe(3);
    const cells = async (i: number) => (await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim());
    // October: one test, won; nothing in force yet (a winner counts from the month after).
    expect(await cells(0)).toEqual(['2026-10', '1', '1', '¥0', '¥0', yen(FEE), '×0.00']);
    // November: the lost test; October's winner in force at its lower bound.
    const nov = await cells(1);
    expect(nov.slice(0, 4)).toEqual(['2026-11', '1', '0', yen(uplift)]);
    expect(nov[5]).toBe(yen(FEE));
    // December: no test decided yet; ROI to date is the uplift so far over the fees so far.
    const dec = await cells(2);
    expect(dec.slice(0, 4)).toEqual(['2026-12', '0', '0', yen(uplift)]);
    expect(dec[6]).toBe(`×${roi.toFixed(2)}`);
    expect(await page.getByTestId('revenue-roi').textContent()).toBe(`×${roi.toFixed(2)}`);
    expect(await page.getByTestId('revenue-tests').textContent()).toBe('1 won of 2');
    expect(await page.getByTestId('revenue-cumulative').textContent()).toContain(yen(2 * uplift));
    const difference = await page.getByTestId('holdout-difference').textContent();
    expect(difference).toContain(`+${(relative * 100).toFixed(1)}%`);
    await page.locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    await screenshot(page, 'revenue-en');
    await expectAccessible(page, 'revenue dashboard');
    expect(await missingKeys(page)).toEqual([]);

    // The completed cycle's page: the test's uplift and its lift's lower bound.
    await page.goto(`${web.base}/cycles/${world.cycles.won}`);
    const report = page.getByTestId('cycle-report');
    expect(await report.getByTestId('test-uplift').textContent()).toContain(yen(uplift));
    expect(await report.textContent()).toMatch(/lift \+\d+\.\d% \(at least \+\d+\.\d%\)/);
    await report.getByRole('link', { name: 'Revenue impact' }).click();
    await page.getByRole('heading', { name: `Revenue impact · ${world.clientName}` }).waitFor();

    // At phone width the page fits: the table scrolls in its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('holdout-difference').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'revenue-390');
    await expectAccessible(page, 'revenue dashboard at 390 px');
    await context.close();

    // Japanese.
    const ja = await signedIn(web, client.token, 'ja');
    await ja.page.goto(`${web.base}/engagements/${world.engagementId}/revenue`);
    await ja.page.getByRole('heading', { name: `売上への効果 · ${world.clientName}` }).waitFor();
    expect(await ja.page.getByTestId('revenue-tests').textContent()).toBe('2件中1件勝ち');
    expect(await ja.page.getByTestId('holdout-difference').textContent()).toMatch(new RegExp(`^テスト対象の訪問者のコンバージョン率はホールドアウトに比べて\\+${(relative * 100).toFixed(1)}%`));
    expect(await ja.page.getByRole('columnheader', { name: '増収（下限）' }).count()).toBe(1);
    await screenshot(ja.page, 'revenue-ja');
    await expectAccessible(ja.page, 'revenue dashboard (ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();

    // Another client's user: not found.
    const other = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    const o = await signedIn(web, other.token, 'en');
    await o.page.goto(`${web.base}/engagements/${world.engagementId}/revenue`);
    await o.page.getByTestId('not-found').waitFor();
    await o.context.close();
  });
});
