// What people read about cycles: the engagement's month-by-month timeline (with who decided what),
// cycle lists, and the cycle tasks waiting for someone now.
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { CyclePhase } from '../shared/cycles.ts';
import { visibleOffers } from './offers.ts';

export async function timeline(db: Db, engagementId: number) {
  const cycles = await db.selectFrom('cycles').selectAll().where('engagement_id', '=', engagementId).orderBy('month').execute();
  const ids = cycles.map((c) => c.id);
  if (ids.length === 0) return [];
  const [offers, tests, logged, qa] = await Promise.all([
    db.selectFrom('offers').select(['id', 'cycle_id', 'kind', 'status', 'deadline', 'extended', 'widen_reason']).where('cycle_id', 'in', ids).orderBy('id').execute(),
    db
      .selectFrom('tests')
      .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
      .select(['tests.id', 'tests.cycle_id', 'tests.offer_id', 'tests.status', 'tests.stop_reason', 'verdicts.outcome', 'verdicts.invalidated_at', 'verdicts.invalidation_reason'])
      .where('tests.cycle_id', 'in', ids)
      .orderBy('tests.id')
      .execute(),
    db
      .selectFrom('cycle_decisions')
      .leftJoin('users', 'users.id', 'cycle_decisions.actor_user_id')
      .select(['cycle_decisions.cycle_id', 'cycle_decisions.test_id', 'cycle_decisions.kind', 'cycle_decisions.summary', 'cycle_decisions.created_at', 'cycle_decisions.actor_user_id', 'users.name as actor_name', 'users.role as actor_role'])
      .where('cycle_decisions.cycle_id', 'in', ids)
      .orderBy('cycle_decisions.id')
      .execute(),
    qaHistory(db, ids),
  ]);
  // Questions and answers are part of the offers' history: merged into the decisions, in time order.
  const decisions = [...logged, ...qa].sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  return cycles.map((c) => ({
    ...c,
    offers: offers.filter((o) => o.cycle_id === c.id),
    // An invalidated verdict no longer says winner: the outcome reads `invalid`, with when and why.
    tests: tests
      .filter((t) => t.cycle_id === c.id)
      .map(({ invalidated_at, invalidation_reason, ...t }) => ({
        ...t,
        outcome: invalidated_at ? 'invalid' : t.outcome,
        invalidated: invalidated_at ? { at: invalidated_at, reason: invalidation_reason } : null,
      })),
    decisions: decisions.filter((d) => d.cycle_id === c.id).map(({ cycle_id: _, ...d }) => d),
  }));
}

/** Each question asked and each answer published (an addendum, with the deadline it moved), as timeline entries. */
async function qaHistory(db: Db, cycleIds: number[]) {
  const rows = await db
    .selectFrom('offer_questions')
    .innerJoin('offers', 'offers.id', 'offer_questions.offer_id')
    .innerJoin('users as asker', 'asker.id', 'offer_questions.asked_by')
    .leftJoin('users as answerer', 'answerer.id', 'offer_questions.answered_by')
    .leftJoin('offer_addenda', 'offer_addenda.question_id', 'offer_questions.id')
    .select([
      'offers.cycle_id',
      'offer_questions.id',
      'offer_questions.offer_id',
      'offer_questions.created_at',
      'offer_questions.asked_by',
      'asker.name as asker_name',
      'offer_questions.answered_at',
      'offer_questions.answered_by',
      'answerer.name as answerer_name',
      'answerer.role as answerer_role',
      'offer_addenda.number',
      'offer_addenda.deadline_extended_to',
    ])
    .where('offers.cycle_id', 'in', cycleIds)
    .orderBy('offer_questions.id')
    .execute();
  return rows.flatMap((r) => {
    const asked = { cycle_id: r.cycle_id, test_id: null, kind: 'question', summary: `asked question ${r.id} on offer ${r.offer_id}`, created_at: r.created_at, actor_user_id: r.asked_by, actor_name: r.asker_name, actor_role: 'hacker' as const };
    if (!r.answered_at) return [asked];
    const moved = r.deadline_extended_to ? `; the offer's deadline moved to ${r.deadline_extended_to.toISOString()}` : '';
    return [
      asked,
      { cycle_id: r.cycle_id, test_id: null, kind: 'answer', summary: `answered question ${r.id} on offer ${r.offer_id} as addendum ${r.number}${moved}`, created_at: r.answered_at, actor_user_id: r.answered_by, actor_name: r.answerer_name, actor_role: r.answerer_role },
    ];
  });
}

export interface CycleFilter {
  engagementId?: number;
  clientId?: number;
  phase?: CyclePhase;
  month?: string;
  afterId?: number;
  limit: number;
}

