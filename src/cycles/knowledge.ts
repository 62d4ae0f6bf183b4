// The knowledge base: one entry per test (hypothesis, change, outcome, lift and CI, page type,
// industry, tags), learnings added by CS as separate entries during the capture window, then final.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import type { VerdictResult } from '../domain/stats/index.ts';
import { normalizeTags } from '../domain/tags.ts';
import { anonymiseText, decodeCursor, documentTokens, encodeCursor, filterTokens, indexTokens, preferWalk, knowledgeSearchFields, queryTokens } from '../domain/cycles/knowledge-search.ts';
import { writeCsv, type CsvColumn } from '../domain/csv.ts';
import type { Actor } from '../shared/actor.ts';
import { recordDecision } from './context.ts';
import { addendaOf } from './questions.ts';

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
    .select(['tests.id', 'tests.offer_id', 'engagements.client_id', 'engagements.id as engagement_id', 'tests.page_id', 'pages.page_type', 'clients.industry', 'cycles.month', 'hypotheses.problem', 'hypotheses.skills', 'verdicts.result'])
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
  const tags = normalizeTags([t.page_type, result.decision.outcome, ...t.skills]);
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
      // The Q&A the hackers worked from is part of what the test teaches.
      addenda: await addendaOf(db, t.offer_id),
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
    if (!entry) throw new RuleError('not_found', `test ${input.testId} has no knowledge entry yet`);
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
      .set({ learnings: all.map((l) => l.text).join('\n\n'), tags: sql<string[]>`array(select distinct unnest(tags || ${normalizeTags(input.tags)}::text[]))` })
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
  ['id', 'test_id', 'client_id', 'engagement_id', 'page_id', 'page_type', 'industry', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'addenda', 'status', 'invalidated_at', 'invalidation_reason', 'created_at']
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
  /** The offer's Q&A addenda, numbered (issue 28.4). */
  addenda: string | null;
  status: 'draft' | 'final';
  invalidated_at: Date | null;
  invalidation_reason: string | null;
  created_at: Date;
  /** 1: the words are in the hypothesis or tags; 2: elsewhere; 0: no query (newest first). */
  relevance_tier: number;
}

/** Filters the token arrays cannot carry (client, ranges) as SQL; `withClient: false` leaves the client out. */
function rangeSql(f: KnowledgeQuery, withClient = true) {
  const parts = [sql`true`];
  if (withClient && f.clientId) parts.push(sql`k.client_id = ${f.clientId}`);
  if (f.lift_min !== undefined) parts.push(sql`k.lift >= ${f.lift_min}`);
  if (f.lift_max !== undefined) parts.push(sql`k.lift <= ${f.lift_max}`);
  if (f.month_from) parts.push(sql`k.month >= ${f.month_from}`);
  if (f.month_to) parts.push(sql`k.month <= ${f.month_to}`);
  return sql.join(parts, sql` and `);
}

type Col = 'search_head_tokens' | 'search_tokens';
type Where = ReturnType<typeof sql>;
const contains = (col: Col, tokens: string[]) => (tokens.length ? sql`k.${sql.raw(col)} @> ${tokens}::text[]` : sql`true`);

/** A client user's tier walks the client's index at or above this share of matches (bounded by the client's entries). */
const WALK_AT = 0.005;
/** Rows the plan is measured on when the statistics cannot tell, and the table size below which the planner's own choice is fine. */
const SAMPLE_ROWS = 1000;
const PLAN_FROM_ROWS = 50_000;
const STATS_TTL_MS = 5 * 60_000;
type TableStats = { at: number; rows: number; freq: Map<Col, Map<string, number>> };
const statsCache = new WeakMap<Db, TableStats>();

