// Event ingestion at the database's limit: `npm run bench:events`.
//
// One embedded Postgres (temp folder), the real Fastify app on 127.0.0.1, and in the same run, on a
// fresh running 3-arm test each, the same batches of 1,000 events (every 10th batch retried, so
// duplicates must count once) ingested three ways:
//   - database: what Postgres does for the same result with no HTTP at all — COPY of the batch into a
//     staging table, then ONE set-based statement: dedup into test_events, upsert of per-visitor
//     facts, fold of the per-arm aggregates and of the client's holdout figures (variants computed
//     before the clock);
//   - HTTP, user token: POST /v1/tests/:id/events (server-to-server);
//   - HTTP, site key: POST /v1/site/events?key=… with an allowed Origin (the browser SDK's route).
// The load generator is its own process, started and handed its pre-serialised bodies BEFORE the
// clock starts (bench/load.ts); it times from its first request to its last answer. Rounds alternate
// the modes (noisy shared machine); the best round of each is compared. Every run is checked against
// what was sent (events stored, per-visitor facts, per-arm aggregates = full recomputation).
//
// Env: BENCH_BATCHES (default 120 per run), BENCH_ROUNDS (default 2), BENCH_CONCURRENCY (default 4),
// BENCH_RETRY_EVERY (default 10).
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { armStats, armStatsFromFacts, ARM_SLOTS, type TrafficEvent } from '../src/cycles/traffic.ts';
import { holdoutGroupsFromEvents, holdoutReport } from '../src/cycles/impact.ts';
import { createSiteKey } from '../src/db/site-keys.ts';
import { assignVariant } from '../src/domain/assignment.ts';
import { fmt, prng, seedClient, seedTest, startBenchStack } from './common.ts';
import { startLoadGenerator } from './load.ts';

const BATCH_SIZE = 1000;
const VISITORS = 100_000;
const ORIGIN = 'https://bench.example';

/** COPY FROM STDIN of one buffer through node-postgres's submittable interface (no extra package). */
class CopyIn {
  readonly done: Promise<void>;
  private settle!: (err?: Error) => void;
  private err: Error | undefined;
  constructor(
    readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = (e) => (e ? reject(e) : resolve())));
  }
  submit(connection: { query(text: string): void }) {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
  handleCommandComplete() {}
  handleError(err: Error) {
    this.err = err;
  }
  handleReadyForQuery() {
    this.settle(this.err);
  }
}

const copyText = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : String(v).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));

