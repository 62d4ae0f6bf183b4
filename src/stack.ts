// The one way to bring the system up: `npm run dev`, the demo, fuzzing, the benches and the test setup
// call startStack with their options; the chaos harness uses its services and `kaizen api|worker` as
// child processes. The caller loads the Config once (src/config.ts) and hands it in: the worker's
// activities get that same Config (bank key, bank adapter, billing), never the environment's.
//
// Order: services (embedded Postgres / Temporal dev server unless the config names external ones,
// supervised), migrations, bootstrap admin, Temporal client and search attributes, worker, schedules,
// web build, API. stop() takes them down in reverse, the processes within 5 s each and the servers
// within 10 s of the start of the stop; it answers whether something was cut short.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ActivityDeps } from './activities/index.ts';
import { buildApp } from './api/app.ts';
import { ensureInvoicingSchedule } from './billing/start.ts';
import { assertProductionSettings, type Config } from './config.ts';
import { createDb, type Db } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { listenForRevocations } from './db/revocations.ts';
import { setTokenCacheTtl } from './db/token-cache.ts';
import { assertPostgresVersion } from './db/version.ts';
import { ensureBootstrapAdmin, findUserByToken, generateToken } from './db/users.ts';
import { reconcileEngagementWorkflows } from './engagements/engagements.ts';
import { startInfrastructure, type InfrastructureOptions } from './infra/index.ts';
import { dataConverterFor, resolvePayloadKeys } from './infra/payload-codec.ts';
import { within, type SupervisionOptions } from './infra/supervise.ts';
import { startTracing, tracingEnabled } from './infra/tracing.ts';
import { ensureWebBuild } from './infra/web-build.ts';
import { ensureNetworkSchedule } from './network/start.ts';
import { ensureDigestSchedule } from './notify/start.ts';
import { startMailCatcher } from './notify/mail-catcher.ts';
import { ensurePayoutSchedule } from './payouts/start.ts';
import { ensureMyNumberRetentionSchedule } from './payouts/retention.ts';
import { reconcileRenders } from './renders/versions.ts';
import { connectClient, createRenderWorker, createWorker, ensureSearchAttributes } from './temporal.ts';

export interface StackOptions {
  config: Config;
  log: Logger;
  /**
   * Temporal: a client (and the dev server unless config.temporalAddress is set). false: no Temporal
   * at all — the API gets a client that never dials (the traffic benches). Default true.
   */
  temporal?: boolean;
  /** The embedded servers (infra/index.ts): supervision backoff, Temporal's store and Web UI. */
  services?: Omit<InfrastructureOptions, 'temporal'> & { supervision?: SupervisionOptions };
  /** Apply migrations and register Temporal's search attributes (default true). */
  migrate?: boolean;
  /** Ensure the bootstrap admin: config.bootstrapAdminToken, else the token saved in dataDir/admin-token (default false). */
  admin?: boolean;
  /** Run a worker (default false); deps override what the config says (bank key, bank adapter). */
  worker?: boolean | { deps?: Omit<ActivityDeps, 'db' | 'config'> };
  /**
   * Run a render worker (default false): the proposal screenshots' activities on the render queue
   * (`<taskQueue>-render`) with one Chromium; `kaizen render-worker` runs only this, more of them scale it.
   */
  renderWorker?: boolean;
  /** Payout, invoicing and network schedules (default false). */
  schedules?: boolean;
  /** Start the engagement workflows the database has and Temporal lacks (default: with `schedules`). */
  reconcile?: boolean;
  /** Build web/dist when missing or stale (default false). */
  web?: boolean;
  /** Serve the API on config.host:config.port (default false); `log`: the API's own logger. */
  /** `webRoot`: the built web app to serve (default web/dist; the web bench serves its own build). */
  api?: boolean | { log?: Logger; webRoot?: string };
  /** Bound Temporal calls of the stack's client by config.temporalTimeouts (default: when the API runs). */
  timeouts?: boolean;
  /** Database pool size (default 10). */
  poolSize?: number;
}