/** Rows of the table and element frequencies of its token arrays (ANALYZE), cached for a few minutes. */
async function tableStats(db: Db): Promise<TableStats> {
  const hit = statsCache.get(db);
  if (hit && Date.now() - hit.at < STATS_TTL_MS) return hit;
  const { rows: size } = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'knowledge_entries'::regclass`.execute(db);
  const { rows } = await sql<{ attname: Col; elems: string[] | null; freqs: number[] | null }>`
    select attname, most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs
      from pg_stats where tablename = 'knowledge_entries' and attname in ('search_tokens', 'search_head_tokens')`.execute(db);
  const freq = new Map<Col, Map<string, number>>();
  for (const r of rows) freq.set(r.attname, new Map((r.elems ?? []).map((e, i) => [e, r.freqs?.[i] ?? 0])));
  const stats = { at: Date.now(), rows: size[0]?.n ?? 0, freq };
  statsCache.set(db, stats);
  return stats;
}

type Plan = 'walk' | 'gin' | 'planner' | 'adaptive';
export interface SearchOptions {
  /** false: the bare query, no plan chosen and every token looked up (the bench's sequential baseline). */
  planned?: boolean;
  /** Table size from which plans are chosen (tests lower it; below it the planner's own choice is fine). */
  planFromRows?: number;
  /** Every tier with this plan (tests: each plan must give the same answer). */
  plan?: Plan;
  /** Rows the adaptive plan walks before the GIN index (tests lower it to reach both halves). */
  adaptiveWalkRows?: number;
}
/** How a search chooses plans: `stats` null = the planner's own choice (small table, or not planned). */
type PlanContext = { stats: TableStats | null; scoped: boolean; force?: Plan; walkRows: number; longPhrase?: boolean };
/** A phrase this long has enough trigrams that the planner's pg_trgm bitmap (one statement) beats any walk. */
const LONG_PHRASE_CHARS = 8;
/** A tier's predicate: the part the GIN index serves (on `col`), and the rest (with or without the client). */
interface TierWhere {
  col: Col;
  index: Where;
  rest: (withClient: boolean) => Where;
  /** Whether the tokens' frequencies in `col` say how many rows match (tier 2, "not in the head", cannot). */
  presetWalk: boolean;
  /** The page cursor's id in this tier (rows older than it), if any. */
  before: number | null;
}

/**
 * A tier's plan, chosen here rather than left to the planner's guess: the planner multiplies token
 * frequencies as if words were independent (`free` and `shipping` are not) and guesses ~0.2% for a
 * token its statistics do not list, so it walks the primary key through every row for a rare word
 * (seconds on 1M entries) or builds a GIN bitmap of 27,000 candidates to keep 20 (~0.4 s). When the
 * statistics settle it — a looked-up token rarer than 0.2% (GIN: few candidates), or tokens so common
 * that even as independent words they match ≥ 1% of the tier's column and nothing else narrows (walk:
 * the 20th match comes within ~2,000 rows) — no more is asked. A phrase of 8+ characters goes to the
 * planner in one statement (its pg_trgm bitmap wins; issue 30: the walk took ~255 ms). Otherwise the
 * tier walks its ~2,000 newest rows and then uses the GIN index below them (`adaptive` in `tier`). A
 * client user's tier counts its matches on a fixed block sample of ~1,000 rows (`tablesample system …
 * repeatable`) and walks the client's index when they are common, else the planner combines the
 * indexes. (The unscoped sample and `preferWalk` are no longer reached: see docs/benchmarks.md.)
 */
async function planOf(db: Db, t: TierWhere, looked: string[], narrowed: boolean, limit: number, o: PlanContext): Promise<Plan> {
  if (o.force) return o.force;
  if (o.longPhrase && !o.scoped) return 'planner';
  const stats = o.stats;
  const freq = stats?.freq.get(t.col);
  if (!stats || !freq || freq.size === 0 || looked.length === 0) return 'planner';
  const freqs = looked.map((x) => freq.get(x) ?? 0);
  if (Math.min(...freqs) < 0.002) return o.scoped ? 'planner' : 'gin';
  if (t.presetWalk && !narrowed && freqs.reduce((p, x) => p * x, 1) >= 0.01) return 'walk';
  // Neither settles it: walk the newest rows a bounded way, then GIN below them (`adaptive` in `tier`).
  // A ~1,000-row sample cannot tell a 0.05% match rate (a long phrase: GIN) from 0.5% (walk), and
  // measuring cost more than most queries.
  if (!o.scoped) return 'adaptive';
  const percent = Math.min(100, (100 * SAMPLE_ROWS) / stats.rows);
  const { rows } = await sql<{ n: number; candidates: number; matches: number }>`
    select count(*)::float8 as n, count(*) filter (where ${t.index})::float8 as candidates,
           count(*) filter (where ${t.index} and ${t.rest(false)})::float8 as matches
      from knowledge_entries k tablesample system (${percent}) repeatable (7)`.execute(db);
  const n = Math.max(1, rows[0]?.n ?? 0);
  const candidates = (rows[0]?.candidates ?? 0) / n;
  const matches = (rows[0]?.matches ?? 0) / n;
  if (o.scoped) return matches >= WALK_AT ? 'walk' : 'planner';
  return preferWalk({ rows: stats.rows, limit, postings: freqs.reduce((sum, x) => sum + x, 0), candidates, matches }) ? 'walk' : 'gin';
}

/** Rows the adaptive plan walks newest-first before it turns to the GIN index (~5 µs each). */
const ADAPTIVE_WALK_ROWS = 2000;

/** One relevance tier, newest first, run with its plan (walk: bitmap scans off; gin: index and sequential scans off). */
async function tier(db: Db, tierNo: number, where: TierWhere, limit: number, plan: Plan, walkRows = ADAPTIVE_WALK_ROWS, range: Where = sql``): Promise<KnowledgeRow[]> {
  if (plan === 'adaptive') {
    // The id of the WALK_ROWS-th newest row (below the cursor): walk down to it — a common match fills
    // the page there — then let the GIN index find the rest below it (a rare match: few candidates).
    const below = where.before !== null ? sql`where k.id < ${where.before}` : sql``;
    const { rows: b } = await sql<{ id: number }>`select k.id from knowledge_entries k ${below} order by k.id desc offset ${walkRows - 1} limit 1`.execute(db);
    const bound = b[0]?.id;
    if (bound === undefined) return tier(db, tierNo, where, limit, 'walk');
    const newest = await tier(db, tierNo, where, limit, 'walk', walkRows, sql`and k.id >= ${bound}`);
    if (newest.length >= limit) return newest;
    return [...newest, ...(await tier(db, tierNo, where, limit - newest.length, 'gin', walkRows, sql`and k.id < ${bound}`))];
  }
  const query = sql<KnowledgeRow>`select ${COLUMNS}, ${tierNo}::int as relevance_tier from knowledge_entries k where ${where.index} and ${where.rest(true)} ${range} order by k.id desc limit ${limit}`;
  if (plan === 'planner') return (await query.execute(db)).rows;
  return db.transaction().execute(async (trx) => {
    if (plan === 'walk') await sql`set local enable_bitmapscan = off`.execute(trx);
    // Both settings in one statement: a round trip is much of a short query's cost.
    else await sql`select set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)`.execute(trx);
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
export async function searchKnowledge(db: Db, f: KnowledgeQuery, opts: SearchOptions = {}): Promise<{ items: KnowledgeRow[]; next_cursor: string | null }> {
  const stats = (opts.planned ?? true) ? await tableStats(db) : null;
  const o: PlanContext = { stats: stats && stats.rows >= (opts.planFromRows ?? PLAN_FROM_ROWS) ? stats : null, scoped: f.clientId !== undefined, force: opts.plan, walkRows: opts.adaptiveWalkRows ?? ADAPTIVE_WALK_ROWS };
  const cursor = decodeCursor(f.cursor) ?? (f.afterId ? { tier: 0, id: f.afterId } : null);
  const ranges = (withClient: boolean) => rangeSql(f, withClient);
  // Anything but tokens that narrows the matches (so token frequencies alone overstate them).
  const narrowed = f.lift_min !== undefined || f.lift_max !== undefined || !!f.month_from || !!f.month_to || cursor !== null;
  const filters = filterTokens(f);
  const query = f.q ? queryTokens(f.q) : null;
  o.longPhrase = [...(query?.phrase ?? '')].length >= LONG_PHRASE_CHARS;
  const rows: KnowledgeRow[] = [];
  if (!query || query.phrase === '') {
    const after = cursor ? sql`and k.id < ${cursor.id}` : sql``;
    if (filters.length) {
      const t0: TierWhere = { col: 'search_head_tokens', index: contains('search_head_tokens', filters), rest: (c) => sql`${ranges(c)} ${after}`, presetWalk: true, before: cursor?.id ?? null };
      rows.push(...(await tier(db, 0, t0, f.limit, await planOf(db, t0, filters, narrowed, f.limit, o), o.walkRows)));
    } else rows.push(...(await sql<KnowledgeRow>`select ${COLUMNS}, 0 as relevance_tier from knowledge_entries k where ${ranges(true)} ${after} order by k.id desc limit ${f.limit}`.execute(db)).rows);
  } else {
    // Tier 1: the looked-up tokens in the hypothesis or tags; tier 2: elsewhere only. Both look up the
    // same tokens, so the tiers never overlap and together hold every entry containing the phrase.
    const looked = [...new Set([...(o.stats ? indexTokens(query.tokens, o.stats.freq.get('search_tokens') ?? new Map()) : query.tokens), ...filters])].sort();
    // The substring recheck as `like '%…%'` (search_text and the phrase are both normalised, so exact):
    // the pg_trgm index on search_text (migration 0031) can then serve it — a long phrase's many
    // trigrams narrow it to a few candidates where its bigram tokens hand over thousands.
    const phrase = sql`k.search_text like ${`%${query.phrase.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`;
    const after = (t: number) => (cursor?.tier === t ? sql`and k.id < ${cursor.id}` : sql``);
    const tiers: [number, TierWhere][] = [];
    if (!cursor || cursor.tier <= 1) tiers.push([1, { col: 'search_head_tokens', index: contains('search_head_tokens', looked), rest: (c) => sql`${phrase} and ${ranges(c)} ${after(1)}`, presetWalk: true, before: cursor?.tier === 1 ? cursor.id : null }]);
    tiers.push([2, { col: 'search_tokens', index: contains('search_tokens', looked), rest: (c) => sql`not (${contains('search_head_tokens', looked)}) and ${phrase} and ${ranges(c)} ${after(2)}`, presetWalk: false, before: cursor?.tier === 2 ? cursor.id : null }]);
    for (const [no, w] of tiers) {
      if (rows.length >= f.limit) break;
      rows.push(...(await tier(db, no, w, f.limit - rows.length, await planOf(db, w, looked, narrowed, f.limit, o), o.walkRows)));
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
// Hypotheses, changes, tags and learnings are typed by people: text columns (formulas neutralised).
const ANONYMISED_COLUMNS: readonly CsvColumn[] = [
  ['id', 'number'], ['industry', 'text'], ['page_type', 'text'], ['month', 'date'], ['hypothesis', 'text'], ['change', 'text'], ['outcome', 'text'],
  ['lift', 'number'], ['ci_low', 'number'], ['ci_high', 'number'], ['tags', 'text'], ['learnings', 'text'],
];
const FULL_COLUMNS: readonly CsvColumn[] = [
  ['id', 'number'], ['client_id', 'number'], ['engagement_id', 'number'], ['test_id', 'number'], ['page_id', 'number'], ...ANONYMISED_COLUMNS.slice(1), ['status', 'text'],
];

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
    return writeCsv(
      ANONYMISED_COLUMNS,
      rows.map((r) => [r.id, r.industry, r.page_type, r.month, r.hypothesis, r.change, r.outcome, r.lift, r.ci_low, r.ci_high, r.tags.join(' '), r.learnings]),
      { bom: true },
    );
  }
  return writeCsv(
    FULL_COLUMNS,
    all.map((r) => [r.id, r.client_id, r.engagement_id, r.test_id, r.page_id, r.industry, r.page_type, r.month, r.hypothesis, r.change, r.outcome, r.lift, r.ci_low, r.ci_high, r.tags.join(' '), r.learnings, r.status]),
    { bom: true },
  );
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
