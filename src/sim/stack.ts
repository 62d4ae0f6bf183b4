// A throwaway Kaizen Desk stack of real processes for the chaos harness (and later the demo load):
// embedded Postgres and the Temporal dev server (SQLite file) on a temporary data folder and free
// ports, `kaizen migrate`, then `kaizen api` and `kaizen worker` as child processes with their logs in
// files. Any part can be SIGKILLed and started again on the same data. The services are the same
// building blocks startStack (src/stack.ts) uses, unsupervised here because the harness kills them on
// purpose; the API and the worker are `kaizen api|worker`, each startStack in its own process with
// the configuration its environment (env() below) gives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ToolPaths } from '../config.ts';
import { ensureDatabase } from '../db/index.ts';
import { freePort } from '../infra/ports.ts';
import { startEmbeddedPostgres, type RunningPostgres } from '../infra/postgres.ts';
import { startTemporalDevServer, type RunningTemporal } from '../infra/temporal-server.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** Data folder (Postgres data, Temporal SQLite file, process logs); default a new temp folder. */
  dataDir?: string;
  /** Where the Temporal CLI is looked up (the harness's Config; src/config.ts). */
  tools: ToolPaths;
  bankAdapter?: 'zengin' | 'simulated';
  log?: Logger;
  /** Extra environment for the API and worker processes. */
  env?: Record<string, string>;
}

type Proc = { child: ChildProcess; exited: Promise<void>; out: WriteStream; /** The last of its output, kept in memory (the log file may lag). */ tail: () => string };

export class Stack {
  readonly dataDir: string;
  readonly logDir: string;
  readonly payloadKeys = `c1:${randomBytes(32).toString('base64')}`;
  readonly bankKey = randomBytes(32).toString('hex');
  readonly taskQueue = `chaos-${randomBytes(4).toString('hex')}`;
  databaseUrl = '';
  temporalAddress = '';
  apiUrl = '';
  private pgPort = 0;
  private temporalPort = 0;
  private apiPort = 0;
  private pg?: RunningPostgres;
  private temporal?: RunningTemporal;
  private api?: Proc;
  private worker?: Proc;
  private workerStarts = 0;
  private apiStarts = 0;
  private readonly ownsDir: boolean;

