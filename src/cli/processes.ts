// The long-running processes (API, worker) and migrations, reused by `kaizen dev`.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { buildApp } from '../api/app.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createDb, type Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { reconcileEngagementWorkflows } from '../engagements/engagements.ts';
import { createLogger } from '../logger.ts';
import { dataConverterFor, resolvePayloadKeys } from '../infra/payload-codec.ts';
import { connectClient, createWorker, ensureSearchAttributes } from '../temporal.ts';

export interface Running {
  stop(): Promise<void>;
}

export async function startApi(config: Config, log: Logger, db: Db, temporal: Client): Promise<Running & { url: string }> {
  const app = await buildApp({ db, temporal, config, log });
  const url = await app.listen({ port: config.port, host: config.host });
  return { url, stop: () => app.close() };
}

export async function startWorker(config: Config, log: Logger, db: Db, temporalAddress: string): Promise<Running> {
  const { worker, connection } = await createWorker({
    address: temporalAddress,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: { db },
    log,
    dataConverter: dataConverterFor(resolvePayloadKeys(config)),
  });
  const running = worker.run();
  log.info({ taskQueue: config.taskQueue }, 'worker polling');
  return {
    // Drains: in-flight activities finish (up to the shutdown grace time) before run() resolves.
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

function required(config: Config, command: string) {
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', `is required for "kaizen ${command}" (npm run dev starts embedded services)`);
  if (!config.temporalAddress && command !== 'migrate') {
    throw new ConfigError('TEMPORAL_ADDRESS', `is required for "kaizen ${command}" (npm run dev starts embedded services)`);
  }
  return { databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress };
}

/** Resolves when SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export async function api(): Promise<void> {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = required(config, 'api');
  const log = createLogger(config);
  const db = createDb(databaseUrl, 10, log);
  const temporal = await connectClient(temporalAddress!, config.temporalNamespace, dataConverterFor(resolvePayloadKeys(config)), config.temporalTimeouts);
  const server = await startApi(config, log, db, temporal);
  log.info({ url: server.url }, 'API listening');
  log.info({ signal: await untilSignal() }, 'stopping API');
  await server.stop();
  await temporal.connection.close();
  await db.destroy();
}

export async function worker(): Promise<void> {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = required(config, 'worker');
  const log = createLogger(config);
  const db = createDb(databaseUrl, 10, log);
  const temporal = await connectClient(temporalAddress!, config.temporalNamespace, dataConverterFor(resolvePayloadKeys(config)));
  const started = await reconcileEngagementWorkflows(db, temporal, config.taskQueue);
  if (started) log.warn({ started }, 'started missing engagement workflows');
  const running = await startWorker(config, log, db, temporalAddress!);
  log.info({ signal: await untilSignal() }, 'draining worker');
  await running.stop();
  await temporal.connection.close();
  await db.destroy();
}

export async function migrate(): Promise<void> {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = required(config, 'migrate');
  const log = createLogger(config);
  const db = createDb(databaseUrl, 1);
  try {
    const applied = await migrateToLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date');
  } finally {
    await db.destroy();
  }
  if (temporalAddress) {
    const temporal = await connectClient(temporalAddress, config.temporalNamespace, dataConverterFor(resolvePayloadKeys(config)));
    try {
      const added = await ensureSearchAttributes(temporal, config.temporalNamespace);
      log.info({ added }, 'search attributes registered');
    } finally {
      await temporal.connection.close();
    }
  }
}
