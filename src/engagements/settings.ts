// An engagement's cycle settings, pages and growth team. Settings and pages must always allow a test
// to be planned (domain/cycles/design.ts), so a bad value is refused here rather than failing a cycle.
import type { Db } from '../db/index.ts';
import type { EngagementSettingsTable } from '../db/schema.ts';
import { settingsProblems } from '../domain/cycles/design.ts';
import { RuleError, ValidationError } from '../domain/errors.ts';
import type { Insertable } from 'kysely';

export type SettingsPatch = Partial<Omit<Insertable<EngagementSettingsTable>, 'engagement_id'>>;

export async function getSettings(db: Db, engagementId: number) {
  // Engagements from before settings existed get the defaults on first read.
  await db.insertInto('engagement_settings').values({ engagement_id: engagementId }).onConflict((oc) => oc.doNothing()).execute();
  return db.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
}

export async function updateSettings(db: Db, engagementId: number, patch: SettingsPatch) {
  return db.transaction().execute(async (trx) => {
    const current = await getSettings(trx, engagementId);
    const next = { ...current, ...patch };
    const pages = await trx.selectFrom('pages').select('baseline_rate').where('engagement_id', '=', engagementId).execute();
    const problems = settingsProblems(next, pages);
    if (problems.length) throw new ValidationError(`${problems[0]!.path} ${problems[0]!.message}`, problems);
    if (Object.keys(patch).length) await trx.updateTable('engagement_settings').set(patch).where('engagement_id', '=', engagementId).execute();
    return trx.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
  });
}

export interface NewPage {
  url: string;
  page_type: string;
  baseline_rate: number;
  daily_visitors: number;
  value_per_conversion_yen: number;
}

export async function addPage(db: Db, engagementId: number, page: NewPage) {
  const settings = await getSettings(db, engagementId);
  const problems = settingsProblems(settings, [page]);
  if (problems.length) {
    throw new ValidationError(`/baseline_rate ${page.baseline_rate} cannot be tested with this engagement's settings: ${problems[0]!.message}`, [
      { path: '/baseline_rate', message: problems[0]!.message },
    ]);
  }
  const row = await db
    .insertInto('pages')
    .values({ engagement_id: engagementId, ...page })
    .onConflict((oc) => oc.columns(['engagement_id', 'url']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new RuleError('conflict', `page ${page.url} is already registered for this engagement`);
  return row;
}

export async function listPages(db: Db, engagementId: number) {
  return db.selectFrom('pages').selectAll().where('engagement_id', '=', engagementId).orderBy('id').execute();
}

/** One page of this engagement (undefined for another engagement's). */
export function pageOf(db: Db, engagementId: number, pageId: number) {
  return db.selectFrom('pages').selectAll().where('id', '=', pageId).where('engagement_id', '=', engagementId).executeTakeFirst();
}

/** The standing growth team: each member gives 10% of their time. */
export async function setTeam(db: Db, engagementId: number, hackerIds: number[]) {
  const known = hackerIds.length ? await db.selectFrom('hackers').select('id').where('id', 'in', hackerIds).execute() : [];
  const missing = hackerIds.map((id, i) => ({ id, i })).filter(({ id }) => !known.some((k) => k.id === id));
  if (missing.length) throw new ValidationError('unknown hacker', missing.map(({ id, i }) => ({ path: `/hacker_ids/${i}`, message: `no hacker ${id}` })));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('growth_team_members').where('engagement_id', '=', engagementId).execute();
    if (hackerIds.length) {
      await trx.insertInto('growth_team_members').values(hackerIds.map((h) => ({ engagement_id: engagementId, hacker_id: h, share_percent: 10 }))).execute();
    }
  });
  return { engagement_id: engagementId, hacker_ids: hackerIds, share_percent: 10 };
}
