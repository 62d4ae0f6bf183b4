// Restore drill: a server with WAL archiving, a base backup through the low-level API, business rows
// before and after a recovery target, restore into a new data folder on another port, and the
// restored database holds exactly what was committed before the target and keeps the invariants the
// chaos harness checks. No PostgreSQL 18 pg_dump/pg_basebackup exists here, so this drills the
// physical path (docs/operations.md, "Backups and restore").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, type Db } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { archiveCurrentWal, restoreToNewPostgres, startArchivingPostgres, takeBaseBackup } from '../../src/infra/backup.ts';
import { freePort } from '../../src/infra/ports.ts';
import type { RunningPostgres } from '../../src/infra/postgres.ts';
import { checkLedgerUnique } from '../../src/sim/invariants.ts';
import { peopleWorld, type PeopleWorld } from '../fixtures/people.ts';
import { userWithToken } from '../helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'kaizen-backup-'));
const archive = path.join(root, 'archive');
const servers: RunningPostgres[] = [];
const dbs: Db[] = [];

const kaizenUrl = (pgUrl: string) => pgUrl.replace(/\/postgres$/, '/kaizen');

/** A client's engagement with its earnings, written through the same use cases the workflow calls. */
async function seed(db: Db, label: string): Promise<PeopleWorld> {
  const cs = await userWithToken(db, 'cs_manager');
  const [a, b] = await db
    .insertInto('hackers')
    .values([`${label} A`, `${label} B`].map((display_name) => ({ display_name, kind: 'individual' as const, residency: 'resident' as const, skills: [], industries: [] })))
    .returning('id')
    .execute();
  return peopleWorld(db, { csUserId: cs.user.id, hackerId: a!.id, otherHackerId: b!.id }, `Backup ${label}`);
}

const ledgerOf = async (db: Db, clientId: number) =>
  (await sql<{ n: number }>`select count(*)::int as n from earnings_ledger el join proposals p on p.id = el.proposal_id join offers o on o.id = p.offer_id join cycles c on c.id = o.cycle_id join engagements e on e.id = c.engagement_id where e.client_id = ${clientId}`.execute(db)).rows[0]!.n;

let source: RunningPostgres;
let db: Db;
let before: PeopleWorld;
let afterBackup: PeopleWorld;
let afterTarget: PeopleWorld;
let target: Date;
const counts = new Map<number, number>();

beforeAll(async () => {
  const sourceDir = path.join(root, 'source');
  source = await startArchivingPostgres({ root: sourceDir, port: await freePort(), archiveDir: archive });
  servers.push(source);
  await ensureDatabase(kaizenUrl(source.url));

  db = createDb(kaizenUrl(source.url), 2);
  dbs.push(db);
  await migrateToLatest(db);
  before = await seed(db, 'before');
  await takeBaseBackup(source.url, path.join(sourceDir, 'pg'), path.join(root, 'backup'));
  afterBackup = await seed(db, 'after backup');
  // The target is the server's own clock after that commit, so the WAL orders it exactly.
  target = (await sql<{ t: Date }>`select clock_timestamp() as t`.execute(db)).rows[0]!.t;
  afterTarget = await seed(db, 'after target');
  for (const w of [before, afterBackup, afterTarget]) counts.set(w.clientId, await ledgerOf(db, w.clientId));
  await archiveCurrentWal(source.url);
}, 120_000);

afterAll(async () => {
  for (const d of dbs) await d.destroy();
  for (const s of servers.reverse()) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

async function restore(name: string, targetTime?: Date): Promise<Db> {
  const restored = await restoreToNewPostgres({ backupDir: path.join(root, 'backup'), archiveDir: archive, sourceRoot: path.join(root, 'source'), root: path.join(root, name), port: await freePort(), targetTime });
  servers.push(restored);
  const r = createDb(kaizenUrl(restored.url), 2);
  dbs.push(r);
  return r;
}

describe('backup and restore drill', () => {
  it('restores to a point in time: rows committed before the target are there, later ones are not, the invariants hold', async () => {
    // Every seed wrote ledger lines, so "present" and "absent" below are about real rows.
    for (const n of counts.values()) expect(n).toBeGreaterThan(0);
    const r = await restore('pitr', target);

    const clients = await r.selectFrom('clients').select('id').where('id', 'in', [before.clientId, afterBackup.clientId, afterTarget.clientId]).execute();
    expect(clients.map((c) => c.id).sort((x, y) => x - y)).toEqual([before.clientId, afterBackup.clientId].sort((x, y) => x - y));
    expect(await ledgerOf(r, before.clientId)).toBe(counts.get(before.clientId));
    expect(await ledgerOf(r, afterBackup.clientId)).toBe(counts.get(afterBackup.clientId));
    expect(await ledgerOf(r, afterTarget.clientId)).toBe(0);
    const unique = await checkLedgerUnique(r);
    expect(unique.ok, unique.detail).toBe(true);

    // The restored server is a primary that takes writes (recovery promoted it).
    await seed(r, 'after restore');
  }, 120_000);

  it('restores to the end of the archive: everything committed is there', async () => {
    const r = await restore('latest');
    for (const w of [before, afterBackup, afterTarget]) expect(await ledgerOf(r, w.clientId)).toBe(counts.get(w.clientId));
    const unique = await checkLedgerUnique(r);
    expect(unique.ok, unique.detail).toBe(true);
  }, 120_000);
});
