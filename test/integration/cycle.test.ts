// The monthly improvement cycle end to end through the HTTP API, on real Postgres and Temporal, with
// phase durations of seconds.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness, dataConverter } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(() => h.close());

type Auth = { authorization: string };
let d: ReturnType<typeof cycleDriver>;
const api: ReturnType<typeof cycleDriver>['api'] = (...args) => d.api(...args);
const hacker = (...args: Parameters<ReturnType<typeof cycleDriver>['hacker']>) => d.hacker(...args);
const startEngagement = (...args: Parameters<ReturnType<typeof cycleDriver>['startEngagement']>) => d.startEngagement(...args);
const phaseOf = (cycleId: number) => d.phaseOf(cycleId);
const sendTraffic = (...args: Parameters<ReturnType<typeof cycleDriver>['sendTraffic']>) => d.sendTraffic(...args);
const runToTest = (extra: Record<string, unknown> = {}) => d.runToTest(extra);

describe('monthly improvement cycle', () => {
  it('runs plan → offers → proposals → selection → A/B tests → verdicts → knowledge → earnings', async () => {
    const targetedIn = [await hacker(['design'], ['ecommerce']), await hacker(['design'], ['ecommerce'])];
    const outsider = await hacker(['frontend']);
    const others = [await hacker(['frontend']), await hacker(['copywriting'])];
    const { e, clientUser, pages, cycleId } = await startEngagement({
      planning_seconds: 60,
      offer_window_seconds: 4,
      selection_seconds: 60,
      test_max_seconds: 60,
      interim_check_seconds: 2,
      learning_seconds: 12, // long enough to post a learning on a loaded machine
      min_proposals: 2,
      targeted_top_n: 50,
      adoption_fee_yen: 150_000,
      win_bonus_yen: 100_000,
      mde_relative: 0.3,
    });
    expect(await phaseOf(cycleId)).toBe('planning');
    const tasks = await api('GET', '/v1/tasks', cs.auth);
    expect(tasks.items.some((t: { cycle_id: number; kind: string }) => t.cycle_id === cycleId && t.kind === 'submit_plan')).toBe(true);

    // Plan: the client's hypothesis and CS's both run ("do both").
    const badPage = await h.app.inject({
      method: 'POST',
      url: `/v1/cycles/${cycleId}/plan`,
      headers: cs.auth,
      payload: { hypotheses: [{ author: 'cs', problem: 'x', page_id: 999999, metric: 'conversion' }] },
    });
    expect(badPage.statusCode).toBe(400);
    expect(badPage.json().error.details[0].path).toBe('/body/hypotheses/0/page_id');
    const plan = await api('POST', `/v1/cycles/${cycleId}/plan`, cs.auth, {
      hypotheses: [
        { author: 'client', problem: 'Checkout form asks for too much', page_id: pages[0].id, metric: 'conversion', skills: ['design'], offer_kind: 'targeted' },
        { author: 'cs', problem: 'Landing page hero does not say what we sell', page_id: pages[1].id, metric: 'conversion', offer_kind: 'open' },
      ],
    });
    expect(plan.hypothesis_ids).toHaveLength(2);

    const offers = await eventually(async () => {
      const list = (await api('GET', '/v1/offers', cs.auth)).items.filter((o: { engagement_id: number }) => o.engagement_id === e.id);
      return list.length === 2 ? list : undefined;
    });
    const targeted = offers.find((o: { kind: string }) => o.kind === 'targeted');
    const open = offers.find((o: { kind: string }) => o.kind === 'open');
    const invitations = await h.db.selectFrom('offer_invitations').select('hacker_id').where('offer_id', '=', targeted.id).execute();
    expect(invitations.map((i) => i.hacker_id)).toEqual(expect.arrayContaining(targetedIn.map((x) => x.id)));
    expect(invitations.map((i) => i.hacker_id)).not.toContain(outsider.id);

    // A hacker outside the targeted offer neither sees it nor can submit to it.
    expect((await h.app.inject({ url: `/v1/offers/${targeted.id}`, headers: outsider.auth })).statusCode).toBe(404);
    const sneaky = await h.app.inject({
      method: 'POST',
      url: `/v1/offers/${targeted.id}/proposals`,
      headers: outsider.auth,
      payload: { title: 't', description: 'd', design_url: 'https://figma.example/x' },
    });
    expect(sneaky.statusCode).toBe(404);
    const visible = (await api('GET', '/v1/offers', outsider.auth)).items.map((o: { id: number }) => o.id);
    expect(visible).toContain(open.id);
    expect(visible).not.toContain(targeted.id);

    const propose = (who: { auth: Auth }, offerId: number, title: string) =>
      api('POST', `/v1/offers/${offerId}/proposals`, { ...who.auth, 'idempotency-key': `${title}` } as Auth, {
        title,
        description: `${title}: details`,
        design_url: 'https://figma.example/file',
      });
    const t1 = await propose(targetedIn[0]!, targeted.id, 'One-page checkout');
    const again = await propose(targetedIn[0]!, targeted.id, 'One-page checkout');
    expect(again.id).toBe(t1.id);
    await propose(targetedIn[1]!, targeted.id, 'Guest checkout');
    const o1 = await propose(others[0]!, open.id, 'Clear hero copy');
    await propose(others[1]!, open.id, 'Product video hero');
    // A hacker may withdraw its own proposal before the deadline; a withdrawn one is never selectable.
    const extra = await propose(others[1]!, open.id, 'Hero carousel');
    expect((await api('POST', `/v1/proposals/${extra.id}/withdraw`, others[1]!.auth)).status).toBe('withdrawn');
    expect((await h.app.inject({ method: 'POST', url: `/v1/proposals/${extra.id}/withdraw`, headers: others[0]!.auth })).statusCode).toBe(404);
    const mine = (await api('GET', `/v1/offers/${targeted.id}/proposals`, targetedIn[0]!.auth)).items;
    expect(mine.map((p: { id: number }) => p.id)).toEqual([t1.id]);

    await eventually(async () => (await phaseOf(cycleId)) === 'selection', 30_000);
    const late = await h.app.inject({
      method: 'POST',
      url: `/v1/offers/${open.id}/proposals`,
      headers: outsider.auth,
      payload: { title: 'late', description: 'late', design_url: 'https://figma.example/late' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/deadline/);

    // Selecting another offer's proposal is a 400 naming the field.
    const wrong = await h.app.inject({
      method: 'POST',
      url: `/v1/cycles/${cycleId}/selection`,
      headers: clientUser.auth,
      payload: { selections: [{ offer_id: targeted.id, proposal_ids: [o1.id] }] },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details[0].path).toBe('/body/selections/0/proposal_ids/0');
    await d.select(
      cycleId,
      [
        { offer_id: targeted.id, proposal_ids: [t1.id] },
        { offer_id: open.id, proposal_ids: [o1.id] },
      ],
      clientUser.auth,
    );
    const others2 = await h.db.selectFrom('proposals').select(['id', 'status']).where('offer_id', 'in', [targeted.id, open.id]).where('id', 'not in', [t1.id, o1.id]).execute();
    expect(others2.map((p) => p.status).sort()).toEqual(['rejected', 'rejected', 'withdrawn']);
    expect(others2.find((p) => p.id === extra.id)!.status).toBe('withdrawn');

    const tests = await eventually(async () => {
      const rows = await h.db.selectFrom('tests').selectAll().where('cycle_id', '=', cycleId).orderBy('offer_id').execute();
      return rows.length === 2 ? rows : undefined;
    });
    const winnerTest = tests.find((t) => t.offer_id === targeted.id)!;
    const flatTest = tests.find((t) => t.offer_id === open.id)!;
    // The client's site: a clear winner on the checkout, nothing on the landing page.
    await sendTraffic(winnerTest.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, 'w');
    await sendTraffic(flatTest.id, clientUser.auth, 300, { control: 0.1, A: 0.1 }, 'f');

    await eventually(async () => (await h.db.selectFrom('tests').select('status').where('id', '=', winnerTest.id).executeTakeFirst())?.status !== 'running', 30_000);
    const stop = await api('POST', `/v1/tests/${flatTest.id}/stop`, cs.auth, { reason: 'no traffic to spare this month' });
    expect(stop.stopping).toBe(true);

    const finals = await eventually(async () => {
      const rows = await h.db.selectFrom('verdicts').selectAll().where('test_id', 'in', [winnerTest.id, flatTest.id]).where('kind', '=', 'final').execute();
      return rows.length === 2 ? rows : undefined;
    }, 30_000);
    const win = finals.find((v) => v.test_id === winnerTest.id)!;
    expect(win.outcome).toBe('winner');
    expect(win.winner_variant_id).not.toBeNull();
    const winRow = await h.db.selectFrom('tests').selectAll().where('id', '=', winnerTest.id).executeTakeFirstOrThrow();
    expect(winRow.stop_reason).toMatch(/early/);
    expect(finals.find((v) => v.test_id === flatTest.id)!.outcome).toBe('inconclusive');
    expect((await h.db.selectFrom('tests').select('stop_reason').where('id', '=', flatTest.id).executeTakeFirstOrThrow()).stop_reason).toMatch(/stopped by CS/);
    const page = await h.db.selectFrom('pages').selectAll().where('id', '=', pages[0].id).executeTakeFirstOrThrow();
    expect(page.control_description).toBe('One-page checkout');
    // The winner's observed rate (in the data its final verdict used) plans the next test.
    // (every verdict's request is the test-verdict request: the primary metric's arms)
    const winnerArm = (win.request as { metrics: { role: string; arms: { arm: string; n: number; conversions: number }[] }[] }).metrics.find((m) => m.role === 'primary')!.arms.find((a) => a.arm === 'A')!;
    expect(page.baseline_rate).toBeCloseTo(winnerArm.conversions / winnerArm.n, 10);
    expect(page.baseline_rate).toBeGreaterThan(0.15);

    // Knowledge capture: CS adds a learning within the window; then the entry is final and searchable.
    await eventually(async () => (await phaseOf(cycleId)) === 'knowledge_capture', 30_000);
    await api('POST', `/v1/tests/${winnerTest.id}/learnings`, cs.auth, { learnings: 'Fewer fields beat reassurance badges', tags: ['forms'] });
    await eventually(async () => (await phaseOf(cycleId)) === 'completed', 30_000);
    const knowledge = (await api('GET', '/v1/knowledge?q=fields', clientUser.auth)).items;
    expect(knowledge).toHaveLength(1);
    expect(knowledge[0]).toMatchObject({ test_id: winnerTest.id, outcome: 'winner', status: 'final', page_type: 'checkout' });
    expect(knowledge[0].tags).toEqual(expect.arrayContaining(['forms', 'checkout', 'winner']));

    // Earnings: adoption fee per selected proposal, win bonus for the winner; nothing for the rejected.
    const ledger = await h.db.selectFrom('earnings_ledger').selectAll().where('cycle_id', '=', cycleId).orderBy('id').execute();
    expect(ledger.map((l) => [l.hacker_id, l.kind, l.amount_yen]).sort()).toEqual(
      [
        [targetedIn[0]!.id, 'adoption_fee', 150_000],
        [targetedIn[0]!.id, 'win_bonus', 100_000],
        [others[0]!.id, 'adoption_fee', 150_000],
      ].sort(),
    );
    const cycle = await api('GET', `/v1/cycles/${cycleId}`, cs.auth);
    expect(cycle.report.winners).toBe(1);
    const testReport = cycle.report.tests.find((t: { test_id: number }) => t.test_id === winnerTest.id);
    // Lower CI bound × baseline monthly conversions (0.1 × 5000 × 30) × ¥8,000, never the point estimate.
    const winResult = win.result as { variants: { expected: number; ci: [number, number] }[] };
    expect(testReport.monthly_revenue_uplift_yen).toBe(Math.floor(winResult.variants[0]!.ci[0] * 0.1 * 5000 * 30 * 8000));
    expect(testReport.monthly_revenue_uplift_yen).toBeLessThan(winResult.variants[0]!.expected * 0.1 * 5000 * 30 * 8000);
  });

  it('too few proposals extend the window once and widen the audience (team → targeted)', async () => {
    const member = await hacker(['design']);
    const { e, pages, cycleId } = await startEngagement({
      planning_seconds: 60,
      offer_window_seconds: 3,
      selection_seconds: 60,
      min_proposals: 3,
    });
    await api('PUT', `/v1/engagements/${e.id}/team`, cs.auth, { hacker_ids: [member.id] });
    await api('POST', `/v1/cycles/${cycleId}/plan`, cs.auth, {
      hypotheses: [{ author: 'cs', problem: 'Pricing table confuses', page_id: pages[1].id, metric: 'conversion', offer_kind: 'team' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst()) ?? undefined);
    expect(offer.kind).toBe('team');
    await api('POST', `/v1/offers/${offer.id}/proposals`, member.auth, { title: 'Two plans', description: 'd', design_url: 'https://figma.example/p' });
    const widened = await eventually(async () => {
      const o = await h.db.selectFrom('offers').selectAll().where('id', '=', offer.id).executeTakeFirstOrThrow();
      return o.extended ? o : undefined;
    }, 20_000);
    expect(widened.kind).toBe('targeted');
    expect(widened.widen_reason).toMatch(/only 1 of 3 proposals.*team to targeted/);
    expect(widened.deadline.getTime()).toBeGreaterThan(offer.deadline.getTime());
    // After the single extension it closes with what it has and moves on to selection.
    await eventually(async () => (await phaseOf(cycleId)) === 'selection', 20_000);
    expect((await h.db.selectFrom('offers').select('status').where('id', '=', offer.id).executeTakeFirstOrThrow()).status).toBe('closed');
  });

  it('a sample ratio mismatch makes the test invalid, alerts CS and pays no win bonus', async () => {
    const { cycleId, test, clientUser, author, e } = await runToTest();
    // 700 visitors reach control but only 450 reach the variant under a planned 50/50 split.
    const counts: Record<string, number> = {};
    const events: object[] = [];
    for (let v = 0; (counts.control ?? 0) < 700 || (counts.A ?? 0) < 450; v++) {
      const a = await api('GET', `/v1/tests/${test.id}/assignment?visitor=srm-${v}`, clientUser.auth);
      if ((counts[a.arm] ?? 0) >= (a.arm === 'control' ? 700 : 450)) continue;
      counts[a.arm] = (counts[a.arm] ?? 0) + 1;
      events.push({ event_id: `srm-${v}`, visitor_id: `srm-${v}`, type: 'exposure' });
    }
    await api('POST', `/v1/tests/${test.id}/events`, clientUser.auth, { events });
    const final = await eventually(
      async () => (await h.db.selectFrom('verdicts').selectAll().where('test_id', '=', test.id).where('kind', '=', 'final').executeTakeFirst()) ?? undefined,
      30_000,
    );
    expect(final.outcome).toBe('invalid');
    expect((final.result as { srm_p_value: number }).srm_p_value).toBeLessThan(0.001);
    expect((await h.db.selectFrom('tests').select('status').where('id', '=', test.id).executeTakeFirstOrThrow()).status).toBe('invalid');
    await eventually(async () => (await phaseOf(cycleId)) === 'completed', 30_000);
    const alerts = await h.db.selectFrom('alerts').selectAll().where('engagement_id', '=', e.id).where('kind', '=', 'test_invalid').execute();
    expect(alerts).toHaveLength(1);
    const ledger = await h.db.selectFrom('earnings_ledger').select(['kind', 'hacker_id']).where('cycle_id', '=', cycleId).execute();
    expect(ledger).toEqual([{ kind: 'adoption_fee', hacker_id: author.id }]);
  });

  it('a worker that dies mid-cycle is replaced and the cycle completes with no duplicate ledger lines', async () => {
    const { cycleId, test, clientUser, author } = await runToTest({ interim_check_seconds: 3 });
    await h.stopWorkers();
    await sendTraffic(test.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, 'k');
    await new Promise((r) => setTimeout(r, 4000)); // the interim timer fires while no worker runs
    await h.startWorker();
    await eventually(async () => (await phaseOf(cycleId)) === 'completed', 45_000);
    const ledger = await h.db.selectFrom('earnings_ledger').select(['kind', 'hacker_id', 'amount_yen', 'unique_key']).where('cycle_id', '=', cycleId).execute();
    expect(ledger.map((l) => [l.kind, l.hacker_id, l.amount_yen]).sort()).toEqual([
      ['adoption_fee', author.id, 120_000],
      ['win_bonus', author.id, 80_000],
    ]);
    // The ledger is append-only: corrections are new lines, never edits.
    await expect(h.db.updateTable('earnings_ledger').set({ amount_yen: 1 }).where('cycle_id', '=', cycleId).execute()).rejects.toThrow(/append-only/);
    // A verdict invalidated later reverses its bonus with a new line; asking again is a 409 that keeps
    // the first reason.
    await api('POST', `/v1/tests/${test.id}/invalidate`, cs.auth, { reason: 'tracking tag fired twice on variant A' });
    const again = await api('POST', `/v1/tests/${test.id}/invalidate`, cs.auth, { reason: 'another reason' }, [409]);
    expect(again.error.message).toMatch(/already invalidated.*tracking tag fired twice/);
    // A later engagement of the same client on the same page shows this test while planning, with its
    // verdict as it stands now (invalidated above).
    const client = await h.db.selectFrom('cycles').innerJoin('engagements', 'engagements.id', 'cycles.engagement_id').select('engagements.client_id as id').where('cycles.id', '=', cycleId).executeTakeFirstOrThrow();
    const later = await startEngagement({ planning_seconds: 60 }, 'ecommerce', client);
    const live = await eventually(async () => {
      const c = await api('GET', `/v1/cycles/${later.cycleId}`, cs.auth);
      return c.live?.history?.length ? c.live : undefined;
    });
    expect(live.phase).toBe('planning');
    expect(live.history).toEqual([expect.objectContaining({ testId: test.id, outcome: 'invalid', hypothesis: 'Shipping cost shown too late' })]);

    const reversal = await h.db.selectFrom('earnings_ledger').selectAll().where('cycle_id', '=', cycleId).where('kind', '=', 'bonus_reversal').execute();
    expect(reversal).toHaveLength(1);
    expect(reversal[0]).toMatchObject({ hacker_id: author.id, amount_yen: -80_000 });
    const bonus = await h.db.selectFrom('earnings_ledger').select('id').where('cycle_id', '=', cycleId).where('kind', '=', 'win_bonus').executeTakeFirstOrThrow();
    expect(reversal[0]!.reverses_id).toBe(bonus.id);

    // A saved history of a full cycle replays without non-determinism against today's code.
    const history = await h.temporal.workflow.getHandle(`cycle-${(await h.db.selectFrom('cycles').select('engagement_id').where('id', '=', cycleId).executeTakeFirstOrThrow()).engagement_id}-${(await h.db.selectFrom('cycles').select('month').where('id', '=', cycleId).executeTakeFirstOrThrow()).month}`).fetchHistory();
    const fixtures = new URL('../fixtures/histories/', import.meta.url);
    if (process.env.SAVE_HISTORY) {
      mkdirSync(fixtures, { recursive: true });
      writeFileSync(new URL('cycle-full.json', fixtures), historyToJSON(history));
    }
    const saved = existsSync(fixtures) ? readdirSync(fixtures).map((f) => ({ workflowId: f, history: JSON.parse(readFileSync(new URL(f, fixtures), 'utf8')) })) : [];
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath, dataConverter }, [{ workflowId: 'fresh', history }, ...saved])) results.push(r);
    expect(results.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });

  it('a plan not submitted in time raises a reminder, then marks the cycle overdue, never inventing one', async () => {
    const { cycleId, e, clientUser } = await startEngagement({ planning_seconds: 2 });
    const overdue = await eventually(async () => {
      const c = await h.db.selectFrom('cycles').selectAll().where('id', '=', cycleId).executeTakeFirstOrThrow();
      return c.overdue ? c : undefined;
    }, 15_000);
    expect(overdue.phase).toBe('planning');
    // The overdue alert is written by the activity right after the flag.
    const alerts = await eventually(async () => {
      const rows = await h.db.selectFrom('alerts').select('kind').where('cycle_id', '=', cycleId).orderBy('id').execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(alerts.map((a) => a.kind)).toEqual(['reminder', 'overdue']);
    const tasks = (await api('GET', '/v1/tasks', clientUser.auth)).items;
    expect(tasks).toEqual([expect.objectContaining({ kind: 'submit_plan', cycle_id: cycleId, overdue: true, engagement_id: e.id })]);
    expect(await h.db.selectFrom('hypotheses').select('id').where('cycle_id', '=', cycleId).execute()).toEqual([]);
    // The plan still arrives late and the cycle goes on.
    const pages = (await api('GET', `/v1/engagements/${e.id}/pages`, cs.auth)).items;
    await api('POST', `/v1/cycles/${cycleId}/plan`, clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'late plan', page_id: pages[0].id, metric: 'conversion' }],
    });
    await eventually(async () => (await phaseOf(cycleId)) === 'proposals', 15_000);
  });
});
