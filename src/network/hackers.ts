// Growth hackers: the network's members, with the latest monthly grade on a profile.
import type { Db } from '../db/index.ts';
import { normalizeTags } from '../domain/tags.ts';

export interface NewHacker {
  display_name: string;
  kind: 'individual' | 'corporation';
  residency: 'resident' | 'non_resident';
  skills?: string[];
  industries?: string[];
}

export function createHacker(db: Db, input: NewHacker) {
  // Skills and industries in their one spelling (CTA and ｃｔａ are cta), so offers match them.
  return db.insertInto('hackers').values({ ...input, skills: normalizeTags(input.skills ?? []), industries: normalizeTags(input.industries ?? []) }).returningAll().executeTakeFirstOrThrow();
}

export function listHackers(db: Db, f: { afterId?: number; limit: number }) {
  let q = db.selectFrom('hackers').selectAll().orderBy('id').limit(f.limit);
  if (f.afterId) q = q.where('id', '>', f.afterId);
  return q.execute();
}

export async function hackerExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.selectFrom('hackers').select('id').where('id', '=', id).executeTakeFirst());
}

/** The profile with its latest grade (`none` before the first grading); undefined for an unknown hacker. */
export async function hackerProfile(db: Db, id: number) {
  const row = await db.selectFrom('hackers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const g = await db.selectFrom('hacker_grades').select(['grade', 'month']).where('hacker_id', '=', row.id).orderBy('month', 'desc').limit(1).executeTakeFirst();
  return { ...row, grade: g?.grade ?? 'none', grade_month: g?.month ?? null };
}