/** The database-only reference: staging COPY + one statement doing what ingestEvents does. */
async function referenceBatch(client: pg.PoolClient, clientId: number, testId: number, copy: Buffer, slot: number): Promise<number> {
  await client.query('begin');
  try {
    const c = new CopyIn('copy stage (event_id, visitor_id, variant_id, type, value) from stdin', copy);
    client.query(c as never);
    await c.done;
    const { rows } = await client.query<{ accepted: number }>(
      `with t as (select status from tests where id = $1::bigint for share),
       ins as (
         insert into test_events (test_id, event_id, visitor_id, type, value, occurred_at)
         select $1::bigint, s.event_id, s.visitor_id, s.type, s.value, now() from stage s
         where exists (select 1 from t where t.status = 'running')
         order by s.event_id
         on conflict (test_id, event_id) do nothing
         returning visitor_id, type, value
       ),
       facts as (
         insert into visitor_facts as f (test_id, visitor_id, variant_id, exposed, conversions, value_sum)
         select $1::bigint, ins.visitor_id, a.variant_id, bool_or(ins.type = 'exposure'), count(*) filter (where ins.type = 'conversion'),
                coalesce(sum(ins.value) filter (where ins.type = 'conversion'), 0)
         from ins join (select distinct visitor_id, variant_id from stage) a on a.visitor_id = ins.visitor_id
         group by ins.visitor_id, a.variant_id
         order by ins.visitor_id
         on conflict (test_id, visitor_id) do update set exposed = f.exposed or excluded.exposed, conversions = f.conversions + excluded.conversions, value_sum = f.value_sum + excluded.value_sum
         where excluded.conversions > 0 or (excluded.exposed and not f.exposed)
         returning old.exposed as old_exposed, old.conversions as old_conversions, old.value_sum as old_value, new.variant_id, new.exposed, new.conversions, new.value_sum
       ),
       delta as (
         select variant_id, sum(exposed::int - coalesce(old_exposed, false)::int) as n,
                sum((exposed and conversions > 0)::int - coalesce(old_exposed and old_conversions > 0, false)::int) as conversions,
                sum(case when exposed then value_sum else 0 end - case when old_exposed then old_value else 0 end) as sum,
                sum(case when exposed then value_sum * value_sum else 0 end - case when old_exposed then old_value * old_value else 0 end) as sum_squares
         from facts group by variant_id
       ),
       arms as (
         insert into arm_stats as s (test_id, variant_id, slot, n, conversions, sum, sum_squares)
         select $1::bigint, d.variant_id, $2::smallint, d.n, d.conversions, d.sum, d.sum_squares from delta d order by d.variant_id
         on conflict (test_id, variant_id, slot) do update set n = s.n + excluded.n, conversions = s.conversions + excluded.conversions, sum = s.sum + excluded.sum, sum_squares = s.sum_squares + excluded.sum_squares
       ),
       cv as (
         insert into client_visitors as c (client_id, visitor_id, holdout, exposed, converted)
         select $3::bigint, ins.visitor_id, false, bool_or(ins.type = 'exposure'), bool_or(ins.type = 'conversion')
         from ins group by ins.visitor_id order by ins.visitor_id
         on conflict (client_id, visitor_id) do update set holdout = c.holdout or excluded.holdout, exposed = c.exposed or excluded.exposed, converted = c.converted or excluded.converted
         where (excluded.holdout and not c.holdout) or (excluded.exposed and not c.exposed) or (excluded.converted and not c.converted)
         returning old.holdout as old_holdout, old.exposed as old_exposed, old.converted as old_converted, new.holdout, new.exposed, new.converted
       ),
       groups as (
         select holdout, sum(n) as n, sum(conversions) as conversions from (
           select holdout, exposed::int as n, (exposed and converted)::int as conversions from cv
           union all
           select old_holdout, -(old_exposed::int), -((old_exposed and old_converted)::int) from cv where old_holdout is not null) x
         group by holdout
       ),
       held as (
         insert into holdout_stats as s (client_id, holdout, slot, n, conversions)
         select $3::bigint, g.holdout, $2::smallint, g.n, g.conversions from groups g where g.n <> 0 or g.conversions <> 0 order by g.holdout
         on conflict (client_id, holdout, slot) do update set n = s.n + excluded.n, conversions = s.conversions + excluded.conversions
       )
       select (select count(*) from ins)::int as accepted`,
      [testId, slot, clientId],
    );
    await client.query('commit');
    return rows[0]!.accepted;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

/** CPU seconds used so far by the embedded Postgres (postmaster, live and reaped children), from /proc. */
function postgresCpuSeconds(dataDir: string): number | undefined {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const master = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const fields = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
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

function makeBatch(batch: number, rand: () => number): TrafficEvent[] {
  const events: TrafficEvent[] = new Array(BATCH_SIZE);
  for (let i = 0; i < BATCH_SIZE; i++) {
    const visitor = `visitor-${Math.floor(rand() * VISITORS)}`;
    events[i] = rand() < 0.15
      ? { event_id: `b${batch}-${i}`, visitor_id: visitor, type: 'conversion', value: 100 * (1 + Math.floor(rand() * 100)) }
      : { event_id: `b${batch}-${i}`, visitor_id: visitor, type: 'exposure' };
  }
  return events;
}

type Mode = 'database' | 'http token' | 'http site key';

const batches = Number(process.env.BENCH_BATCHES ?? 120);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const retryEvery = Number(process.env.BENCH_RETRY_EVERY ?? 10);

const stack = await startBenchStack({ poolSize: concurrency + 4 });
const load = await startLoadGenerator();
let failed = false;
try {
  console.log(`node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const s = await seedClient(stack.db);
  const { key } = await createSiteKey(stack.db, { clientId: s.clientId, origins: [ORIGIN], ratePerMinute: 1_000_000, visitorEventsPerMinute: 100_000, createdBy: s.csId });

  // The batches and the order they are sent in (a retry of an earlier batch after every retryEvery-th).
  const rand = prng(20261201);
  const sent = Array.from({ length: batches }, (_, b) => makeBatch(b, rand));
  const order: number[] = [];
  for (let b = 0; b < batches; b++) {
    order.push(b);
    if (retryEvery > 0 && b % retryEvery === retryEvery - 1) order.push(b - Math.floor(retryEvery / 2));
  }
  const postedPerRun = order.length * BATCH_SIZE;
  console.log(`${batches} batches x ${BATCH_SIZE} events (+${order.length - batches} retried batches) per run, ${concurrency} concurrent requests/connections, ${rounds} rounds`);

  const best: Partial<Record<Mode, number>> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ['database', 'http token', 'http site key'] as Mode[]) {
      const t = await seedTest(stack.db, s);
      // New visitors in every run (the client's visitors span its tests: a later run must not find them known).
      const runSent = sent.map((events) => events.map((e) => ({ ...e, visitor_id: `r${t.testId}-${e.visitor_id}` })));
      const variantOf = new Map<string, number>();
      for (const events of runSent) for (const e of events) if (!variantOf.has(e.visitor_id)) variantOf.set(e.visitor_id, assignVariant(t.testId, e.visitor_id, t.variants).id);
      // Warm-up (untimed): the first two batches.
      const warm = order.slice(0, 2);
      const timed = order.slice(2);
      let elapsed: number;
      let requestsFailed = 0;
      const cpu0 = postgresCpuSeconds(stack.dataDir);
      const node0 = process.cpuUsage();
      if (mode === 'database') {
        const copies = runSent.map((events) => Buffer.from(events.map((e) => `${copyText(e.event_id)}\t${copyText(e.visitor_id)}\t${variantOf.get(e.visitor_id)}\t${e.type}\t${copyText(e.value)}\n`).join('')));
        const p = new pg.Pool({ connectionString: stack.dbUrl, max: concurrency });
        const clients = await Promise.all(Array.from({ length: concurrency }, () => p.connect()));
        for (const c of clients) await c.query(`create temp table stage (event_id text collate "C", visitor_id text collate "C", variant_id bigint, type text, value float8) on commit delete rows`);
        for (const b of warm) await referenceBatch(clients[0]!, s.clientId, t.testId, copies[b]!, 0);
        let next = 0;
        const t0 = performance.now();
        await Promise.all(clients.map(async (c) => {
          while (next < timed.length) await referenceBatch(c, s.clientId, t.testId, copies[timed[next++]!]!, Math.floor(Math.random() * ARM_SLOTS));
        }));
        elapsed = (performance.now() - t0) / 1000;
        for (const c of clients) c.release();
        await p.end();
      } else {
        const site = mode === 'http site key';
        const url = site ? `${stack.address}/v1/site/events?key=${key}` : `${stack.address}/v1/tests/${t.testId}/events`;
        const headers: Record<string, string> = site ? { origin: ORIGIN, 'content-type': 'text/plain;charset=UTF-8' } : { authorization: `Bearer ${s.clientToken}`, 'content-type': 'application/json' };
        const body = (b: number) => JSON.stringify({ events: site ? runSent[b]!.map((e) => ({ test_id: t.testId, ...e })) : runSent[b] });
        await load.prepare({ url, method: 'POST', headers, bodies: warm.map(body), ids: warm, concurrency: 1, seconds: 60 });
        await load.go();
        await load.prepare({ url, method: 'POST', headers, bodies: timed.map(body), ids: timed, concurrency, seconds: 120 });
        const r = await load.go();
        elapsed = r.elapsed;
        requestsFailed = r.failed;
      }
      const node = process.cpuUsage(node0);
      const cpu1 = postgresCpuSeconds(stack.dataDir);
      const rate = (timed.length * BATCH_SIZE) / elapsed;
      best[mode] = Math.max(best[mode] ?? 0, rate);

      // ---- verification against what was sent ----
      const facts = new Map<string, { exposed: boolean; conversions: number; value: number }>();
      const distinct = new Set(order);
      let events = 0;
      for (const b of distinct) {
        for (const e of runSent[b]!) {
          events++;
          let f = facts.get(e.visitor_id);
          if (!f) facts.set(e.visitor_id, (f = { exposed: false, conversions: 0, value: 0 }));
          if (e.type === 'exposure') f.exposed = true;
          else (f.conversions++, (f.value += e.value ?? 0));
        }
      }
      const expected = t.variants.map((v) => ({ variant_id: v.id, arm: v.arm, n: 0, conversions: 0, sum: 0, sum_squares: 0 }));
      for (const [visitor, f] of facts) {
        if (!f.exposed) continue;
        const arm = expected.find((a) => a.variant_id === variantOf.get(visitor))!;
        arm.n++;
        if (f.conversions > 0) arm.conversions++;
        arm.sum += f.value;
        arm.sum_squares += f.value * f.value;
      }
      const stored = await stack.db.selectFrom('test_events').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', t.testId).executeTakeFirstOrThrow();
      const kept = await armStats(stack.db, t.testId);
      const checks = [
        Number(stored.n) === events,
        JSON.stringify(kept) === JSON.stringify(await armStatsFromFacts(stack.db, t.testId)),
        JSON.stringify(kept) === JSON.stringify(expected),
        requestsFailed === 0,
      ];
      const ok = checks.every(Boolean);
      if (!ok) failed = true;
      const perBatch = (seconds: number) => ((seconds * 1000) / timed.length).toFixed(1);
      const cpu = cpu0 !== undefined && cpu1 !== undefined ? `; CPU per batch: ${mode === 'database' ? 'bench client' : 'API'} ${perBatch((node.user + node.system) / 1e6)} ms + Postgres ${perBatch(cpu1 - cpu0)} ms` : '';
      console.log(`round ${round} ${mode.padEnd(13)} ${fmt(rate).padStart(7)} events/s posted (${timed.length} batches in ${elapsed.toFixed(2)} s${cpu}) ${ok ? 'ok' : `FAIL ${JSON.stringify(checks)}`}`);
    }
  }
  const held = await holdoutReport(stack.db, s.clientId);
  const heldOk = JSON.stringify({ holdout: held.holdout, rest: held.rest }) === JSON.stringify(await holdoutGroupsFromEvents(stack.db, s.clientId));
  if (!heldOk) failed = true;
  console.log(`${heldOk ? 'ok  ' : 'FAIL'} the client's holdout figures (${fmt(held.rest.n)} exposed visitors) equal a full recomputation`);
  console.log(`\nbest of ${rounds} rounds, events/s posted (incl. retried duplicates):`);
  console.log(`  database (COPY + one set-based upsert): ${fmt(best.database!)}`);
  console.log(`  HTTP with a user token:                 ${fmt(best['http token']!)}  = ${(best['http token']! / best.database!).toFixed(2)} of the database's`);
  console.log(`  HTTP with a site key:                   ${fmt(best['http site key']!)}  = ${(best['http site key']! / best.database!).toFixed(2)} of the database's`);
  console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${postedPerRun.toLocaleString('en-US')} events posted per run`);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  load.close();
  await stack.close();
}
process.exitCode = failed ? 1 : 0;
