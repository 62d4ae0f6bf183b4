// One-click unsubscribe links: a signed (user, category) pair, so the link works without signing in
// and cannot be forged for someone else. The key is derived from the preview-link key (one secret to
// manage, a separate key per purpose).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import { resolvePreviewKey } from '../site/preview.ts';
import { isCategory, type Category } from './catalogue.ts';

function keyOf(config: Pick<Config, 'preview' | 'databaseUrl' | 'dataDir'>): Buffer {
  return Buffer.from(hkdfSync('sha256', resolvePreviewKey(config), Buffer.alloc(0), 'kaizen-desk unsubscribe v1', 32));
}

export function unsubscribeToken(config: Pick<Config, 'preview' | 'databaseUrl' | 'dataDir'>, userId: number, category: Category): string {
  const payload = Buffer.from(`${userId}:${category}`).toString('base64url');
  return `${payload}.${createHmac('sha256', keyOf(config)).update(payload).digest('base64url')}`;
}

/** The (user, category) a token names, or undefined when it is not one of ours. */
export function readUnsubscribeToken(config: Pick<Config, 'preview' | 'databaseUrl' | 'dataDir'>, token: string): { userId: number; category: Category } | undefined {
  const [payload, sig] = token.split('.');
  if (!payload || !sig) return undefined;
  const want = createHmac('sha256', keyOf(config)).update(payload).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  const [user, category] = Buffer.from(payload, 'base64url').toString().split(':');
  const userId = Number(user);
  if (!Number.isSafeInteger(userId) || userId < 1 || !category || !isCategory(category)) return undefined;
  return { userId, category };
}
