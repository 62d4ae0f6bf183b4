// Temporal plumbing shared by the worker, the API and the CLI: runtime logging into pino, client
// connections, search-attribute registration.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type WorkflowClientInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from './activities/index.ts';
import { renderActivities } from './activities/renders.ts';
import { blobStoreFor } from './blobs/store.ts';
import type { Db } from './db/index.ts';
import { createRenderer, type Renderer } from './renders/render.ts';
import { renderQueueOf } from './workflows/render.ts';
import type { Config } from './config.ts';
import { clientTracingInterceptors, workerTracingPlugins } from './infra/tracing.ts';
import { SEARCH_ATTRIBUTE_NAMES } from './workflows/search-attributes.ts';

let runtimeInstalled = false;

/**
 * Routes the SDK's (and core's) logs into pino and, with `metricsAddress` (KAIZEN_WORKER_METRICS_ADDRESS),
 * serves the SDK's worker metrics for Prometheus there. Once per process, before any worker connection.
 */
export function installRuntimeLogger(log: Logger, metricsAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  const level = (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as LogLevel[]).find(
    (l) => l.toLowerCase() === log.level,
  ) ?? (log.level === 'silent' || log.level === 'fatal' ? 'ERROR' : 'INFO');
  Runtime.install({
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    logger: new DefaultLogger(level, (entry) => {
      const method = entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      sdkLog[method](entry.meta ?? {}, entry.message);
    }),
  });
}

/**
 * A client whose payloads go through the project's codec (infra/payload-codec.ts). With `timeouts`
 * (the API's client), every workflow call has a deadline and a server that refuses connections is
 * retried for about a second instead of the SDK's ~20 s: an outage answers 503 at once (errors.ts),
 * a query falls back to the database's view. result() is left unbounded (it waits by design).
 */
export async function connectClient(address: string, namespace: string, dataConverter: DataConverter, timeouts?: Config['temporalTimeouts']): Promise<Client> {
  if (!timeouts) return new Client({ connection: await Connection.connect({ address }), namespace, dataConverter, interceptors: { workflow: clientTracingInterceptors() } });
  const connection = await Connection.connect({ address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 5 }))] });
  return new Client({ connection, namespace, dataConverter, interceptors: { workflow: [...clientTracingInterceptors(), withDeadlines(connection, timeouts)] } });
}

/** Queries and describes within `queryMs`, every other workflow call within `callMs`. */
function withDeadlines(connection: Connection, timeouts: Config['temporalTimeouts']): WorkflowClientInterceptor {
  const within =
    (ms: number) =>
    <I, R>(input: I, next: (input: I) => Promise<R>): Promise<R> =>
      connection.withDeadline(Date.now() + ms, () => next(input));
  const read = within(timeouts.queryMs);
  const call = within(timeouts.callMs);
  return { query: read, describe: read, start: call, startWithDetails: call, startUpdate: call, startUpdateWithStart: call, signal: call, signalWithStart: call, terminate: call, cancel: call };
}

/** Registers the project's search attributes on an external cluster; a no-op when present. */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(customAttributes && name in customAttributes));
  if (missing.length === 0) return [];
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, 2 /* KEYWORD */])),
  });
  return missing;
}

// Compiled (dist/) the workflows are JavaScript beside this file.
export const workflowsPath = new URL(import.meta.url.endsWith('.ts') ? './workflows/index.ts' : './workflows/index.js', import.meta.url).pathname;

export async function createWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  log: Logger;
  /** The same codec as the clients': every payload the worker writes is encrypted. */
  dataConverter: DataConverter;
  /** Pre-bundled workflow code (tests bundle once per file). */
  workflowBundle?: { code: string };
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntimeLogger(opts.log, opts.deps.config.workerMetricsAddress);
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: createActivities(opts.deps),
    dataConverter: opts.dataConverter,
    plugins: workerTracingPlugins(),
  });
  return { worker, connection };
}

/**
 * The render worker: activities only (no workflows), on the render queue beside `taskQueue`, holding
 * one renderer (one Chromium) that the caller closes after the worker has drained. Several processes
 * may poll the same queue: that is how rendering scales apart from the main worker.
 */
export async function createRenderWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  db: Db;
  config: Config;
  log: Logger;
  dataConverter: DataConverter;
  /** Renders at a time per process (default 1: each holds a browser page and its images in memory). */
  concurrency?: number;
}): Promise<{ worker: Worker; connection: NativeConnection; renderer: Renderer }> {
  installRuntimeLogger(opts.log, opts.config.workerMetricsAddress);
  const renderer = createRenderer(opts.config, blobStoreFor(opts.config));
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: renderQueueOf(opts.taskQueue),
    activities: renderActivities({ db: opts.db, config: opts.config, renderer }),
    maxConcurrentActivityTaskExecutions: opts.concurrency ?? 1,
    dataConverter: opts.dataConverter,
  });
  return { worker, connection, renderer };
}