export interface Stack {
  config: Config;
  log: Logger;
  databaseUrl: string;
  /** '' without Temporal. */
  temporalAddress: string;
  /** Whether this stack started the Temporal dev server (and so its Web UI). */
  embeddedTemporal: boolean;
  db: Db;
  temporal: Client;
  /** With `admin`. */
  adminToken?: string;
  /** With `api`. */
  app?: FastifyInstance;
  apiUrl?: string;
  /** Everything down, in reverse order; true when something was cut short (a process kept alive). */
  stop(): Promise<boolean>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { config, log } = opts;
  // Before anything starts: production never runs the app on demo values or the simulated bank.
  if (opts.api || opts.worker || opts.renderWorker) assertProductionSettings(config);
  const useTemporal = opts.temporal !== false;
  const { supervision, ...infraOpts } = opts.services ?? {};
  const infra = await startInfrastructure(config, log, { ...infraOpts, temporal: useTemporal }, supervision);
  // [stop, is a server] in start order.
  const parts: [() => Promise<unknown>, boolean][] = [[infra.stop, true]];
  // Tracing only when an OTLP endpoint is configured; stopped last-but-one so the final spans flush.
  if (config.otlpEndpoint && !tracingEnabled()) parts.push([startTracing(config.otlpEndpoint).stop, false]);
  // A worker cannot drain against a dead Temporal server (it retried for a minute): the processes get
  // 5 s each, the servers the rest of 10 s.
  const stop = async () => {
    const started = Date.now();
    let cut = false;
    for (const [s, server] of parts.reverse()) {
      const until = started + (server ? 10_000 : 5_000);
      const done = await within(Math.max(until - Date.now(), 250), () =>
        s().then(
          () => true,
          (err) => (log.error({ err }, 'error while stopping'), true),
        ),
      );
      if (!done) (cut = true), log.warn(server ? 'the embedded servers did not stop in time' : 'a process did not stop in time; going on');
    }
    parts.length = 0;
    return cut;
  };
  try {
    const db = createDb(infra.databaseUrl, opts.poolSize ?? 10, log);
    parts.push([() => db.destroy(), false]);
    await assertPostgresVersion(db);
    if (opts.migrate !== false) {
      const applied = await migrateToLatest(db);
      if (applied.length) log.info({ applied }, 'migrations applied');
    }
    // No SMTP_URL: the embedded SMTP server receives what the worker sends (the dev mailbox reads it).
    if (config.mail.embedded && (opts.worker || opts.api)) {
      const catcher = await startMailCatcher(db, log);
      config.mail = { ...config.mail, smtpUrl: catcher.url };
      parts.push([catcher.close, true]);
      log.info({ smtp: catcher.url }, 'embedded SMTP server listening');
    }
    let adminToken: string | undefined;
    if (opts.admin) {
      adminToken = await savedAdminToken(config, db);
      await ensureBootstrapAdmin(db, adminToken);
    }

    const dataConverter = dataConverterFor(resolvePayloadKeys(config));
    const timeouts = (opts.timeouts ?? Boolean(opts.api)) ? config.temporalTimeouts : undefined;
    const temporal = useTemporal
      ? await connectClient(infra.temporalAddress, config.temporalNamespace, dataConverter, timeouts)
      : new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: config.temporalNamespace });
    parts.push([() => temporal.connection.close(), false]);
    if (useTemporal && opts.migrate !== false) await ensureSearchAttributes(temporal, config.temporalNamespace);

    if (opts.worker && useTemporal) {
      const deps = typeof opts.worker === 'object' ? opts.worker.deps : undefined;
      const { worker, connection } = await createWorker({
        address: infra.temporalAddress,
        namespace: config.temporalNamespace,
        taskQueue: config.taskQueue,
        deps: { db, config, ...deps },
        log,
        dataConverter,
      });
      const running = worker.run();
      log.info({ taskQueue: config.taskQueue }, 'worker polling');
      parts.push([
        // Drains: in-flight activities finish (up to the shutdown grace time) before run() resolves.
        async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          await connection.close();
        },
        false,
      ]);
    }
    if (opts.renderWorker && useTemporal) {
      const { worker, connection, renderer } = await createRenderWorker({
        address: infra.temporalAddress,
        namespace: config.temporalNamespace,
        taskQueue: config.taskQueue,
        db,
        config,
        log,
        dataConverter,
      });
      const running = worker.run();
      log.info({ taskQueue: worker.options.taskQueue }, 'render worker polling');
      parts.push([
        async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          await renderer.close();
          await connection.close();
        },
        false,
      ]);
    }
    if (opts.schedules && useTemporal) {
      // Monthly payout run, invoicing of the month just ended, network grades, the daily My Number
      // retention, the hourly notification digests (Asia/Tokyo); no-ops when present.
      await ensurePayoutSchedule(temporal, config);
      await ensureInvoicingSchedule(temporal, config);
      await ensureNetworkSchedule(temporal, config);
      await ensureMyNumberRetentionSchedule(temporal, config);
      await ensureDigestSchedule(temporal, config);
    }
    if ((opts.reconcile ?? opts.schedules) && useTemporal) {
      const reconciled = await reconcileEngagementWorkflows(db, temporal, config.taskQueue);
      if (reconciled) log.warn({ started: reconciled }, 'started missing engagement workflows');
      // Renders whose workflow start failed after their version was saved (Temporal unreachable then).
      const renders = await reconcileRenders(db, temporal, config.taskQueue);
      if (renders) log.info({ versions: renders }, 'render workflows started for pending renders');
    }
    // The web back office is served from web/dist.
    if (opts.web) await ensureWebBuild(log);
    let app: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    if (opts.api) {
      const apiLog = (typeof opts.api === 'object' && opts.api.log) || log;
      // Revocations in other processes (src/db/revocations.ts) reach this API's caches at once.
      setTokenCacheTtl(config.tokenCacheMs);
      const listener = await listenForRevocations(infra.databaseUrl, log);
      parts.push([() => listener.stop(), false]);
      const built = await buildApp({ db, temporal, config, log: apiLog, ...(typeof opts.api === 'object' && opts.api.webRoot ? { webRoot: opts.api.webRoot } : {}) });
      app = built;
      apiUrl = await built.listen({ port: config.port, host: config.host });
      parts.push([() => built.close(), false]);
    }
    return {
      config,
      log,
      databaseUrl: infra.databaseUrl,
      temporalAddress: infra.temporalAddress,
      embeddedTemporal: infra.embeddedTemporal,
      db,
      temporal,
      adminToken,
      app,
      apiUrl,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The admin token: from the config, else the one saved by an earlier run, else a new one (saved 0600). */
async function savedAdminToken(config: Config, db: Db): Promise<string> {
  if (config.bootstrapAdminToken) return config.bootstrapAdminToken;
  const file = path.join(config.dataDir, 'admin-token');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (await findUserByToken(db, saved)) return saved;
  }
  const token = generateToken();
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
