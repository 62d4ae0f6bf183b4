// Grades at each Tokyo month boundary: one row per hacker and month (the history), written once
// (ON CONFLICT DO NOTHING), so a retried activity or a second run of the schedule changes nothing.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { gradeFor } from '../domain/network/grades.ts';
import { networkRecords } from './track-records.ts';

export async function recomputeGrades(db: Db, input: { month: string }): Promise<{ month: string; graded: number; written: number }> {
  // The industry does not matter for grades: only the overall decided tests and wins are read.
  const records = await networkRecords(db, '');
  const rows = records
    .filter((r) => r.active)
    .map((r) => {
      const g = gradeFor({ decided: r.decided, wins: r.wins });
      return { hacker_id: r.hackerId, month: input.month, grade: g.grade, shrunk_win_rate: g.shrunk_win_rate, decided_tests: r.decided, wins: r.wins };
    });
  let written = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const r = await db.insertInto('hacker_grades').values(rows.slice(i, i + 1000)).onConflict((oc) => oc.columns(['hacker_id', 'month']).doNothing()).returning('hacker_id').execute();
    written += r.length;
  }
  return { month: input.month, graded: rows.length, written };
}

/** The current grade of each hacker (latest month). */
export async function currentGrades(db: Db, hackerIds: number[]): Promise<Map<number, string>> {
  if (hackerIds.length === 0) return new Map();
  const { rows } = await sql<{ hacker_id: number; grade: string }>`
    select distinct on (hacker_id) hacker_id, grade from hacker_grades
     where hacker_id = any(${hackerIds}::bigint[]) order by hacker_id, month desc`.execute(db);
  return new Map(rows.map((r) => [r.hacker_id, r.grade]));
}
