// Outages, from outside: this file brings up its OWN Postgres and Temporal server through the same
// infrastructure layer as `npm run dev` (never the shared ones other files use), SIGKILLs each as a
// crash would, and asserts what callers get (503 + Retry-After, the database's view instead of a
// hang), that nothing half-done is written, and that the supervisor brings each back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { startInfrastructure, type Infrastructure } from '../../src/infra/index.ts';
import { freePort } from '../../src/infra/ports.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

let dataDir: string;
let infra: Infrastructure;
let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
let temporalPort: number;
let closed = false;
/** The infrastructure's log lines (the supervisor says what it restarts). */
const infraLog: { msg: string; service?: string }[] = [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL of a process and its children, as the kernel's OOM killer or a crash would; resolves once it is gone. */
async function crash(pid: number) {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    /* none */
  }
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await eventually(async () => !alive(pid), 10_000, 50);
}

const postgresPid = () => Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const temporalPid = () => {
  const line = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.includes('start-dev') && l.includes(` --port ${temporalPort} `));
  if (!line) throw new Error('no Temporal dev server process');
  return Number(line.trim().split(/\s+/)[0]);
};

/** A request with how long it took. */
async function timed(method: 'GET' | 'POST', url: string, payload?: object) {
  const started = Date.now();
  const res = await h.app.inject({ method, url, headers: cs.auth, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, headers: res.headers, body: res.json() as any, ms: Date.now() - started };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-outages-'));
  temporalPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_PRETTY: 'false', KAIZEN_DATA_DIR: dataDir, KAIZEN_PG_PORT: String(await freePort()), KAIZEN_TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(await freePort()) };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const config = loadConfig(env);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) infraLog.push(JSON.parse(line));
      done();
    },
  });
  // Restarts wait 15 s here, so the requests below see the outage before the supervisor ends it.
  infra = await startInfrastructure(config, pino({ level: 'info' }, sink), { temporal: true }, { initialDelayMs: 15_000 });
  const db = createDb(infra.databaseUrl, 1);
  await migrateToLatest(db);
  await db.destroy();
  h = await createHarness({ databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress });
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});

afterAll(async () => {
  if (!closed) await h?.close();
  await infra?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an outage of Postgres or Temporal', () => {
  let run: Awaited<ReturnType<ReturnType<typeof cycleDriver>['runToTest']>>;

  it('Temporal killed: reads answer from the database at once, a stop answers 503 and records nothing; after the restart the stop is recorded once', async () => {
    run = await d.runToTest({ test_max_seconds: 3600, interim_check_seconds: 3600 });
    await crash(temporalPid());
    const engagement = await timed('GET', `/v1/engagements/${run.e.id}`);
    expect.soft(engagement.status).toBe(200);
    expect.soft(engagement.body.status).toBe('active');
    expect.soft(engagement.body.workflow).toMatchObject({ workflow_id: run.e.workflow_id, execution_status: 'UNAVAILABLE', live: null });
    expect.soft(engagement.ms).toBeLessThan(8_000);
    const cycle = await timed('GET', `/v1/cycles/${run.cycleId}`);
    expect.soft(cycle.status).toBe(200);
    expect.soft(cycle.body.live).toBeNull();
    expect.soft(cycle.ms).toBeLessThan(8_000);

    const stop = await timed('POST', `/v1/tests/${run.test.id}/stop`, { reason: 'the page is being redesigned' });
    expect.soft(stop.status, JSON.stringify(stop.body)).toBe(503);
    expect.soft(stop.headers['retry-after']).toMatch(/^\d+$/);
    expect.soft(stop.body.error?.code).toBe('service_unavailable');
    expect.soft(stop.body.error?.message).toMatch(/Temporal/);
    expect.soft(stop.ms).toBeLessThan(12_000);
    const stopDecisions = () => h.db.selectFrom('cycle_decisions').select(['summary']).where('test_id', '=', run.test.id).where('kind', '=', 'stop').execute();
    expect.soft((await h.db.selectFrom('tests').select(['stopped_by', 'status']).where('id', '=', run.test.id).executeTakeFirstOrThrow())).toEqual({ stopped_by: null, status: 'running' });
    expect.soft(await stopDecisions()).toEqual([]);

    // The supervisor restarts the server on its SQLite file: the workflows are where they were.
    await eventually(async () => (await timed('GET', `/v1/engagements/${run.e.id}`)).body.workflow?.execution_status === 'RUNNING', 90_000, 500);
    expect(infraLog.some((l) => l.service === 'temporal' && /restart/i.test(l.msg))).toBe(true);
    const again = await eventually(async () => {
      const res = await timed('POST', `/v1/tests/${run.test.id}/stop`, { reason: 'the page is being redesigned' });
      return res.status === 200 ? res : undefined;
    }, 60_000, 1_000);
    expect(again.body).toEqual({ test_id: run.test.id, stopping: true });
    const ended = await eventually(async () => {
      const t = await h.db.selectFrom('tests').select(['status', 'stopped_by', 'stop_reason']).where('id', '=', run.test.id).executeTakeFirstOrThrow();
      return t.status !== 'running' ? t : undefined;
    }, 60_000);
    expect(ended).toMatchObject({ stopped_by: cs.user.id, stop_reason: expect.stringMatching(/stopped by CS: the page is being redesigned/) });
    expect(await stopDecisions()).toEqual([{ summary: `stopped test ${run.test.id}: the page is being redesigned` }]);
  }, 300_000);

  it('Postgres killed: every route answers 503 with Retry-After; the supervisor restarts it and they answer 200 again', async () => {
    await crash(postgresPid());
    for (const [method, url, payload] of [
      ['GET', `/v1/engagements/${run.e.id}`],
      ['GET', '/v1/clients'],
      ['POST', `/v1/tests/${run.test.id}/stop`, { reason: 'the page is being redesigned' }],
    ] as const) {
      const res = await timed(method, url, payload);
      expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body.error.code).toBe('service_unavailable');
      expect(res.body.error.message).toMatch(/database/i);
      expect(res.ms).toBeLessThan(8_000);
    }
    await eventually(async () => (await timed('GET', `/v1/engagements/${run.e.id}`)).status === 200, 60_000, 500);
    expect(infraLog.some((l) => l.service === 'postgres' && /restart/i.test(l.msg))).toBe(true);
  }, 180_000);

  it('stops within 10 s with both servers dead', async () => {
    await h.close();
    closed = true;
    await Promise.all([crash(postgresPid()), crash(temporalPid())]);
    const started = Date.now();
    await infra.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    // Nothing comes back after the stop.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(() => temporalPid()).toThrow();
    expect(alive(postgresPid())).toBe(false);
  });
});
