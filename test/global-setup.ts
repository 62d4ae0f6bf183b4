// Starts one real Postgres (embedded, fresh folder per run) and one real Temporal dev server for the
// whole integration run with src/stack.ts (services only), migrates the run's database, and hands the
// addresses to the test files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfigWith, type Config } from '../src/config.ts';
import { createDb, ensureDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { freePort } from '../src/infra/ports.ts';
import { createLogger } from '../src/logger.ts';
import { startStack } from '../src/stack.ts';

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
  const log = createLogger({ logLevel: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn', logPretty: false }, 'test-setup');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-test-'));
  // External services win when given (TEST_DATABASE_URL, TEST_TEMPORAL_ADDRESS), as in the app;
  // otherwise embedded ones on free ports, Temporal in memory and headless.
  const config: Config = {
    ...loadConfigWith({ overrides: { KAIZEN_DATA_DIR: dataDir, LOG_PRETTY: 'false', TEMPORAL_NAMESPACE: 'default' } }),
    databaseUrl: process.env.TEST_DATABASE_URL || undefined,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS || undefined,
    embeddedPgPort: await freePort(),
    temporalPort: await freePort(),
  };
  // Services only: each test file brings its own app and worker (test/helpers.ts), on the databases below.
  const stack = await startStack({ config, log, migrate: false, poolSize: 1, services: { temporalStore: 'memory', temporalUi: false } });

  const base = new URL(stack.databaseUrl);
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

  project.provide('databaseUrl', appUrl.toString());
  project.provide('emptyDatabaseUrl', emptyUrl.toString());
  project.provide('temporalAddress', stack.temporalAddress);
  project.provide('temporalNamespace', config.temporalNamespace);

  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
