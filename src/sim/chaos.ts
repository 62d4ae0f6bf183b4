// The chaos run: a real stack of processes (stack.ts), simulated people on the HTTP API (actors.ts)
// taking N engagements through a compressed month and two payout runs with four eyes, while the
// worker is SIGKILLed every few seconds and restarted, and once the whole stack (API, worker,
// Temporal, Postgres) is killed and restarted on its data. Ends with the invariants (invariants.ts),
// recovery times and, when asked, the secrets scan (secrets.ts).
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { ToolPaths } from '../config.ts';
import { createDb, type Db } from '../db/index.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import { dataConverterFor, parsePayloadKeys } from '../infra/payload-codec.ts';
import { ApiClient, rng, sleep, World, type CycleSettings } from './actors.ts';
import { checkInvariants, type Check } from './invariants.ts';
import { scanForSecrets, type SecretsReport } from './secrets.ts';
import { Stack } from './stack.ts';

export interface ChaosOptions {
  engagements: number;
  seed: number;
  /** Worker kills at most (default: until the scenario ends). */
  kills?: number;
  /** Kill the whole stack once, after this many worker kills (default 2; -1 = never). */
  fullStackKillAfter?: number;
  /** Seconds between a recovery and the next kill: [min, max] (default [2, 6]). */
  killGapSeconds?: [number, number];
  settings?: Partial<CycleSettings>;
  visitorsPerArm?: number;
  secretsScan?: boolean;
  /** Where the Temporal CLI is looked up (the caller's Config). */
  tools: ToolPaths;
  /** Keep the run's data folder (Postgres data, Temporal file, logs) for a post-mortem. */
  keepData?: boolean;
  log?: Logger;
  print?: (line: string) => void;
}

export interface Recovery {
  kind: 'worker' | 'stack';
  /** Kill → the restarted process is ready (polling). */
  restartMs: number;
  /** Ready → the first progress written by the worker (null: no progress within the cap, e.g. all waiting for people). */
  progressMs: number | null;
  /** Activities in flight when the process died, and how long after the restart each completed. */
  interrupted: { type: string; ms: number | null }[];
}

export interface ChaosReport {
  ok: boolean;
  checks: Check[];
  recoveries: Recovery[];
  wallMs: number;
  secrets?: SecretsReport;
  apiRetries: number;
  /** Of apiRetries, those the API asked for (409 / 429 / 503 with Retry-After). */
  apiRetriesAsked: number;
  statuses: Record<string, number>;
}

const PROGRESS_CAP_MS = 60_000;

/** Everything the worker writes (not the API alone): changes when interrupted work moves on. */
async function fingerprint(db: Db): Promise<string | undefined> {
  try {
    const { rows } = await sql<{ f: string }>`select concat_ws('/',
      (select count(*) from verdicts), (select count(*) from earnings_ledger), (select count(*) from payout_audit_log),
      (select count(*) from alerts), (select count(*) from hypotheses), (select count(*) from knowledge_entries),
      (select string_agg(phase::text || overdue::text, ',' order by id) from cycles),
      (select string_agg(status::text, ',' order by id) from tests),
      (select string_agg(status::text, ',' order by id) from offers),
      (select string_agg(status::text, ',' order by id) from payout_runs),
      (select string_agg(status::text, ',' order by id) from payout_items)) as f`.execute(db);
    return rows[0]!.f;
  } catch {
    return undefined;
  }
}

/** Activities started by a worker that no longer exists (pending, state STARTED). */
async function startedActivities(client: Client): Promise<{ workflowId: string; runId: string; activityId: string; type: string }[]> {
  const out: { workflowId: string; runId: string; activityId: string; type: string }[] = [];
  try {
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      const d = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: wf.workflowId, runId: wf.runId } });
      for (const a of d.pendingActivities ?? []) {
        if (a.state === 2 /* STARTED */) out.push({ workflowId: wf.workflowId, runId: wf.runId, activityId: a.activityId!, type: a.activityType?.name ?? '?' });
      }
    }
  } catch {
    /* Temporal restarting: nothing measured */
  }
  return out;
}

