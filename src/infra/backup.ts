// Physical backup and point-in-time restore with nothing but the server's own binaries: WAL archiving,
// a base backup through the low-level API (pg_backup_start / copy / pg_backup_stop) and recovery from
// the archive into a new data folder. The drill in test/integration/backup-restore.test.ts runs these
// steps; production may use pg_basebackup instead (docs/operations.md, "Backups and restore").
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from './postgres.ts';

/** As root the server runs as the OS user `postgres`, which must own what it reads and writes. */
function giveToPostgres(target: string) {
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', target]);
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Turns WAL archiving on (copy each finished segment into archiveDir, never overwriting); needs a restart. */
export async function enableWalArchiving(url: string, archiveDir: string): Promise<void> {
  mkdirSync(archiveDir, { recursive: true });
  giveToPostgres(archiveDir);
  const dir = path.resolve(archiveDir);
  await withClient(url, async (c) => {
    await c.query(`alter system set wal_level = 'replica'`);
    await c.query(`alter system set archive_mode = 'on'`);
    await c.query(`alter system set archive_command = ${quote(`test ! -f '${dir}/%f' && cp %p '${dir}/%f'`)}`);
  });
}

/**
 * A base backup of the running server whose data folder is dataDir, into backupDir (a data folder of
 * its own). The copy of a live folder is consistent only together with the WAL archived from the
 * start of the backup on, which recovery replays; pg_wal's own contents are not copied.
 */
export async function takeBaseBackup(url: string, dataDir: string, backupDir: string, label = 'kaizen base backup'): Promise<{ stopLsn: string }> {
  const src = path.resolve(dataDir);
  return withClient(url, async (c) => {
    // Non-exclusive backup: the session that starts it must stay open until it stops.
    await c.query('select pg_backup_start($1, fast => true)', [label]);
    try {
      cpSync(src, backupDir, {
        recursive: true,
        filter: (from) => {
          const rel = path.relative(src, from);
          // Server state that must not travel, and WAL that comes from the archive instead.
          if (['postmaster.pid', 'postmaster.opts'].includes(rel)) return false;
          return !(rel.startsWith(`pg_wal${path.sep}`) || rel.startsWith(`pg_replslot${path.sep}`));
        },
      });
    } catch (err) {
      await c.query('select pg_backup_stop(wait_for_archive => false)');
      throw err;
    }
    // Waits until the WAL needed to make the copy consistent is archived.
    const stop = await c.query<{ lsn: string; labelfile: string; spcmapfile: string | null }>('select lsn::text, labelfile, spcmapfile from pg_backup_stop(wait_for_archive => true)');
    const row = stop.rows[0]!;
    writeFileSync(path.join(backupDir, 'backup_label'), row.labelfile);
    if (row.spcmapfile) writeFileSync(path.join(backupDir, 'tablespace_map'), row.spcmapfile);
    mkdirSync(path.join(backupDir, 'pg_wal', 'archive_status'), { recursive: true });
    return { stopLsn: row.lsn };
  });
}

/** Closes the current WAL segment and waits until the archiver has copied it (all commits so far are in the archive). */
export async function archiveCurrentWal(url: string, timeoutMs = 30_000): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ file: string }>('select pg_walfile_name(pg_switch_wal()) as file');
    const file = rows[0]!.file;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await c.query<{ last: string | null; failed: string | null }>('select last_archived_wal as last, last_failed_wal as failed from pg_stat_archiver');
      if (s.rows[0]!.last && s.rows[0]!.last >= file) return file;
      if (Date.now() > deadline) throw new Error(`WAL segment ${file} not archived (last ${s.rows[0]!.last}, failed ${s.rows[0]!.failed})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/**
 * Makes the base backup in dataDir (already copied to where the restored server will run) recover
 * from archiveDir, to targetTime or else to the end of the archive, then promote. The restored
 * server does not archive into the source's archive.
 */
export function prepareRecovery(dataDir: string, archiveDir: string, opts: { targetTime?: Date } = {}): void {
  if (!existsSync(path.join(dataDir, 'backup_label'))) throw new Error(`${dataDir} is not a base backup (no backup_label)`);
  const dir = path.resolve(archiveDir);
  const lines = [
    `archive_mode = 'off'`,
    `restore_command = ${quote(`cp '${dir}/%f' %p`)}`,
    ...(opts.targetTime ? [`recovery_target_time = ${quote(opts.targetTime.toISOString().replace('T', ' ').replace('Z', '+00'))}`] : []),
    `recovery_target_action = 'promote'`,
  ];
  // postgresql.auto.conf's last setting wins, so these override the source's archiving settings.
  appendFileSync(path.join(dataDir, 'postgresql.auto.conf'), `\n# restore (src/infra/backup.ts)\n${lines.join('\n')}\n`);
  writeFileSync(path.join(dataDir, 'recovery.signal'), '');
  chmodSync(dataDir, 0o700);
  giveToPostgres(dataDir);
}

/** Copies a base backup to a new data folder (the backup itself stays untouched for another drill). */
export function copyBackup(backupDir: string, dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(backupDir, dataDir, { recursive: true });
}

/** The restored server's recovery is over once it answers as a primary. */
export async function isPrimary(url: string): Promise<boolean> {
  return withClient(url, async (c) => !(await c.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]!.r);
}

/**
 * An embedded server (src/infra/postgres.ts layout: root/pg, root/pg-password) that archives its WAL
 * into archiveDir: started, archiving turned on, restarted so it takes effect.
 */
export async function startArchivingPostgres(opts: { root: string; port: number; archiveDir: string }): Promise<RunningPostgres> {
  const first = await startEmbeddedPostgres({ dataDir: opts.root, port: opts.port });
  try {
    await enableWalArchiving(first.url, opts.archiveDir);
  } finally {
    await first.stop();
  }
  return startEmbeddedPostgres({ dataDir: opts.root, port: opts.port });
}

/**
 * Restores a base backup into a new embedded server (root/pg) recovering from archiveDir to targetTime
 * (or the archive's end); resolves once recovery is over and the server was promoted. The superuser
 * password file comes from the source's root (the backup is of the whole cluster, its roles included).
 */
export async function restoreToNewPostgres(opts: { backupDir: string; archiveDir: string; sourceRoot: string; root: string; port: number; targetTime?: Date }): Promise<RunningPostgres> {
  const dataDir = path.join(opts.root, 'pg');
  copyBackup(opts.backupDir, dataDir);
  copyFileSync(path.join(opts.sourceRoot, 'pg-password'), path.join(opts.root, 'pg-password'));
  prepareRecovery(dataDir, opts.archiveDir, { targetTime: opts.targetTime });
  // The embedded server resolves its start on "ready to accept connections", which recovery logs only
  // once it has reached the target and promoted (read-only readiness is logged differently).
  const server = await startEmbeddedPostgres({ dataDir: opts.root, port: opts.port });
  if (!(await isPrimary(server.url))) {
    await server.stop();
    throw new Error(`restored server in ${opts.root} is still in recovery`);
  }
  return server;
}
