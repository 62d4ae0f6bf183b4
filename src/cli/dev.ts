// `npm run dev`: everything in one process tree, on embedded defaults. Ctrl-C stops it all in order:
// API (no new requests), worker (drains), Temporal server, Postgres, within 10 s whatever is dead.
// The embedded servers are supervised (infra/supervise.ts): one that dies is restarted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { createDb, type Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ensureBootstrapAdmin, findUserByToken, generateToken } from '../db/users.ts';
import { reconcileEngagementWorkflows } from '../engagements/engagements.ts';
import { ensurePayoutSchedule } from '../payouts/start.ts';
import { ensureNetworkSchedule } from '../network/start.ts';
import { ensureInvoicingSchedule } from '../billing/start.ts';
import { startInfrastructure } from '../infra/index.ts';
import { within } from '../infra/supervise.ts';
import { ensureWebBuild } from '../infra/web-build.ts';
import { createLogger } from '../logger.ts';
import { dataConverterFor, resolvePayloadKeys } from '../infra/payload-codec.ts';
import { connectClient, ensureSearchAttributes } from '../temporal.ts';
import { startApi, startWorker, untilSignal, type Running } from './processes.ts';

/** The admin token: from the env, else the one saved by an earlier run, else a new one (saved 0600). */
async function adminToken(config: Config, db: Db): Promise<string> {
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

export async function dev(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const stopping = untilSignal();
  const infra = await startInfrastructure(config, log);
  const stack: Running[] = [infra];
  // A worker cannot drain against a dead Temporal server (it retried for a minute): the processes get
  // 5 s between them, the servers the rest of 10 s. Returns whether something was cut short.
  const stopAll = async () => {
    const started = Date.now();
    let cut = false;
    for (const r of stack.reverse()) {
      const until = started + (r === infra ? 10_000 : 5_000);
      const done = await within(Math.max(until - Date.now(), 250), () =>
        r.stop().then(
          () => true,
          (err) => (log.error({ err }, 'error while stopping'), true),
        ),
      );
      if (!done) (cut = true), log.warn(r === infra ? 'the embedded servers did not stop in time' : 'a process did not stop in time; going on');
    }
    return cut;
  };
  try {
    const db = createDb(infra.databaseUrl, 10, log);
    stack.push({ stop: () => db.destroy() });
    const applied = await migrateToLatest(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const token = await adminToken(config, db);
    await ensureBootstrapAdmin(db, token);

    const temporal = await connectClient(infra.temporalAddress, config.temporalNamespace, dataConverterFor(resolvePayloadKeys(config)), config.temporalTimeouts);
    stack.push({ stop: () => temporal.connection.close() });
    await ensureSearchAttributes(temporal, config.temporalNamespace);
    stack.push(await startWorker(config, log, db, infra.temporalAddress));
    // The monthly payout run (Asia/Tokyo); creating it again is a no-op.
    await ensurePayoutSchedule(temporal, config);
    // Monthly invoicing of the month just ended (the 1st, Asia/Tokyo); a no-op when it exists.
    await ensureInvoicingSchedule(temporal, config);
    // Managed retainers and grades at the start of each Tokyo month; a no-op when it exists.
    await ensureNetworkSchedule(temporal, config);
    const reconciled = await reconcileEngagementWorkflows(db, temporal, config.taskQueue);
    if (reconciled) log.warn({ started: reconciled }, 'started missing engagement workflows');
    // The web back office is served from web/dist: built now when missing or stale.
    await ensureWebBuild(log);
    const api = await startApi(config, log, db, temporal);
    stack.push(api);

    const ui = infra.embeddedTemporal ? `http://localhost:${config.temporalUiPort}` : '(external cluster: see its own UI)';
    process.stdout.write(
      [
        '',
        'Kaizen Desk is up.',
        `  Web back office  ${api.url}/   (sign in with a token; npm run dev:web for hot reload)`,
        `  API              ${api.url}`,
        `  OpenAPI docs     ${api.url}/docs   (document: ${api.url}/openapi.json)`,
        `  Temporal UI      ${ui}`,
        `  Temporal server  ${infra.temporalAddress}  namespace ${config.temporalNamespace}`,
        `  Admin token      ${token}`,
        '',
        // The token is printed once, above; the example refers to where it is kept.
        `  try: curl -H "Authorization: Bearer ${config.bootstrapAdminToken ? '$KAIZEN_BOOTSTRAP_ADMIN_TOKEN' : `$(cat ${path.join(config.dataDir, 'admin-token')})`}" ${api.url}/v1/clients`,
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  const signal = await stopping;
  log.info({ signal }, 'shutting down');
  const cut = await stopAll();
  log.info('stopped');
  // What was cut short (a worker still polling a dead server) would keep the process alive.
  if (cut) process.exit(process.exitCode ?? 0);
}
