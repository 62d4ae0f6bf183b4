// Brings up what the configuration leaves unset: an embedded Postgres when DATABASE_URL is absent, a
// Temporal dev server when TEMPORAL_ADDRESS is absent. Both keep their data under the data folder.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { ensureDatabase } from '../db/index.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { startTemporalDevServer } from './temporal-server.ts';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  /** Whether we started the Temporal dev server (and so its Web UI). */
  embeddedTemporal: boolean;
  stop(): Promise<void>;
}

export async function startInfrastructure(
  config: Config,
  log: Logger,
  want: { temporal: boolean } = { temporal: true },
): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'error while stopping'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
      stops.push(pg.stop);
      databaseUrl = pg.url.replace(/\/postgres$/, '/kaizen');
      await ensureDatabase(databaseUrl);
      log.info({ port: config.embeddedPgPort, dir: path.join(config.dataDir, 'pg') }, 'embedded Postgres up');
    }
    let temporalAddress = config.temporalAddress ?? '';
    if (!temporalAddress && want.temporal) {
      const server = await startTemporalDevServer({
        toolsDir: config.toolsDir,
        namespace: config.temporalNamespace,
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        log,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      log.info({ address: temporalAddress }, 'Temporal dev server up');
    }
    return { databaseUrl, temporalAddress, embeddedTemporal: !config.temporalAddress && want.temporal, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
