// Per person and category: immediately, in the daily digest, or off (no row: immediately). A locked
// category (catalogue: mutable false) may go to the digest but never off.
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import { CATEGORIES, LOCKED_CATEGORIES, type Category } from './catalogue.ts';
import type { Locale } from './messages.ts';

export type Mode = 'immediate' | 'digest' | 'off';

export interface Preferences {
  email: string | null;
  locale: Locale;
  digest_hour: number;
  categories: { category: Category; mode: Mode; locked: boolean }[];
}

export async function modesOf(db: Db, userIds: number[]): Promise<Map<string, Mode>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('notification_preferences').select(['user_id', 'category', 'mode']).where('user_id', 'in', userIds).execute();
  return new Map(rows.map((r) => [`${r.user_id}:${r.category}`, r.mode]));
}

/** The mode a person gets a category in: their choice, never off for a locked category. */
export function effectiveMode(category: Category, chosen: Mode | undefined): Mode {
  const mode = chosen ?? 'immediate';
  return mode === 'off' && LOCKED_CATEGORIES.includes(category) ? 'immediate' : mode;
}

export async function preferencesOf(db: Db, userId: number): Promise<Preferences> {
  const user = await db.selectFrom('users').select(['email', 'locale', 'digest_hour']).where('id', '=', userId).executeTakeFirstOrThrow();
  const modes = await modesOf(db, [userId]);
  return {
    ...user,
    categories: CATEGORIES.map((category) => ({ category, mode: effectiveMode(category, modes.get(`${userId}:${category}`)), locked: LOCKED_CATEGORIES.includes(category) })),
  };
}

/** Why `category` may not be set to `mode`; undefined when it may. The API's `actions` and the PUT use it. */
export function modeRefusal(category: Category, mode: Mode): string | undefined {
  return mode === 'off' && LOCKED_CATEGORIES.includes(category) ? `Notifications about ${category} cannot be turned off (a daily digest is allowed).` : undefined;
}

export async function setPreferences(
  db: Db,
  userId: number,
  change: { email?: string | null; locale?: Locale; digest_hour?: number; modes?: Partial<Record<Category, Mode>> },
): Promise<Preferences> {
  const modes = Object.entries(change.modes ?? {}) as [Category, Mode][];
  for (const [category, mode] of modes) {
    const refusal = modeRefusal(category, mode);
    if (refusal) throw new RuleError('invalid', refusal, { path: `/modes/${category}` });
  }
  await db.transaction().execute(async (tx) => {
    const user = { ...(change.email !== undefined ? { email: change.email } : {}), ...(change.locale ? { locale: change.locale } : {}), ...(change.digest_hour !== undefined ? { digest_hour: change.digest_hour } : {}) };
    if (Object.keys(user).length) await tx.updateTable('users').set(user).where('id', '=', userId).execute();
    for (const [category, mode] of modes) {
      await tx
        .insertInto('notification_preferences')
        .values({ user_id: userId, category, mode })
        .onConflict((oc) => oc.columns(['user_id', 'category']).doUpdateSet({ mode, updated_at: new Date() }))
        .execute();
    }
  });
  return preferencesOf(db, userId);
}

/** The one-click unsubscribe: the category off (a locked one: refused). */
export async function unsubscribe(db: Db, userId: number, category: Category): Promise<void> {
  await setPreferences(db, userId, { modes: { [category]: 'off' } });
}
