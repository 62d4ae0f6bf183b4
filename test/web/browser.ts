// Browser tests drive Debian's Chromium (/usr/bin/chromium or CHROMIUM_PATH) with playwright-core:
// no browser download. In CI a missing browser fails the run; on a developer machine the browser
// tests skip with a message saying how to install it.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Harness } from '../helpers.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

if (!HAVE_CHROMIUM) {
  const msg = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
  if (process.env.CI) throw new Error(`${msg} CI needs it for the browser tests.`);
  process.stderr.write(`browser tests skipped: ${msg}\n`);
}

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface Web {
  browser: Browser;
  base: string;
  close(): Promise<void>;
}

/** The harness's app listening on a real port, and a headless Chromium with a fresh profile. */
export async function startWeb(h: Harness): Promise<Web> {
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  // playwright-core gives every launch a fresh temporary profile (user-data-dir) and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  return {
    browser,
    base: address,
    async close() {
      await browser.close();
    },
  };
}

/** A fresh browser context (own cookies) signed in with `token` through the sign-in page. */
export async function signedIn(web: Web, token: string, lang: 'ja' | 'en' = 'en'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await web.browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', timezoneId: 'Asia/Tokyo', acceptDownloads: true, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[browser] ${err.message}\n`));
  await page.goto(web.base + '/');
  await page.getByLabel(lang === 'ja' ? 'APIトークン' : 'API token').fill(token);
  await page.getByRole('button', { name: lang === 'ja' ? 'サインイン' : 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** axe-core: no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} [${(n.failureSummary ?? '').replace(/\s+/g, ' ')}]`).join(' | ')}`)).toEqual([]);
}

/** The i18n keys the page asked for and neither language has. */
export async function missingKeys(page: Page): Promise<string[]> {
  // Runs in the page (DOM types are not in the Node tsconfig).
  return page.evaluate(() => [...new Set((globalThis as { __missingKeys?: string[] }).__missingKeys ?? [])]);
}

/**
 * A database of its own (same cluster), migrated, with every identity far above the shared one's so
 * workflow ids (engagement-<id>, payout-<month> aside) never meet other files' in the shared Temporal
 * server. For tests whose runs would draft every unpaid line of the shared database.
 */
export async function isolatedDatabase(base: string, offset = 1_500_000_000): Promise<string> {
  const { ensureDatabase, createDb } = await import('../../src/db/index.ts');
  const { migrateToLatest } = await import('../../src/db/migrate.ts');
  const { sql } = await import('kysely');
  const url = new URL(base);
  url.pathname = `/kaizen_web_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  await ensureDatabase(url.toString());
  const db = createDb(url.toString(), 1);
  try {
    await migrateToLatest(db);
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = 'public' and is_identity = 'YES'`.execute(db);
    for (const r of rows) await sql`alter table ${sql.table(r.table_name)} alter column ${sql.ref(r.column_name)} restart with ${sql.lit(offset)}`.execute(db);
  } finally {
    await db.destroy();
  }
  return url.toString();
}
