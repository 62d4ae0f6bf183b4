// A growth hacker's own pages in a real Chromium against the real API and Postgres (its own database:
// grading a month grades every hacker in it): its grade and track record, its proposals across
// offers with their fate, its earnings as they accrue in a running cycle and as ledger lines, in
// English and Japanese; a bank change that finance first questions and then approves in its queue
// page; another hacker's profile is a 404 page. Axe on each page, and the profile at 390 px.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recomputeGrades } from '../../src/network/grades.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { OFFER, peopleWorld, type PeopleWorld } from '../fixtures/people.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let world: PeopleWorld;
let me: { id: number; name: string; token: string };
let other: { id: number };
let finance: { token: string };
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl'), 2_100_000_000) });
  web = await startWeb(h);
  const cs = await userWithToken(h.db, 'cs_manager');
  const [a, b] = await h.db
    .insertInto('hackers')
    .values(['Aiko Tanaka', 'Ben Ito'].map((display_name) => ({ display_name, kind: 'individual' as const, residency: 'resident' as const, skills: ['design'], industries: ['ecommerce'] })))
    .returning(['id', 'display_name'])
    .execute();
  world = await peopleWorld(h.db, { csUserId: cs.user.id, hackerId: a!.id, otherHackerId: b!.id });
  await recomputeGrades(h.db, { month: '2026-11' });
  me = { id: a!.id, name: a!.display_name, token: (await userWithToken(h.db, 'hacker', { hackerId: a!.id })).token };
  other = { id: b!.id };
  finance = await userWithToken(h.db, 'finance');
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

const yen = (n: number) => `¥${n.toLocaleString('en-US')}`;

