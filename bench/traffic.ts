// Reads that do not grow with traffic, and the cost of one authenticated request: `npm run bench:traffic`.
//
// 1. GET /v1/tests/:id for a test with 10,000 visitors and one with 1,000,000 (visitor facts written
//    in SQL, per-arm aggregates built from them like migration 0013's backfill, then checked against
//    a full recomputation): latency with 1 reader and with 20 concurrent readers, and the ratio.
//    The same for GET /v1/clients/:id/holdout at 10,000 and 1,000,000 visitors of a client.
// 2. GET /v1/me with a bearer token: requests/s with the token → user cache off (every request asks
//    Postgres, as before issue 15) and on, and the ratio.
// The load generator runs in its own process, primed before each clock starts (bench/load.ts).
// Env: BENCH_SECONDS (per measurement, default 5), BENCH_BIG (default 1,000,000 visitors), BENCH_API_LOG
// (info, the default: a line per request to /dev/null as in production; warn: no request lines).
import { sql } from 'kysely';
import { armStats, armStatsFromFacts } from '../src/cycles/traffic.ts';
import { setTokenCacheTtl, TOKEN_CACHE_MS } from '../src/db/token-cache.ts';
import type { Db } from '../src/db/index.ts';
import { fmt, seedClient, seedTest, startBenchStack } from './common.ts';
import { percentile, startLoadGenerator, type LoadGenerator } from './load.ts';
import { loadavg } from 'node:os';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BIG = Number(process.env.BENCH_BIG ?? 1_000_000);

async function fillVisitors(db: Db, testId: number, variants: { id: number }[], visitors: number): Promise<void> {
  const ids = variants.map((v) => v.id);
  // Three metrics on the `order` event (issue 25) and three segment dimensions on every visitor.
  await db.insertInto('test_metrics').values([
    { test_id: testId, position: 0, name: 'conversion', role: 'primary', kind: 'binomial', event: 'order' },
    { test_id: testId, position: 1, name: 'revenue', role: 'secondary', kind: 'mean', event: 'order', cap_percentile: 0.99 },
    { test_id: testId, position: 2, name: 'aov', role: 'guardrail', kind: 'ratio', event: 'order', alpha: 0.05, cap_percentile: 0.99 },
  ] as never).execute();
  await db.updateTable('tests').set({ events: ['order'] }).where('id', '=', testId).execute();
  await sql`
    insert into visitor_facts (test_id, visitor_id, variant_id, exposed, conversions, value_sum, c1, v1, device, visitor_type, source)
    select ${testId}::bigint, 'visitor-' || g, (${ids}::bigint[])[1 + g % ${ids.length}], g % 10 <> 0, (g % 7 = 0)::int, case when g % 7 = 0 then 100 * (1 + g % 50) else 0 end,
           (g % 7 = 0)::int, case when g % 7 = 0 then 100 * (1 + g % 50) else 0 end,
           (array['phone', 'pc', 'tablet'])[1 + g % 3], (array['new', 'returning'])[1 + g % 2], (array['search', 'social', 'ads', 'direct', 'other'])[1 + g % 5]
    from generate_series(1, ${visitors}::int) g`.execute(db);
  // metric_stats as ingest keeps them: per arm × segment × event slot × value bucket.
  await sql`
    insert into metric_stats (test_id, variant_id, segment, ev, bucket, slot, n, conversions, sc, sc2, sv, sv2, scv)
    select test_id, variant_id, g.segment, m.ev, case when m.v < 1 then 0 else least(200, 1 + floor(4 * ln(m.v) / ln(2)))::int end, 0,
           count(*), count(*) filter (where m.c > 0), sum(m.c), sum(m.c * m.c), sum(m.v), sum(m.v * m.v), sum(m.c * m.v)
    from visitor_facts f
    cross join lateral (values (0, f.conversions, f.value_sum), (1, f.c1, f.v1)) as m(ev, c, v)
    cross join lateral (values ('all'), ('device:' || f.device), ('visitor:' || f.visitor_type), ('source:' || f.source)) as g(segment)
    where f.test_id = ${testId}::bigint and f.exposed
    group by 1, 2, 3, 4, 5`.execute(db);
  await sql`
    insert into arm_stats (test_id, variant_id, slot, n, conversions, sum, sum_squares)
    select test_id, variant_id, 0, count(*) filter (where exposed), count(*) filter (where exposed and conversions > 0),
           coalesce(sum(value_sum) filter (where exposed), 0), coalesce(sum(value_sum * value_sum) filter (where exposed), 0)
    from visitor_facts where test_id = ${testId}::bigint group by test_id, variant_id`.execute(db);
  await sql`analyze visitor_facts`.execute(db);
}

/** A client's visitors across its tests (held out ~5%, like holdoutPoint's spread), and its holdout figures like migration 0014's backfill. */
async function fillClientVisitors(db: Db, clientId: number, visitors: number): Promise<void> {
  await sql`
    insert into client_visitors (client_id, visitor_id, holdout, exposed, converted)
    select ${clientId}::bigint, 'visitor-' || g, g % 20 = 0, g % 10 <> 1, g % 7 = 0
    from generate_series(1, ${visitors}::int) g`.execute(db);
  await sql`
    insert into holdout_stats (client_id, holdout, slot, n, conversions)
    select client_id, holdout, 0, count(*) filter (where exposed), count(*) filter (where exposed and converted)
    from client_visitors where client_id = ${clientId}::bigint group by client_id, holdout`.execute(db);
}

