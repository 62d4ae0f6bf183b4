// `npm run demo`: the stack on its own folder and ports, the seeded marketplace, the actors, and a
// conductor that watches the months go by: it computes the network's grades at each compressed
// month end (the monthly network workflow, as the Schedule would on the 1st), opens the first month's
// payout run and invoicing run as finance, prints the guide once the payout run waits for approval, and
// once it is approved reconciles it with the bank's result file (reconcilePayouts).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApiClient, sleep, type Json } from '../sim/actors.ts';
import { startSampleSite, type SampleSite } from '../site/sample-site.ts';
import { CLIENTS, DemoActors, loadState, saveState, seedDemo, type DemoState } from './world.ts';
import { bankResultFile } from '../sim/bank-answer.ts';
import { startDemoStack, type DemoPorts, type DemoStack } from './stack.ts';

export interface DemoOptions {
  dataDir: string;
  ports: DemoPorts;
  seed: number;
  hackers: number;
  monthSeconds: number;
  /** Months to complete before "ready" is printed (the actors go on until Ctrl-C). */
  months: number;
  reset: boolean;
  web: boolean;
  print?: (l: string) => void;
}

export const READY_MARKER = 'DEMO READY';

export async function runDemo(opts: DemoOptions, stopping: Promise<unknown>): Promise<void> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dataDir = path.resolve(opts.dataDir);
  if (opts.reset && existsSync(dataDir)) {
    rmSync(dataDir, { recursive: true, force: true });
    print(`demo: --reset: removed ${dataDir}`);
  }
  let state = loadState(dataDir);
  if (!state && existsSync(path.join(dataDir, 'pg'))) {
    // Seeding was interrupted: nothing the actors could resume; start over.
    rmSync(dataDir, { recursive: true, force: true });
    print('demo: the previous seeding did not finish; starting over');
  }
  mkdirSync(dataDir, { recursive: true });
  const t0 = Date.now();
  print(`demo: starting Postgres, Temporal, worker and API on ${dataDir} …`);
  const stack = await startDemoStack({ dataDir, ports: opts.ports, web: opts.web });
  const api = new ApiClient({ baseUrl: () => stack.apiUrl, retryForMs: 120_000 });
  let actors: DemoActors | undefined;
  const sites: SampleSite[] = [];
  try {
    print(`demo: stack up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // Each client's site: the sample site on an origin of its own, the client's site key in its snippet
    // (read per request: the key is created once the origin is known). A resumed demo keeps its ports,
    // since the engagements' pages name them.
    for (let i = 0; i < CLIENTS.length; i++) {
      const known = state?.clients[i]?.site;
      const site = await startSampleSite({ api: stack.apiUrl, key: () => state?.clients[i]?.site?.key ?? '', port: known ? Number(new URL(known.origin).port) : 0 });
      sites.push(site);
    }
    if (state) {
      print(`demo: resuming (seed ${state.seed}, seeded ${state.createdAt}, a month every ${state.monthSeconds} s)`);
      state.adminToken = stack.adminToken;
    } else {
      print(`demo: seeding (seed ${opts.seed}, ${opts.hackers} growth hackers) …`);
      state = await seedDemo(api, stack.adminToken, { seed: opts.seed, hackers: opts.hackers, monthSeconds: opts.monthSeconds, print, siteOrigins: sites.map((s) => s.origin) });
      saveState(dataDir, state);
    }
    const st: DemoState = state;
    const save = () => saveState(dataDir, st);
    actors = new DemoActors(api, st, save, print);
    const acting = actors.run();
    const conducting = conduct(stack, api, st, save, opts, print, t0);
    await Promise.race([stopping, acting, conducting]);
  } finally {
    actors?.stop();
    print('demo: stopping (the worker drains) …');
    for (const s of sites) await s.close();
    await stack.stop();
    print('demo: stopped; `npm run demo` resumes, `npm run demo -- --reset` starts over');
  }
}

async function conduct(stack: DemoStack, api: ApiClient, st: DemoState, save: () => void, opts: DemoOptions, print: (l: string) => void, t0: number): Promise<void> {
  const finA = st.finance[0]!;
  let guidePrinted = false;
  let readyPrinted = false;
  const announced = new Set<string>(st.networkMonths);
  for (;;) {
    await sleep(2000);
    // Every cycle, by month.
    const byMonth = new Map<string, Json[]>();
    for (const c of st.clients) {
      const a = await api.call('GET', `/v1/cycles?engagement_id=${c.engagementId}&limit=50`, st.adminToken);
      if (a.status !== 200) continue;
      for (const cy of a.body.items as Json[]) byMonth.set(cy.month, [...(byMonth.get(cy.month) ?? []), cy]);
    }
    const months = [...byMonth.keys()].sort();
    if (!months.length) continue;
    if (!st.firstMonth) {
      st.firstMonth = months[0];
      save();
    }
    const complete = months.filter((m) => byMonth.get(m)!.length === st.clients.length && byMonth.get(m)!.every((c) => ['completed', 'failed', 'abandoned'].includes(c.phase)));
    for (const m of complete) {
      if (announced.has(m)) continue;
      announced.add(m);
      const cs = byMonth.get(m)!;
      const tests = (await api.ok('GET', `/v1/tests?limit=200`, st.adminToken)).items.filter((t: Json) => t.month === m);
      const count = (o: string) => tests.filter((t: Json) => t.outcome === o).length;
      print(
        `demo: month ${m} done at ${((Date.now() - t0) / 1000).toFixed(0)} s: ${cs.filter((c) => c.phase === 'completed').length}/${cs.length} cycles completed, ` +
          `${tests.length} tests (${count('winner')} won, ${count('loser')} lost, ${count('inconclusive')} inconclusive, ${count('blocked_by_guardrail')} blocked by a guardrail)`,
      );
      // The network's month end: grades and managed retainers (what the Schedule does on the 1st).
      try {
        await stack.temporal.workflow.start('networkMonthWorkflow', { workflowId: `demo-network-${m}`, taskQueue: stack.config.taskQueue, args: [{ month: m }] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) print(`demo: network month ${m} not started: ${String(err).slice(0, 200)}`);
      }
      st.networkMonths = [...new Set([...st.networkMonths, m])];
      save();
    }
    // The first month is over: finance opens its payout run and its invoicing run.
    if (st.firstMonth && complete.includes(st.firstMonth) && st.payoutRunId === undefined) {
      const run = await api.call('POST', '/v1/payout-runs', finA.token, { month: st.firstMonth }, { 'idempotency-key': `demo-payout-${st.firstMonth}` });
      if (run.status === 200 || run.status === 201) {
        st.payoutRunId = run.body.id;
        print(`demo: finance (${finA.name}) opened payout run #${run.body.id} for ${st.firstMonth}`);
      } else print(`demo: payout run refused (${run.status}): ${run.raw.toString('utf8').slice(0, 200)}`);
      const inv = await api.call('POST', '/v1/invoicing-runs', finA.token, { month: st.firstMonth });
      st.invoicing = inv.status === 202 || inv.status === 200 ? inv.body.workflow_id : `not available (${inv.status})`;
      save();
    }
    if (st.payoutRunId !== undefined && !guidePrinted) {
      const r = await api.call('GET', `/v1/payout-runs/${st.payoutRunId}`, finA.token);
      if (r.status === 200 && ['review', 'blocked', 'paying', 'remitting', 'completed', 'rejected'].includes(r.body.status)) {
        guidePrinted = true;
        print(guide(stack, st, r.body));
      }
    }
    if (st.payoutRunId !== undefined) await reconcilePayouts(api, st, print);
    if (guidePrinted && !readyPrinted && complete.length >= opts.months) {
      readyPrinted = true;
      print(`${READY_MARKER}: ${complete.length} month(s) done, payout run #${st.payoutRunId} waiting for approval (${((Date.now() - t0) / 1000).toFixed(0)} s). The actors go on; Ctrl-C stops everything.`);
    }
  }
}

