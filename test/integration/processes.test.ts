// Several processes, one behaviour (issue 29): two `kaizen api` processes and two `kaizen worker`
// processes, as a deployment runs them, on one database and one Temporal server. A token revoked
// through one API process is refused by the other at once — with a token cache of a minute, so only
// the broadcast (src/db/revocations.ts) can explain it — and a site key's requests per minute are
// one limit over both API processes (src/site/limits.ts), as is the failed-authentication limit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../src/db/index.ts';
import { freePort } from '../../src/infra/ports.ts';
import { eventually, makeClient, TEST_PAYLOAD_KEYS_ENV, userWithToken } from '../helpers.ts';
import { isolatedDatabase } from '../web/browser.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOP = 'https://shop.example';
const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-processes-'));
const children: ChildProcess[] = [];
let db: Db;
let apiA = '';
let apiB = '';
let out = '';
let workerMetrics = '';

async function start(command: 'api' | 'worker', env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), command], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  children.push(child);
}

beforeAll(async () => {
  const databaseUrl = await isolatedDatabase(inject('databaseUrl'), 2_000_000_000);
  db = createDb(databaseUrl, 2);
  const base = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    KAIZEN_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_ENV,
    KAIZEN_ALLOW_DEMO_VALUES: '1',
    KAIZEN_TASK_QUEUE: `processes-${process.pid}`,
    KAIZEN_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: '0',
    // A minute: a revocation another process sees at once can only have come from the broadcast.
    KAIZEN_TOKEN_CACHE_MS: '60000',
    KAIZEN_AUTH_FAILURES_PER_PREFIX: '6',
  };
  const [portA, portB] = [await freePort(), await freePort()];
  apiA = `http://127.0.0.1:${portA}`;
  apiB = `http://127.0.0.1:${portB}`;
  await start('api', { ...base, PORT: String(portA) });
  await start('api', { ...base, PORT: String(portB) });
  workerMetrics = `127.0.0.1:${await freePort()}`;
  await start('worker', { ...base, KAIZEN_WORKER_METRICS_ADDRESS: workerMetrics });
  await start('worker', base);
  for (const api of [apiA, apiB]) {
    await eventually(async () => (await fetch(`${api}/healthz`).catch(() => undefined))?.ok || undefined, 120_000, 250).catch((err) => {
      throw new Error(`${api} did not start: ${err}\n${out.slice(-3000)}`);
    });
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await db?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const get = (api: string, url: string, headers: Record<string, string> = {}) => fetch(api + url, { headers });

describe('two API processes and two workers', () => {
  it('a token revoked through one API process is refused by the other at once (its cache trusts tokens for a minute)', async () => {
    const admin = await userWithToken(db, 'admin');
    const victim = await userWithToken(db, 'cs_manager');
    // Both processes have the token cached.
    for (const api of [apiA, apiB]) expect((await get(api, '/v1/session', victim.auth)).status).toBe(200);
    const tokenId = (await db.selectFrom('api_tokens').select('id').where('user_id', '=', victim.user.id).executeTakeFirstOrThrow()).id;
    const revoke = await fetch(`${apiA}/v1/tokens/${tokenId}`, { method: 'DELETE', headers: admin.auth });
    expect(revoke.status, await revoke.text()).toBe(200);
    expect((await get(apiA, '/v1/session', victim.auth)).status).toBe(401);
    // The other process: within a few seconds, far inside its one-minute cache.
    await eventually(async () => ((await get(apiB, '/v1/session', victim.auth)).status === 401 ? true : undefined), 10_000, 50);
  });

  it("a site key's requests per minute are one limit over both processes", async () => {
    const cs = await userWithToken(db, 'admin');
    const client = await makeClient(db);
    // The window is the UTC minute: a round that straddles a minute's end proves nothing and is run
    // again with a new key (a loaded machine may take many seconds for it).
    for (let round = 1; ; round++) {
      const created = await fetch(`${apiA}/v1/clients/${client.id}/site-keys`, {
        method: 'POST',
        headers: { ...cs.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ origins: [SHOP], rate_per_minute: 30 }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const { id, key } = (await created.json()) as { id: number; key: string };
      const minute = Math.floor(Date.now() / 60_000);
      const call = (api: string) => get(api, `/v1/site/config?key=${key}`, { origin: SHOP }).then((r) => r.status);
      const onA: number[] = [];
      for (let i = 0; i < 20; i++) onA.push(await call(apiA));
      // Process A adds its count to the shared one within its flush interval.
      await eventually(async () => {
        const { rows } = await sql<{ count: number }>`select count from rate_counters where key = ${`k${id}`} and minute = ${minute}`.execute(db);
        return rows[0]?.count === 20 || Math.floor(Date.now() / 60_000) !== minute ? true : undefined;
      }, 10_000, 50);
      const onB: number[] = [];
      for (let i = 0; i < 20; i++) onB.push(await call(apiB));
      if (Math.floor(Date.now() / 60_000) !== minute && round < 4) continue;
      expect(onA.every((s) => s === 200)).toBe(true);
      // Each process on its own would have admitted all 20.
      expect(onB.filter((s) => s === 200)).toHaveLength(10);
      expect(onB.filter((s) => s === 429)).toHaveLength(10);
      return;
    }
  }, 180_000);

  it('failed authentications count against one limit over both processes', async () => {
    const statuses: number[] = [];
    // Guesses sharing one prefix (the limit per credential prefix is 6 here), half through each process.
    for (let i = 0; i < 4; i++) statuses.push((await get(apiA, '/v1/session', { authorization: `Bearer kzd_samepref${i}xyz` })).status);
    for (let i = 0; i < 4; i++) statuses.push((await get(apiB, '/v1/session', { authorization: `Bearer kzd_samepref${i + 4}xyz` })).status);
    expect(statuses.slice(0, 6).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(6)).toEqual([429, 429]);
  });

  it("a worker serves Temporal's worker metrics for Prometheus (KAIZEN_WORKER_METRICS_ADDRESS)", async () => {
    const text = await eventually(async () => {
      const res = await fetch(`http://${workerMetrics}/metrics`).catch(() => undefined);
      return res?.ok ? await res.text() : undefined;
    }, 60_000, 250);
    expect(text).toMatch(/^temporal_\w+/m);
  });

  it('the workers run the engagements the API processes start', async () => {
    const cs = await userWithToken(db, 'cs_manager');
    const client = await makeClient(db);
    for (const api of [apiA, apiB]) {
      const res = await fetch(`${api}/v1/engagements`, { method: 'POST', headers: { ...cs.auth, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: client.id, offer_mode: 'open', monthly_fee_yen: 500_000 }) });
      expect(res.status, await res.clone().text()).toBe(201);
      const e = (await res.json()) as { id: number };
      await eventually(async () => (await db.selectFrom('cycles').select('id').where('engagement_id', '=', e.id).executeTakeFirst()) ?? undefined, 60_000);
      await fetch(`${api}/v1/engagements/${e.id}/end`, { method: 'POST', headers: { ...cs.auth, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'immediately', reason: 'processes test over' }) });
    }
  }, 150_000);
});
