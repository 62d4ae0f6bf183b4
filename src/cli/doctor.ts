// `kaizen doctor`: every check a deployment needs, each with what to fix — the configuration and
// production settings, PostgreSQL's version and migrations, Temporal's namespace and search
// attributes, and the Chromium the render worker drives. Exit code 1 when a check fails.
import { accessSync, constants } from 'node:fs';
import { Connection } from '@temporalio/client';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createDb } from '../db/index.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { postgresVersionProblem, serverVersionNum } from '../db/version.ts';
import { resolveChromium } from '../infra/tools.ts';
import { SEARCH_ATTRIBUTE_NAMES } from '../workflows/search-attributes.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about it (failed checks). */
  fix?: string;
}

const failed = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

async function postgresChecks(config: Config): Promise<Check[]> {
  if (!config.databaseUrl) return [{ name: 'postgres', ok: true, detail: 'embedded PostgreSQL (started by `npm run dev`; set DATABASE_URL for a server of your own)' }];
  const db = createDb(config.databaseUrl, 1);
  try {
    const version = await serverVersionNum(db);
    const problem = postgresVersionProblem(version);
    const checks: Check[] = [{ name: 'postgres', ok: !problem, detail: problem ?? `PostgreSQL ${Math.floor(version / 10_000)}.${version % 10_000} reachable`, ...(problem ? { fix: 'run PostgreSQL 18 or newer' } : {}) }];
    const pending = await pendingMigrations(db);
    checks.push(pending.length ? { name: 'migrations', ok: false, detail: `${pending.length} not applied (${pending.join(', ')})`, fix: 'run `kaizen migrate`' } : { name: 'migrations', ok: true, detail: 'the schema is up to date' });
    return checks;
  } catch (err) {
    return [{ name: 'postgres', ok: false, detail: `cannot connect: ${failed(err)}`, fix: 'check DATABASE_URL (host, port, user, password, database) and that the server accepts connections' }];
  } finally {
    await db.destroy();
  }
}

async function temporalChecks(config: Config): Promise<Check[]> {
  if (!config.temporalAddress) return [{ name: 'temporal', ok: true, detail: 'embedded Temporal dev server (started by `npm run dev`; set TEMPORAL_ADDRESS for a cluster)' }];
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: 5_000 });
    const namespace = config.temporalNamespace;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      return [{ name: 'temporal', ok: false, detail: `namespace "${namespace}" not found: ${failed(err)}`, fix: `create it: temporal operator namespace create -n ${namespace}` }];
    }
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((n) => !(customAttributes && n in customAttributes));
    return [
      { name: 'temporal', ok: true, detail: `${config.temporalAddress}, namespace "${namespace}"` },
      missing.length
        ? { name: 'search attributes', ok: false, detail: `missing: ${missing.join(', ')}`, fix: 'run `kaizen migrate` (with TEMPORAL_ADDRESS set): it registers them' }
        : { name: 'search attributes', ok: true, detail: `${SEARCH_ATTRIBUTE_NAMES.length} registered` },
    ];
  } catch (err) {
    return [{ name: 'temporal', ok: false, detail: `cannot reach ${config.temporalAddress}: ${failed(err)}`, fix: 'check TEMPORAL_ADDRESS (host:port of the frontend) and that the server is up' }];
  } finally {
    await connection?.close();
  }
}

function chromiumCheck(config: Config): Check {
  const file = resolveChromium(config.tools);
  try {
    accessSync(file, constants.X_OK);
    return { name: 'chromium', ok: true, detail: `${file} (the render worker's browser)` };
  } catch {
    return { name: 'chromium', ok: false, detail: `${file} not found (needed by \`kaizen render-worker\` only)`, fix: 'apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH' };
  }
}

export async function runChecks(config: Config): Promise<Check[]> {
  const settings: Check = !config.production.strict
    ? { name: 'settings', ok: true, detail: 'development: demo values allowed (NODE_ENV is not production and no DATABASE_URL)' }
    : config.production.problems.length
      ? { name: 'settings', ok: false, detail: `missing: ${config.production.problems.join('; ')}`, fix: 'set each (docs/operations.md lists them and how to generate the keys)' }
      : { name: 'settings', ok: true, detail: 'every production setting is set' };
  const node = Number(process.versions.node.split('.')[0]);
  const runtime: Check = node >= 22
    ? { name: 'node', ok: true, detail: `Node.js ${process.versions.node}` }
    : { name: 'node', ok: true, detail: `Node.js ${process.versions.node} (works; production images use Node 22 LTS)` };
  return [settings, runtime, ...(await postgresChecks(config)), ...(await temporalChecks(config)), chromiumCheck(config)];
}

export async function doctor(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(`✗ configuration  ${err.message}\n    fix: correct that setting\n`);
    return 1;
  }
  const checks = await runChecks(config);
  for (const c of checks) process.stdout.write(`${c.ok ? '✓' : '✗'} ${c.name.padEnd(17)} ${c.detail}\n${c.fix ? `    fix: ${c.fix}\n` : ''}`);
  const bad = checks.filter((c) => !c.ok).length;
  process.stdout.write(bad ? `${bad} check(s) failed\n` : 'all checks passed\n');
  return bad ? 1 : 0;
}
