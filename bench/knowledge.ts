// Knowledge search latency on 1,000,000 entries (a mix of Japanese and English): `npm run bench:knowledge`.
// Starts an embedded Postgres in a temporary folder, migrates, seeds `--entries N` (or BENCH_KNOWLEDGE;
// default 1,000,000) entries over 200 clients, then times, interleaved run by run on the same data,
// searchKnowledge (what GET /v1/knowledge calls, 20 per page) and the plain pg_trgm query a Postgres
// engineer would write (`search_text ilike '%…%'` on its GIN trigram index, the filters as plain
// predicates, newest first): p50/p95/p99 per query and per group over `--runs` (BENCH_RUNS) runs, and
// product ÷ pg_trgm at p95. Never part of `npm test`. BENCH_KEEP=<folder> keeps the seeded database.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { searchKnowledge, type KnowledgeQuery } from '../src/cycles/knowledge.ts';
import { createDb, ensureDatabase, type Db } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadConfigWith } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startStack } from '../src/stack.ts';
import { knowledgeSearchFields, normalizeSearchText } from '../src/domain/cycles/knowledge-search.ts';
import { freePort } from '../src/infra/ports.ts';
import { rng } from '../src/sim/random.ts';

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const N = Number(flag('entries') ?? process.env.BENCH_KNOWLEDGE ?? 1_000_000);
const RUNS = Number(flag('runs') ?? process.env.BENCH_RUNS ?? 40);
const CLIENTS = 200;
const INDUSTRIES = ['finance', 'ecommerce', 'travel', 'saas', 'education', 'real-estate', 'media', 'health'];
const PAGE_TYPES = ['form', 'checkout', 'landing', 'product', 'pricing', 'signup'];
const OUTCOMES = ['winner', 'loser', 'inconclusive', 'invalid'];
const TAGS = ['mobile', 'desktop', 'copy', 'layout', 'color', 'trust', 'speed', 'pricing', 'form', 'cta', 'navigation', 'social-proof'];

// The simulations' seeded PRNG, so every run seeds the same data.
const rand = rng(20260401);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const JA = {
  page: ['申込フォーム', 'カート', '商品詳細', '料金ページ', '会員登録', '解約フロー', '検索結果', 'トップページ', '決済画面', 'お問い合わせ', '予約画面', '資料請求'],
  object: ['ボタン', 'バナー', '入力項目', '見出し', 'メイン画像', '送料表示', '価格表', 'レビュー', 'チャット', 'ナビゲーション', 'ボタン文言', '申込ボタン'],
  action: ['の色を変更', 'を大きくした', 'を削除', 'を上部に移動', 'を追加', 'を短くした', 'を分かりやすくした', 'の文言を変更', 'を固定表示にした'],
  result: ['完了率が上がった', '離脱が減った', '変化なし', 'CVRが改善', 'クリック率が下がった', '問い合わせが増えた', '解約率が下がった'],
  segment: ['スマホ', 'PC', '新規客', 'リピーター', '法人', '学生', '高齢者', '夜間'],
};
const EN = {
  page: ['checkout', 'cart', 'product page', 'pricing page', 'signup form', 'landing page', 'search results', 'booking page'],
  object: ['Button', 'banner', 'form fields', 'headline', 'hero image', 'shipping cost', 'price table', 'reviews', 'live chat', 'navigation', 'trust badges'],
  action: ['color changed', 'made larger', 'removed', 'moved to the top', 'added', 'shortened', 'simplified', 'copy rewritten', 'made sticky'],
  result: ['completion rate up', 'fewer drop-offs', 'no change', 'conversion improved', 'clicks down', 'more free shipping orders'],
  segment: ['mobile', 'desktop', 'new visitors', 'returning customers', 'business buyers', 'students'],
};