/**
 * Once the approved run has handed its transfers to the bank (its latest 全銀 file), finance downloads
 * that file, the demo's bank executes it and answers with a result file, and finance imports it: the
 * run is paid only when the bank's result confirms each transfer. Importing the same file twice
 * changes nothing, so a resumed demo may do it again.
 */
async function reconcilePayouts(api: ApiClient, st: DemoState, print: (l: string) => void): Promise<void> {
  const finA = st.finance[0]!;
  const r = await api.call('GET', `/v1/payout-runs/${st.payoutRunId}`, finA.token);
  if (r.status !== 200) return;
  const run = r.body;
  if (!['paying', 'needs_attention'].includes(run.status) || run.totals.pending > 0 || run.totals.handed_to_bank === 0 || run.totals.zengin_files === 0) return;
  const file = await api.call('GET', `/v1/payout-runs/${run.id}/zengin?file=${run.totals.zengin_files}`, finA.token);
  if (file.status !== 200) return void print(`demo: Zengin file of payout run #${run.id} not available (${file.status})`);
  const imported = await api.call('POST', `/v1/payout-runs/${run.id}/bank-results`, finA.token, bankResultFile(file.raw));
  if (imported.status !== 200) return void print(`demo: the bank's result file was refused (${imported.status}): ${imported.raw.toString('utf8').slice(0, 300)}`);
  const c = imported.body.counts;
  print(
    `demo: finance (${finA.name}) downloaded Zengin file ${run.totals.zengin_files} of payout run #${run.id} and imported the bank's result file: ` +
      `${c.confirmed} confirmed, ${c.failed} failed, ${c.returned} returned; the run is ${imported.body.run_status}`,
  );
}

