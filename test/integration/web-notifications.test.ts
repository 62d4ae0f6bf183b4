// The notification settings page in a real Chromium against the real API and Postgres, in Japanese and
// English: a hacker sets an address, a language and a category to the daily digest; a kind the server
// locks offers no "off"; the admin's dev mailbox lists what the embedded SMTP server received. Axe on
// each page, the settings at 390 px.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { expectAccessible, HAVE_CHROMIUM, missingKeys, signedIn, startWeb, type Web } from '../web/browser.ts';

let h: Harness;
let web: Web;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  web = await startWeb(h);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('notification settings in the browser', () => {
  it('ja: a hacker chooses an address and the daily digest for offers; failed transfers cannot be turned off', async () => {
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: `n-${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const hacker = await userWithToken(h.db, 'hacker', { hackerId: hackerRow.id });
    const { page, context } = await signedIn(web, hacker.token, 'ja');
    await page.getByRole('link', { name: '通知設定' }).click();
    await page.getByRole('heading', { level: 1, name: '通知設定' }).waitFor();
    const address = `h-${hacker.user.id}@example.test`;
    await page.getByLabel('メールアドレス').fill(address);
    await page.getByRole('combobox', { name: 'オファー', exact: true }).click();
    await page.getByRole('option', { name: '日次まとめで' }).click();
    // The locked kind: its "off" option is disabled, as the server's action says.
    await page.getByRole('combobox', { name: '振込の失敗' }).click();
    expect(await page.getByRole('option', { name: '受け取らない' }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');
    await page.getByText('この通知は停止できません').first().waitFor();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('保存しました').waitFor();
    const saved = await h.db.selectFrom('notification_preferences').select(['category', 'mode']).where('user_id', '=', hacker.user.id).execute();
    expect(saved.find((p) => p.category === 'offers')?.mode).toBe('digest');
    expect((await h.db.selectFrom('users').select('email').where('id', '=', hacker.user.id).executeTakeFirstOrThrow()).email).toBe(address);
    await expectAccessible(page, 'notification settings (ja)');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await missingKeys(page)).toEqual([]);
    await context.close();
  });

  it('en: the admin reads a message the embedded SMTP server received in the dev mailbox', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const to = `mailbox-${randomUUID().slice(0, 8)}@example.test`;
    await nodemailer.createTransport(h.config.mail.smtpUrl!).sendMail({ from: h.config.mail.from, to, subject: `Hello ${to}`, text: 'Body of the test message' });
    const { page, context } = await signedIn(web, admin.token, 'en');
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { level: 1, name: 'Notification settings' }).waitFor();
    await expectAccessible(page, 'notification settings (en)');
    await page.getByRole('link', { name: 'Dev mailbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dev mailbox' }).waitFor();
    await page.getByLabel('Filter by recipient').fill(to);
    await page.getByText(`Hello ${to}`).click();
    await page.getByText('Body of the test message').waitFor();
    await expectAccessible(page, 'dev mailbox (en)');
    expect(await missingKeys(page)).toEqual([]);
    await context.close();
  });
});