describe.skipIf(!HAVE_CHROMIUM)("a hacker's own pages", () => {
  it('shows its grade, its proposals with their fate and its earnings as they accrue; another hacker is a 404', async () => {
    const grade = await h.db.selectFrom('hacker_grades').select('grade').where('hacker_id', '=', me.id).where('month', '=', '2026-11').executeTakeFirstOrThrow();
    const { page, context } = await signedIn(web, me.token, 'en');
    await page.getByRole('link', { name: 'My profile' }).click();
    await page.getByRole('heading', { name: me.name }).waitFor();
    const label = { gold: 'Gold', silver: 'Silver', bronze: 'Bronze', none: 'No grade' }[grade.grade];
    expect(await page.getByTestId('grade').textContent()).toBe(label);
    expect(await page.getByTestId('grade-month').allTextContents()).toEqual([`2026-11 · ${label}`]);
    expect(await page.getByTestId('industry-row').first().locator('td').first().textContent()).toBe('ecommerce');
    const fate = async (title: string) => page.getByTestId('my-proposal-row').filter({ hasText: `${title} ${world.tag}` }).getByTestId('fate').textContent();
    await page.getByTestId('my-proposal-row').first().waitFor();
    expect(await page.getByTestId('my-proposal-row').count()).toBe(6);
    expect(await fate('One-page checkout')).toBe('Won');
    expect(await fate('Free shipping banner')).toBe('Lost');
    expect(await fate('Shipping calculator')).toBe('Not selected');
    expect(await fate('Three-field sign-up')).toBe('Selected');
    expect(await fate('Two-step sign-up')).toBe('Passed review');
    expect(await fate('Search in the header')).toBe('Returned');
    await page.getByText('Returned by CS: Show the mobile layout too').waitFor();
    await screenshot(page, 'hacker-profile-en');
    await expectAccessible(page, 'hacker profile');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'hacker profile at 390 px');
    await screenshot(page, 'hacker-profile-390');
    await page.setViewportSize({ width: 1366, height: 900 });

    // Earnings: the running month's fees line by line before the cycle ends, then the ledger.
    await page.getByRole('link', { name: 'My earnings' }).click();
    const accruing = page.getByTestId('accruing-line');
    await accruing.first().waitFor();
    expect((await accruing.allTextContents()).sort()).toEqual(
      [
        `Adoption fee: Three-field sign-up ${world.tag}People Shop ${world.tag}2026-12${yen(OFFER.adoption_fee_yen)}`,
        `Submission fee: Search in the header ${world.tag}People Shop ${world.tag}2026-12${yen(OFFER.submission_fee_yen)}`,
        `Submission fee: Three-field sign-up ${world.tag}People Shop ${world.tag}2026-12${yen(OFFER.submission_fee_yen)}`,
      ].sort(),
    );
    expect(await page.getByTestId('accruing-total').textContent()).toBe(yen(OFFER.adoption_fee_yen + 2 * OFFER.submission_fee_yen));
    const ledger = page.getByTestId('ledger-line');
    // October: submission, adoption, win bonus; November: one submission fee for its two proposals on one offer, adoption.
    expect(await ledger.count()).toBe(5);
    await ledger.filter({ hasText: `Win bonus: One-page checkout ${world.tag}` }).filter({ hasText: yen(OFFER.win_bonus_yen) }).getByText('Unpaid').waitFor();
    const written = 2 * OFFER.adoption_fee_yen + OFFER.win_bonus_yen + 2 * OFFER.submission_fee_yen;
    expect(await page.getByTestId('unpaid-balance').textContent()).toBe(`Waiting for a payout run: ${yen(written)}`);
    await screenshot(page, 'hacker-earnings-en');
    await expectAccessible(page, 'hacker earnings');
    expect(await missingKeys(page)).toEqual([]);

    // Another hacker's profile: not found.
    await page.goto(`${web.base}/hackers/${other.id}`);
    await page.getByTestId('not-found').waitFor();
    await context.close();

    // Japanese: fates and ledger lines in Japanese (the proposal's title as written).
    const ja = await signedIn(web, me.token, 'ja');
    await ja.page.goto(`${web.base}/hackers/${me.id}`);
    await ja.page.getByTestId('my-proposal-row').filter({ hasText: `One-page checkout ${world.tag}` }).getByText('勝ち', { exact: true }).waitFor();
    await ja.page.getByTestId('my-proposal-row').filter({ hasText: `Shipping calculator ${world.tag}` }).getByText('不採用', { exact: true }).waitFor();
    await expectAccessible(ja.page, 'hacker profile (ja)');
    await ja.page.getByRole('link', { name: '報酬の発生状況' }).click();
    await ja.page.getByTestId('accruing-line').filter({ hasText: `採用報酬：Three-field sign-up ${world.tag}` }).waitFor();
    await ja.page.getByTestId('ledger-line').filter({ hasText: `勝利ボーナス：One-page checkout ${world.tag}` }).getByText('未払い').waitFor();
    await screenshot(ja.page, 'hacker-earnings-ja');
    await expectAccessible(ja.page, 'hacker earnings (ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();
  });

  it('a bank change waits for finance: finance asks a question, the hacker answers with a new change, finance approves it', async () => {
    const hk = await signedIn(web, me.token, 'en');
    await hk.page.getByRole('link', { name: 'My payee details' }).click();
    await hk.page.getByRole('heading', { name: 'My payee details' }).waitFor();
    expect(await hk.page.getByTestId('payee-bank').textContent()).toBe('No bank account yet.');
    const fill = async (account: string, holder: string) => {
      await hk.page.getByLabel('Bank code').fill('0001');
      await hk.page.getByLabel('Branch code').fill('001');
      await hk.page.getByLabel('Account number').fill(account);
      await hk.page.getByLabel('Account holder').fill(holder);
      await hk.page.getByRole('button', { name: 'Send to finance' }).click();
      await hk.page.getByTestId('change-submitted').waitFor();
    };
    // A wrong field is named at the field.
    await hk.page.getByLabel('Bank code').fill('1');
    await hk.page.getByLabel('Branch code').fill('001');
    await hk.page.getByLabel('Account number').fill('7654321');
    await hk.page.getByLabel('Account holder').fill('ﾀﾅｶ ｱｲｺ');
    await hk.page.getByRole('button', { name: 'Send to finance' }).click();
    await expect.poll(() => hk.page.getByLabel('Bank code').getAttribute('aria-invalid')).toBe('true');
    await fill('7654321', 'ﾀﾅｶ ｱｲｺ');
    await hk.page.getByTestId('payee-change').filter({ hasText: '****321' }).getByText('Waiting for finance').waitFor();
    await expectAccessible(hk.page, 'payee details');

    // Finance's queue: the change with the account masked; finance asks.
    const fin = await signedIn(web, finance.token, 'en');
    await fin.page.getByRole('link', { name: 'Payee changes' }).click();
    const card = fin.page.getByTestId('payee-change-card').filter({ hasText: me.name });
    expect(await card.getByTestId('masked-bank').textContent()).toContain('****321');
    expect(await card.textContent()).not.toContain('7654321');
    await expectAccessible(fin.page, 'payee-change queue');
    await card.getByRole('button', { name: 'Ask for more' }).click();
    await fin.page.getByRole('dialog').getByLabel('Reason or question').fill('Is this account in your own name?');
    await fin.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => card.count()).toBe(0);

    // The hacker sees the question and answers with a new change.
    await hk.page.reload();
    await hk.page.getByTestId('payee-change').filter({ hasText: '****321' }).getByText('Finance has a question').waitFor();
    await hk.page.getByText('Finance asks: Is this account in your own name?').waitFor();
    await fill('7654322', 'ﾀﾅｶ ｱｲｺ');

    // Finance approves it in the queue; the payee record has the new account.
    await fin.page.reload();
    const next = fin.page.getByTestId('payee-change-card').filter({ hasText: '****322' });
    await next.getByRole('button', { name: 'Approve' }).click();
    await fin.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => next.count()).toBe(0);
    await screenshot(fin.page, 'payee-changes-en');
    await fin.context.close();
    await hk.page.reload();
    await hk.page.getByTestId('payee-change').filter({ hasText: '****322' }).getByText('Approved').waitFor();
    expect(await hk.page.getByTestId('payee-bank').textContent()).toContain('****322');
    await screenshot(hk.page, 'payee-en');
    expect(await missingKeys(hk.page)).toEqual([]);
    await hk.context.close();

    // Japanese: the payee page and finance's queue.
    const ja = await signedIn(web, me.token, 'ja');
    await ja.page.goto(`${web.base}/payee`);
    await ja.page.getByTestId('payee-change').filter({ hasText: '****322' }).getByText('承認済み').waitFor();
    await expectAccessible(ja.page, 'payee details (ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();
    const finJa = await signedIn(web, finance.token, 'ja');
    await finJa.page.goto(`${web.base}/payee-changes`);
    await finJa.page.getByRole('heading', { name: '支払先の変更申請' }).waitFor();
    await expectAccessible(finJa.page, 'payee-change queue (ja)');
    expect(await missingKeys(finJa.page)).toEqual([]);
    await finJa.context.close();
  });
});
