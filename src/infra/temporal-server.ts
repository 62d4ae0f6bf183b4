// Runs the Temporal CLI dev server (SQLite file, Web UI) as a child process, or, when no binary can
// be had, the SDK's downloaded one. Used by `npm run dev` and by the test global setup.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ToolPaths } from '../config.ts';
import { SEARCH_ATTRIBUTE_NAMES } from '../workflows/search-attributes.ts';
import type { ServerExit } from './supervise.ts';
import { resolveTemporalTool } from './tools.ts';

export interface DevServerOptions {
  tools: ToolPaths;
  namespace: string;
  port: number;
  /** undefined = headless */
  uiPort?: number;
  /** The UI's remote codec (the API's /codec): the UI shows payloads decoded. */
  uiCodecEndpoint?: string;
  /** undefined = in memory */
  dbFile?: string;
  log?: Logger;
  /** Aborts a start in progress (the supervisor is stopping): the process is killed. */
  signal?: AbortSignal;
}

export interface RunningTemporal {
  address: string;
  /** Resolves once the server process has exited; never for the SDK-downloaded server (not supervised). */
  exited: Promise<ServerExit>;
  stop(): Promise<void>;
  /** SIGKILL, no shutdown (crash tests); resolves when it has exited. Absent for the SDK-downloaded server. */
  kill?(): Promise<void>;
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  const cli = resolveTemporalTool('cli', opts.tools, opts.log);
  if (!cli) return startWithSdkDownload(opts);

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-format',
    'json',
    '--log-level',
    'warn',
    '--sqlite-pragma',
    'journal_mode=WAL',
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort), ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [])] : ['--headless']),
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
  ];
  if (opts.dbFile) mkdirSync(new URL('.', `file://${opts.dbFile}`).pathname, { recursive: true });
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<ServerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const log = opts.log?.child({ component: 'temporal-server' });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log?.debug({ line }, 'temporal server');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForTemporal(address, opts.namespace, child, () => output, opts.signal);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const kill = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
  return { address, exited, stop: () => stopChild(child), kill };
}

async function waitForTemporal(address: string, namespace: string, child: ChildProcess, output: () => string, signal?: AbortSignal) {
  const deadline = Date.now() + 90_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`Temporal dev server exited during start-up:\n${output()}`);
    if (signal?.aborted) throw new Error('Temporal dev server start aborted');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal dev server not ready at ${address}: ${String(err)}\n${output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A server that does not stop within 5 s is killed: the whole shutdown must fit in 10 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Last resort for users with internet but no pip: the SDK downloads and runs the CLI itself. */
async function startWithSdkDownload(opts: DevServerOptions): Promise<RunningTemporal> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  opts.log?.warn('starting Temporal through the SDK download (needs internet)');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: opts.port,
      namespace: opts.namespace,
      ...(opts.dbFile ? { dbFilename: opts.dbFile } : {}),
      ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : { ui: false }),
      searchAttributes: SEARCH_ATTRIBUTE_NAMES.map((name) => ({ name, type: 'KEYWORD' as const })),
    },
  });
  return { address: env.address, exited: new Promise<never>(() => {}), stop: () => env.teardown() };
}
