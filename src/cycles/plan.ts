// The month's plan: hypotheses from the client and CS ("do both": each becomes its own offer and test).
import type { Db } from '../db/index.ts';
import { planAuthorsFor } from '../domain/cycles/plan.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { normalizeTags } from '../domain/tags.ts';
import type { Actor } from '../shared/actor.ts';
import type { HypothesisInput } from '../shared/cycles.ts';
import { markBriefsPosted } from './brief.ts';
import { recordDecision } from './context.ts';

/** Problems with a plan for an engagement's cycle, as details under /body/hypotheses/…. */
export async function planProblems(db: Db, engagementId: number, actor: Actor, hypotheses: HypothesisInput[]): Promise<ErrorDetail[]> {
  const pages = await db.selectFrom('pages').select('id').where('engagement_id', '=', engagementId).execute();
  const details: ErrorDetail[] = [];
  hypotheses.forEach((h, i) => {
    if (!pages.some((p) => p.id === h.page_id)) details.push({ path: `/body/hypotheses/${i}/page_id`, message: 'is not a page of this engagement' });
    if (!planAuthorsFor(actor.role).includes(h.author)) details.push({ path: `/body/hypotheses/${i}/author`, message: 'a client may only author client hypotheses' });
  });
  return details;
}

export async function recordPlan(db: Db, input: { cycleId: number; hypotheses: HypothesisInput[]; actor: Actor }): Promise<number[]> {
  await db
    .insertInto('hypotheses')
    .values(
      input.hypotheses.map((h, i) => ({
        cycle_id: input.cycleId,
        ordinal: i + 1,
        author: h.author,
        author_user_id: input.actor.userId,
        problem: h.problem,
        page_id: h.page_id,
        metric: h.metric,
        skills: normalizeTags(h.skills ?? []),
        offer_kind: h.offer_kind ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(['cycle_id', 'ordinal']).doNothing())
    .execute();
  const rows = await db.selectFrom('hypotheses').select('id').where('cycle_id', '=', input.cycleId).orderBy('ordinal').execute();
  await markBriefsPosted(
    db,
    input.hypotheses.flatMap((h, i) => (h.brief_id && rows[i] ? [{ briefId: h.brief_id, hypothesisId: rows[i]!.id, userId: input.actor.userId }] : [])),
  );
  await recordDecision(db, {
    cycleId: input.cycleId,
    kind: 'plan',
    actorUserId: input.actor.userId,
    summary: `plan with ${rows.length} hypothes${rows.length === 1 ? 'is' : 'es'}`,
    key: `plan:${input.cycleId}`,
  });
  return rows.map((r) => r.id);
}
