import { loadConfig } from '../config.ts';
import { createDb, type Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startInfrastructure } from '../infra/index.ts';
import { createLogger } from '../logger.ts';

/**
 * Runs an admin command against DATABASE_URL, or, without it, against the dev setup's embedded
 * Postgres (started for the command; stop `npm run dev` first, as both want its data folder).
 */
export async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ ...config, logPretty: false, logLevel: 'warn' });
  const infra = config.databaseUrl ? undefined : await startInfrastructure(config, log, { temporal: false });
  const db = createDb(config.databaseUrl ?? infra!.databaseUrl, 1);
  try {
    if (infra) await migrateToLatest(db);
    return await fn(db);
  } finally {
    await db.destroy();
    await infra?.stop();
  }
}
