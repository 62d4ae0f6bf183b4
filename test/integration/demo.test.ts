// Smoke test of `npm run demo` (issue 14): the real script on a temp folder and free ports, a small
// network (40 hackers) and one short compressed month; then, through the API with the tokens the demo
// saved, at least one test reached a verdict, earnings accrued, the knowledge base has entries and the
// first month's payout run waits in review; approved by the second finance user, it pays through the
// demo's own (simulated) bank with the demo's own key, and nothing is written to the default data
// folder (KAIZEN_DATA_DIR of the demo's environment points at an empty temp folder that must stay
// empty). No timing assertions: only generous eventual timeouts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_MARKER } from '../../src/demo/run.ts';
import type { DemoState } from '../../src/demo/world.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-demo-'));
// Where a process that reads the environment instead of the demo's configuration would write (the
// default data folder): the demo promises to keep everything under its own --data folder.
const defaultDataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-demo-default-'));
let child: ChildProcess;
let out = '';
let exited: Promise<number | null>;
let apiUrl = '';
let state: DemoState;

async function get(url: string, token: string) {
  const res = await fetch(apiUrl + url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, `GET ${url}`).toBe(200);
  return (await res.json()) as any;
}

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/demo.ts', '--hackers', '40', '--month-seconds', '75', '--months', '1', '--seed', '7', '--free-ports', '--no-web', '--data', dataDir],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'error', KAIZEN_DATA_DIR: defaultDataDir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 420_000;
  while (!out.includes(READY_MARKER)) {
    if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}) before it was ready:\n${out.slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`the demo was not ready in time:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  apiUrl = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  state = JSON.parse(readFileSync(path.join(dataDir, 'demo-state.json'), 'utf8'));
}, 480_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    process.kill(-child.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(defaultDataDir, { recursive: true, force: true });
}, 90_000);

describe('npm run demo (one short compressed month)', () => {
  it('seeded three clients with their engagements, staff and the network', async () => {
    expect(state.clients).toHaveLength(3);
    expect(state.hackerIds).toHaveLength(40);
    const hackers = await get('/v1/hackers?limit=100', state.cs[0]!.token);
    expect(hackers.items.length).toBeGreaterThanOrEqual(40); // and the partner's payee record
    expect(new Set(hackers.items.map((h: any) => h.kind)).size).toBeGreaterThan(0);
  });

  it('at least one test reached a verdict', async () => {
    const tests = await get('/v1/tests?limit=100', state.cs[0]!.token);
    expect(tests.items.filter((t: any) => t.outcome !== null).length, out.slice(-3000)).toBeGreaterThan(0);
  });

  it('earnings accrued (the payout run holds items with money)', async () => {
    const run = await get(`/v1/payout-runs/${state.payoutRunId}`, state.finance[0]!.token);
    expect(run.totals.gross_yen).toBeGreaterThan(0);
    const items = await get(`/v1/payout-runs/${state.payoutRunId}/items`, state.finance[0]!.token);
    expect(items.items.length).toBeGreaterThan(0);
  });

  it('the knowledge base has entries', async () => {
    const k = await get('/v1/knowledge?limit=50', state.cs[0]!.token);
    expect(k.items.length).toBeGreaterThan(0);
  });

  it("the first month's payout run waits in review for finance", async () => {
    const run = await get(`/v1/payout-runs/${state.payoutRunId}`, state.finance[1]!.token);
    expect(run.status).toBe('review');
    expect(run.month).toBe(state.firstMonth);
    expect(out).toContain(`/v1/payout-runs/${state.payoutRunId}/approve`);
  });

  it("approved by the second finance user, the run pays through the demo's own bank and key, and nothing lands in the default data folder", async () => {
    const finB = state.finance[1]!;
    const res = await fetch(`${apiUrl}/v1/payout-runs/${state.payoutRunId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${finB.token}`, 'idempotency-key': `demo-test-approve-${state.payoutRunId}` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const deadline = Date.now() + 180_000;
    let run: any;
    for (;;) {
      run = await get(`/v1/payout-runs/${state.payoutRunId}`, finB.token);
      if (['remitting', 'completed', 'blocked'].includes(run.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(['remitting', 'completed'], JSON.stringify(run)).toContain(run.status);
    const items = (await get(`/v1/payout-runs/${state.payoutRunId}/items?limit=200`, finB.token)).items as any[];
    expect(items.filter((i) => i.failure_reason?.includes('cannot be read')), 'items failed on the bank key').toEqual([]);
    const sent = items.filter((i) => i.status === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    // The simulated bank's references (the zengin file adapter's are "zengin:…").
    expect(sent.filter((i) => !String(i.bank_reference).startsWith('SIM-')).map((i) => i.bank_reference)).toEqual([]);
    expect(readdirSync(defaultDataDir)).toEqual([]);
  }, 240_000);
});
