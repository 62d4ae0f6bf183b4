// Per-file harness over the shared services (started by test/global-setup.ts with src/stack.ts): a DB
// handle, a Temporal client, a Worker on a private task queue (so files never steal each other's
// tasks) and the Fastify app wired to them. The worker's activities get the harness's config, as
// startStack hands its config to its worker.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { loadConfigWith, type Config } from '../src/config.ts';
import { createDb, type Db } from '../src/db/index.ts';
import { createUserWithToken, issueToken } from '../src/db/users.ts';
import type { Role } from '../src/shared/actor.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { dataConverterFor, parsePayloadKeys } from '../src/infra/payload-codec.ts';
import { connectClient, createRenderWorker, createWorker, installRuntimeLogger, workflowsPath } from '../src/temporal.ts';
import type { ActivityDeps } from '../src/activities/index.ts';
import { startMailCatcher } from '../src/notify/mail-catcher.ts';

export interface Harness {
  config: Config;
  db: Db;
  temporal: Client;
  app: FastifyInstance;
  /** Starts (or restarts) the worker; returns a function that stops it. */
  startWorker(): Promise<() => Promise<void>>;
  /** Stops every worker of this harness (a process dying, as far as Temporal can tell). */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

let bundle: Promise<{ code: string }> | undefined;

/** Payload keys of the test run (the second one only decodes, as after a rotation). */
export const TEST_PAYLOAD_KEYS_ENV = `t2:${Buffer.alloc(32, 2).toString('base64')},t1:${Buffer.alloc(32, 1).toString('base64')}`;
export const TEST_PAYLOAD_KEYS = parsePayloadKeys(TEST_PAYLOAD_KEYS_ENV);
/** The codec every test client and worker uses; replay tests pass it too. */
export const dataConverter = dataConverterFor(TEST_PAYLOAD_KEYS);

/** `databaseUrl`: another database of the cluster (default: the shared one of the run); `temporalAddress`: another Temporal server (a file's own). */
/**
 * `renderWorker`: also a render worker (Chromium) on the harness's render queue; only the render
 * tests ask for it (elsewhere the render workflows of submitted proposals wait, then end failed).
 */
export async function createHarness(
  opts: {
    worker?: boolean; renderWorker?: boolean; deps?: Omit<ActivityDeps, 'db' | 'config'>; databaseUrl?: string; temporalAddress?: string;
    /** The app's and workers' logger (a test that reads every log line passes its own). */
    log?: Logger;
  } = {},
): Promise<Harness> {
  // Expected failures (retried activities, refused updates) log at warn: TEST_LOG_LEVEL=warn shows them.
  const log = opts.log ?? createLogger({ logLevel: (process.env.TEST_LOG_LEVEL as Config['logLevel']) ?? 'error', logPretty: false }, 'test');
  installRuntimeLogger(log);
  const config: Config = {
    ...loadConfigWith({ overrides: { LOG_PRETTY: 'false' } }),
    databaseUrl: opts.databaseUrl ?? inject('databaseUrl'),
    temporalAddress: opts.temporalAddress ?? inject('temporalAddress'),
    temporalNamespace: inject('temporalNamespace'),
    taskQueue: `test-${randomUUID()}`,
    bankKey: randomBytes(32),
    myNumberKey: randomBytes(32),
    payloadKeys: TEST_PAYLOAD_KEYS_ENV,
    preview: { key: randomBytes(32), minutes: 30 },
    // Its own folder (screenshots' blobs): tests never write into the dev data folder.
    dataDir: mkdtempSync(path.join(tmpdir(), 'kaizen-harness-')),
  };
  const db = createDb(config.databaseUrl!, 5);
  // The embedded SMTP server, as startStack runs it: notifications land in this database's mailbox.
  const catcher = await startMailCatcher(db, log);
  config.mail = { ...config.mail, smtpUrl: catcher.url };
  const temporal = await connectClient(config.temporalAddress!, config.temporalNamespace, dataConverter, config.temporalTimeouts);
  const app = await buildApp({ db, temporal, config, log });
  await app.ready();

  const stops = new Set<() => Promise<void>>();
  const startWorker = async () => {
    bundle ??= bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
    const { worker, connection } = await createWorker({
      address: config.temporalAddress!,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      deps: { db, config, ...opts.deps },
      dataConverter,
      log,
      workflowBundle: await bundle,
    });
    const running = worker.run();
    const stop = async () => {
      stops.delete(stop);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    };
    stops.add(stop);
    return stop;
  };
  if (opts.worker !== false) await startWorker();
  if (opts.renderWorker) {
    const { worker, connection, renderer } = await createRenderWorker({
      address: config.temporalAddress!,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      db,
      config,
      log,
      dataConverter,
    });
    const running = worker.run();
    const stop = async () => {
      stops.delete(stop);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await renderer.close();
      await connection.close();
    };
    stops.add(stop);
  }

  return {
    config,
    db,
    temporal,
    app,
    startWorker,
    async stopWorkers() {
      for (const stop of [...stops]) await stop();
    },
    async close() {
      for (const stop of [...stops]) await stop();
      await app.close();
      await temporal.connection.close();
      await catcher.close();
      await db.destroy();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
/** A user of the given role with a fresh token (and a client/hacker to bind to when needed). */
export async function userWithToken(db: Db, role: Role, bind: { clientId?: number; hackerId?: number } = {}) {
  const { user, token } = await createUserWithToken(db, {
    name: `${role} ${++seq}`,
    role,
    clientId: bind.clientId ?? null,
    hackerId: bind.hackerId ?? null,
  });
  return { user, token, auth: { authorization: `Bearer ${token}` } };
}

export async function makeClient(db: Db, name = `Client ${randomUUID().slice(0, 8)}`, industry = 'ecommerce') {
  return db.insertInto('clients').values({ name, industry }).returningAll().executeTakeFirstOrThrow();
}

/** Polls until fn returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, stepMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Finance confirms, by hand, every transfer of the run that was handed to the bank (a transfer is paid
 * only once a result says so), once nothing is left to hand over: through the manual mark route
 * (POST …/items/:itemId/result), which wakes the run's workflow. Answers the confirmed item ids.
 */
export async function confirmTransfers(h: Pick<Harness, 'db' | 'app'>, runId: number, financeUserId: number, timeoutMs = 60_000): Promise<number[]> {
  const items = await eventually(async () => {
    const rows = await h.db.selectFrom('payout_items').select(['id', 'status', 'attempt']).where('run_id', '=', runId).execute();
    return rows.some((r) => r.status === 'pending') || !rows.some((r) => r.status === 'handed_to_bank') ? undefined : rows.filter((r) => r.status === 'handed_to_bank');
  }, timeoutMs);
  const { token } = await issueToken(h.db, financeUserId, { label: 'test: confirm transfers' });
  for (const i of items) {
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/payout-runs/${runId}/items/${i.id}/result`,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `test-confirm-${i.id}-${i.attempt}` },
      payload: { outcome: 'confirmed' },
    });
    if (res.statusCode !== 200) throw new Error(`confirming item ${i.id} of payout run ${runId}: ${res.statusCode} ${res.body}`);
  }
  return items.map((i) => i.id);
}
