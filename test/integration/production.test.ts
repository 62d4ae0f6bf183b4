// The production entry points exactly as the image runs them (issue 29): the server compiled by
// `tsc -p tsconfig.build.json` (what `npm run build` does in the Dockerfile), `node dist/cli/main.js`
// with NODE_ENV=production and every production setting, an external-style DATABASE_URL (a fresh
// database that `migrate` sets up) and TEMPORAL_ADDRESS, an SMTP server of its own (SMTP_URL), and
// the API and the worker as separate processes — then an engagement started over HTTP opens its first
// cycle in the worker process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, ensureDatabase, type Db } from '../../src/db/index.ts';
import { freePort } from '../../src/infra/ports.ts';
import { eventually } from '../helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-production-'));
const children: ChildProcess[] = [];
let out = '';
let env: Record<string, string>;
let api = '';
let db: Db;
let smtp: SMTPServer;
let adminToken = '';

const main = path.join(root, 'dist/cli/main.js');

function start(command: string): void {
  const child = spawn(process.execPath, [main, command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  children.push(child);
}

beforeAll(async () => {
  // The image's build step for the server (the web app is built by the test setup already).
  await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, timeout: 400_000 });
  smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], onData: (stream, _s, cb) => stream.resume().on('end', () => cb()) });
  const smtpPort = await freePort();
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', () => r()));
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/kaizen_production_${process.pid}`;
  await ensureDatabase(url.toString());
  db = createDb(url.toString(), 2);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const key = () => randomBytes(32).toString('base64');
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    NODE_ENV: 'production',
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    KAIZEN_TASK_QUEUE: `production-${process.pid}`,
    KAIZEN_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOG_PRETTY: '0',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    KAIZEN_ISSUER_NAME: '本番検証株式会社',
    KAIZEN_ISSUER_REGISTRATION_NUMBER: 'T1180301018771',
    KAIZEN_ISSUER_ADDRESS: '東京都千代田区丸の内1-1-1',
    KAIZEN_PAYER_NAME: 'ﾎﾝﾊﾞﾝｹﾝｼｮｳ(ｶ',
    KAIZEN_PAYER_REQUESTER_CODE: '1234567890',
    KAIZEN_PAYER_BANK_CODE: '0001',
    KAIZEN_PAYER_BRANCH_CODE: '001',
    KAIZEN_PAYER_ACCOUNT_NUMBER: '1234567',
    KAIZEN_BANK_KEY: randomBytes(32).toString('hex'),
    KAIZEN_PAYLOAD_KEYS: `p1:${key()}`,
    KAIZEN_PREVIEW_KEY: key(),
    KAIZEN_MYNUMBER_KEY: key(),
  };
  await run(process.execPath, [main, 'migrate'], { cwd: root, env, timeout: 120_000 });
  const created = await run(process.execPath, [main, 'users', 'create', '--role', 'admin', '--name', 'ops'], { cwd: root, env, timeout: 60_000 });
  adminToken = /kzd_[\w-]+/.exec(created.stdout)![0];
  start('api');
  start('worker');
  await eventually(async () => (await fetch(`${api}/readyz`).catch(() => undefined))?.ok || undefined, 120_000, 250).catch((err) => {
    throw new Error(`the API did not become ready: ${err}\n${out.slice(-3000)}`);
  });
}, 600_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await db?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the production entry points (compiled, NODE_ENV=production, separate processes)', () => {
  it('refuse to start without the production settings', async () => {
    const { KAIZEN_BANK_KEY: _k, SMTP_URL: _s, ...missing } = env;
    const res = await run(process.execPath, [main, 'api'], { cwd: root, env: { ...missing, PORT: String(await freePort()) }, timeout: 60_000 }).catch((err: { code: number; stderr: string; stdout: string }) => err);
    expect((res as { code: number }).code).not.toBe(0);
    expect(`${(res as { stderr: string }).stderr}${(res as { stdout: string }).stdout}`).toMatch(/KAIZEN_BANK_KEY[\s\S]*SMTP_URL|SMTP_URL[\s\S]*KAIZEN_BANK_KEY/);
  }, 90_000);

  it('serve the API and run workflows: an engagement started over HTTP opens its first cycle in the worker process', async () => {
    const admin = { authorization: `Bearer ${adminToken}` };
    const created = await fetch(`${api}/v1/users`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'CS 本番', role: 'cs_manager' }) });
    expect(created.status).toBe(201);
    const cs = { authorization: `Bearer ${((await created.json()) as { token: string }).token}` };
    const client = await fetch(`${api}/v1/clients`, { method: 'POST', headers: { ...cs, 'content-type': 'application/json' }, body: JSON.stringify({ name: '本番検証商事', industry: 'ecommerce' }) });
    expect(client.status).toBe(201);
    const clientId = ((await client.json()) as { id: number }).id;
    const res = await fetch(`${api}/v1/engagements`, { method: 'POST', headers: { ...cs, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: clientId, offer_mode: 'open', monthly_fee_yen: 500_000 }) });
    expect(res.status, await res.clone().text()).toBe(201);
    const e = (await res.json()) as { id: number };
    const cycle = await eventually(async () => (await db.selectFrom('cycles').select(['id', 'phase']).where('engagement_id', '=', e.id).executeTakeFirst()) ?? undefined, 120_000).catch((err) => {
      throw new Error(`${err}\n${out.slice(-3000)}`);
    });
    expect(cycle.phase).toBe('planning');
    const view = await fetch(`${api}/v1/cycles/${cycle.id}`, { headers: cs });
    expect(view.status).toBe(200);
  }, 300_000);
});
