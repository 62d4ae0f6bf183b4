// The PostgreSQL this schema needs: ingest writes `RETURNING old.*/new.*` (PostgreSQL 18). Checked at
// start by startStack (a clear refusal instead of a syntax error on the first batch) and by
// `kaizen doctor`.
import { sql } from 'kysely';
import type { Db } from './index.ts';

export const REQUIRED_POSTGRES_MAJOR = 18;

/** What is wrong with a server of `versionNum` (server_version_num, e.g. 180001), or undefined. */
export function postgresVersionProblem(versionNum: number): string | undefined {
  const major = Math.floor(versionNum / 10_000);
  if (major >= REQUIRED_POSTGRES_MAJOR) return undefined;
  return `PostgreSQL ${major} found; Kaizen Desk needs ${REQUIRED_POSTGRES_MAJOR} or newer (event ingest uses RETURNING old/new). Upgrade the server (pg_upgrade or dump and restore; docs/operations.md).`;
}

export async function serverVersionNum(db: Db): Promise<number> {
  const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version_num') AS v`.execute(db);
  return Number(rows[0]!.v);
}

/** Throws with the problem when the server is too old. */
export async function assertPostgresVersion(db: Db): Promise<void> {
  const problem = postgresVersionProblem(await serverVersionNum(db));
  if (problem) throw new Error(problem);
}