export async function listCycles(db: Db, f: CycleFilter) {
  let q = db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['cycles.id', 'cycles.engagement_id', 'engagements.client_id', 'cycles.month', 'cycles.phase', 'cycles.waiting_for', 'cycles.due_at', 'cycles.overdue', 'cycles.end_reason', 'cycles.completed_at', 'cycles.workflow_id'])
    .orderBy('cycles.id')
    .limit(f.limit);
  if (f.engagementId) q = q.where('cycles.engagement_id', '=', f.engagementId);
  if (f.clientId) q = q.where('engagements.client_id', '=', f.clientId);
  if (f.phase) q = q.where('cycles.phase', '=', f.phase);
  if (f.month) q = q.where('cycles.month', '=', f.month);
  if (f.afterId) q = q.where('cycles.id', '>', f.afterId);
  return q.execute();
}

export interface CycleTask {
  kind: 'submit_plan' | 'select_proposals' | 'cycle_failed' | 'submit_proposal' | 'review_proposals';
  cycle_id?: number;
  engagement_id?: number;
  offer_id?: number;
  offer_kind?: string;
  month?: string;
  overdue: boolean;
  due_at: string | null;
  waiting_for: string | null;
}

/** The cycle work waiting for `user` now. Ended engagements ask nobody for anything. */
export async function cycleTasks(db: Db, user: User): Promise<CycleTask[]> {
  if (user.role === 'hacker') {
    const offers = await visibleOffers(db, user)
      .where('offers.status', '=', 'open')
      .where('offers.deadline', '>', new Date())
      .where('engagements.status', '!=', 'ended')
      .orderBy('offers.deadline')
      .limit(200)
      .execute();
    return offers.map((o) => ({ kind: 'submit_proposal', offer_id: o.id, offer_kind: o.kind, engagement_id: o.engagement_id, overdue: false, due_at: o.deadline.toISOString(), waiting_for: 'your proposal' }));
  }
  if (user.role === 'finance') return [];
  const human: CyclePhase[] = ['planning', 'selection'];
  let q = db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['cycles.id', 'cycles.engagement_id', 'cycles.month', 'cycles.phase', 'cycles.due_at', 'cycles.overdue', 'cycles.waiting_for', 'cycles.end_reason'])
    .where('engagements.status', '!=', 'ended')
    .where((eb) => eb.or([eb.and([eb('cycles.completed_at', 'is', null), eb('cycles.phase', 'in', human)]), eb.and([eb('cycles.phase', '=', 'failed'), eb('cycles.month', '=', eb.ref('engagements.current_month'))])]))
    .orderBy('cycles.due_at')
    .limit(500);
  if (user.role === 'client') q = q.where('engagements.client_id', '=', user.client_id!).where('cycles.phase', 'in', human);
  else if (user.role === 'cs_manager') q = q.where('engagements.cs_manager_id', '=', user.id);
  const [rows, reviews] = await Promise.all([q.execute(), user.role === 'client' ? [] : reviewTasks(db, user)]);
  return [...reviews, ...rows.map((c): CycleTask => ({
    kind: c.phase === 'failed' ? 'cycle_failed' : c.phase === 'planning' ? 'submit_plan' : 'select_proposals',
    cycle_id: c.id,
    engagement_id: c.engagement_id,
    month: c.month,
    overdue: c.overdue,
    due_at: c.due_at ? c.due_at.toISOString() : null,
    waiting_for: c.phase === 'failed' ? `CS to fix the engagement: ${c.end_reason}` : c.waiting_for,
  }))];
}

/**
 * Offers with submitted proposals waiting for CS's review (issue 23: the client sees only passed
 * ones), one task per offer: a CS manager's engagements, every engagement for an admin.
 */
async function reviewTasks(db: Db, user: User): Promise<CycleTask[]> {
  let q = db
    .selectFrom('proposals')
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select((eb) => ['offers.id', 'offers.kind', 'offers.cycle_id', 'offers.deadline', 'cycles.engagement_id', 'cycles.month', eb.fn.countAll<string>().as('n')])
    .where('proposals.status', '=', 'submitted')
    .where('proposals.review_status', '=', 'pending')
    .where('engagements.status', '!=', 'ended')
    .groupBy(['offers.id', 'cycles.engagement_id', 'cycles.month'])
    .orderBy('offers.deadline')
    .limit(500);
  if (user.role === 'cs_manager') q = q.where('engagements.cs_manager_id', '=', user.id);
  return (await q.execute()).map((o) => ({
    kind: 'review_proposals',
    cycle_id: o.cycle_id,
    engagement_id: o.engagement_id,
    offer_id: o.id,
    offer_kind: o.kind,
    month: o.month,
    overdue: false,
    due_at: o.deadline.toISOString(),
    waiting_for: `CS to review ${o.n} proposal${o.n === '1' ? '' : 's'}`,
  }));
}

/** The workflow that runs a cycle, to signal it. */
export async function cycleWorkflowOf(db: Db, cycleId: number): Promise<string> {
  const cycle = await db.selectFrom('cycles').select('workflow_id').where('id', '=', cycleId).executeTakeFirstOrThrow();
  return cycle.workflow_id;
}
