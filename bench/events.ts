// Event ingestion over real HTTP: `npm run bench:events`.
//
// Starts its own embedded Postgres (temp folder, free loopback port), migrates, seeds one running
// 3-arm test, serves the real Fastify app on 127.0.0.1, then a child process (this same file, so the
// load generator does not share the server's event loop or core) posts pre-serialised batches of 1,000 events with fetch
// over a few concurrent connections. Some batches are sent twice (retries) and must count once.
// Bounded: BENCH_BATCHES batches (default 200 = 200k events) or BENCH_SECONDS (default 60), whichever
// comes first. Prints events/s and batch latency, then checks the database against what was sent.
//
// Env: BENCH_BATCHES, BENCH_SECONDS, BENCH_CONCURRENCY (default 4), BENCH_RETRY_EVERY (default 10).
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../src/api/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, ensureDatabase, type Db } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createUserWithToken } from '../src/db/users.ts';
import { assignVariant } from '../src/domain/assignment.ts';
import { startEmbeddedPostgres } from '../src/infra/postgres.ts';
import { createLogger } from '../src/logger.ts';
import { armStats, type TrafficEvent } from '../src/cycles/traffic.ts';
import { freePort } from '../src/infra/ports.ts';

const BATCH_SIZE = 1000;
const VISITORS = 100_000;

interface Job {
  batch: number;
  body: string;
}
interface LoadInput {
  url: string;
  token: string;
  jobs: Job[];
  concurrency: number;
  deadline: number;
}
interface JobResult {
  batch: number;
  status: number;
  ms: number;
  accepted: number;
  duplicates: number;
}

// ---------- load generator (child process) ----------
async function generateLoad(input: LoadInput): Promise<JobResult[]> {
  const results: JobResult[] = [];
  let next = 0;
  const headers = { authorization: `Bearer ${input.token}`, 'content-type': 'application/json' };
  async function connection() {
    while (next < input.jobs.length && Date.now() < input.deadline) {
      const job = input.jobs[next++]!;
      const t0 = performance.now();
      const res = await fetch(input.url, { method: 'POST', headers, body: job.body });
      const body = (await res.json()) as { accepted?: number; duplicates?: number };
      results.push({
        batch: job.batch,
        status: res.status,
        ms: performance.now() - t0,
        accepted: body.accepted ?? 0,
        duplicates: body.duplicates ?? 0,
      });
    }
  }
  await Promise.all(Array.from({ length: input.concurrency }, connection));
  return results;
}

const LOAD_FLAG = '--load-generator';
if (process.argv.includes(LOAD_FLAG)) {
  process.once('message', (input: LoadInput) => {
    generateLoad(input).then(
      (results) => process.send!({ results }, () => process.disconnect()),
      (err: unknown) => process.send!({ error: String((err as Error)?.stack ?? err) }, () => process.disconnect()),
    );
  });
} else {
  await main();
}

// ---------- server side, seeding and checks (main thread) ----------

/** mulberry32: a small seeded PRNG so every run sends the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeBatch(batch: number, rand: () => number): TrafficEvent[] {
  const events: TrafficEvent[] = new Array(BATCH_SIZE);
  for (let i = 0; i < BATCH_SIZE; i++) {
    const visitor = `visitor-${Math.floor(rand() * VISITORS)}`;
    const conversion = rand() < 0.15;
    events[i] = conversion
      ? { event_id: `b${batch}-${i}`, visitor_id: visitor, type: 'conversion', value: 100 * (1 + Math.floor(rand() * 100)) }
      : { event_id: `b${batch}-${i}`, visitor_id: visitor, type: 'exposure' };
  }
  return events;
}

async function seed(db: Db) {
  const client = await db.insertInto('clients').values({ name: 'Bench shop', industry: 'ecommerce' }).returning('id').executeTakeFirstOrThrow();
  const { token } = await createUserWithToken(db, { name: 'bench client', role: 'client', clientId: client.id });
  const cs = (await createUserWithToken(db, { name: 'bench cs', role: 'cs_manager' })).user;
  const engagement = await db
    .insertInto('engagements')
    .values({
      client_id: client.id,
      cs_manager_id: cs.id,
      offer_mode: 'open',
      monthly_fee_yen: 500_000,
      start_month: '2026-12',
      status: 'active',
      workflow_id: 'engagement-bench',
      created_by: cs.id,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const page = await db
    .insertInto('pages')
    .values({ engagement_id: engagement.id, url: 'https://shop.example/', page_type: 'product', baseline_rate: 0.05, daily_visitors: 10_000, value_per_conversion_yen: 3000 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cycle = await db.insertInto('cycles').values({ engagement_id: engagement.id, month: '2026-12', workflow_id: 'cycle-bench' }).returning('id').executeTakeFirstOrThrow();
  const hypothesis = await db
    .insertInto('hypotheses')
    .values({ cycle_id: cycle.id, ordinal: 1, author: 'cs', author_user_id: cs.id, problem: 'bench', page_id: page.id, metric: 'revenue', skills: [], offer_kind: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const offer = await db
    .insertInto('offers')
    .values({ cycle_id: cycle.id, hypothesis_id: hypothesis.id, kind: 'open', brief: 'bench', adoption_fee_yen: 0, win_bonus_yen: 0, submission_fee_yen: 0, deadline: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const test = await db
    .insertInto('tests')
    .values({ offer_id: offer.id, cycle_id: cycle.id, page_id: page.id, metric: 'revenue', planned_sample_total: 100_000, workflow_id: 'test-bench' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const variants = await db
    .insertInto('variants')
    .values([
      { test_id: test.id, arm: 'control', position: 0, weight: 0.5 },
      { test_id: test.id, arm: 'A', position: 1, weight: 0.25 },
      { test_id: test.id, arm: 'B', position: 2, weight: 0.25 },
    ])
    .returning(['id', 'arm', 'position', 'weight'])
    .execute();
  return { testId: test.id, token, variants };
}

/**
 * CPU seconds used so far by the embedded Postgres (postmaster, its live children and the children it
 * has reaped), from /proc; undefined where there is no /proc. The machine may be shared, so wall-clock
 * events/s depends on the neighbours; CPU per event does not.
 */
