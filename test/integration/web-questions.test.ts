// Q&A on the offer page and the ordering-ability trend on the engagement page (issue 28, items 4–6),
// in a real Chromium against the real API, Postgres and Temporal, in Japanese and English, checked
// with axe: a hacker asks (and sees the question as its own, private until answered); the other team
// member sees nothing of it; the client answers from the page; then the member reads it as the brief's
// addendum 1 (also at 390 px); CS sees the engagement's ordering ability with this month's row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, screenshot, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness();
  web = await startWeb(h);
}, 120_000);
/** A driver hacker's API token (it carries only the header). */
const tokenOf = (x: { auth: { authorization: string } }) => x.auth.authorization.replace(/^Bearer /, '');

afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('Q&A on the offer page and the ordering ability', () => {
  it('a hacker asks, the client answers, the team reads the addendum; CS sees the trend (ja/en, axe)', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const ctx = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: 900, selection_seconds: 600, test_max_seconds: 600, min_proposals: 1 });
    const [asker, member] = [await d.hacker(['copywriting']), await d.hacker(['copywriting'])];
    await d.api('PUT', `/v1/engagements/${ctx.e.id}/team`, cs.auth, { hacker_ids: [asker.id, member.id] });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'The plan table is hard to compare', page_id: ctx.pages[1].id, metric: 'conversion', skills: ['copywriting'], offer_kind: 'team' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined, 120_000);
    const question = 'May the plan table become cards on phones?';
    const answer = 'Yes, below 768 px only.';

    // The asker (English) asks from the offer page; it shows as theirs, private until answered.
    const a = await signedIn(web, tokenOf(asker), 'en');
    await a.page.goto(`${web.base}/offers/${offer.id}`);
    await a.page.getByText('No questions answered yet.').waitFor();
    await a.page.getByLabel('Ask a question about the brief').fill(question);
    await a.page.getByRole('button', { name: 'Ask', exact: true }).click();
    const mine = a.page.getByTestId('pending-question');
    await mine.getByText(question).waitFor();
    await mine.getByText('Yours').waitFor();
    await expectAccessible(a.page, 'offer page, hacker with a pending question (en)');
    expect(await missingKeys(a.page)).toEqual([]);

    // The other team member (Japanese) sees neither the question nor an addendum yet.
    const m = await signedIn(web, tokenOf(member), 'ja');
    await m.page.goto(`${web.base}/offers/${offer.id}`);
    await m.page.getByText('まだ回答された質問はありません。').waitFor();
    expect(await m.page.getByText(question).count()).toBe(0);

    // The client (Japanese) answers from the page; the answer becomes addendum 1.
    const c = await signedIn(web, ctx.clientUser.token, 'ja');
    await c.page.goto(`${web.base}/offers/${offer.id}`);
    const pending = c.page.getByTestId('pending-question');
    await pending.getByText(question).waitFor();
    await expectAccessible(c.page, 'offer page, client with a question to answer (ja)');
    await pending.getByLabel('回答').fill(answer);
    await pending.getByRole('button', { name: '回答を公開する' }).click();
    await c.page.getByTestId('addendum').getByText('追記 1').waitFor();
    expect(await missingKeys(c.page)).toEqual([]);
    expect(await h.db.selectFrom('offer_questions').select(['answer', 'answered_by']).where('offer_id', '=', offer.id).execute()).toEqual([{ answer, answered_by: ctx.clientUser.user.id }]);

    // Now the member reads question and answer as the brief's addendum, at a phone's width too.
    await m.page.reload();
    const addendum = m.page.getByTestId('addendum');
    await addendum.getByText(`質問: ${question}`).waitFor();
    await addendum.getByText(`回答: ${answer}`).waitFor();
    await expectAccessible(m.page, 'offer page, hacker reading an addendum (ja)');
    await m.page.setViewportSize({ width: 390, height: 844 });
    await addendum.getByText('追記 1').waitFor();
    expect(await m.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(m.page, 'offer-qa-390');
    await expectAccessible(m.page, 'offer page at 390 px (ja)');
    expect(await missingKeys(m.page)).toEqual([]);
    const en = await signedIn(web, tokenOf(member), 'en');
    await en.page.goto(`${web.base}/offers/${offer.id}`);
    await en.page.getByTestId('addendum').getByText('Addendum 1').waitFor();
    await en.page.getByTestId('addendum').getByText(`A: ${answer}`).waitFor();

    // CS (English) and the client (Japanese) see the ordering ability on the engagement page.
    const s = await signedIn(web, cs.token, 'en');
    await s.page.goto(`${web.base}/engagements/${ctx.e.id}`);
    const card = s.page.getByTestId('ordering-ability');
    await card.getByRole('heading', { name: 'Ordering ability' }).waitFor();
    const month = (await h.db.selectFrom('cycles').select('month').where('id', '=', ctx.cycleId).executeTakeFirstOrThrow()).month;
    const row = card.getByTestId('ordering-month');
    await row.getByText(month).waitFor();
    // One offer, one question, a fully filled hypothesis.
    expect((await row.locator('td').allInnerTexts()).slice(0, 4)).toEqual([month, '1', '100%', '1.0']);
    await expectAccessible(s.page, 'engagement page with the ordering ability (en)');
    expect(await missingKeys(s.page)).toEqual([]);
    await c.page.goto(`${web.base}/engagements/${ctx.e.id}`);
    await c.page.getByTestId('ordering-ability').getByRole('heading', { name: '発注力' }).waitFor();
    await expectAccessible(c.page, 'engagement page with the ordering ability (ja)');
    for (const x of [a, m, c, en, s]) await x.context.close();
  });
});