function guide(stack: DemoStack, st: DemoState, run: Json): string {
  const [finA, finB] = st.finance;
  const hackerId = Object.keys(st.hackerTokens)[0];
  const dir = path.relative(process.cwd(), stack.config.dataDir) || stack.config.dataDir;
  const lines = [
    '',
    '──────── Kaizen Desk demo ────────',
    `  Web back office  ${stack.apiUrl}/   (sign in with one of the tokens below)`,
    `  API              ${stack.apiUrl}   (docs ${stack.apiUrl}/docs)`,
    `  Temporal UI      ${stack.uiUrl}`,
    ...st.clients.map((c) => `  Site of ${c.name.split(' (')[0]!.padEnd(15)}${c.pages.map((p) => p.url).join('  ')}   (the SDK applies each visitor's variant)`),
    `      search: CyclePhase="test_run" (tests running now), ClientId="${st.clients[0]!.id}" (one client's engagement and cycles),`,
    `      WorkflowId STARTS_WITH "payout-" (the payout run waiting in review), "test-" (A/B tests), "engagement-" (monthly contracts)`,
    '',
    '  Who is who (tokens are also in ' + path.join(dir, 'demo-state.json') + '):',
    `    admin                         ${st.adminToken}`,
    ...st.clients.map((c) => `    CS ${c.cs.name.padEnd(28)}${c.cs.token}   manages ${c.name}`),
    `    finance ${finA!.name.padEnd(23)} ${finA!.token}   prepared the payout run`,
    `    finance ${finB!.name.padEnd(23)} ${finB!.token}   approves it (four eyes)`,
    ...st.clients.map((c) => `    client ${c.name.split(' (')[0]!.padEnd(23)}${c.user.token}`),
    ...(hackerId ? [`    hacker #${hackerId.padEnd(22)}${st.hackerTokens[hackerId]}   (one of ${Object.keys(st.hackerTokens).length} who proposed)`] : []),
    ...(st.partner?.user ? [`    partner ${st.partner.name.padEnd(22)}${st.partner.user.token}`] : []),
    '',
    `  Payout run #${run.id} for ${run.month} is ${run.status}${run.status === 'review' ? ' (waiting for finance approval)' : ''}`,
    `    web: sign in as ${finB!.name} → Payouts → run #${run.id} → Approve`,
    `    or:  curl -X POST -H "Authorization: Bearer ${finB!.token}" ${stack.apiUrl}/v1/payout-runs/${run.id}/approve`,
    `  Invoicing ${run.month}: ${st.invoicing ?? '—'}   (finance: ${stack.apiUrl}/v1/invoices)`,
    '  Look at: engagements and their timelines, tests and verdicts, the knowledge base, hackers\' grades and track records,',
    '  the cosmetics client\'s growth team and holdout, the payout run\'s items and withholding.',
    '  Ctrl-C stops everything; `npm run demo` resumes; `npm run demo -- --reset` starts over.',
    '──────────────────────────────────',
    '',
  ];
  return lines.join('\n');
}
