// A CS manager's month in a real Chromium against the real API, Postgres and Temporal (phase
// durations of seconds): creates an engagement, plans two hypotheses (the client's and CS's), hackers
// submit proposals through the hacker pages (one not invited does not see the targeted offer), CS
// selects them, watches a test reach its verdict on traffic sent through the API, adds learnings, and
// finds the entry in knowledge search.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

async function pick(page: Page, scope: ReturnType<Page['locator']> | Page, label: string, option: string | RegExp) {
  await scope.getByLabel(label, { exact: true }).first().click();
  await page.getByRole('option', { name: option }).first().click();
}

describe.skipIf(!HAVE_CHROMIUM)('a CS manager runs a month in the browser', () => {
  it('creates, plans, selects, watches the verdict, adds learnings and finds them in knowledge', async () => {
    const tag = randomUUID().slice(0, 6);
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const client = await makeClient(h.db, `Web Shop ${tag}`, 'ecommerce');
    const clientUser = await userWithToken(h.db, 'client', { clientId: client.id });
    const invited = await d.hacker(['design'], ['ecommerce']);
    const openHacker = await d.hacker(['copywriting']);
    const outsider = await d.hacker(['frontend']);

    // 1. Create the engagement through the form.
    const { page } = await signedIn(web, cs.token, 'en');
    await page.getByRole('link', { name: 'Engagements' }).click();
    await page.getByRole('link', { name: 'New engagement' }).click();
    await pick(page, page, 'Client', `Web Shop ${tag}`);
    await pick(page, page, 'Offer mode', 'Targeted');
    await page.getByLabel('Monthly fee').fill('900000');
    await page.getByLabel('Month length in seconds (demo only)').fill('3600');
    await page.getByRole('button', { name: 'Add a page' }).click();
    const pagesIn = [
      ['https://shop.example/checkout', 'checkout', '0.1', '5000', '8000'],
      ['https://shop.example/lp', 'landing', '0.1', '8000', '5000'],
    ];
    for (const [i, p] of pagesIn.entries()) {
      await page.getByLabel('URL').nth(i).fill(p[0]!);
      await page.getByLabel('Page type').nth(i).fill(p[1]!);
      await page.getByLabel('Baseline conversion rate').nth(i).fill(p[2]!);
      await page.getByLabel('Daily visitors').nth(i).fill(p[3]!);
      await page.getByLabel('Value per conversion').nth(i).fill(p[4]!);
    }
    const settings: [string, string][] = [
      ['Adoption fee', '120000'],
      ['Win bonus', '80000'],
      ['Planning', '300'],
      ['Proposal window', '40'],
      ['Selection', '300'],
      ['Maximum test duration', '300'],
      ['Interim check interval', '2'],
      ['Knowledge capture', '40'],
      ['Minimum proposals', '1'],
      ['Smallest lift worth detecting', '0.3'],
    ];
    for (const [label, value] of settings) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Create the engagement' }).click();
    await page.getByRole('dialog').getByText('¥900,000').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: /^Engagement \d+$/ }).waitFor();
    const engagementId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(await h.db.selectFrom('engagements').select('client_id').where('id', '=', engagementId).executeTakeFirstOrThrow()).toEqual({ client_id: client.id });

    // 2. Plan two hypotheses: the client's (targeted) and CS's (open): "do both".
    await page.getByTestId('current-phase').getByRole('link').click({ timeout: 30_000 });
    await page.getByRole('heading', { name: "This month's plan" }).waitFor();
    const cycleId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByRole('button', { name: 'Add a hypothesis' }).click();
    const hyps = page.getByTestId('hypothesis');
    await pick(page, hyps.nth(0), 'Page', /checkout/);
    await hyps.nth(0).getByLabel('The problem').fill(`Checkout asks for too much ${tag}`);
    await hyps.nth(0).getByLabel('Skills').fill('design');
    await hyps.nth(0).getByLabel('Skills').press('Enter');
    await pick(page, hyps.nth(0), 'Audience', 'Targeted');
    await pick(page, hyps.nth(1), 'Page', /landing/);
    await hyps.nth(1).getByLabel('The problem').fill(`Hero does not say what we sell ${tag}`);
    await pick(page, hyps.nth(1), 'Audience', 'Open to all');
    await screenshot(page, 'cycle-plan-en');
    await expectAccessible(page, 'cycle plan');
    await page.getByRole('button', { name: 'Submit the plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Offers', exact: true }).waitFor({ timeout: 30_000 });
    const offers = await eventually(async () => {
      const rows = await h.db.selectFrom('offers').select(['id', 'kind']).where('cycle_id', '=', cycleId).execute();
      return rows.length === 2 ? rows : undefined;
    });
    const targeted = offers.find((o) => o.kind === 'targeted')!;
    const open = offers.find((o) => o.kind === 'open')!;

    // 3. Hackers submit through their pages; one not invited does not see the targeted offer.
    for (const [who, offerId, title] of [
      [invited, targeted.id, 'One-page checkout'],
      [openHacker, open.id, 'Say it in the hero'],
    ] as const) {
      const hp = await signedIn(web, who.auth.authorization.slice('Bearer '.length), 'en');
      await hp.page.getByRole('link', { name: 'Offers', exact: true }).click();
      await hp.page.getByRole('link', { name: new RegExp(`^Offer ${offerId} `) }).click();
      await hp.page.getByLabel('Title').fill(title);
      await hp.page.getByLabel('What you would change and why').fill(`${title}: details`);
      await hp.page.getByLabel('Design link').fill('https://figma.example/file');
      await hp.page.getByRole('button', { name: 'Submit', exact: true }).click();
      await hp.page.getByTestId('my-proposal').filter({ hasText: title }).getByText('Submitted').waitFor();
      if (who === invited) {
        await screenshot(hp.page, 'offer-hacker-en');
        await expectAccessible(hp.page, 'offer (hacker)');
      }
      expect(await missingKeys(hp.page)).toEqual([]);
      await hp.context.close();
    }
    const out = await signedIn(web, outsider.auth.authorization.slice('Bearer '.length), 'en');
    await out.page.getByRole('link', { name: 'Offers', exact: true }).click();
    await out.page.getByRole('link', { name: new RegExp(`^Offer ${open.id} `) }).waitFor();
    expect(await out.page.getByRole('link', { name: new RegExp(`^Offer ${targeted.id} `) }).count()).toBe(0);
    await out.page.goto(`${web.base}/offers/${targeted.id}`);
    await out.page.getByTestId('not-found').waitFor();
    await out.context.close();

    // 4. Selection: CS passed both proposals (issue 23's review), then picks a proposal per offer and confirms.
    const submitted = await h.db.selectFrom('proposals').select('id').where('offer_id', 'in', [targeted.id, open.id]).execute();
    await d.pass(submitted.map((p) => p.id));
    await page.reload();
    await page.getByRole('heading', { name: 'Pick the proposals to test' }).waitFor({ timeout: 60_000 });
    const cards = page.getByTestId('proposal-card');
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(2);
    for (let i = 0; i < 2; i++) await cards.nth(i).getByLabel('Test this one').check();
    await screenshot(page, 'cycle-selection-en');
    await expectAccessible(page, 'cycle selection');
    await page.getByRole('button', { name: 'Confirm the selection' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByTestId('test-link').count(), { timeout: 30_000 }).toBe(2);
    const tests = await h.db.selectFrom('tests').select(['id', 'offer_id']).where('cycle_id', '=', cycleId).execute();
    const winner = tests.find((t) => t.offer_id === targeted.id)!;
    const flat = tests.find((t) => t.offer_id === open.id)!;

    // 5. Traffic through the API; CS watches the winner reach its verdict and stops the other test.
    await d.sendTraffic(winner.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, `w${tag}`);
    await page.goto(`${web.base}/tests/${flat.id}`);
    await page.getByRole('button', { name: 'Stop the test' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('no traffic to spare this month');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.goto(`${web.base}/tests/${winner.id}`);
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.textContent()).toMatch(/Variant A wins: \+\d+% \(95% CI [+-]?\d+% to \+\d+%\)/);
    expect(await page.getByTestId('arm').count()).toBe(2);
    await page.locator('.recharts-line').first().waitFor({ state: 'attached' });
    await screenshot(page, 'test-verdict-en');
    await expectAccessible(page, 'test verdict');

    // 6. Learnings during knowledge capture.
    const learning = `Fewer checkout fields beat reassurance badges ${tag}`;
    await page.getByLabel('Learning', { exact: true }).fill(learning, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Add the learning' }).click();
    await page.getByTestId('learning').filter({ hasText: learning }).waitFor();

    // 7. Knowledge search finds it and links to its test.
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByLabel('Search').fill(tag);
    const card = page.getByTestId('knowledge-card').filter({ hasText: `Checkout asks for too much ${tag}` });
    await card.waitFor({ timeout: 30_000 });
    await screenshot(page, 'knowledge-search-en');
    await card.getByRole('link').first().click();
    await page.getByRole('heading', { name: `Test ${winner.id}` }).waitFor();
    expect(await missingKeys(page)).toEqual([]);

    // The same test page in Japanese: the verdict in words a client understands.
    const ja = await signedIn(web, clientUser.token, 'ja');
    await ja.page.goto(`${web.base}/tests/${winner.id}`);
    expect(await ja.page.getByTestId('verdict').textContent()).toMatch(/案 A の勝ち：\+\d+%（95%信頼区間/);
    await ja.page.locator('.recharts-line').first().waitFor({ state: 'attached' });
    await screenshot(ja.page, 'test-verdict-ja');
    await expectAccessible(ja.page, 'test verdict (ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();
  });
});
