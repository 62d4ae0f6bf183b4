// The demo's stack, in one process like `npm run dev` and from the same function (src/stack.ts):
// embedded Postgres and the Temporal dev server on the demo's own data folder and ports, migrations,
// the bootstrap admin, the worker, the render worker, the schedules and the API (which serves the web back office).
// Restarting on the same folder finds every engagement and workflow where it was.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { loadConfigWith, type Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createLogger } from '../logger.ts';
import { startStack } from '../stack.ts';

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
  const config = loadConfigWith({
    overrides: {
      KAIZEN_DATA_DIR: opts.dataDir,
      PORT: String(opts.ports.api),
      KAIZEN_PG_PORT: String(opts.ports.pg),
      KAIZEN_TEMPORAL_PORT: String(opts.ports.temporal),
      TEMPORAL_UI_PORT: String(opts.ports.ui),
      ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}),
    },
    // The demo pays as production does: the transfers go into the run's 全銀 file, and the demo's bank
    // answers with a result file finance imports (src/demo/bank.ts).
    defaults: { LOG_LEVEL: 'warn' },
    // Its own embedded services, admin and keys (under its folder), whatever the shell says.
    unset: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'KAIZEN_BANK_KEY', 'KAIZEN_PAYLOAD_KEYS'],
  });
  const log = createLogger(config);
  // The worker gets this config: the demo's key (under its folder) and its bank adapter.
  // The render worker too: every proposal version gets its PC and phone screenshots for the gallery.
  const stack = await startStack({ config, log, admin: true, worker: true, renderWorker: true, schedules: true, web: opts.web, api: true });
  return {
    config,
    log,
    db: stack.db,
    temporal: stack.temporal,
    apiUrl: stack.apiUrl!,
    uiUrl: `http://localhost:${config.temporalUiPort}`,
    adminToken: stack.adminToken!,
    stop: async () => void (await stack.stop()),
  };
}
