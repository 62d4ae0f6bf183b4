// Smoke test of `npm run demo` (issue 14): the real script on a temp folder and free ports, a small
// network (40 hackers) and one short compressed month; then, through the API with the tokens the demo
// saved, at least one test reached a verdict, earnings accrued, the knowledge base has entries and the
// first month's payout run waits in review; approved by the second finance user, it hands its transfers
// to the bank in a 全銀 file sealed with the demo's own key, the demo's finance reconciles it with the
// bank's result file, and nothing is written to the default data folder (KAIZEN_DATA_DIR of the demo's environment points at an empty temp folder that must stay
// empty). No timing assertions: only generous eventual timeouts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewComment } from '../../src/demo/pages.ts';
import { READY_MARKER } from '../../src/demo/run.ts';
import type { DemoState } from '../../src/demo/world.ts';
import { CHROMIUM } from '../web/browser.ts';

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

function groupBy<T>(xs: T[], key: (x: T) => string | number): Map<string | number, T[]> {
  const m = new Map<string | number, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

/** Every proposal of the demo's run (as the admin sees them), with its offer's page. */
async function allProposals(): Promise<any[]> {
  const offers = (await get('/v1/offers?limit=200', state.adminToken)).items as any[];
  const out: any[] = [];
  for (const o of offers) {
    const page = /Page: (\S+)/.exec(o.brief)?.[1];
    for (const p of (await get(`/v1/offers/${o.id}/proposals?limit=100`, state.adminToken)).items) out.push({ ...p, page });
  }
  return out;
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

  it("the clients' pages are the sample site's card application form, cosmetics cart and part-time job listing", async () => {
    const expected = ['/card-apply.html', '/cosme-cart.html', '/baito-jobs.html'];
    for (const [i, c] of state.clients.entries()) {
      const pages = (await get(`/v1/engagements/${c.engagementId}/pages`, c.cs.token)).items as any[];
      expect(pages.map((p) => p.url)).toEqual([c.site!.origin + expected[i]]);
      // The page is served on the client's own origin with the snippet and the client's site key.
      const html = await (await fetch(pages[0].url)).text();
      expect(html).toContain(`${apiUrl}/sdk/v1.js`);
      expect(html).toContain(c.site!.key);
    }
  });

  it('hackers submitted real, differing change sets whose selectors match the page in a browser', async () => {
    const proposals = await allProposals();
    expect(proposals.length).toBeGreaterThan(5);
    for (const p of proposals) expect((p.changes.mutations ?? []).length + (p.changes.redirect ? 1 : 0), `proposal ${p.id}`).toBeGreaterThan(0);
    const byOffer = groupBy(proposals, (p) => p.offer_id);
    const several = [...byOffer.values()].filter((ps) => ps.length >= 2);
    expect(several.length).toBeGreaterThan(0);
    for (const ps of several) expect(new Set(ps.map((p) => JSON.stringify(p.changes))).size, `offer ${ps[0].offer_id}`).toBeGreaterThan(1);
    // What CS passed (or the client then selected or not) targets elements the page really has.
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage();
      for (const [url, ps] of groupBy(proposals.filter((p) => p.review.status === 'passed'), (p) => p.page as string)) {
        const selectors = [...new Set(ps.flatMap((p) => (p.changes.mutations ?? []).flatMap((m: any) => [m.selector, ...(m.target ? [m.target] : [])])))];
        await tab.goto(String(url));
        // The client-side rendered page has its elements once its app has rendered.
        // (Runs in the page: the Node tsconfig has no DOM types.)
        const missing = (sels: string[]) => sels.filter((s) => !(globalThis as any).document.querySelector(s));
        await tab.waitForFunction((sels: string[]) => sels.every((s) => (globalThis as any).document.querySelector(s)), selectors, { timeout: 10_000 }).catch(() => undefined);
        expect(await tab.evaluate(missing, selectors), String(url)).toEqual([]);
      }
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('CS sent back the broken proposals with a comment and never passed one; their authors revise what came back', async () => {
    const proposals = await allProposals();
    const details = await Promise.all(proposals.map((p) => get(`/v1/proposals/${p.id}`, state.adminToken)));
    // Broken: the current change set still carries one of the demo's mistakes (src/demo/pages.ts).
    const broken = details.filter((d) => reviewComment(d.changes) !== undefined);
    const returned = details.filter((d) => d.reviews.some((r: any) => r.decision === 'return' && r.comment));
    // Hackers do make mistakes (a seeded share of 10–35%) and CS catches each it reviews in time: a
    // broken proposal is returned or, when the window closed first, stays unreviewed — never passed.
    expect(broken.length + returned.length, JSON.stringify(details.map((d) => [d.id, d.review.status]))).toBeGreaterThan(0);
    for (const d of broken) expect(d.review.status, `proposal ${d.id}`).not.toBe('passed');
    // A returned proposal was revised when its window allowed (a loaded machine may close it first),
    // and a revision is the fixed change set.
    for (const d of returned.filter((r) => r.version >= 2)) expect(reviewComment(d.changes), `proposal ${d.id}`).toBeUndefined();
    // CS passes most of what it sees.
    expect(details.filter((d) => d.reviews.some((r: any) => r.decision === 'pass')).length).toBeGreaterThan(returned.length);
  });

  it("the render worker took PC and phone screenshots of the selected proposals' versions for the gallery", async () => {
    const deadline = Date.now() + 240_000;
    let rendered: any[] = [];
    let renders: any[] = [];
    for (;;) {
      const selected = (await allProposals()).filter((p) => p.status === 'selected');
      renders = selected.flatMap((p) => p.renders);
      rendered = selected.filter((p) => ['pc', 'phone'].every((d) => p.renders.some((r: any) => r.device === d && r.status === 'rendered' && r.control && r.variant)));
      if (rendered.length || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(rendered.length, JSON.stringify(renders.map((r) => [r.device, r.status, r.reason]))).toBeGreaterThan(0);
    const shot = rendered[0].renders.find((r: any) => r.device === 'phone').variant;
    const img = await fetch(apiUrl + shot.url, { headers: { authorization: `Bearer ${state.adminToken}` } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
  }, 300_000);

  it('about half of the tests won and every arm converts at a plausible rate', async () => {
    const tests = (await get('/v1/tests?limit=200', state.adminToken)).items as any[];
    const decided = tests.filter((t) => ['winner', 'loser', 'inconclusive'].includes(t.outcome));
    const won = decided.filter((t) => t.outcome === 'winner').length;
    const arms: string[] = [];
    for (const t of tests) {
      const d = await get(`/v1/tests/${t.id}`, state.adminToken);
      for (const a of d.arms) if (a.n > 0) arms.push(`test ${t.id} (${t.outcome}) ${a.arm}: ${a.conversions}/${a.n} = ${((100 * a.conversions) / a.n).toFixed(1)}%`);
    }
    const summary = `${won}/${decided.length} won\n${arms.join('\n')}`;
    expect(decided.length, summary).toBeGreaterThanOrEqual(3);
    // Some win and some do not (one short month has a handful of tests, so no tighter share is stable;
    // the old model won 21 of 24): the share over many draws is the effect model's, tested in
    // test/unit/demo-effects.test.ts.
    expect(won, summary).toBeGreaterThan(0);
    expect(won, summary).toBeLessThan(decided.length);
    expect(arms.filter((a) => Number(/= ([\d.]+)%/.exec(a)![1]) > 60), summary).toEqual([]);
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

  it("approved by the second finance user, the run pays through its 全銀 file and the demo's own key, is reconciled with the bank's result file, and nothing lands in the default data folder", async () => {
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
    // Paid only once the bank's result confirmed the transfers: the demo's finance imported it.
    expect(['remitting', 'completed'], `${JSON.stringify(run)}\n${out.slice(-3000)}`).toContain(run.status);
    const items = (await get(`/v1/payout-runs/${state.payoutRunId}/items?limit=200`, finB.token)).items as any[];
    expect(items.filter((i) => i.failure_reason?.includes('cannot be read')), 'items failed on the bank key').toEqual([]);
    const confirmed = items.filter((i) => i.status === 'confirmed');
    expect(confirmed.length, JSON.stringify(items.map((i) => [i.status, i.failure_reason, i.net_transfer]))).toBeGreaterThan(0);
    expect(items.filter((i) => !['confirmed', 'held'].includes(i.status)).map((i) => [i.status, i.failure_reason])).toEqual([]);
    // Each in the run's 全銀 file, downloaded by the demo's finance, confirmed by the imported result file.
    expect(confirmed.filter((i) => !String(i.bank_reference).startsWith('zengin:')).map((i) => i.bank_reference)).toEqual([]);
    expect(confirmed.every((i) => i.downloaded_by === state.finance[0]!.id && i.result_at)).toBe(true);
    const audit = (await get(`/v1/payout-runs/${state.payoutRunId}/audit?limit=500`, finB.token)).items as any[];
    const imported = audit.filter((a) => a.action === 'transfer_confirmed' && a.details?.source === 'import');
    expect(imported.map((a) => a.item_id).sort(), JSON.stringify(audit.map((a) => a.action))).toEqual(confirmed.map((i) => i.id).sort());
    expect(out).toMatch(new RegExp(`imported the bank's result file: ${confirmed.length} confirmed, 0 failed, 0 returned`));
    expect(readdirSync(defaultDataDir)).toEqual([]);
  }, 240_000);
});