function entryText() {
  if (rand() < 0.7) {
    const hypothesis = `${pick(JA.segment)}向け${pick(JA.page)}の${pick(JA.object)}${pick(JA.action)}と${pick(JA.result)}`;
    const change = `A: ${pick(JA.object)}${pick(JA.action)}; B: ${pick(JA.object)}${pick(JA.action)}`;
    const learnings = rand() < 0.3 ? `${pick(JA.page)}では${pick(JA.object)}より${pick(JA.object)}が効く。${pick(JA.result)}` : null;
    return { hypothesis, change, learnings };
  }
  const hypothesis = `${pick(EN.object)} on the ${pick(EN.page)} ${pick(EN.action)} for ${pick(EN.segment)}: ${pick(EN.result)}`;
  const change = `A: ${pick(EN.object)} ${pick(EN.action)}; B: ${pick(EN.object)} ${pick(EN.action)}`;
  const learnings = rand() < 0.3 ? `On the ${pick(EN.page)}, ${pick(EN.object)} beats ${pick(EN.object)}. ${pick(EN.result)}` : null;
  return { hypothesis, change, learnings };
}

async function seed(db: Db) {
  const cs = await db.insertInto('users').values({ name: 'bench cs', role: 'cs_manager', client_id: null, hacker_id: null }).returning('id').executeTakeFirstOrThrow();
  const clients: { id: number; industry: string; engagement: number; page: number }[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const industry = INDUSTRIES[i % INDUSTRIES.length]!;
    const c = await db.insertInto('clients').values({ name: `Bench client ${i}`, industry }).returning('id').executeTakeFirstOrThrow();
    const e = await db
      .insertInto('engagements')
      .values({ client_id: c.id, cs_manager_id: cs.id, offer_mode: 'open', monthly_fee_yen: 500_000, start_month: '2024-01', status: 'active', workflow_id: `bench-${i}`, created_by: cs.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const p = await db.insertInto('pages').values({ engagement_id: e.id, url: `https://client${i}.example.jp/form`, page_type: 'form', baseline_rate: 0.05, daily_visitors: 1000, value_per_conversion_yen: 5000 }).returning('id').executeTakeFirstOrThrow();
    clients.push({ id: c.id, industry, engagement: e.id, page: p.id });
  }
  for (const idx of ['knowledge_tokens_idx', 'knowledge_head_tokens_idx', 'knowledge_client_idx', 'knowledge_text_trgm_idx']) await sql`drop index if exists ${sql.id(idx)}`.execute(db);
  const BATCH = 1000;
  for (let done = 0; done < N; done += BATCH) {
    const rows = [];
    for (let i = 0; i < Math.min(BATCH, N - done); i++) {
      const c = clients[Math.floor(rand() * clients.length)]!;
      const t = entryText();
      const tags = [pick(TAGS), pick(TAGS)].filter((x, j, a) => a.indexOf(x) === j);
      const page_type = pick(PAGE_TYPES);
      const outcome = pick(OUTCOMES);
      const lift = outcome === 'invalid' ? null : Math.round((rand() * 0.4 - 0.1) * 1000) / 1000;
      const month = `20${20 + Math.floor(rand() * 6)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}`;
      rows.push({
        ...t,
        ...knowledgeSearchFields({ ...t, tags, page_type, outcome, industry: c.industry, month }),
        tags,
        page_type,
        outcome,
        lift,
        ci_low: lift === null ? null : lift - 0.05,
        ci_high: lift === null ? null : lift + 0.05,
        test_id: null,
        client_id: c.id,
        engagement_id: c.engagement,
        page_id: c.page,
        industry: c.industry,
        month,
        status: 'final' as const,
      });
    }
    await db.insertInto('knowledge_entries').values(rows).execute();
    if ((done / BATCH) % 100 === 0) process.stdout.write(`  seeded ${done.toLocaleString('en')}\n`);
  }
  await sql`set maintenance_work_mem = '1GB'`.execute(db);
  await sql`create index knowledge_tokens_idx on knowledge_entries using gin (search_tokens)`.execute(db);
  await sql`create index knowledge_head_tokens_idx on knowledge_entries using gin (search_head_tokens)`.execute(db);
  await sql`create index knowledge_client_idx on knowledge_entries (client_id, id)`.execute(db);
  await sql`create index knowledge_text_trgm_idx on knowledge_entries using gin (search_text gin_trgm_ops)`.execute(db);
  await sql`vacuum analyze knowledge_entries`.execute(db);
  return clients;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

type Case = Omit<KnowledgeQuery, 'limit'>;
// The columns searchKnowledge returns (not the search columns), so both fetch the same rows.
const TRGM_COLUMNS = sql.raw(
  ['id', 'test_id', 'client_id', 'engagement_id', 'page_id', 'page_type', 'industry', 'month', 'hypothesis', 'change', 'outcome', 'lift', 'ci_low', 'ci_high', 'tags', 'learnings', 'addenda', 'status', 'invalidated_at', 'invalidation_reason', 'created_at']
    .map((c) => `k.${c}`)
    .join(', '),
);

/** The plain pg_trgm query: the normalised phrase as `ilike '%…%'` on search_text, filters as columns, newest first. */
function trgmQuery(db: Db, q: Case) {
  const like = `%${normalizeSearchText(q.q ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const parts = [sql`k.search_text ilike ${like}`];
  if (q.industry) parts.push(sql`k.industry = ${q.industry}`);
  if (q.page_type) parts.push(sql`k.page_type = ${q.page_type}`);
  if (q.outcome) parts.push(sql`k.outcome = ${q.outcome}`);
  if (q.lift_min !== undefined) parts.push(sql`k.lift >= ${q.lift_min}`);
  if (q.tags?.length) parts.push(sql`k.tags @> ${q.tags}::text[]`);
  if (q.month_from) parts.push(sql`k.month >= ${q.month_from}`);
  if (q.month_to) parts.push(sql`k.month <= ${q.month_to}`);
  if (q.clientId) parts.push(sql`k.client_id = ${q.clientId}`);
  return sql<{ id: number }>`select ${TRGM_COLUMNS} from knowledge_entries k where ${sql.join(parts, sql` and `)} order by k.id desc limit 20`.execute(db);
}

const ms = async (f: () => Promise<{ rows?: unknown[]; items?: unknown[] }>) => {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, hits: (r.rows ?? r.items ?? []).length };
};

/** Product and pg_trgm run by run, alternating which goes first, so load affects both alike. */
async function time(db: Db, q: Case, runs: number) {
  const product: number[] = [];
  const trgm: number[] = [];
  let hits = [0, 0];
  for (let i = 0; i < runs; i++) {
    const p = () => ms(() => searchKnowledge(db, { ...q, limit: 20 }));
    const t = () => ms(() => trgmQuery(db, q));
    const [a, b] = i % 2 === 0 ? [await p(), await t()] : [await t(), await p()].reverse();
    product.push(a!.ms);
    trgm.push(b!.ms);
    hits = [a!.hits, b!.hits];
  }
  return { product, trgm, hits };
}

/** The project's one bring-up with Postgres alone (its own data folder and port; no Temporal, no migrations). */
async function postgresOnly(dataDir: string) {
  const config = loadConfigWith({ overrides: { KAIZEN_DATA_DIR: dataDir, KAIZEN_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn', LOG_PRETTY: '0' }, unset: ['DATABASE_URL'] });
  const stack = await startStack({ config, log: createLogger(config, 'bench'), temporal: false, migrate: false, poolSize: 1 });
  return { url: stack.databaseUrl, stop: () => stack.stop() };
}

async function main() {
  // BENCH_KEEP=<folder>: keep the seeded database there and reuse it on the next run (seeding 1M takes minutes).
  const keep = process.env.BENCH_KEEP;
  const dir = keep ? path.resolve(keep) : mkdtempSync(path.join(tmpdir(), 'kaizen-bench-knowledge-'));
  const pg = await postgresOnly(dir);
  try {
    const url = new URL(pg.url);
    url.pathname = '/bench_knowledge';
    await ensureDatabase(url.toString());
    const db = createDb(url.toString(), 1);
    await migrateToLatest(db);
    let t0 = Date.now();
    const seeded = await sql<{ n: number }>`select count(*)::int as n from knowledge_entries`.execute(db);
    const clients =
      keep && seeded.rows[0]!.n === N
        ? (await sql<{ id: number; industry: string; engagement: number; page: number }>`
            select c.id::int, c.industry, e.id::int as engagement, p.id::int as page from clients c join engagements e on e.client_id = c.id join pages p on p.engagement_id = e.id order by c.id`.execute(db)).rows
        : await seed(db);
    const { rows: size } = await sql<{ total: string; idx: string }>`
      select pg_size_pretty(pg_total_relation_size('knowledge_entries')) as total, pg_size_pretty(pg_indexes_size('knowledge_entries')) as idx`.execute(db);
    process.stdout.write(`\nKnowledge search bench: ${N.toLocaleString('en')} entries (70% Japanese, 30% English) over ${CLIENTS} clients, seeded and indexed in ${((Date.now() - t0) / 1000).toFixed(0)} s; table ${size[0]!.total} (indexes ${size[0]!.idx}).\n`);
    process.stdout.write(`${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; searchKnowledge vs plain pg_trgm, 20 per page, ${RUNS} runs each per query, interleaved (ms).\n\n`);

    const client = clients[7]!;
    const cases: { group: string; label: string; q: Case }[] = [
      ...['解約', '申込', '送料', '法人'].map((q) => ({ group: 'ja 2 chars', label: q, q: { q } })),
      ...['ボタン', 'カート', 'バナー', 'フォーム'].map((q) => ({ group: 'ja 3-4 chars', label: q, q: { q } })),
      ...['申込フォームの入力項目を短くした', 'スマホ向けカートの送料表示を追加'].map((q) => ({ group: 'ja 10+ chars', label: q, q: { q } })),
      ...['checkout', 'BUTTON', 'shipping'].map((q) => ({ group: 'en word', label: q, q: { q } })),
      ...['free shipping', 'hero image made larger'].map((q) => ({ group: 'en phrase', label: q, q: { q } })),
      ...['ゾンビ', '存在しない項目', 'xylophone', '解約ゾンビ'].map((q) => ({ group: 'no match', label: q, q: { q } })),
      { group: 'filters', label: 'ボタン + finance + winner + lift ≥ 0.1', q: { q: 'ボタン', industry: 'finance', outcome: 'winner', lift_min: 0.1 } },
      { group: 'filters', label: '解約 + tag cta + 2023', q: { q: '解約', tags: ['cta'], month_from: '2023-01', month_to: '2023-12' } },
      { group: 'filters', label: 'checkout + pricing page type', q: { q: 'checkout', page_type: 'pricing' } },
      { group: 'client user', label: 'ボタン (one client)', q: { q: 'ボタン', clientId: client.id } },
      { group: 'client user', label: '解約 (one client)', q: { q: '解約', clientId: client.id } },
      { group: 'client user', label: 'ゾンビ (one client, no match)', q: { q: 'ゾンビ', clientId: client.id } },
    ];
    const byGroup = new Map<string, { product: number[]; trgm: number[] }>();
    const f = (x: number) => x.toFixed(1).padStart(6);
    const three = (xs: number[]) => `${f(pct(xs, 50))} ${f(pct(xs, 95))} ${f(pct(xs, 99))}`;
    process.stdout.write(`${'group'.padEnd(12)} ${'query'.padEnd(40)} hits   product p50/p95/p99    pg_trgm p50/p95/p99   ÷ p95\n`);
    for (const c of cases) {
      await time(db, c.q, 2); // warm
      const r = await time(db, c.q, RUNS);
      const g = byGroup.get(c.group) ?? { product: [], trgm: [] };
      g.product.push(...r.product);
      g.trgm.push(...r.trgm);
      byGroup.set(c.group, g);
      process.stdout.write(
        `${c.group.padEnd(12)} ${c.label.padEnd(40)} ${String(r.hits[0]).padStart(2)}/${String(r.hits[1]).padStart(2)}  ${three(r.product)}  ${three(r.trgm)}  ×${(pct(r.product, 95) / pct(r.trgm, 95)).toFixed(2)}\n`,
      );
    }
    process.stdout.write('\nper group (all runs):\n');
    for (const [g, r] of byGroup) process.stdout.write(`${g.padEnd(12)} product ${three(r.product)}   pg_trgm ${three(r.trgm)}   product ÷ pg_trgm at p95 ×${(pct(r.product, 95) / pct(r.trgm, 95)).toFixed(2)}\n`);
    t0 = Date.now();
    await db.destroy();
  } finally {
    await pg.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
