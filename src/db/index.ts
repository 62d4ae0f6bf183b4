import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { traceQuery } from '../infra/tracing.ts';
import type { Database } from './schema.ts';

// bigint (int8) holds ids and yen amounts: read it as a JS number, refusing silent precision loss.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds Number.MAX_SAFE_INTEGER`);
  return n;
});
// date columns stay 'YYYY-MM-DD' strings: no time zone shifts.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

/** How long a request waits for a connection: a database that is down or saturated answers 503 (api/errors.ts) instead of hanging. */
export const CONNECT_TIMEOUT_MS = 10_000;

export function createDb(databaseUrl: string, max = 10, log?: Pick<Logger, 'warn'>): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection dropped by the server (restart, shutdown) must not crash the process; the
  // pool reconnects on next use.
  pool.on('error', (err) => log?.warn({ err: err.message }, 'idle Postgres connection lost'));
  // A connection lost while checked out (between a transaction's statements) emits 'error' on its
  // client, which the pool does not listen to then: unheard, it would crash the process. Its next
  // statement fails instead (a 503, api/errors.ts) and the pool drops it.
  pool.on('connect', (client) => client.on('error', (err) => log?.warn({ err: err.message }, 'Postgres connection lost')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: traceQuery });
  pools.set(db, pool);
  return db;
}

const pools = new WeakMap<Db, pg.Pool>();
/** The pool behind a handle (its connection counts for the metrics, src/api/metrics.ts). */
export const poolOf = (db: Db): pg.Pool | undefined => pools.get(db);

/** Whether Postgres answers now (readiness). */
export async function databaseAnswers(db: Db): Promise<boolean> {
  return sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
}

/** Creates the database named in the URL if it does not exist (embedded/dev convenience). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name || name === 'postgres') return;
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
