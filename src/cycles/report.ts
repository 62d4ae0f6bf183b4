// The cycle's report, computed from its tests' final verdicts as they stand now (so an invalidation
// recomputes it), and the cycle's completion.
import type { Db } from '../db/index.ts';
import { cycleReport, type CycleReport } from '../domain/cycles/report.ts';
import type { VerdictResult } from '../domain/stats/index.ts';

async function reportOf(db: Db, cycleId: number): Promise<CycleReport> {
  const tests = await db
    .selectFrom('tests')
    .innerJoin('pages', 'pages.id', 'tests.page_id')
    .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
    .select(['tests.id', 'tests.offer_id', 'tests.baseline_rate as test_baseline', 'pages.baseline_rate', 'pages.daily_visitors', 'pages.value_per_conversion_yen', 'verdicts.result', 'verdicts.invalidated_at'])
    .where('tests.cycle_id', '=', cycleId)
    .orderBy('tests.id')
    .execute();
  return cycleReport(
    tests.map((t) => ({
      test_id: t.id,
      offer_id: t.offer_id,
      result: t.result as VerdictResult,
      invalidated: t.invalidated_at !== null,
      baseline_rate: t.test_baseline ?? t.baseline_rate,
      daily_visitors: t.daily_visitors,
      value_per_conversion_yen: t.value_per_conversion_yen,
    })),
  );
}

export async function completeCycle(db: Db, input: { cycleId: number }) {
  const report = await reportOf(db, input.cycleId);
  await db
    .updateTable('cycles')
    .set({ phase: 'completed', waiting_for: null, due_at: null, report: JSON.stringify(report), completed_at: new Date(), updated_at: new Date() })
    .where('id', '=', input.cycleId)
    .where('phase', 'not in', ['abandoned', 'failed'])
    .execute();
  return report;
}

/** After an invalidation: the report of a completed cycle is written again from today's verdicts. */
export async function recomputeReport(db: Db, cycleId: number) {
  const report = await reportOf(db, cycleId);
  await db.updateTable('cycles').set({ report: JSON.stringify(report), updated_at: new Date() }).where('id', '=', cycleId).where('phase', '=', 'completed').execute();
  return report;
}
