// Knowledge search latency on 1,000,000 entries (a mix of Japanese and English): `npm run bench:knowledge`.
// Starts an embedded Postgres in a temporary folder, migrates, seeds BENCH_KNOWLEDGE entries (default
// 1,000,000) over 200 clients, then times searchKnowledge (what GET /v1/knowledge calls, 20 per page)
// for each kind of query — p50/p95/p99 over BENCH_RUNS runs — and the same queries with index and
// bitmap scans disabled (a sequential scan) for the ratio. Never part of `npm test`. BENCH_KEEP=<folder>
// keeps the seeded database for the next run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { searchKnowledge, type KnowledgeQuery } from '../src/cycles/knowledge.ts';
import { createDb, ensureDatabase, type Db } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadConfigWith } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startStack } from '../src/stack.ts';
import { knowledgeSearchFields } from '../src/domain/cycles/knowledge-search.ts';
import { freePort } from '../src/infra/ports.ts';
import { rng } from '../src/sim/random.ts';

const N = Number(process.env.BENCH_KNOWLEDGE ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const SEQ_RUNS = Number(process.env.BENCH_SEQ_RUNS ?? 3);
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
  for (const idx of ['knowledge_tokens_idx', 'knowledge_head_tokens_idx', 'knowledge_client_idx']) await sql`drop index if exists ${sql.id(idx)}`.execute(db);
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
  await sql`vacuum analyze knowledge_entries`.execute(db);
  return clients;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function time(db: Db, q: Omit<KnowledgeQuery, 'limit'>, runs: number, planned = true) {
  const ms: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = await searchKnowledge(db, { ...q, limit: 20 }, { planned });
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    hits = r.items.length;
  }
  return { ms, hits };
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
    process.stdout.write(`searchKnowledge, 20 per page, ${RUNS} runs per query (p50/p95/p99 ms); seq = same query with index/bitmap scans off, ${SEQ_RUNS} runs (p50).\n\n`);

    const client = clients[7]!;
    const cases: { group: string; label: string; q: Omit<KnowledgeQuery, 'limit'> }[] = [
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
    const byGroup = new Map<string, number[]>();
    const lines: string[] = [];
    for (const c of cases) {
      await time(db, c.q, 2); // warm
      const r = await time(db, c.q, RUNS);
      byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), ...r.ms]);
      await sql`set enable_indexscan = off`.execute(db);
      await sql`set enable_bitmapscan = off`.execute(db);
      const s = await time(db, c.q, SEQ_RUNS, false);
      await sql`reset enable_indexscan`.execute(db);
      await sql`reset enable_bitmapscan`.execute(db);
      const p50 = pct(r.ms, 50);
      lines.push(
        `${c.group.padEnd(12)} ${c.label.padEnd(40)} ${String(r.hits).padStart(2)} hits  p50 ${p50.toFixed(1).padStart(6)}  p95 ${pct(r.ms, 95).toFixed(1).padStart(6)}  p99 ${pct(r.ms, 99).toFixed(1).padStart(6)}   seq p50 ${pct(s.ms, 50).toFixed(0).padStart(6)}  ×${(pct(s.ms, 50) / p50).toFixed(0)}`,
      );
      process.stdout.write(lines[lines.length - 1] + '\n');
    }
    process.stdout.write('\nper group (all runs):\n');
    for (const [g, ms] of byGroup) process.stdout.write(`${g.padEnd(12)} p50 ${pct(ms, 50).toFixed(1).padStart(6)}  p95 ${pct(ms, 95).toFixed(1).padStart(6)}  p99 ${pct(ms, 99).toFixed(1).padStart(6)} ms\n`);
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
