// `npm run bench:cycle [-- --engagements 100 --scale 10 --no-large --no-two-workers --visitors-per-arm 200]`:
// what one monthly improvement cycle costs. N engagements run one full compressed cycle concurrently
// on a throwaway stack of real processes (src/sim/stack.ts: embedded Postgres with
// pg_stat_statements, the Temporal CLI dev server, `kaizen api` and `kaizen worker` as separate
// processes), driven by the chaos harness's simulated people (src/sim/actors.ts: plan, proposals,
// selection, the site's assignments and events, a stop, a learning) through the HTTP API only.
// Printed: cycles completed, failures, wall time, API latency per route, and per cycle: workflow
// tasks, activity tasks and history events (from every history), Postgres statements
// (pg_stat_statements, every process) and API calls. Then 10 × N, and N with two worker processes.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import protoPkg from '@temporalio/proto';
import pg from 'pg';
import { ApiClient, until, World, type ApiAnswer, type CycleSettings, type EngagementRun, type Json } from '../src/sim/actors.ts';
import { untilSignal } from '../src/cli/processes.ts';
import { loadConfig } from '../src/config.ts';
import { percentile } from '../src/sim/chaos.ts';
import { projectRoot, Stack } from '../src/sim/stack.ts';

const { values } = parseArgs({
  options: {
    engagements: { type: 'string', default: '100' },
    scale: { type: 'string', default: '10' },
    large: { type: 'string', description: 'engagements of the large run (default scale × N)' },
    'no-large': { type: 'boolean', default: false },
    'no-two-workers': { type: 'boolean', default: false },
    'visitors-per-arm': { type: 'string', default: '200' },
    'max-in-flight': { type: 'string', default: '64' },
    'deadline-minutes': { type: 'string', description: 'stop waiting for the cycles after this long and report what finished' },
    'test-max-seconds': { type: 'string', default: '3600', description: "each A/B test's maximum duration" },
    'interim-check-seconds': { type: 'string', default: '30', description: 'interval between interim checks of a running test' },
    json: { type: 'string' },
    runs: { type: 'string', default: 'small,large,two', description: 'which runs, in order: small (N, one worker), large (10 × N), two (N, two workers)' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('Usage: npm run bench:cycle -- [--engagements 100] [--scale 10 | --large 1000] [--runs small,large,two] [--no-large] [--no-two-workers] [--visitors-per-arm 200] [--max-in-flight 64] [--deadline-minutes M] [--test-max-seconds 3600] [--interim-check-seconds 30] [--json out.json]\n');
  process.exit(0);
}
const N = Number(values.engagements);
const LARGE = values.large ? Number(values.large) : N * Number(values.scale);
const VISITORS = Number(values['visitors-per-arm']);
const MAX_IN_FLIGHT = Number(values['max-in-flight']);
const DEADLINE_MS = values['deadline-minutes'] ? Number(values['deadline-minutes']) * 60_000 : undefined;

// Windows wide enough that a loaded stack never closes one before the people act (the cost of a
// cycle does not depend on them, except the interim checks, one per interval while a test runs).
// A test ends at its planned sample once the site's traffic is in: +200% is a lift 200 visitors per
// arm can show (planned 354 in all against the winning test's 400; the flat one's 134 never reach
// it, CS stops it). The maximum duration is only the ceiling for a site whose traffic is late: with
// 1,000 engagements sharing the API that takes far longer than 120 s.
const SETTINGS: Partial<CycleSettings> = {
  mde_relative: 2,
  offer_window_seconds: 60,
  selection_seconds: 1800,
  planning_seconds: 1800,
  test_max_seconds: Number(values['test-max-seconds']),
  interim_check_seconds: Number(values['interim-check-seconds']),
  learning_seconds: 30,
};

/** The actors' client, timing every call per route and keeping at most `max` calls in flight. */
class TimedApi extends ApiClient {
  readonly latency = new Map<string, number[]>();
  calls = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(baseUrl: () => string, private readonly max: number) {
    super({ baseUrl, retryForMs: 600_000 });
  }
  override async call(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer> {
    if (this.inFlight >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    const t = performance.now();
    try {
      return await super.call(method, url, token, body, headers);
    } finally {
      const route = `${method} ${url.split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
      const list = this.latency.get(route) ?? [];
      list.push(performance.now() - t);
      this.latency.set(route, list);
      this.calls++;
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}


/**
 * The chaos harness's people (World.runCycle's script), finding a cycle's offers through the cycle's
 * own live view instead of one global offer list (which holds only the first 200 offers: fine for
 * chaos's handful of engagements, not for a thousand).
 */
class LoadWorld extends World {
  private async waitFor(run: EngagementRun, phases: string[], timeoutMs = 900_000) {
    return until(`cycle ${run.cycleId} in ${phases.join('/')}`, async () => phases.includes(await this.phase(run)) && true, timeoutMs, 1000);
  }

  override async runCycle(run: EngagementRun): Promise<void> {
    const clientUser = this.clientUsers.get(run.clientId)!;
    const pages = (await this.api.ok('GET', `/v1/engagements/${run.engagementId}/pages`, this.cs.token)).items;
    await this.waitFor(run, ['planning']);
    const body = {
      hypotheses: [
        { author: 'client', problem: 'Checkout form asks for too much', page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' },
        { author: 'client', problem: 'Landing hero does not say what we sell', page_id: pages[1].id, metric: 'conversion', offer_kind: 'open' },
      ],
    };
    let plan = await this.api.call('POST', `/v1/cycles/${run.cycleId}/plan`, clientUser.token, body);
    // "the cycle is starting; retry in a moment" (its workflow has not taken the update yet).
    for (let i = 0; plan.status === 409 && /retry/.test(plan.raw.toString('utf8')) && i < 300; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      plan = await this.api.call('POST', `/v1/cycles/${run.cycleId}/plan`, clientUser.token, body);
    }
    if (plan.status !== 200 && plan.status !== 201 && !(plan.retried && plan.status === 409)) throw new Error(`plan → ${plan.status}: ${plan.raw}`);
    const offerIds: number[] = await until(`offers of cycle ${run.cycleId}`, async () => {
      const c = await this.api.ok('GET', `/v1/cycles/${run.cycleId}`, this.cs.token);
      const ids = ((c.live?.offers ?? []) as Json[]).map((o) => o.offerId as number);
      return ids.length === 2 ? ids.sort((a, b) => a - b) : undefined;
    }, 900_000, 1000);
    run.offers = offerIds;
    const selections: { offer_id: number; proposal_ids: number[] }[] = [];
    for (const [k, offerId] of offerIds.entries()) {
      const pair = [this.hackers[(run.engagementId + 2 * k) % this.hackers.length]!, this.hackers[(run.engagementId + 2 * k + 1) % this.hackers.length]!];
      const ids: number[] = [];
      for (const [j, h] of pair.entries()) {
        const id = await this.propose(h, offerId, `Idea ${k + 1}.${j + 1} for engagement ${run.engagementId}`, j === 0);
        if (id) ids.push(id);
      }
      if (ids.length) selections.push({ offer_id: offerId, proposal_ids: [ids[0]!] });
    }
    await this.waitFor(run, ['selection']);
    // CS passes what the client selects (issue 23: the client sees and selects only passed proposals).
    for (const id of selections.flatMap((s) => s.proposal_ids)) {
      const r = await this.api.call('POST', `/v1/proposals/${id}/review`, this.cs.token, { decision: 'pass' });
      if (r.status !== 200) throw new Error(`review of proposal ${id} → ${r.status}: ${r.raw}`);
    }
    let sel = await this.api.call('POST', `/v1/cycles/${run.cycleId}/selection`, clientUser.token, { selections });
    for (let i = 0; sel.status === 409 && /retry/.test(sel.raw.toString('utf8')) && i < 300; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      sel = await this.api.call('POST', `/v1/cycles/${run.cycleId}/selection`, clientUser.token, { selections });
    }
    // A retried selection whose first attempt went through: 409, or 400 "… is selected, not submitted".
    const firstWent = sel.retried && (sel.status === 409 || (sel.status === 400 && /is selected, not submitted/.test(sel.raw.toString('utf8'))));
    if (sel.status !== 200 && sel.status !== 201 && !firstWent) throw new Error(`selection → ${sel.status}: ${sel.raw}`);
    const tests = await until(`tests of cycle ${run.cycleId}`, async () => {
      const list = (await this.api.ok('GET', `/v1/tests?engagement_id=${run.engagementId}&limit=100`, this.cs.token)).items.filter((t: Json) => t.cycle_id === run.cycleId);
      return list.length === selections.length ? list : undefined;
    }, 900_000, 1000);
    tests.sort((a: Json, b: Json) => a.offer_id - b.offer_id);
    run.tests = tests.map((t: Json) => t.id);
    const perArm = this.opts.visitorsPerArm ?? 200;
    const [win, flat] = tests;
    run.winnerTestId = win.id;
    await this.sendTraffic(win.id, clientUser.token, perArm, { control: 0.08, A: 0.2 }, `w${run.engagementId}`);
    if (flat) {
      await this.sendTraffic(flat.id, clientUser.token, Math.round(perArm / 3), { control: 0.1, A: 0.1 }, `f${run.engagementId}`);
      await until(`test ${win.id} decided`, async () => (await this.api.ok('GET', `/v1/tests/${win.id}`, this.cs.token)).status !== 'running', 900_000, 1000);
      const stop = await this.api.call('POST', `/v1/tests/${flat.id}/stop`, this.cs.token, { reason: 'no traffic to spare this month' });
      if (stop.status !== 200 && stop.status !== 409) throw new Error(`stop → ${stop.status}: ${stop.raw}`);
    }
    await this.waitFor(run, ['knowledge_capture', 'earnings', 'report', 'completed']);
    if ((await this.phase(run)) === 'knowledge_capture') {
      const l = await this.api.call('POST', `/v1/tests/${win.id}/learnings`, this.cs.token, { learnings: 'Fewer fields beat reassurance badges', tags: ['forms'] });
      if (l.status !== 200 && l.status !== 201 && l.status !== 409) throw new Error(`learnings → ${l.status}: ${l.raw}`);
    }
    await this.waitFor(run, ['completed', 'failed', 'abandoned']);
    run.done = true;
  }
}

interface RunResult {
  engagements: number;
  workers: number;
  completed: number;
  failures: number;
  /** Cycles still running when --deadline-minutes stopped the wait. */
  unfinished: number;
  failureSamples: string[];
  wallMs: number;
  apiCalls: number;
  routes: { route: string; calls: number; p50: number; p95: number; p99: number }[];
  workflows: number;
  workflowTasks: number;
  activityTasks: number;
  historyEvents: number;
  pgStatements: number;
  /** pg_stat_statements calls: select / insert-update-delete / the rest (begin, commit, set, …). */
  pgSplit: { select: number; write: number; other: number };
  topStatements: { calls: number; query: string }[];
  load: [number, number];
}

async function spawnWorker(stack: Stack, n: number): Promise<() => Promise<void>> {
  const file = path.join(stack.logDir, `bench-worker-${n}.log`);
  const out = createWriteStream(file);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), 'worker'], { cwd: projectRoot, env: stack.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const deadline = Date.now() + 180_000;
  const text = () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return ''; // not opened yet
    }
  };
  while (!text().includes('worker polling')) {
    if (child.exitCode !== null) throw new Error(`extra worker exited: ${text().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('extra worker not polling in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
}

async function withPgStatStatements(stack: Stack) {
  await stack.startServices();
  const c = new pg.Client({ connectionString: stack.databaseUrl });
  await c.connect();
  await c.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
  await c.query(`alter system set pg_stat_statements.max = 10000`);
  await c.end();
  // Takes effect on restart (the crash restart is harmless on an empty cluster).
  await stack.killAll();
  await stack.startServices();
  const c2 = new pg.Client({ connectionString: stack.databaseUrl });
  await c2.connect();
  await c2.query('create extension if not exists pg_stat_statements');
  await c2.end();
}

// Ctrl-C or a kill stops the current run's stack too: a bench killed alone left its Postgres,
// Temporal, API and worker running (and loading the machine) after it was gone.
let stopCurrent: (() => Promise<void>) | undefined;
void untilSignal().then(async (signal) => {
  process.stdout.write(`\n${signal}: stopping the stack\n`);
  await stopCurrent?.();
  process.exit(130);
});

async function run(engagements: number, workers: number, print: (l: string) => void): Promise<RunResult> {
  const stack = new Stack({ tools: loadConfig().tools });
  const stopExtra: (() => Promise<void>)[] = [];
  stopCurrent = async () => {
    for (const s of stopExtra) await s().catch(() => undefined);
    await stack.stop();
  };
  const sql = () => {
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    c.on('error', () => undefined); // the stack stopping under it (Ctrl-C) ends the connection
    return c;
  };
  try {
    await withPgStatStatements(stack);
    await stack.kaizen(['migrate']);
    const created = await stack.kaizen(['users', 'create', '--role', 'admin', '--name', 'Bench admin']);
    const adminToken = created.trim().split('\n').pop()!.trim();
    await stack.startApi();
    await stack.startWorker();
    for (let w = 1; w < workers; w++) stopExtra.push(await spawnWorker(stack, w));
    const api = new TimedApi(() => stack.apiUrl, MAX_IN_FLIGHT);
    const world = new LoadWorld(api, { id: 0, token: adminToken }, { seed: 1, settings: SETTINGS, hackers: Math.min(200, engagements + 2), visitorsPerArm: VISITORS, startWaitMs: 1_800_000 });
    await world.setUp();

    const db = sql();
    await db.connect();
    await db.query('select pg_stat_statements_reset()');
    api.latency.clear();
    api.calls = 0;
    const load0 = loadavg()[0]!;
    const t0 = Date.now();
    const failures: string[] = [];
    let completed = 0;
    let last = Date.now();
    const progress = setInterval(() => {
      if (Date.now() - last > 30_000) {
        last = Date.now();
        print(`  … ${completed} completed, ${failures.length} failed, ${api.calls} API calls, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    }, 5_000);
    const all = Promise.all(
      Array.from({ length: engagements }, async (_, i) => {
        try {
          const r = await world.startEngagement(i);
          await world.runCycle(r);
          if ((await world.phase(r)) === 'completed') completed++;
          else failures.push(`engagement ${r.engagementId}: cycle ${r.phases.join(' → ')}`);
        } catch (err) {
          failures.push(String(err).slice(0, 300));
          if (failures.length <= 5) print(`  failure: ${String(err).slice(0, 300)}`);
        }
      }),
    );
    // With --deadline-minutes, the cycles still running then are reported as unfinished (their work so
    // far is in the totals, so per-cycle figures of such a run are upper bounds).
    let timer: NodeJS.Timeout | undefined;
    const hit = await Promise.race([all.then(() => false), new Promise<boolean>((r) => DEADLINE_MS !== undefined && (timer = setTimeout(() => r(true), DEADLINE_MS)))]);
    clearTimeout(timer);
    clearInterval(progress);
    const unfinished = hit ? engagements - completed - failures.length : 0;
    if (hit) print(`  deadline of ${values['deadline-minutes']} min reached: ${completed} completed, ${failures.length} failed, ${unfinished} unfinished`);
    const wallMs = Date.now() - t0;
    const load1 = loadavg()[0]!;
    const apiCalls = api.calls;
    const routes = [...api.latency]
      .map(([route, ms]) => ({ route, calls: ms.length, p50: percentile(ms, 50)!, p95: percentile(ms, 95)!, p99: percentile(ms, 99)! }))
      .sort((a, b) => b.calls - a.calls);

    const { rows } = await db.query<{ calls: string; query: string }>(
      `select s.calls::text, s.query from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = current_database() and s.query not ilike '%pg_stat_statements%' order by s.calls desc`,
    );
    await db.end();
    const pgStatements = rows.reduce((n, r) => n + Number(r.calls), 0);
    const pgSplit = { select: 0, write: 0, other: 0 };
    for (const r of rows) {
      const q = r.query.trimStart().toLowerCase();
      const kind = q.startsWith('select') || q.startsWith('with') ? 'select' : /^(insert|update|delete)/.test(q) ? 'write' : 'other';
      pgSplit[kind] += Number(r.calls);
    }

    // Every history on the server: engagement, cycle and test workflows.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection });
    let workflows = 0;
    let workflowTasks = 0;
    let activityTasks = 0;
    let historyEvents = 0;
    const ids: { workflowId: string; runId: string }[] = [];
    for await (const wf of client.workflow.list()) ids.push({ workflowId: wf.workflowId, runId: wf.runId });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const w = ids[next++];
          if (!w) return;
          const h = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
          workflows++;
          for (const e of h.events ?? []) {
            historyEvents++;
            if (e.eventType === protoPkg.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) workflowTasks++;
            if (e.eventType === protoPkg.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) activityTasks++;
          }
        }
      }),
    );
    await connection.close();
    return {
      engagements,
      workers,
      completed,
      failures: failures.length,
      unfinished,
      failureSamples: failures.slice(0, 5),
      wallMs,
      apiCalls,
      routes,
      workflows,
      workflowTasks,
      activityTasks,
      historyEvents,
      pgStatements,
      pgSplit,
      topStatements: rows.slice(0, 8).map((r) => ({ calls: Number(r.calls), query: r.query.replace(/\s+/g, ' ').slice(0, 140) })),
      load: [load0, load1],
    };
  } finally {
    await stopCurrent();
    stopCurrent = undefined;
  }
}

const perCycle = (r: RunResult, v: number) => (r.completed ? v / r.completed : NaN);
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

function report(r: RunResult, print: (l: string) => void) {
  print(`\n== ${r.engagements} engagements, ${r.workers} worker process${r.workers > 1 ? 'es' : ''} ==`);
  print(`cycles completed ${r.completed}/${r.engagements}, failures ${r.failures}${r.unfinished ? `, unfinished at the deadline ${r.unfinished} (per-cycle figures are upper bounds: their partial work is counted)` : ''}, wall time ${(r.wallMs / 1000).toFixed(0)} s, load ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} (2 cores)`);
  for (const s of r.failureSamples) print(`  failure: ${s}`);
  print(`per cycle: ${f0(perCycle(r, r.workflowTasks))} workflow tasks, ${f0(perCycle(r, r.activityTasks))} activity tasks, ${f0(perCycle(r, r.historyEvents))} history events (${f1(r.workflows / Math.max(1, r.completed))} workflows), ${f0(perCycle(r, r.pgStatements))} Postgres statements, ${f0(perCycle(r, r.apiCalls))} API calls`);
  const site = r.routes.filter((x) => x.route.endsWith('/assignment') || x.route.endsWith('/events')).reduce((n, x) => n + x.calls, 0);
  const reads = r.routes.filter((x) => x.route.startsWith('GET ') && !x.route.endsWith('/assignment')).reduce((n, x) => n + x.calls, 0);
  print(`  API calls per cycle: ${f0(perCycle(r, site))} from the site (assignments, event batches), ${f0(perCycle(r, reads))} other reads (the people polling phases and tests), ${f0(perCycle(r, r.apiCalls - site - reads))} other writes`);
  print(`  statements per cycle: ${f0(perCycle(r, r.pgSplit.select))} select, ${f0(perCycle(r, r.pgSplit.write))} insert/update/delete, ${f0(perCycle(r, r.pgSplit.other))} other (begin/commit/set)`);
  print(`totals: ${r.workflowTasks} workflow tasks, ${r.activityTasks} activity tasks, ${r.historyEvents} history events, ${r.pgStatements} statements, ${r.apiCalls} API calls (${f0(r.apiCalls / (r.wallMs / 1000))}/s)`);
  print('API latency (ms) per route:   calls     p50     p95     p99');
  for (const x of r.routes) print(`  ${x.route.padEnd(42)} ${String(x.calls).padStart(7)} ${x.p50.toFixed(0).padStart(7)} ${x.p95.toFixed(0).padStart(7)} ${x.p99.toFixed(0).padStart(7)}`);
  print('most frequent statements:');
  for (const s of r.topStatements) print(`  ${String(s.calls).padStart(8)}  ${s.query}`);
}

const print = (l: string) => process.stdout.write(`${l}\n`);
print(`bench:cycle: runs ${values.runs} (small: ${N}, large: ${LARGE}, two: ${N} with two workers); ${VISITORS} visitors per arm on the winning test, at most ${MAX_IN_FLIGHT} API calls in flight; tests run at most ${SETTINGS.test_max_seconds} s with an interim check every ${SETTINGS.interim_check_seconds} s`);
const results: RunResult[] = [];
const wanted = new Set(values.runs.split(','));
if (values['no-large']) wanted.delete('large');
if (values['no-two-workers']) wanted.delete('two');
let small: RunResult | undefined;
if (wanted.has('small')) {
  small = await run(N, 1, print);
  results.push(small);
  report(small, print);
}
if (wanted.has('large')) {
  const large = await run(LARGE, 1, print).catch((err) => {
    print(`large run (${LARGE}) failed: ${String(err).slice(0, 500)}`);
    return undefined;
  });
  if (large) {
    results.push(large);
    report(large, print);
    if (small) print(`\nratio ${LARGE}/${N}: wall time × ${(large.wallMs / small.wallMs).toFixed(2)} for × ${(LARGE / N).toFixed(0)} engagements; per cycle: workflow tasks × ${(perCycle(large, large.workflowTasks) / perCycle(small, small.workflowTasks)).toFixed(2)}, statements × ${(perCycle(large, large.pgStatements) / perCycle(small, small.pgStatements)).toFixed(2)}, API calls × ${(perCycle(large, large.apiCalls) / perCycle(small, small.apiCalls)).toFixed(2)}`);
  }
}
if (wanted.has('two')) {
  const two = await run(N, 2, print);
  results.push(two);
  report(two, print);
  if (small) print(`\ntwo workers vs one at N = ${N}: wall time ${(small.wallMs / 1000).toFixed(0)} s → ${(two.wallMs / 1000).toFixed(0)} s (× ${(two.wallMs / small.wallMs).toFixed(2)})`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
process.exit(0);