  constructor(private readonly opts: StackOptions) {
    this.ownsDir = !opts.dataDir;
    this.dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'kaizen-chaos-'));
    this.logDir = path.join(this.dataDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
  }

  /** Environment of `kaizen api|worker|migrate`. */
  env(): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      KAIZEN_PAYLOAD_KEYS: this.payloadKeys,
      KAIZEN_BANK_KEY: this.bankKey,
      KAIZEN_BANK_ADAPTER: this.opts.bankAdapter ?? 'zengin',
      // A throwaway database on demo issuer/payer values (src/config.ts production settings).
      KAIZEN_ALLOW_DEMO_VALUES: '1',
      KAIZEN_TASK_QUEUE: this.taskQueue,
      KAIZEN_DATA_DIR: this.dataDir,
      PORT: String(this.apiPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_PRETTY: '0',
      ...this.opts.env,
    };
  }

  async startServices(): Promise<void> {
    this.pgPort ||= await freePort();
    this.temporalPort ||= await freePort();
    this.apiPort ||= await freePort();
    this.pg = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.pgPort, log: this.opts.log });
    this.databaseUrl = this.pg.url.replace(/\/postgres$/, '/kaizen');
    await ensureDatabase(this.databaseUrl);
    this.temporal = await startTemporalDevServer({
      tools: this.opts.tools,
      namespace: 'default',
      port: this.temporalPort,
      dbFile: path.join(this.dataDir, 'temporal.sqlite'),
      log: this.opts.log,
    });
    if (!this.temporal.kill) throw new Error('the chaos harness needs the Temporal CLI (its process can be killed); see docs/operations.md');
    this.temporalAddress = this.temporal.address;
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
  }

  /** Runs a `kaizen` command to completion; its stdout. */
  async kaizen(args: string[], input?: string): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), ...args], {
      cwd: projectRoot,
      env: this.env(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdin!.end(input ?? '');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const logFile = createWriteStream(path.join(this.logDir, `kaizen-${args[0]}.log`), { flags: 'a' });
    logFile.end(err);
    if (code !== 0) throw new Error(`kaizen ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`);
    return out;
  }

  private spawnProcess(name: 'api' | 'worker', n: number): Proc {
    const out = createWriteStream(path.join(this.logDir, `${name}-${n}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), name], {
      cwd: projectRoot,
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    let tail = '';
    for (const s of [child.stdout!, child.stderr!]) s.on('data', (c: Buffer) => (tail = (tail + c.toString()).slice(-3000)));
    // 'close', not 'exit': its last output has been read by then.
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return { child, exited, out, tail: () => tail };
  }

  /** Resolves when the process's log shows `marker`, rejects if it exits first. */
  private async waitForLog(proc: Proc, file: string, marker: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let dead = false;
    void proc.exited.then(() => (dead = true));
    for (;;) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        /* not created yet */
      }
      if (text.includes(marker)) return;
      if (dead) throw new Error(`${path.basename(file)} exited (${proc.child.exitCode ?? proc.child.signalCode}) before "${marker}":\n${proc.tail() || text.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${path.basename(file)}: no "${marker}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async startApi(): Promise<void> {
    const n = ++this.apiStarts;
    this.api = this.spawnProcess('api', n);
    await this.waitForLog(this.api, path.join(this.logDir, `api-${n}.log`), 'API listening');
  }

  /**
   * Starts a worker process; resolves once it polls (returns the time it took). One that exits before
   * it polls (e.g. Postgres still recovering after a kill) is started again, as a supervisor would, up
   * to 3 times; `failedStarts` says why each one exited.
   */
  async startWorker(): Promise<{ startedAt: number; readyAt: number; failedStarts: string[] }> {
    const startedAt = Date.now();
    const failedStarts: string[] = [];
    for (;;) {
      const n = ++this.workerStarts;
      this.worker = this.spawnProcess('worker', n);
      try {
        await this.waitForLog(this.worker, path.join(this.logDir, `worker-${n}.log`), 'worker polling');
        return { startedAt, readyAt: Date.now(), failedStarts };
      } catch (err) {
        const exited = this.worker.child.exitCode !== null || this.worker.child.signalCode !== null;
        if (!exited || failedStarts.length >= 2) throw err;
        this.worker.out.end();
        failedStarts.push((err as Error).message);
      }
    }
  }

  private static async killProc(p: Proc | undefined) {
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill('SIGKILL');
    await p.exited;
    p.out.end();
  }

  async killWorker(): Promise<void> {
    await Stack.killProc(this.worker);
    this.worker = undefined;
  }

  async killApi(): Promise<void> {
    await Stack.killProc(this.api);
    this.api = undefined;
  }

  /** SIGKILL of API, worker, Temporal server and Postgres, in that order, no shutdown for any. */
  async killAll(): Promise<void> {
    await this.killApi();
    await this.killWorker();
    await this.temporal?.kill?.();
    await this.pg?.kill();
    this.temporal = undefined;
    this.pg = undefined;
  }

  /** Everything back on the same data folder and ports. */
  async restartAll(): Promise<{ startedAt: number; readyAt: number; failedStarts: string[] }> {
    const startedAt = Date.now();
    await this.startServices();
    await this.startApi();
    const w = await this.startWorker();
    return { startedAt, readyAt: w.readyAt, failedStarts: w.failedStarts };
  }

  /** The text of every process log so far (API, worker, CLI commands). */
  logs(): { file: string; text: string }[] {
    return readdirSync(this.logDir).map((f) => ({ file: f, text: readFileSync(path.join(this.logDir, f), 'utf8') }));
  }

  /** Orderly stop (SIGTERM: the worker drains), then the servers. */
  async stop(opts: { keepData?: boolean } = {}): Promise<void> {
    for (const p of [this.api, this.worker]) {
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
      p.child.kill('SIGTERM');
      await p.exited;
      clearTimeout(timer);
      p.out.end();
    }
    await this.temporal?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
    if (this.ownsDir && !opts.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
