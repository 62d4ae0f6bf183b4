// Brings up what the configuration leaves unset: an embedded Postgres when DATABASE_URL is absent, a
// Temporal dev server when TEMPORAL_ADDRESS is absent. Both keep their data under the data folder and
// are supervised (supervise.ts): restarted with backoff when they die, stopped within 10 s.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { ensureDatabase } from '../db/index.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { supervise, type SupervisionOptions } from './supervise.ts';
import { startTemporalDevServer } from './temporal-server.ts';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  /** Whether we started the Temporal dev server (and so its Web UI). */
  embeddedTemporal: boolean;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Whether Temporal is wanted at all (default true). */
  temporal?: boolean;
  /** The dev server's store: a SQLite file under dataDir (default), or memory (the test run). */
  temporalStore?: 'file' | 'memory';
  /** The dev server's Web UI on config.temporalUiPort (default true). */
  temporalUi?: boolean;
}

export async function startInfrastructure(
  config: Config,
  log: Logger,
  want: InfrastructureOptions = {},
  /** How soon a dead server is restarted (default 1 s, doubling to 30 s). */
  supervision: SupervisionOptions = {},
): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'error while stopping'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await supervise('postgres', (signal) => startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log, signal }), log, supervision);
      stops.push(pg.stop);
      databaseUrl = pg.current()!.url.replace(/\/postgres$/, '/kaizen');
      await ensureDatabase(databaseUrl);
      log.info({ port: config.embeddedPgPort, dir: path.join(config.dataDir, 'pg') }, 'embedded Postgres up');
    }
    let temporalAddress = config.temporalAddress ?? '';
    if (!temporalAddress && want.temporal !== false) {
      const server = await supervise(
        'temporal',
        (signal) =>
          startTemporalDevServer({
            tools: config.tools,
            namespace: config.temporalNamespace,
            port: config.temporalPort,
            // The UI decodes payloads through the API's dev codec (src/api/routes/codec.ts).
            ...(want.temporalUi !== false ? { uiPort: config.temporalUiPort, uiCodecEndpoint: `http://localhost:${config.port}/codec` } : {}),
            ...(want.temporalStore !== 'memory' ? { dbFile: path.join(config.dataDir, 'temporal.sqlite') } : {}),
            log,
            signal,
          }),
        log,
        supervision,
      );
      stops.push(server.stop);
      temporalAddress = server.current()!.address;
      log.info({ address: temporalAddress }, 'Temporal dev server up');
    }
    return { databaseUrl, temporalAddress, embeddedTemporal: !config.temporalAddress && want.temporal !== false, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
