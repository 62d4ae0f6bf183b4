// The API and the workers as processes of their own (`kaizen api`, `kaizen worker`, `kaizen render-worker`: production, and
// the chaos harness's child processes) and `kaizen migrate`; each is startStack (src/stack.ts) on
// external services, with the configuration loaded once here.
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createDb } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { dataConverterFor, resolvePayloadKeys } from '../infra/payload-codec.ts';
import { startStack } from '../stack.ts';
import { connectClient, ensureSearchAttributes } from '../temporal.ts';

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
  const { config, log } = external('api');
  const stack = await startStack({ config, log, migrate: false, api: true });
  log.info({ url: stack.apiUrl }, 'API listening');
  log.info({ signal: await untilSignal() }, 'stopping API');
  await stack.stop();
}

export async function worker(): Promise<void> {
  const { config, log } = external('worker');
  const stack = await startStack({ config, log, migrate: false, worker: true, reconcile: true });
  log.info({ signal: await untilSignal() }, 'draining worker');
  await stack.stop();
}

/** Only the render worker (proposal screenshots in Chromium): run as many as rendering needs. */
export async function renderWorker(): Promise<void> {
  const { config, log } = external('render-worker');
  const stack = await startStack({ config, log, migrate: false, renderWorker: true });
  log.info({ signal: await untilSignal() }, 'draining render worker');
  await stack.stop();
}

/** The configuration of a process on external services (DATABASE_URL and TEMPORAL_ADDRESS given). */
function external(command: 'api' | 'worker' | 'render-worker'): { config: Config; log: Logger } {
  const config = loadConfig();
  required(config, command);
  return { config, log: createLogger(config) };
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
