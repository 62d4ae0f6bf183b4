// A hacker writes a proposal's variant in the structured change-set editor (real Chromium, real API,
// Postgres and Temporal): two mutations, a broken selector and a `javascript:` redirect the API
// refuses, each message shown next to the field it names; fixed, submitted, stored as written; a
// revision is version 2; the preview link appears beside the editor. CS reads the change set.
import { randomUUID } from 'node:crypto';
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
afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('the change-set editor', () => {
  it('shows the API refusals next to their fields, stores the fixed change set, revises and links a preview', async () => {
    const tag = randomUUID().slice(0, 6);
    const cs = await userWithToken(h.db, 'cs_manager');
    const d = cycleDriver(h, cs);
    const hacker = await d.hacker(['design']);
    const ctx = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: 600, selection_seconds: 600, min_proposals: 1 });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: `Shipping cost shown too late ${tag}`, page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').select(['id', 'status']).where('cycle_id', '=', ctx.cycleId).where('status', '=', 'open').executeTakeFirst()) ?? undefined, 30_000);

    const { page, context } = await signedIn(web, hacker.auth.authorization.slice('Bearer '.length), 'en');
    await page.goto(`${web.base}/offers/${offer.id}`);
    await page.getByLabel('Title').fill(`Free shipping up front ${tag}`);
    await page.getByLabel('What you would change and why').fill('Say it in the hero and on the button');
    await page.getByLabel('Design link').fill('https://figma.example/file');
    const editor = page.getByTestId('change-set-editor');
    await editor.getByRole('button', { name: 'Add a change' }).click();
    await editor.getByRole('button', { name: 'Add a change' }).click();
    const rows = editor.getByTestId('mutation');
    expect(await rows.count()).toBe(2);
    await rows.nth(0).getByLabel('CSS selector').fill('#hero h1');
    await rows.nth(0).getByLabel('Text', { exact: true }).fill('Free shipping on every order');
    await rows.nth(1).getByLabel('CSS selector').fill('.cta[data-kind');
    await rows.nth(1).getByLabel('Action', { exact: true }).click();
    await page.getByRole('option', { name: 'Add a class' }).click();
    await rows.nth(1).getByLabel('Class', { exact: true }).fill('cta-big');
    await editor.getByLabel('Redirect to (split URL)').fill('javascript:alert(1)');
    await editor.getByLabel('CSS added to the page').fill('.cta-big { font-size: 1.4rem }');

    // The broken selector: its message beside the second row's selector, nowhere else.
    const submit = page.getByRole('button', { name: 'Submit', exact: true });
    await submit.click();
    const badSelector = rows.nth(1).getByLabel('CSS selector');
    await expect.poll(() => badSelector.getAttribute('aria-invalid')).toBe('true');
    expect(await rows.nth(1).textContent()).toMatch(/not a CSS selector/);
    expect(await rows.nth(0).getByLabel('CSS selector').getAttribute('aria-invalid')).not.toBe('true');
    await screenshot(page, 'proposal-editor-error-en');
    await expectAccessible(page, 'proposal editor with an error');
    await badSelector.fill('.cta[data-kind="buy"]');

    // The script URL: refused at the redirect field.
    await submit.click();
    const redirect = editor.getByLabel('Redirect to (split URL)');
    await expect.poll(() => redirect.getAttribute('aria-invalid')).toBe('true');
    expect(await editor.textContent()).toMatch(/javascript:/);
    await redirect.fill('');
    await submit.click();

    // Stored as written; the form turns into the revision of version 1 with its preview beside it.
    await page.getByTestId('revision').getByRole('heading', { name: `Revise "Free shipping up front ${tag}" (version 1)` }).waitFor();
    const [proposal] = (await d.api('GET', `/v1/offers/${offer.id}/proposals`, hacker.auth)).items;
    const stored = await d.api('GET', `/v1/proposals/${proposal.id}`, hacker.auth);
    expect(stored.version).toBe(1);
    expect(stored.changes).toEqual({
      css: '.cta-big { font-size: 1.4rem }',
      mutations: [
        { selector: '#hero h1', action: 'set_text', value: 'Free shipping on every order' },
        { selector: '.cta[data-kind="buy"]', action: 'add_class', value: 'cta-big' },
      ],
    });

    const preview = page.getByTestId('preview');
    await preview.getByRole('button', { name: 'Make a preview link' }).click();
    const url = new URL(await preview.getByTestId('preview-url').inputValue());
    expect(`${url.origin}${url.pathname}`).toBe(ctx.pages[0].url);
    expect(url.searchParams.get('kz_preview')).toMatch(/\S{20,}/);
    expect(await preview.getByRole('link', { name: 'Open the preview' }).getAttribute('href')).toBe(url.toString());
    await screenshot(page, 'proposal-editor-preview-en');
    await expectAccessible(page, 'proposal editor with its preview');

    // A revision: the editor starts from version 1; reordered and saved, it is version 2.
    const revision = page.getByTestId('revision');
    expect(await revision.getByTestId('mutation').nth(1).getByLabel('CSS selector').inputValue()).toBe('.cta[data-kind="buy"]');
    await revision.getByRole('button', { name: 'Move change 2 up' }).click();
    await revision.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByRole('heading', { name: `Revise "Free shipping up front ${tag}" (version 2)` }).waitFor();
    const v2 = await d.api('GET', `/v1/proposals/${proposal.id}`, hacker.auth);
    expect(v2.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(v2.changes.mutations.map((m: { selector: string }) => m.selector)).toEqual(['.cta[data-kind="buy"]', '#hero h1']);
    expect(await missingKeys(page)).toEqual([]);
    await context.close();

    // CS reads the change set on the offer page, in Japanese.
    const ja = await signedIn(web, cs.token, 'ja');
    await ja.page.goto(`${web.base}/offers/${offer.id}`);
    const view = ja.page.getByTestId('change-set');
    await view.getByText('.cta[data-kind="buy"]').waitFor();
    expect(await view.textContent()).toContain('クラスを追加');
    await expectAccessible(ja.page, 'offer (CS, ja)');
    expect(await missingKeys(ja.page)).toEqual([]);
    await ja.context.close();
  });
});
