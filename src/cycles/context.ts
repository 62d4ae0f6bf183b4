// A cycle's frame: its row, settings and phase, its alerts, and how it ends when it cannot complete
// (abandoned for want of people, failed on a broken rule, cut short by the engagement ending).
import type { Db } from '../db/index.ts';
import type { CyclePhase, DecisionKind } from '../shared/cycles.ts';
import { RuleError } from '../domain/errors.ts';
import type { CycleContext } from '../shared/cycles.ts';
import { accrueEarnings } from './earnings.ts';

export async function settingsOf(db: Db, engagementId: number) {
  await db.insertInto('engagement_settings').values({ engagement_id: engagementId }).onConflict((oc) => oc.doNothing()).execute();
  return db.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
}

export async function cycleRow(db: Db, cycleId: number) {
  const row = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .select(['cycles.id', 'cycles.month', 'cycles.phase', 'cycles.engagement_id', 'engagements.client_id', 'engagements.offer_mode', 'engagements.cs_manager_id', 'clients.industry'])
    .where('cycles.id', '=', cycleId)
    .executeTakeFirst();
  if (!row) throw new RuleError('not_found', `cycle ${cycleId} does not exist`);
  return row;
}

/** One alert per business key, however often it is raised (retries, replays). */
export async function raiseAlert(db: Db, a: { engagementId: number; cycleId: number | null; kind: string; key: string; message: string }) {
  await db
    .insertInto('alerts')
    .values({ engagement_id: a.engagementId, cycle_id: a.cycleId, kind: a.kind, unique_key: a.key, message: a.message })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .execute();
}

/** Records a human decision of the cycle (who, what) once per business key: the timeline reads these. */
export async function recordDecision(
  db: Db,
  d: { cycleId: number; testId?: number | null; kind: DecisionKind; actorUserId: number | null; summary: string; key: string },
) {
  await db
    .insertInto('cycle_decisions')
    .values({ cycle_id: d.cycleId, test_id: d.testId ?? null, kind: d.kind, actor_user_id: d.actorUserId, summary: d.summary, unique_key: d.key })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .execute();
}

export async function openCycle(db: Db, input: { engagementId: number; month: string; workflowId: string }): Promise<CycleContext> {
  const settings = await settingsOf(db, input.engagementId);
  await db
    .insertInto('cycles')
    .values({ engagement_id: input.engagementId, month: input.month, workflow_id: input.workflowId })
    .onConflict((oc) => oc.columns(['engagement_id', 'month']).doNothing())
    .execute();
  const cycle = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['cycles.id', 'engagements.client_id'])
    .where('cycles.engagement_id', '=', input.engagementId)
    .where('cycles.month', '=', input.month)
    .executeTakeFirstOrThrow();
  // What the client already tried on these pages (matched by URL, so an earlier engagement's tests
  // show too: the lesson outlives the staff who learned it).
  const history = await db
    .selectFrom('knowledge_entries')
    .innerJoin('pages as tested', 'tested.id', 'knowledge_entries.page_id')
    .select([
      'knowledge_entries.test_id',
      'knowledge_entries.month',
      'knowledge_entries.page_id',
      'knowledge_entries.hypothesis',
      'knowledge_entries.change',
      'knowledge_entries.outcome',
      'knowledge_entries.lift',
    ])
    .where('knowledge_entries.client_id', '=', cycle.client_id)
    .where('knowledge_entries.test_id', 'is not', null)
    .where('tested.url', 'in', db.selectFrom('pages').select('url').where('engagement_id', '=', input.engagementId))
    .orderBy('knowledge_entries.id', 'desc')
    .limit(50)
    .execute();
  const s = (n: number) => n * 1000;
  return {
    cycleId: cycle.id,
    history: history.map((h) => ({ testId: h.test_id!, month: h.month, pageId: h.page_id, hypothesis: h.hypothesis, change: h.change, outcome: h.outcome, lift: h.lift })),
    timings: {
      planningMs: s(settings.planning_seconds),
      offerWindowMs: s(settings.offer_window_seconds),
      selectionMs: s(settings.selection_seconds),
      testMaxMs: s(settings.test_max_seconds),
      interimCheckMs: s(settings.interim_check_seconds),
      learningMs: s(settings.learning_seconds),
      minProposals: settings.min_proposals,
    },
  };
}

const ENDED: CyclePhase[] = ['completed', 'abandoned', 'failed'];

export async function setCyclePhase(db: Db, input: { cycleId: number; phase: CyclePhase; waitingFor: string | null; dueAt: string | null; overdue: boolean }) {
  await db
    .updateTable('cycles')
    .set({ phase: input.phase, waiting_for: input.waitingFor, due_at: input.dueAt, overdue: input.overdue, updated_at: new Date() })
    .where('id', '=', input.cycleId)
    .where('phase', 'not in', ENDED)
    .execute();
}

/** Ends the cycle short of completion; a cycle that already ended keeps its end. */
async function endCycle(db: Db, cycleId: number, phase: 'abandoned' | 'failed', reason: string) {
  await db
    .updateTable('cycles')
    .set({ phase, waiting_for: null, due_at: null, end_reason: reason, completed_at: new Date(), updated_at: new Date() })
    .where('id', '=', cycleId)
    .where('completed_at', 'is', null)
    .execute();
}

/** No plan, proposals or selection came in time: the month passes with nothing to test. */
export async function abandonCycle(db: Db, input: { cycleId: number; reason: string }) {
  await endCycle(db, input.cycleId, 'abandoned', input.reason);
}

/** A rule broke (e.g. a test that cannot be planned): the cycle stops, visibly, and CS is alerted. */
export async function failCycle(db: Db, input: { cycleId: number; reason: string }) {
  const c = await cycleRow(db, input.cycleId);
  await closeOffersAndTests(db, input.cycleId, `cycle failed: ${input.reason}`);
  await endCycle(db, input.cycleId, 'failed', input.reason);
  await raiseAlert(db, { engagementId: c.engagement_id, cycleId: c.id, kind: 'cycle_failed', key: `cycle_failed:${c.id}`, message: `Cycle ${c.month} cannot go on: ${input.reason}` });
}

/**
 * The engagement ended immediately: offers close, running tests stop with the reason, what was
 * already earned (submissions, adoptions) accrues, nothing for work not done, and the cycle is
 * abandoned with the reason.
 */
export async function cutCycleShort(db: Db, input: { cycleId: number }) {
  const c = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['cycles.id', 'cycles.completed_at', 'engagements.end_reason'])
    .where('cycles.id', '=', input.cycleId)
    .executeTakeFirstOrThrow();
  const reason = `engagement ended: ${c.end_reason ?? 'no reason given'}`;
  await closeOffersAndTests(db, c.id, reason);
  if (!c.completed_at) await accrueEarnings(db, { cycleId: c.id, completed: false });
  await endCycle(db, c.id, 'abandoned', reason);
}

async function closeOffersAndTests(db: Db, cycleId: number, reason: string) {
  await db.updateTable('offers').set({ status: 'closed' }).where('cycle_id', '=', cycleId).where('status', '=', 'open').execute();
  await db
    .updateTable('tests')
    .set({ status: 'cancelled', stop_reason: reason, stopped_at: new Date() })
    .where('cycle_id', '=', cycleId)
    .where('status', '=', 'running')
    .execute();
}