function postgresCpuSeconds(dataDir: string): number | undefined {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const master = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const fields = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state=0, ppid=1, utime=11, stime=12, cutime=13, cstime=14.
    const own = fields(String(master));
    let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const f = fields(pid);
        if (Number(f[1]) === master) total += Number(f[11]) + Number(f[12]);
      } catch {
        /* exited meanwhile */
      }
    }
    return total / ticks;
  } catch {
    return undefined;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function runLoadGenerator(input: LoadInput): Promise<JobResult[]> {
  return new Promise((resolve, reject) => {
    // Same file, same tsx loader flags, in its own process; the deadline bounds it, and a kill timer
    // bounds it even if a request hangs.
    const child = fork(fileURLToPath(import.meta.url), [LOAD_FLAG], { execArgv: process.execArgv, serialization: 'advanced' });
    const killer = setTimeout(() => child.kill(), input.deadline - Date.now() + 30_000);
    let answer: { results?: JobResult[]; error?: string } | undefined;
    child.once('message', (m: { results?: JobResult[]; error?: string }) => (answer = m));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      if (answer?.results) resolve(answer.results);
      else reject(new Error(answer?.error ?? `load generator exited with ${code}`));
    });
    child.send(input);
  });
}

async function main(): Promise<void> {
  const batches = Number(process.env.BENCH_BATCHES ?? 200);
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
  const retryEvery = Number(process.env.BENCH_RETRY_EVERY ?? 10);

  const log = createLogger({ logLevel: 'warn', logPretty: false }, 'bench');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-bench-'));
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })];
  let failed = false;
  try {
    console.log(`node ${process.version}; starting embedded Postgres in ${dataDir}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    cleanups.unshift(pg.stop);
    const url = new URL(pg.url);
    url.pathname = '/kaizen_bench';
    await ensureDatabase(url.toString());
    const db = createDb(url.toString(), 10);
    cleanups.unshift(() => db.destroy());
    await migrateToLatest(db);
    const { testId, token, variants } = await seed(db);

    // The traffic routes never touch Temporal; a lazy connection to nowhere is never dialled.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const config = { ...loadConfig({ ...process.env, LOG_PRETTY: 'false', LOG_LEVEL: 'warn' }), databaseUrl: url.toString() };
    const app = await buildApp({ db, temporal, config, log });
    cleanups.unshift(() => app.close());
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const endpoint = `${address}/v1/tests/${testId}/events`;

    // Data, serialised up front: `batches` distinct batches plus a retry of every retryEvery-th one.
    const rand = prng(20261201);
    const sent = new Map<number, TrafficEvent[]>();
    const jobs: Job[] = [];
    for (let b = 0; b < batches; b++) {
      const events = makeBatch(b, rand);
      sent.set(b, events);
      const body = JSON.stringify({ events });
      jobs.push({ batch: b, body });
      if (retryEvery > 0 && b % retryEvery === retryEvery - 1) jobs.push({ batch: b - Math.floor(retryEvery / 2), body: JSON.stringify({ events: sent.get(b - Math.floor(retryEvery / 2)) }) });
    }
    const warmup = jobs.slice(0, 2);
    const timed = jobs.slice(2);
    console.log(`${batches} batches x ${BATCH_SIZE} events (+${jobs.length - batches} retried batches), ${concurrency} connections, cap ${seconds} s`);

    await runLoadGenerator({ url: endpoint, token, jobs: warmup, concurrency: 1, deadline: Date.now() + 30_000 });
    const pgCpu0 = postgresCpuSeconds(dataDir);
    const nodeCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = await runLoadGenerator({ url: endpoint, token, jobs: timed, concurrency, deadline: Date.now() + seconds * 1000 });
    const elapsed = (performance.now() - t0) / 1000;
    const nodeCpu = process.cpuUsage(nodeCpu0);
    const pgCpu1 = postgresCpuSeconds(dataDir);

    const bad = results.filter((r) => r.status !== 200);
    const accepted = results.reduce((s, r) => s + r.accepted, 0);
    const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    console.log(`requests: ${results.length} in ${elapsed.toFixed(2)} s (${bad.length} failed)`);
    console.log(`ingested: ${Math.round(accepted / elapsed).toLocaleString('en-US')} new events/s (${accepted} new, ${duplicates} duplicates; ${Math.round((accepted + duplicates) / elapsed).toLocaleString('en-US')} events/s posted)`);
    console.log(`batch latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`);
    const serverCpu = (nodeCpu.user + nodeCpu.system) / 1e6;
    const posted = accepted + duplicates;
    if (pgCpu0 !== undefined && pgCpu1 !== undefined) {
      const pgSeconds = pgCpu1 - pgCpu0;
      console.log(
        `CPU: API process ${serverCpu.toFixed(1)} s, Postgres ${pgSeconds.toFixed(1)} s = ${((1000 * (serverCpu + pgSeconds)) / (posted / 1000)).toFixed(1)} ms per 1,000 events posted ` +
          `(${Math.round(posted / (serverCpu + pgSeconds)).toLocaleString('en-US')} events per CPU-second; the load generator not counted)`,
      );
    } else {
      console.log(`CPU: API process ${serverCpu.toFixed(1)} s (Postgres CPU not measurable here)`);
    }

    // ---- verification against what was acknowledged ----
    const done = new Set<number>([...warmup.map((j) => j.batch), ...results.filter((r) => r.status === 200).map((r) => r.batch)]);
    const facts = new Map<string, { exposed: boolean; conversions: number; value: number }>();
    let events = 0;
    for (const b of done) {
      for (const e of sent.get(b)!) {
        events++;
        let f = facts.get(e.visitor_id);
        if (!f) facts.set(e.visitor_id, (f = { exposed: false, conversions: 0, value: 0 }));
        if (e.type === 'exposure') f.exposed = true;
        else (f.conversions++, (f.value += e.value ?? 0));
      }
    }
    const expectedArms = variants
      .sort((a, b) => a.position - b.position)
      .map((v) => ({ variant_id: v.id, arm: v.arm, n: 0, conversions: 0, sum: 0, sum_squares: 0 }));
    for (const [visitor, f] of facts) {
      if (!f.exposed) continue;
      const arm = expectedArms.find((a) => a.variant_id === assignVariant(testId, visitor, variants).id)!;
      arm.n++;
      if (f.conversions > 0) arm.conversions++;
      arm.sum += f.value;
      arm.sum_squares += f.value * f.value;
    }
    const totals = await db
      .selectFrom('visitor_facts')
      .select((eb) => [eb.fn.countAll<number>().as('visitors'), eb.fn.sum<number>('conversions').as('conversions'), eb.fn.sum<number>('value_sum').as('value_sum')])
      .where('test_id', '=', testId)
      .executeTakeFirstOrThrow();
    const stored = await db.selectFrom('test_events').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', testId).executeTakeFirstOrThrow();
    const expectedTotals = {
      visitors: facts.size,
      conversions: [...facts.values()].reduce((s, f) => s + f.conversions, 0),
      value_sum: [...facts.values()].reduce((s, f) => s + f.value, 0),
    };
    const arms = await armStats(db, testId);
    const checks: [string, unknown, unknown][] = [
      ['stored events', stored.n, events],
      ['new events acknowledged (incl. warm-up)', accepted + warmup.length * BATCH_SIZE, events],
      ['visitor_facts totals', totals, expectedTotals],
      ['armStats', arms, expectedArms],
    ];
    for (const [name, actual, expected] of checks) {
      const ok = JSON.stringify(actual) === JSON.stringify(expected);
      if (!ok) failed = true;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`}`);
    }
    for (const a of arms) console.log(`     ${a.arm.padEnd(8)} n=${a.n} conversions=${a.conversions} sum=${a.sum} sum_squares=${a.sum_squares}`);
    if (bad.length) {
      failed = true;
      console.log(`FAIL ${bad.length} requests failed, e.g. status ${bad[0]!.status}`);
    }
  } catch (err) {
    failed = true;
    console.error(err);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
  process.exitCode = failed ? 1 : 0;
}