async function measure(load: LoadGenerator, url: string, token: string, concurrency: number, seconds = SECONDS) {
  await load.prepare({ url, method: 'GET', headers: { authorization: `Bearer ${token}` }, concurrency, seconds });
  const r = await load.go();
  if (r.failed) console.log(`  failures on ${url} (${concurrency} readers): ${JSON.stringify(r.failures)}`);
  return { rate: r.requests / r.elapsed, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), failed: r.failed, requests: r.requests };
}

const stack = await startBenchStack({ logLevel: process.env.BENCH_API_LOG === 'warn' ? 'warn' : 'info' });
const load = await startLoadGenerator();
let failed = false;
try {
  console.log(`node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${(await import('node:os')).cpus().length} cores)`);
  const s = await seedClient(stack.db);
  const small = await seedTest(stack.db, s);
  const big = await seedTest(stack.db, s);
  const t0 = performance.now();
  await fillVisitors(stack.db, small.testId, small.variants, 10_000);
  await fillVisitors(stack.db, big.testId, big.variants, BIG);
  console.log(`seeded 10,000 and ${fmt(BIG)} visitors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const t of [small, big]) {
    const ok = JSON.stringify(await armStats(stack.db, t.testId)) === JSON.stringify(await armStatsFromFacts(stack.db, t.testId));
    if (!ok) failed = true;
    console.log(`${ok ? 'ok  ' : 'FAIL'} per-arm aggregates of test ${t.testId} equal a full recomputation`);
  }

  console.log('\nGET /v1/tests/:id (one test: variants, per-arm figures, verdict, learnings; 3 metrics, 3 segment dimensions)');
  const reads: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const [name, t] of [['10k', small], ['1M', big], ['10k again', small]] as const) {
    const url = `${stack.address}/v1/tests/${t.testId}`;
    await measure(load, url, s.csToken, 2, 1); // warm-up
    const one = await measure(load, url, s.csToken, 1);
    const twenty = await measure(load, url, s.csToken, 20);
    reads[name] = one;
    console.log(`  ${name.padEnd(10)} 1 reader: p50 ${one.p50.toFixed(2)} ms, p99 ${one.p99.toFixed(2)} ms | 20 readers: p50 ${twenty.p50.toFixed(2)} ms, p99 ${twenty.p99.toFixed(2)} ms, ${fmt(twenty.rate)} reads/s${one.failed + twenty.failed ? ` (${one.failed + twenty.failed} failed)` : ''}`);
    if (one.failed || twenty.failed) failed = true;
  }
  const readRatio = reads['1M']!.p50 / ((reads['10k']!.p50 + reads['10k again']!.p50) / 2);
  console.log(`  read at ${fmt(BIG)} visitors / at 10,000 (p50, 1 reader): ${readRatio.toFixed(2)} (target ≤ 2)`);

  // The holdout report of a client with 10,000 visitors across its tests and of one with BIG.
  const smallClient = await seedClient(stack.db, 'Bench small shop');
  await fillClientVisitors(stack.db, smallClient.clientId, 10_000);
  await fillClientVisitors(stack.db, s.clientId, BIG);
  console.log('\nGET /v1/clients/:id/holdout (the holdout against everyone else, across all the client\'s tests)');
  const holdoutReads: Record<string, number> = {};
  for (const [name, c] of [['10k', smallClient], ['1M', s], ['10k again', smallClient]] as const) {
    const url = `${stack.address}/v1/clients/${c.clientId}/holdout`;
    await measure(load, url, c.csToken, 2, 1); // warm-up
    const one = await measure(load, url, c.csToken, 1);
    holdoutReads[name] = one.p50;
    console.log(`  ${name.padEnd(10)} 1 reader: p50 ${one.p50.toFixed(2)} ms, p99 ${one.p99.toFixed(2)} ms${one.failed ? ` (${one.failed} failed)` : ''}`);
    if (one.failed) failed = true;
  }
  console.log(`  read at ${fmt(BIG)} visitors / at 10,000 (p50): ${(holdoutReads['1M']! / ((holdoutReads['10k']! + holdoutReads['10k again']!) / 2)).toFixed(2)} (target ≤ 2)`);

  console.log('\nGET /v1/me with a bearer token (a trivial authenticated route), 16 connections');
  const me = `${stack.address}/v1/me`;
  const rates: Record<string, number> = {};
  for (const mode of ['cache off', 'cache on', 'cache off', 'cache on'] as const) {
    setTokenCacheTtl(mode === 'cache on' ? TOKEN_CACHE_MS : 0);
    await measure(load, me, s.csToken, 4, 1);
    const r = await measure(load, me, s.csToken, 16);
    rates[mode] = Math.max(rates[mode] ?? 0, r.rate);
    console.log(`  ${mode.padEnd(9)} ${fmt(r.rate)} requests/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms)${r.failed ? ` ${r.failed} failed` : ''}`);
    if (r.failed) failed = true;
  }
  console.log(`  best with the cache / best without: ${(rates['cache on']! / rates['cache off']!).toFixed(2)}x`);
  console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  load.close();
  await stack.close();
}
process.exitCode = failed ? 1 : 0;
