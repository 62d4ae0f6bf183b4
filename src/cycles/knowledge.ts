// The knowledge base: one entry per test (hypothesis, change, outcome, lift and CI, page type,
// industry, tags), learnings added by CS as separate entries during the capture window, then final.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import type { VerdictResult } from '../domain/stats/index.ts';
import { anonymiseText, decodeCursor, documentTokens, encodeCursor, estimatedShare, filterTokens, knowledgeSearchFields, queryTokens, toCsv } from '../domain/cycles/knowledge-search.ts';
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
  const change = proposals.map((p) => `${p.arm}: ${p.title}`).join('; ');
  const tags = [t.page_type, result.decision.outcome, ...t.skills];
  await db
    .insertInto('knowledge_entries')
    .values({
      ...knowledgeSearchFields({ hypothesis: t.problem, change, learnings: null, tags, page_type: t.page_type, outcome: result.decision.outcome, industry: t.industry, month: t.month }),
      test_id: t.id,
      client_id: t.client_id,
      engagement_id: t.engagement_id,
      page_id: t.page_id,
      page_type: t.page_type,
      industry: t.industry,
      month: t.month,
      hypothesis: t.problem,
      change,
      outcome: result.decision.outcome,
      lift: best?.error ? null : (best?.expected ?? null),
      ci_low: best?.ci[0] ?? null,
      ci_high: best?.ci[1] ?? null,
      tags,
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
    await refreshSearchFields(trx, entry.id);
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

/** Recomputes an entry's search columns from its text (after learnings or tags change). */
export async function refreshSearchFields(db: Db, entryId: number) {
  const e = await db.selectFrom('knowledge_entries').select(['hypothesis', 'change', 'learnings', 'tags', 'page_type', 'outcome', 'industry', 'month']).where('id', '=', entryId).executeTakeFirstOrThrow();
  await db.updateTable('knowledge_entries').set(knowledgeSearchFields(e)).where('id', '=', entryId).execute();
}

export interface KnowledgeQuery {
  q?: string;
  industry?: string;
  page_type?: string;
  outcome?: string;
  lift_min?: number;
  lift_max?: number;
  /** Entries carrying every one of these tags. */
  tags?: string[];
  month?: string;
  month_from?: string;
  month_to?: string;
  clientId?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  /** Legacy cursor (newest-first listing without `q`). */
  afterId?: number;
  limit: number;
}

const COLUMNS = sql.raw(
  ['id', 'test_id', 'client_id', 'engagement_id', 'page_id', 'page_type', 'industry', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'status', 'invalidated_at', 'invalidation_reason', 'created_at']
    .map((c) => `k.${c}`)
    .join(', '),
);

export interface KnowledgeRow {
  id: number;
  test_id: number | null;
  client_id: number;
  engagement_id: number;
  page_id: number;
  page_type: string;
  industry: string;
  month: string;
  hypothesis: string;
  change: string;
  outcome: string;
  lift: number | null;
  ci_low: number | null;
  ci_high: number | null;
  tags: string[];
  learnings: string | null;
  status: 'draft' | 'final';
  invalidated_at: Date | null;
  invalidation_reason: string | null;
  created_at: Date;
  /** 1: the words are in the hypothesis or tags; 2: elsewhere; 0: no query (newest first). */
  relevance_tier: number;
}

/** Filters the token arrays cannot carry (client, ranges) as SQL. */
function rangeSql(f: KnowledgeQuery) {
  const parts = [sql`true`];
  if (f.clientId) parts.push(sql`k.client_id = ${f.clientId}`);
  if (f.lift_min !== undefined) parts.push(sql`k.lift >= ${f.lift_min}`);
  if (f.lift_max !== undefined) parts.push(sql`k.lift <= ${f.lift_max}`);
  if (f.month_from) parts.push(sql`k.month >= ${f.month_from}`);
  if (f.month_to) parts.push(sql`k.month <= ${f.month_to}`);
  return sql.join(parts, sql` and `);
}

type Col = 'search_head_tokens' | 'search_tokens';
const contains = (col: Col, tokens: string[]) => (tokens.length ? sql`k.${sql.raw(col)} @> ${tokens}::text[]` : sql`true`);

/** Estimated share of matching entries at or above which walking the id index newest-first is cheap. */
const WALK_AT = 0.005;
const STATS_TTL_MS = 5 * 60_000;
type TokenStats = { at: number; freq: Map<Col, Map<string, number>> };
const statsCache = new WeakMap<Db, TokenStats>();

/** Element frequencies of the token arrays from pg_stats (ANALYZE), cached for a few minutes. */
async function tokenStats(db: Db): Promise<TokenStats> {
  const hit = statsCache.get(db);
  if (hit && Date.now() - hit.at < STATS_TTL_MS) return hit;
  const { rows } = await sql<{ attname: Col; elems: string[] | null; freqs: number[] | null }>`
    select attname, most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs
      from pg_stats where tablename = 'knowledge_entries' and attname in ('search_tokens', 'search_head_tokens')`.execute(db);
  const freq = new Map<Col, Map<string, number>>();
  for (const r of rows) freq.set(r.attname, new Map((r.elems ?? []).map((e, i) => [e, r.freqs?.[i] ?? 0])));
  const stats = { at: Date.now(), freq };
  statsCache.set(db, stats);
  return stats;
}

/**
 * One relevance tier, newest first, with the plan chosen here rather than left to the planner's guess:
 * a token the statistics do not list (rare, or a word that matches nothing) is estimated at ~0.2% and
 * the planner then walks the primary key through every row looking for it (seconds on 1M entries).
 * So when the tokens are common (estimatedShare from pg_stats' most common elements ≥ 0.5%)
 * the id index is walked backwards (bitmap scans off); otherwise the GIN index alone is used (index
 * and sequential scans off) and the few matches are sorted. Client-scoped searches keep the planner's
 * choice (the client index bounds any walk). `planned: false` (the bench's sequential baseline) runs
 * the bare query.
 */
async function tier(db: Db, tierNo: number, col: Col, groups: string[][], where: ReturnType<typeof sql>, limit: number, o: { planned: boolean; scoped: boolean }): Promise<KnowledgeRow[]> {
  const query = sql<KnowledgeRow>`select ${COLUMNS}, ${tierNo}::int as relevance_tier from knowledge_entries k where ${where} order by k.id desc limit ${limit}`;
  if (!o.planned || o.scoped || groups.length === 0) return (await query.execute(db)).rows;
  const freq = (await tokenStats(db)).freq.get(col);
  if (!freq || freq.size === 0) return (await query.execute(db)).rows;
  const share = estimatedShare(groups, freq);
  return db.transaction().execute(async (trx) => {
    if (share >= WALK_AT) await sql`set local enable_bitmapscan = off`.execute(trx);
    else {
      await sql`set local enable_indexscan = off`.execute(trx);
      await sql`set local enable_seqscan = off`.execute(trx);
    }
    return (await query.execute(trx)).rows;
  });
}

/**
 * Search past tests. With `q`: entries whose normalised text contains the query (Japanese substrings
 * through uni/bigram tokens, English words case-insensitively; domain/cycles/knowledge-search.ts),
 * ranked by relevance — tier 1 where the hypothesis or tags hold the words, then tier 2 where the
 * change, learnings, page type or outcome do — newest first within a tier. Each tier is served by its
 * own GIN index (words and exact filters in one `@>`, see `tier` for the plan); tier 2 runs only when
 * tier 1 did not fill the page. Without `q`: newest first. Cursor paging over (tier, id).
 */
export async function searchKnowledge(db: Db, f: KnowledgeQuery, opts: { planned?: boolean } = {}): Promise<{ items: KnowledgeRow[]; next_cursor: string | null }> {
  const o = { planned: opts.planned ?? true, scoped: f.clientId !== undefined };
  const cursor = decodeCursor(f.cursor) ?? (f.afterId ? { tier: 0, id: f.afterId } : null);
  const ranges = rangeSql(f);
  const filters = filterTokens(f);
  const query = f.q ? queryTokens(f.q) : null;
  const rows: KnowledgeRow[] = [];
  if (!query || query.phrase === '') {
    const after = cursor ? sql`and k.id < ${cursor.id}` : sql``;
    if (filters.length) rows.push(...(await tier(db, 0, 'search_head_tokens', filters.map((t) => [t]), sql`${contains('search_head_tokens', filters)} and ${ranges} ${after}`, f.limit, o)));
    else rows.push(...(await sql<KnowledgeRow>`select ${COLUMNS}, 0 as relevance_tier from knowledge_entries k where ${ranges} ${after} order by k.id desc limit ${f.limit}`.execute(db)).rows);
  } else {
    const tokens = [...new Set([...query.tokens, ...filters])].sort();
    const phrase = sql`strpos(k.search_text, ${query.phrase}) > 0`;
    const groups = [...query.groups, ...filters.map((t) => [t])];
    const run = (tierNo: number, col: Col, where: ReturnType<typeof sql>, limit: number) => tier(db, tierNo, col, tokens.length ? groups : [], where, limit, o);
    if (!cursor || cursor.tier <= 1) {
      const after = cursor?.tier === 1 ? sql`and k.id < ${cursor.id}` : sql``;
      rows.push(...(await run(1, 'search_head_tokens', sql`${contains('search_head_tokens', tokens)} and ${phrase} and ${ranges} ${after}`, f.limit)));
    }
    if (rows.length < f.limit) {
      const after = cursor?.tier === 2 ? sql`and k.id < ${cursor.id}` : sql``;
      rows.push(...(await run(2, 'search_tokens', sql`${contains('search_tokens', tokens)} and not (${contains('search_head_tokens', tokens)}) and ${phrase} and ${ranges} ${after}`, f.limit - rows.length)));
    }
  }
  const last = rows[rows.length - 1];
  return { items: rows, next_cursor: rows.length === f.limit && last ? encodeCursor(last.relevance_tier, last.id) : null };
}

/** The view a role gets: client users their own company's entries (forced by the caller), hackers anonymised. */
export type KnowledgeView = 'full' | 'anonymised';

/**
 * What a hacker sees: no client, engagement, page or test id, no URL, no client name in the texts,
 * nothing about revenue — the industry, page type, what was tried and how it went.
 */
export async function anonymise(db: Db, rows: KnowledgeRow[]) {
  const ids = [...new Set(rows.map((r) => r.client_id))];
  const clients = ids.length ? await db.selectFrom('clients').select(['id', 'name']).where('id', 'in', ids).execute() : [];
  const names = new Map(clients.map((c) => [c.id, c.name]));
  return rows.map((r) => {
    const hide = (t: string | null) => (t === null ? null : anonymiseText(t, [names.get(r.client_id) ?? '']));
    return {
      id: r.id,
      industry: r.industry,
      page_type: r.page_type,
      month: r.month,
      hypothesis: hide(r.hypothesis)!,
      change: hide(r.change)!,
      learnings: hide(r.learnings),
      outcome: r.outcome,
      lift: r.lift,
      ci_low: r.ci_low,
      ci_high: r.ci_high,
      tags: r.tags,
      status: r.status,
      relevance_tier: r.relevance_tier,
    };
  });
}

const EXPORT_MAX = 50_000;

/** The search as CSV (UTF-8 with BOM), up to 50,000 rows, in the caller's view. */
export async function exportKnowledgeCsv(db: Db, f: Omit<KnowledgeQuery, 'limit' | 'cursor' | 'afterId'>, view: KnowledgeView): Promise<string> {
  const all: KnowledgeRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchKnowledge(db, { ...f, cursor, limit: 500 });
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && all.length < EXPORT_MAX);
  if (view === 'anonymised') {
    const rows = await anonymise(db, all);
    const header = ['id', 'industry', 'page_type', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings'];
    return toCsv(header, rows.map((r) => [r.id, r.industry, r.page_type, r.month, r.hypothesis, r.change, r.outcome, r.lift, r.ci_low, r.ci_high, r.tags.join(' '), r.learnings]));
  }
  const header = ['id', 'client_id', 'engagement_id', 'test_id', 'page_id', 'industry', 'page_type', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'status'];
  return toCsv(header, all.map((r) => [r.id, r.client_id, r.engagement_id, r.test_id, r.page_id, r.industry, r.page_type, r.month, r.hypothesis, r.change, r.outcome, r.lift, r.ci_low, r.ci_high, r.tags.join(' '), r.learnings, r.status]));
}

/**
 * Planning: the client's past entries most related to a page and a hypothesis text — same page URL
 * first, then by how many of the text's tokens they share (head tokens count double), newest first.
 */
export async function relatedKnowledge(db: Db, input: { clientId: number; pageUrl: string | null; text: string; limit: number }) {
  const tokens = documentTokens(input.text).slice(0, 200);
  const { rows } = await sql<KnowledgeRow & { same_page: boolean; overlap: number }>`
    select ${COLUMNS}, 0 as relevance_tier,
           coalesce(p.url = ${input.pageUrl}, false) as same_page,
           (cardinality(array(select unnest(k.search_head_tokens) intersect select unnest(${tokens}::text[]))) * 2
            + cardinality(array(select unnest(k.search_tokens) intersect select unnest(${tokens}::text[]))))::int as overlap
      from knowledge_entries k
      left join pages p on p.id = k.page_id
     where k.client_id = ${input.clientId}
       and (${input.pageUrl !== null ? sql`p.url = ${input.pageUrl} or ` : sql``} k.search_head_tokens && ${tokens}::text[] or k.search_tokens && ${tokens}::text[])
     order by same_page desc, overlap desc, k.id desc
     limit ${input.limit}`.execute(db);
  return rows;
}
