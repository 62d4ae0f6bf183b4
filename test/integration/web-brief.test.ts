// The brief editor in a real Chromium against the real API, Postgres and Temporal (issue 28): the
// client starts a brief from the finance template on the cycle page, the checklist beside it follows
// the fields as they are saved (the page's power sentence appears once a page is chosen), sends it to
// CS; CS (in Japanese) returns it with a comment on one field, which the client then sees under that
// field. Both languages, axe, and 390 px width.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefPower } from '../../src/domain/cycles/brief-checklist.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
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

const rule = (page: Page, name: string) => page.getByTestId(`rule-${name}`);

describe.skipIf(!HAVE_CHROMIUM)('the brief editor', () => {
  it('a template, the live checklist with the power sentence, review with a field comment — in English and Japanese', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const { cycleId, clientUser } = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: 600, mde_relative: 0.02 }, 'finance');

    // The client, in English: a brief from the finance template on the cycle page.
    const { page } = await signedIn(web, clientUser.token, 'en');
    await page.goto(`${web.base}/cycles/${cycleId}`);
    await page.getByLabel('Industry template', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Finance' }).click();
    await page.getByRole('button', { name: 'New brief' }).click();
    await page.getByRole('heading', { name: /^Brief #\d+$/ }).waitFor();
    const briefId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(await page.getByTestId('brief-state').textContent()).toBe('Draft');
    expect(await page.getByLabel('Brand and legal constraints').inputValue()).toContain('景品表示法');
    await page.locator('[data-testid="rule-metric_measurable"][data-passed="false"]').waitFor();
    expect(await page.getByTestId('power-sentence').count()).toBe(0);

    // Choosing the page saves the draft and the checklist gains the power calculation of its traffic.
    await page.getByLabel('Pages', { exact: true }).first().click();
    await page.getByRole('option', { name: /checkout — https:\/\/shop\.example\/checkout/ }).click();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="rule-metric_measurable"][data-passed="true"]').waitFor();
    const power = briefPower({ baseline_rate: 0.1, daily_visitors: 5000 }, { mde_relative: 0.02, alpha: 0.05 });
    await page.getByTestId('power-sentence').getByText(`With your traffic this test can detect a +${(power.detectable_relative! * 100).toFixed(1)}% change in 28 days`).waitFor();
    expect(await rule(page, 'detectable_effect').getAttribute('data-passed')).toBe('false');

    await page.getByLabel('Goal', { exact: true }).fill('More completed card applications');
    await page.getByLabel('Observation (based on …)').fill('48% leave at the income field');
    await page.getByLabel('Expected change (we expect …)').fill('more completed applications');
    await page.getByLabel('Hypothesis (because …)').fill('the field looks intrusive');
    await page.locator('[data-testid="rule-hypothesis_complete"][data-passed="true"]').waitFor();
    await page.getByLabel('Visibility', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Open to all', exact: true }).click();
    await page.locator('[data-testid="rule-visibility_chosen"][data-passed="true"]').waitFor();
    await page.getByTestId('save-state').getByText('Saved').waitFor();
    expect(await missingKeys(page)).toEqual([]);
    await expectAccessible(page, 'brief editor (en)');
    await screenshot(page, 'brief-editor-en');
    await page.getByRole('button', { name: 'Send to CS for review' }).click();
    await page.getByTestId('brief-state').getByText('In review').waitFor();
    const saved = await h.db.selectFrom('briefs').select(['state', 'content']).where('id', '=', briefId).executeTakeFirstOrThrow();
    expect(saved.state).toBe('in_review');
    expect(saved.content).toMatchObject({ goal: 'More completed card applications', visibility: 'open', hypothesis: 'the field looks intrusive' });

    // CS, in Japanese and at phone width: a comment on the observation, sent back.
    const csView = await signedIn(web, cs.token, 'ja');
    const p2 = csView.page;
    await p2.setViewportSize({ width: 390, height: 844 });
    await p2.goto(`${web.base}/briefs/${briefId}`);
    await p2.getByTestId('brief-state').getByText('レビュー中').waitFor();
    expect(await p2.getByTestId('checklist-result').textContent()).toBe('不合格');
    await p2.getByTestId('power-sentence').getByText(`このトラフィックなら 28 日で +${(power.detectable_relative! * 100).toFixed(1)}% の変化を検出できます`).waitFor();
    await p2.getByLabel('項目', { exact: true }).first().click();
    await p2.getByRole('option', { name: '観察（…に基づき）' }).click();
    await p2.getByLabel('コメント', { exact: true }).fill('どのレポートの数字ですか？リンクを貼ってください。');
    await p2.getByRole('button', { name: 'コメントを追加' }).click();
    expect(await missingKeys(p2)).toEqual([]);
    await expectAccessible(p2, 'brief review (ja, 390 px)');
    expect(await p2.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await p2.getByRole('button', { name: '作成者に差し戻す' }).click();
    await p2.getByTestId('brief-state').getByText('下書き').waitFor();
    await screenshot(p2, 'brief-review-ja-390');

    // The client sees the comment under the field it is about.
    await page.reload();
    await page.getByTestId('comments-observation').getByText('どのレポートの数字ですか？リンクを貼ってください。').waitFor();
    expect(await page.getByTestId('brief-state').textContent()).toBe('Draft');
    await csView.context.close();
  });
});
