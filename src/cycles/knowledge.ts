// The knowledge base: one entry per test (hypothesis, change, outcome, lift and CI, page type,
// industry, tags), learnings added by CS as separate entries during the capture window, then final.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import type { VerdictResult } from '../domain/stats/index.ts';
import type { Actor } from '../shared/actor.ts';
import { recordDecision } from './context.ts';

export async function captureKnowledge(db: Db, input: { testId: number }) {
  const t = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .innerJoin('offers', 'offers.id', 'tests.offer_id')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('pages', 'pages.id', 'tests.page_id')
    .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
    .select(['tests.id', 'engagements.client_id', 'engagements.id as engagement_id', 'tests.page_id', 'pages.page_type', 'clients.industry', 'cycles.month', 'hypotheses.problem', 'hypotheses.skills', 'verdicts.result'])
    .where('tests.id', '=', input.testId)
    .executeTakeFirst();
  // A test cut short (engagement ended) has no final verdict and teaches nothing to store.
  if (!t) return;
  const result = t.result as VerdictResult;
  const proposals = await db
    .selectFrom('variants')
    .innerJoin('proposals', 'proposals.id', 'variants.proposal_id')
    .select(['variants.arm', 'proposals.title'])
    .where('variants.test_id', '=', input.testId)
    .orderBy('variants.position')
    .execute();
  const best = result.variants.find((v) => v.arm === result.decision.arm) ?? result.variants[0];
  await db
    .insertInto('knowledge_entries')
    .values({
      test_id: t.id,
      client_id: t.client_id,
      engagement_id: t.engagement_id,
      page_id: t.page_id,
      page_type: t.page_type,
      industry: t.industry,
      month: t.month,
      hypothesis: t.problem,
      change: proposals.map((p) => `${p.arm}: ${p.title}`).join('; '),
      outcome: result.decision.outcome,
      lift: best?.error ? null : (best?.expected ?? null),
      ci_low: best?.ci[0] ?? null,
      ci_high: best?.ci[1] ?? null,
      tags: [t.page_type, result.decision.outcome, ...t.skills],
    })
    .onConflict((oc) => oc.column('test_id').doNothing())
    .execute();
}

/**
 * Adds one learning (its own row: who, when, text) to the test's draft entry; the entry's `learnings`
 * text is their concatenation in order, kept only for the full-text index. Idempotent per key.
 */
export async function addLearning(db: Db, input: { testId: number; learnings: string; tags: string[]; actor: Actor; key: string }) {
  await db.transaction().execute(async (trx) => {
    const entry = await trx.selectFrom('knowledge_entries').select(['id', 'status']).where('test_id', '=', input.testId).forUpdate().executeTakeFirst();
    if (!entry) throw new RuleError(`test ${input.testId} has no knowledge entry yet`, 'not_found');
    const row = await trx
      .insertInto('knowledge_learnings')
      .values({ test_id: input.testId, author_user_id: input.actor.userId, text: input.learnings.trim(), unique_key: input.key })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return;
    const all = await trx.selectFrom('knowledge_learnings').select('text').where('test_id', '=', input.testId).orderBy('id').execute();
    await trx
      .updateTable('knowledge_entries')
      .set({ learnings: all.map((l) => l.text).join('\n\n'), tags: sql<string[]>`array(select distinct unnest(tags || ${input.tags}::text[]))` })
      .where('id', '=', entry.id)
      .execute();
    const test = await trx.selectFrom('tests').select('cycle_id').where('id', '=', input.testId).executeTakeFirstOrThrow();
    await recordDecision(trx, { cycleId: test.cycle_id, testId: input.testId, kind: 'learnings', actorUserId: input.actor.userId, summary: `added a learning to test ${input.testId}`, key: `learnings:${input.key}` });
  });
}

export async function learningsOf(db: Db, testIds: number[]) {
  if (testIds.length === 0) return [];
  return db
    .selectFrom('knowledge_learnings')
    .innerJoin('users', 'users.id', 'knowledge_learnings.author_user_id')
    .select(['knowledge_learnings.id', 'knowledge_learnings.test_id', 'knowledge_learnings.text', 'knowledge_learnings.created_at', 'knowledge_learnings.author_user_id', 'users.name as author_name'])
    .where('knowledge_learnings.test_id', 'in', testIds)
    .orderBy('knowledge_learnings.id')
    .execute();
}

export async function finalizeKnowledge(db: Db, input: { cycleId: number }) {
  await db
    .updateTable('knowledge_entries')
    .set({ status: 'final' })
    .where('test_id', 'in', db.selectFrom('tests').select('id').where('cycle_id', '=', input.cycleId))
    .execute();
}

export interface KnowledgeQuery {
  q?: string;
  page_type?: string;
  outcome?: string;
  clientId?: number;
  afterId?: number;
  limit: number;
}

/** Search past tests (full text over hypothesis, change, learnings), newest first. */
export async function searchKnowledge(db: Db, f: KnowledgeQuery) {
  let q = db
    .selectFrom('knowledge_entries')
    .select(['id', 'test_id', 'client_id', 'engagement_id', 'page_id', 'page_type', 'industry', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'status', 'invalidated_at', 'invalidation_reason', 'created_at'])
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.clientId) q = q.where('client_id', '=', f.clientId);
  if (f.page_type) q = q.where('page_type', '=', f.page_type);
  if (f.outcome) q = q.where('outcome', '=', f.outcome);
  if (f.afterId) q = q.where('id', '<', f.afterId);
  if (f.q) q = q.where(sql<boolean>`search @@ plainto_tsquery('simple', ${f.q})`);
  return q.execute();
}
