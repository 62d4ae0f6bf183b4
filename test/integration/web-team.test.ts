// An engagement's growth team and holdout in a real Chromium against the real API and Postgres (its own
// database: forming a team ranks every hacker in it): CS forms the team from the ranking and sees the
// members by name with their shares and the monthly review's contributions; CS sets the client's
// holdout share and sees the measured difference; a CS manager of other clients and the client see the
// page without the buttons. English and Japanese, axe, 390 px.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reviewTeam } from '../../src/network/teams.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { HOLDOUT, peopleWorld, type PeopleWorld } from '../fixtures/people.ts';
import { expectAccessible, HAVE_CHROMIUM, isolatedDatabase, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
let world: PeopleWorld;
let cs: { token: string };
let csOther: { token: string };
let client: { token: string };
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ databaseUrl: await isolatedDatabase(inject('databaseUrl'), 2_110_000_000) });
  web = await startWeb(h);
  const csUser = await userWithToken(h.db, 'cs_manager');
  cs = csUser;
  csOther = await userWithToken(h.db, 'cs_manager');
  const [a, b] = await h.db
    .insertInto('hackers')
    .values(['Chika Mori', 'Daichi Sato'].map((display_name) => ({ display_name, kind: 'individual' as const, residency: 'resident' as const, skills: ['design'], industries: ['ecommerce'] })))
    .returning('id')
    .execute();
  world = await peopleWorld(h.db, { csUserId: csUser.user.id, hackerId: a!.id, otherHackerId: b!.id });
  client = await userWithToken(h.db, 'client', { clientId: world.clientId });
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('growth team and holdout pages', () => {
  it('CS forms the team and sets the holdout; others see the page without the buttons', async () => {
    const { page, context } = await signedIn(web, cs.token, 'en');
    await page.goto(`${web.base}/engagements/${world.engagementId}`);
    await page.getByRole('link', { name: 'Growth team and holdout' }).click();
    await page.getByRole('heading', { name: 'Growth team and holdout' }).waitFor();
    await page.getByText('No team yet.').waitFor();
    await page.getByRole('button', { name: 'Form the team' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const members = page.getByTestId('team-member');
    await members.first().waitFor();
    const inDb = await h.db
      .selectFrom('growth_team_members')
      .innerJoin('hackers', 'hackers.id', 'growth_team_members.hacker_id')
      .select(['hackers.display_name', 'growth_team_members.share_percent'])
      .where('engagement_id', '=', world.engagementId)
      .orderBy('growth_team_members.hacker_id')
      .execute();
    expect(inDb.length).toBeGreaterThan(0);
    expect((await members.allTextContents()).map((s) => s.replace(/\d{4}-\d{2}-\d{2}.*$/, ''))).toEqual(inDb.map((m) => `${m.display_name}${m.share_percent}%`));

    // The monthly review (the network schedule's use case) names each member's contribution.
    await reviewTeam(h.db, { engagementId: world.engagementId, month: '2026-11' });
    await page.reload();
    await page.getByRole('heading', { name: 'Monthly review · 2026-11' }).waitFor();
    await page.getByText(new RegExp(`^${inDb[0]!.display_name}: \\d+ proposals, \\d+ selected, \\d+ won$`)).waitFor();

    // The holdout: its share now, the measured difference, and a new share saved.
    const holdout = page.getByTestId('holdout-settings');
    expect(await holdout.getByTestId('holdout-percent').textContent()).toBe(`${HOLDOUT.percent}% of visitors held out`);
    await holdout.getByText(/^Visitors in your tests convert \+\d+\.\d%/).waitFor();
    await holdout.getByLabel('Holdout share').fill('10');
    await holdout.getByRole('button', { name: 'Save' }).click();
    await holdout.getByTestId('holdout-saved').waitFor();
    await expect.poll(() => holdout.getByTestId('holdout-percent').textContent()).toBe('10% of visitors held out');
    expect(await h.db.selectFrom('clients').select('holdout_percent').where('id', '=', world.clientId).executeTakeFirstOrThrow()).toEqual({ holdout_percent: 10 });
    await screenshot(page, 'team-en');
    await expectAccessible(page, 'team and holdout');
    expect(await missingKeys(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'team and holdout at 390 px');
    await context.close();

    // Another client's CS manager and the client read it; no buttons.
    for (const who of [csOther, client]) {
      const o = await signedIn(web, who.token, 'en');
      await o.page.goto(`${web.base}/engagements/${world.engagementId}/team`);
      await o.page.getByTestId('team-member').first().waitFor();
      await o.page.getByTestId('holdout-percent').waitFor();
      expect(await o.page.getByRole('button', { name: 'Form the team' }).count()).toBe(0);
      expect(await o.page.getByRole('button', { name: 'Save' }).count()).toBe(0);
      await o.context.close();
    }

    // Japanese.
    const ja = await signedIn(web, cs.token, 'ja');
    await ja.page.goto(`${web.base}/engagements/${world.engagementId}/team`);
    await ja.page.getByRole('heading', { name: 'グロースチームとホールドアウト' }).waitFor();
    expect(await ja.page.getByTestId('holdout-percent').textContent()).toBe('訪問者の10%をホールドアウト中');
    await screenshot(ja.page, 'team-ja');
    await expectAccessible(ja.page, 'team and holdout (ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();
  });
});