async function stillPending(client: Client, a: { workflowId: string; runId: string; activityId: string }): Promise<boolean> {
  try {
    const d = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: a.workflowId, runId: a.runId } });
    return (d.pendingActivities ?? []).some((p) => p.activityId === a.activityId);
  } catch {
    return true;
  }
}

async function measureRecovery(db: Db, client: Client, readyAt: number, before: string | undefined, interrupted: Awaited<ReturnType<typeof startedActivities>>) {
  const result = { progressMs: null as number | null, interrupted: interrupted.map((a) => ({ type: a.type, ms: null as number | null })) };
  const left = new Set(interrupted.map((_, i) => i));
  const deadline = Date.now() + PROGRESS_CAP_MS;
  while (Date.now() < deadline && (result.progressMs === null || left.size > 0)) {
    if (result.progressMs === null) {
      const f = await fingerprint(db);
      if (f !== undefined && before !== undefined && f !== before) result.progressMs = Date.now() - readyAt;
      else if (before === undefined && f !== undefined) before = f;
    }
    for (const i of [...left]) {
      if (!(await stillPending(client, interrupted[i]!))) {
        result.interrupted[i]!.ms = Date.now() - readyAt;
        left.delete(i);
      }
    }
    await sleep(200);
  }
  return result;
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const secs = (ms: number | undefined | null) => (ms === undefined || ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function formatRecoveries(recoveries: Recovery[]): string[] {
  const lines: string[] = [];
  for (const kind of ['worker', 'stack'] as const) {
    const rs = recoveries.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    const restart = rs.map((r) => r.restartMs);
    const progress = rs.map((r) => r.progressMs).filter((x): x is number => x !== null);
    const total = rs.filter((r) => r.progressMs !== null).map((r) => r.restartMs + r.progressMs!);
    const acts = rs.flatMap((r) => r.interrupted.map((a) => ({ ...a, fromKill: a.ms === null ? null : r.restartMs + a.ms })));
    const actMs = acts.map((a) => a.ms).filter((x): x is number => x !== null);
    const actFromKill = acts.map((a) => a.fromKill).filter((x): x is number => x !== null);
    lines.push(
      `${kind === 'worker' ? 'worker SIGKILL' : 'whole-stack SIGKILL'} × ${rs.length}: restart (kill → ready) p50 ${secs(percentile(restart, 50))}, max ${secs(Math.max(...restart))}; ` +
        `ready → next progress p50 ${secs(percentile(progress, 50))}, max ${secs(progress.length ? Math.max(...progress) : undefined)}` +
        `${progress.length < rs.length ? ` (${rs.length - progress.length} with nothing to do within ${PROGRESS_CAP_MS / 1000} s)` : ''}; ` +
        `kill → progress p50 ${secs(percentile(total, 50))}, max ${secs(total.length ? Math.max(...total) : undefined)}`,
    );
    lines.push(
      `  activities killed mid-run: ${acts.length}${acts.length ? ` (${[...new Set(acts.map((a) => a.type))].join(', ')}); completed (retried) p50 ${secs(percentile(actMs, 50))}, max ${secs(actMs.length ? Math.max(...actMs) : undefined)} after the new worker was ready; p50 ${secs(percentile(actFromKill, 50))}, max ${secs(actFromKill.length ? Math.max(...actFromKill) : undefined)} after the kill${actMs.length < acts.length ? `, ${acts.length - actMs.length} not within ${PROGRESS_CAP_MS / 1000} s` : ''}` : ''}`,
    );
  }
  return lines;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const t0 = Date.now();
  const rand = rng(opts.seed * 7919 + 1);
  const stack = new Stack({ tools: opts.tools, ...(opts.log ? { log: opts.log } : {}) });
  let db: Db | undefined;
  let temporal: Client | undefined;
  const recoveries: Recovery[] = [];
  try {
    print(`chaos: ${opts.engagements} engagements, seed ${opts.seed}, data ${stack.dataDir}`);
    await stack.startServices();
    await stack.kaizen(['migrate']);
    const created = await stack.kaizen(['users', 'create', '--role', 'admin', '--name', 'Chaos admin']);
    const adminToken = created.trim().split('\n').pop()!.trim();
    const adminId = Number(/created user (\d+)/.exec(created)?.[1] ?? 0);
    await stack.startApi();
    await stack.startWorker();
    db = createDb(stack.databaseUrl, 3);
    temporal = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), dataConverter: dataConverterFor(parsePayloadKeys(stack.payloadKeys)) });
    print(`chaos: stack up in ${secs(Date.now() - t0)} (API ${stack.apiUrl}, Temporal ${stack.temporalAddress})`);

    const api = new ApiClient({ baseUrl: () => stack.apiUrl });
    const world = new World(api, { id: adminId, token: adminToken }, {
      seed: opts.seed,
      settings: opts.settings,
      hackers: Math.max(4, opts.engagements + 2),
      visitorsPerArm: opts.visitorsPerArm,
    });
    await world.setUp();

    // The scenario: every engagement's month in parallel, then two payout runs.
    const runIds: number[] = [];
    let scenarioDone = false;
    const scenario = (async () => {
      const runs = await Promise.all(Array.from({ length: opts.engagements }, (_, i) => world.startEngagement(i)));
      await Promise.all(runs.map((r) => world.runCycle(r)));
      print(`chaos: ${runs.length} cycles done at ${secs(Date.now() - t0)}`);
      const month = tokyoMonthOf(Date.now());
      const [y, m] = month.split('-').map(Number) as [number, number];
      const nextMonth = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
      runIds.push((await world.payoutRun(month, world.financeA, world.financeB, true)).runId);
      await world.invalidateWinner();
      runIds.push((await world.payoutRun(nextMonth, world.financeB, world.financeA, false)).runId);
      print(`chaos: payout runs ${runIds.join(', ')} completed at ${secs(Date.now() - t0)}`);
    })().finally(() => (scenarioDone = true));

    // The chaos: kill the worker, restart it, measure; once, the whole stack.
    const maxKills = opts.kills ?? Number.POSITIVE_INFINITY;
    const fullAfter = opts.fullStackKillAfter ?? 2;
    const [gapMin, gapMax] = opts.killGapSeconds ?? [2, 6];
    const chaos = (async () => {
      let kills = 0;
      let stackKilled = fullAfter < 0;
      while (!scenarioDone && (kills < maxKills || !stackKilled)) {
        await Promise.race([sleep((gapMin + rand() * (gapMax - gapMin)) * 1000), scenario.catch(() => undefined)]);
        if (scenarioDone) break;
        const whole = !stackKilled && kills >= fullAfter;
        if (!whole && kills >= maxKills) continue;
        const killedAt = Date.now();
        const before = await fingerprint(db!);
        if (whole) {
          await stack.killAll();
          stackKilled = true;
          print(`chaos: SIGKILL API, worker, Temporal and Postgres at ${secs(killedAt - t0)}`);
          await sleep(500 + rand() * 1000);
          const { readyAt, failedStarts } = await stack.restartAll();
          for (const f of failedStarts) print(`chaos: a restarted worker exited before polling and was started again: ${f.split('\n').slice(0, 4).join(' | ')}`);
          const interrupted = await startedActivities(temporal!);
          const m = await measureRecovery(db!, temporal!, readyAt, undefined, interrupted);
          recoveries.push({ kind: 'stack', restartMs: readyAt - killedAt, ...m });
          print(`chaos: whole stack back in ${secs(readyAt - killedAt)}, next progress after ${secs(m.progressMs)}`);
        } else {
          await stack.killWorker();
          kills++;
          // What the dead worker was running: still "started" on the server until a timeout.
          const interrupted = await startedActivities(temporal!);
          await sleep(300 + rand() * 1200);
          const { readyAt, failedStarts } = await stack.startWorker();
          for (const f of failedStarts) print(`chaos: a restarted worker exited before polling and was started again: ${f.split('\n').slice(0, 4).join(' | ')}`);
          const m = await measureRecovery(db!, temporal!, readyAt, before, interrupted);
          recoveries.push({ kind: 'worker', restartMs: readyAt - killedAt, ...m });
          print(
            `chaos: worker kill ${kills} at ${secs(killedAt - t0)}: ready after ${secs(readyAt - killedAt)}, progress after ${secs(m.progressMs)}` +
              `${interrupted.length ? `, ${interrupted.length} activities killed mid-run (${interrupted.map((a) => a.type).join(', ')}) done after ${m.interrupted.map((a) => secs(a.ms)).join(', ')}` : ''}`,
          );
        }
      }
    })();
    // Together: a failed restart (chaos) must reach the finally below, not crash the process as an
    // unhandled rejection while the scenario is awaited, leaving Postgres and Temporal running.
    await Promise.all([scenario, chaos]);

    // Worker and API stay up for the checks; the checks read through the API and SQL.
    const checks = await checkInvariants(db, api, world, runIds);
    let secrets: SecretsReport | undefined;
    if (opts.secretsScan) {
      const bankFiles: Buffer[] = [];
      for (const id of runIds) {
        const a = await api.call('GET', `/v1/payout-runs/${id}/zengin`, world.financeA.token);
        if (a.status === 200) bankFiles.push(a.raw);
      }
      secrets = await scanForSecrets({ secrets: world.secrets, logs: stack.logs(), temporal, payloadKeys: stack.payloadKeys, db, bankFiles });
      checks.push({
        name: 'no secrets outside the encrypted columns and the bank file',
        ok: secrets.leaks.length === 0 && secrets.plaintextInEncryptedColumns === 0 && secrets.inBankFile > 0,
        detail:
          `${world.secrets.tokens.length} tokens, ${world.secrets.accountNumbers.length} account numbers, ${world.secrets.holderNames.length} holder names searched in ` +
          `${secrets.scanned.logFiles} logs (${Math.round(secrets.scanned.logBytes / 1024)} KiB), ${secrets.scanned.workflows} histories (${secrets.scanned.payloads} payloads decoded), ` +
          `${secrets.scanned.columns} columns (${secrets.scanned.cells} values); leaks ${secrets.leaks.length}${secrets.leaks.length ? `: ${secrets.leaks.slice(0, 5).map((l) => `${l.kind} in ${l.where}: …${l.context}…`).join(' | ')}` : ''}; ` +
          `account numbers in the bank files ${secrets.inBankFile}`,
      });
    }
    const report: ChaosReport = {
      ok: checks.every((c) => c.ok),
      checks,
      recoveries,
      wallMs: Date.now() - t0,
      secrets,
      apiRetries: api.retries,
      apiRetriesAsked: api.retriesAsked,
      statuses: Object.fromEntries([...api.statusCounts].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
    };
    print('');
    print('invariants:');
    for (const c of checks) print(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    print('recovery:');
    for (const l of formatRecoveries(recoveries)) print(`  ${l}`);
    print(`requests: ${Object.entries(report.statuses).map(([k, v]) => `${v} × ${k}`).join(', ')}; ${report.apiRetries - report.apiRetriesAsked} retried through a kill, ${report.apiRetriesAsked} when the API asked (Retry-After)`);
    print(`wall time ${secs(report.wallMs)}; ${report.ok ? 'all invariants hold' : 'INVARIANTS VIOLATED'}`);
    for (const l of world.log) if (!l.includes('completed')) print(`  note: ${l}`);
    return report;
  } finally {
    await temporal?.connection.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await stack.stop({ keepData: opts.keepData ?? false });
  }
}
