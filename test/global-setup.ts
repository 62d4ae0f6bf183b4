// Starts one real Postgres (embedded, fresh folder per run) and one real Temporal dev server for the
// whole integration run, migrates, and hands their addresses to the test files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { createDb, ensureDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../src/infra/postgres.ts';
import { startTemporalDevServer } from '../src/infra/temporal-server.ts';
import { createLogger } from '../src/logger.ts';
import { freePort } from '../src/infra/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** The same cluster, a database with no tables: for the migration test. */
    emptyDatabaseUrl: string;
    temporalAddress: string;
    temporalNamespace: string;
  }
}


export default async function setup(project: TestProject) {
  const config = loadConfig({ ...process.env, LOG_PRETTY: 'false' });
  const log = createLogger({ logLevel: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn', logPretty: false }, 'test-setup');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-test-'));

  // External services win when given, as in the app; otherwise embedded ones.
  let databaseUrl = process.env.TEST_DATABASE_URL;
  const stops: (() => Promise<void>)[] = [];
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  const base = new URL(databaseUrl);
  const runId = `${Date.now().toString(36)}`;
  const appUrl = new URL(base);
  appUrl.pathname = `/kaizen_test_${runId}`;
  const emptyUrl = new URL(base);
  emptyUrl.pathname = `/kaizen_empty_${runId}`;
  await ensureDatabase(appUrl.toString());
  await ensureDatabase(emptyUrl.toString());
  const db = createDb(appUrl.toString(), 1);
  await migrateToLatest(db);
  await db.destroy();

  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const temporal = await startTemporalDevServer({
      toolsDir: config.toolsDir,
      namespace: 'default',
      port: await freePort(),
      log,
    });
    stops.push(temporal.stop);
    temporalAddress = temporal.address;
  }

  project.provide('databaseUrl', appUrl.toString());
  project.provide('emptyDatabaseUrl', emptyUrl.toString());
  project.provide('temporalAddress', temporalAddress);
  project.provide('temporalNamespace', 'default');

  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
