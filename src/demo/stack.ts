// The demo's stack, in one process like `npm run dev` (src/cli/dev.ts) and from the same parts:
// embedded Postgres and the Temporal dev server on the demo's own data folder and ports, migrations,
// the bootstrap admin, the worker, the schedules and the API (which serves the web back office).
// Restarting on the same folder finds every engagement and workflow where it was.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { createDb, type Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ensureBootstrapAdmin, findUserByToken, generateToken } from '../db/users.ts';
import { reconcileEngagementWorkflows } from '../engagements/engagements.ts';
import { ensurePayoutSchedule } from '../payouts/start.ts';
import { ensureNetworkSchedule } from '../network/start.ts';
import { ensureInvoicingSchedule } from '../billing/start.ts';
import { startInfrastructure } from '../infra/index.ts';
import { ensureWebBuild } from '../infra/web-build.ts';
import { createLogger } from '../logger.ts';
import { dataConverterFor, resolvePayloadKeys } from '../infra/payload-codec.ts';
import { connectClient, ensureSearchAttributes } from '../temporal.ts';
import { startApi, startWorker, type Running } from '../cli/processes.ts';

export interface DemoPorts {
  api: number;
  pg: number;
  temporal: number;
  ui: number;
}

/** Defaults beside `npm run dev` (3000 / 54329 / 7233 / 8233): never the same. */
export const DEMO_PORTS: DemoPorts = { api: 3100, pg: 54339, temporal: 7243, ui: 8243 };

export interface DemoStack {
  config: Config;
  log: Logger;
  db: Db;
  temporal: Client;
  apiUrl: string;
  uiUrl: string;
  adminToken: string;
  stop(): Promise<void>;
}

export async function startDemoStack(opts: { dataDir: string; ports: DemoPorts; web: boolean; logLevel?: string }): Promise<DemoStack> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAIZEN_DATA_DIR: opts.dataDir,
    PORT: String(opts.ports.api),
    KAIZEN_PG_PORT: String(opts.ports.pg),
    KAIZEN_TEMPORAL_PORT: String(opts.ports.temporal),
    TEMPORAL_UI_PORT: String(opts.ports.ui),
    // The demo pays through the flaky fake bank unless told otherwise (no file to hand to a bank).
    KAIZEN_BANK_ADAPTER: process.env.KAIZEN_BANK_ADAPTER ?? 'simulated',
    LOG_LEVEL: opts.logLevel ?? process.env.LOG_LEVEL ?? 'warn',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  delete env.KAIZEN_BOOTSTRAP_ADMIN_TOKEN;
  delete env.KAIZEN_BANK_KEY;
  delete env.KAIZEN_PAYLOAD_KEYS;
  const config = loadConfig(env);
  const log = createLogger(config);
  const infra = await startInfrastructure(config, log);
  const stack: Running[] = [infra];
  const stop = async () => {
    for (const r of stack.reverse()) await r.stop().catch((err) => log.error({ err }, 'error while stopping'));
  };
  try {
    const db = createDb(infra.databaseUrl, 10, log);
    stack.push({ stop: () => db.destroy() });
    await migrateToLatest(db);
    const adminToken = await savedAdminToken(config, db);
    await ensureBootstrapAdmin(db, adminToken);
    const temporal = await connectClient(infra.temporalAddress, config.temporalNamespace, dataConverterFor(resolvePayloadKeys(config)));
    stack.push({ stop: () => temporal.connection.close() });
    await ensureSearchAttributes(temporal, config.temporalNamespace);
    stack.push(await startWorker(config, log, db, infra.temporalAddress));
    await ensurePayoutSchedule(temporal, config);
    await ensureInvoicingSchedule(temporal, config);
    await ensureNetworkSchedule(temporal, config);
    await reconcileEngagementWorkflows(db, temporal, config.taskQueue);
    if (opts.web) await ensureWebBuild(log);
    const api = await startApi(config, log, db, temporal);
    stack.push(api);
    return { config, log, db, temporal, apiUrl: api.url, uiUrl: `http://localhost:${config.temporalUiPort}`, adminToken, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function savedAdminToken(config: Config, db: Db): Promise<string> {
  const file = path.join(config.dataDir, 'admin-token');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (await findUserByToken(db, saved)) return saved;
  }
  const token = generateToken();
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
