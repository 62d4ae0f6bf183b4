// Lifecycle edges of engagements and cycles, through the HTTP API on real Postgres and Temporal:
// ending an engagement immediately, invalidating a verdict, learnings as entries, settings that could
// stall a cycle, complete verdict histories, and the list routes people look for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CyclePhaseKey } from '../../src/workflows/search-attributes.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(() => h.close());

const cycleRow = (id: number) => h.db.selectFrom('cycles').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('ending an engagement immediately', () => {
  it('stops its month: the offer closes, proposals are refused with the reason, no task mentions it', async () => {
    const author = await d.hacker(['design']);
    const { e, pages, cycleId, clientUser } = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 60, min_proposals: 1 });
    await d.api('POST', `/v1/cycles/${cycleId}/plan`, clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'Coupon field distracts', page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst()) ?? undefined);
    const first = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Hide coupon', description: 'd', design_url: 'https://figma.example/c' });
    expect((await d.api('GET', '/v1/tasks', author.auth)).items.some((t: { offer_id?: number }) => t.offer_id === offer.id)).toBe(true);

    const ended = await d.api('POST', `/v1/engagements/${e.id}/end`, cs.auth, { mode: 'immediately', reason: 'contract terminated by the client' });
    expect(ended.status).toBe('ended');

    // The running cycle is cancelled cleanly: offer closed, cycle abandoned with the reason.
    const cycle = await eventually(async () => {
      const c = await cycleRow(cycleId);
      return c.phase === 'abandoned' ? c : undefined;
    }, 20_000);
    expect(cycle.end_reason).toMatch(/engagement ended: contract terminated by the client/);
    expect((await h.db.selectFrom('offers').select('status').where('id', '=', offer.id).executeTakeFirstOrThrow()).status).toBe('closed');
    const wf = await eventually(async () => {
      const desc = await h.temporal.workflow.getHandle(cycle.workflow_id).describe();
      return desc.status.name !== 'RUNNING' ? desc : undefined;
    });
    expect(wf.typedSearchAttributes.get(CyclePhaseKey)).toBe('abandoned');

    // Every proposal route answers 409 naming the reason.
    const late = await d.call('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Another', description: 'd', design_url: 'https://figma.example/d' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/engagement has ended \(contract terminated by the client\)/);
    const withdraw = await d.call('POST', `/v1/proposals/${first.id}/withdraw`, author.auth);
    expect(withdraw.status).toBe(409);
    expect(withdraw.body.error.message).toMatch(/contract terminated by the client/);
    const plan = await d.call('POST', `/v1/cycles/${cycleId}/plan`, cs.auth, {
      hypotheses: [{ author: 'cs', problem: 'x', page_id: pages[0].id, metric: 'conversion' }],
    });
    expect(plan.status).toBe(409);
    expect(plan.body.error.message).toMatch(/contract terminated by the client/);

    // No task mentions the engagement, for the hacker, the client or CS.
    for (const who of [author.auth, clientUser.auth, cs.auth]) {
      const tasks = (await d.api('GET', '/v1/tasks', who)).items;
      expect(tasks.filter((t: { engagement_id?: number; offer_id?: number }) => t.engagement_id === e.id || t.offer_id === offer.id)).toEqual([]);
    }
    // Nothing accrued: a submitted proposal that nobody adopted earns nothing.
    expect(await h.db.selectFrom('earnings_ledger').select('id').where('cycle_id', '=', cycleId).execute()).toEqual([]);
  });

  it('during a test: the test stops with the reason, the adoption fee stays earned, no win bonus', async () => {
    const { e, test, cycleId, clientUser, author, proposal } = await d.runToTest({ interim_check_seconds: 1 });
    await d.api('POST', `/v1/engagements/${e.id}/end`, cs.auth, { mode: 'immediately', reason: 'budget cut' });
    const stopped = await eventually(async () => {
      const t = await h.db.selectFrom('tests').selectAll().where('id', '=', test.id).executeTakeFirstOrThrow();
      return t.status === 'cancelled' ? t : undefined;
    }, 20_000);
    expect(stopped.stop_reason).toBe('engagement ended: budget cut');
    await eventually(async () => (await cycleRow(cycleId)).phase === 'abandoned', 20_000);
    const events = await d.call('POST', `/v1/tests/${test.id}/events`, clientUser.auth, { events: [{ event_id: 'after-end', visitor_id: 'v', type: 'exposure' }] });
    expect(events.status).toBe(409);
    const ledger = await h.db.selectFrom('earnings_ledger').select(['kind', 'hacker_id', 'amount_yen', 'delivered_at']).where('cycle_id', '=', cycleId).execute();
    expect(ledger.map(({ delivered_at: _, ...l }) => l)).toEqual([{ kind: 'adoption_fee', hacker_id: author.id, amount_yen: 120_000 }]);
    // The Freelance Act counts from when the deliverable was received: the selection, for an adoption.
    const selected = await h.db.selectFrom('proposals').select(['selected_at', 'selected_by']).where('id', '=', proposal.id).executeTakeFirstOrThrow();
    expect(selected.selected_by).toBe(cs.user.id);
    expect(ledger[0]!.delivered_at.toISOString()).toBe(selected.selected_at!.toISOString());
    const testWf = await eventually(async () => {
      const desc = await h.temporal.workflow.getHandle(test.workflow_id).describe();
      return desc.status.name !== 'RUNNING' ? desc : undefined;
    });
    expect(testWf.status.name).toBe('CANCELLED');
  });
});

describe('a cycle nobody acts on', () => {
  it('is stored as abandoned, with its search attribute and the reason', async () => {
    const client = await makeClient(h.db);
    const e = await d.api('POST', '/v1/engagements', cs.auth, {
      client_id: client.id,
      offer_mode: 'open',
      monthly_fee_yen: 300_000,
      month_length_seconds: 3,
      settings: { planning_seconds: 1 },
    });
    const cycle = await eventually(async () => {
      const c = await h.db.selectFrom('cycles').selectAll().where('engagement_id', '=', e.id).orderBy('id').executeTakeFirst();
      return c?.phase === 'abandoned' ? c : undefined;
    }, 20_000);
    expect(cycle.end_reason).toBe('no plan was submitted this month');
    const desc = await eventually(async () => {
      const x = await h.temporal.workflow.getHandle(cycle.workflow_id).describe();
      return x.status.name === 'COMPLETED' ? x : undefined;
    });
    expect(desc.typedSearchAttributes.get(CyclePhaseKey)).toBe('abandoned');
    expect((await d.api('GET', `/v1/cycles?engagement_id=${e.id}&phase=abandoned`, cs.auth)).items[0]).toMatchObject({ id: cycle.id, end_reason: 'no plan was submitted this month' });
    await d.api('POST', `/v1/engagements/${e.id}/end`, cs.auth, { mode: 'immediately', reason: 'test over' });
  });
});

describe('invalidating a verdict', () => {
  it('undoes what followed: report, timeline, page control and baseline; a second time is a 409', async () => {
    const { test, cycleId, clientUser, pages, e, author } = await d.runToTest({ learning_seconds: 12 });
    await d.sendTraffic(test.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, `inv${test.id}`);
    await eventually(async () => (await d.phaseOf(cycleId)) === 'knowledge_capture', 30_000);
    // Two learnings are two entries, in order, with their author.
    await d.api('POST', `/v1/tests/${test.id}/learnings`, cs.auth, { learnings: 'Shipping cost up front wins', tags: ['pricing'] });
    const second = await d.api('POST', `/v1/tests/${test.id}/learnings`, cs.auth, { learnings: 'Mobile users reacted most' });
    expect(second.learnings.map((l: { text: string }) => l.text)).toEqual(['Shipping cost up front wins', 'Mobile users reacted most']);
    expect(second.learnings[0].author_user_id).toBe(cs.user.id);
    await eventually(async () => (await d.phaseOf(cycleId)) === 'completed', 30_000);

    const before = await d.api('GET', `/v1/cycles/${cycleId}`, cs.auth);
    expect(before.report.winners).toBe(1);
    expect(before.report.monthly_revenue_uplift_yen).toBeGreaterThan(0);
    const promoted = await h.db.selectFrom('pages').selectAll().where('id', '=', pages[0].id).executeTakeFirstOrThrow();
    expect(promoted.control_description).toBe('Show shipping on the cart');
    expect(promoted.baseline_rate).toBeGreaterThan(0.15);

    const res = await d.api('POST', `/v1/tests/${test.id}/invalidate`, cs.auth, { reason: 'conversion tag fired twice' });
    expect(res).toMatchObject({ invalidated: true, reversed: 1, control_restored: true });
    const after = await d.api('GET', `/v1/cycles/${cycleId}`, cs.auth);
    expect(after.report.winners).toBe(0);
    expect(after.report.monthly_revenue_uplift_yen).toBe(0);
    expect(after.report.tests[0]).toMatchObject({ test_id: test.id, outcome: 'invalid', invalidated: true });
    const page = await h.db.selectFrom('pages').selectAll().where('id', '=', pages[0].id).executeTakeFirstOrThrow();
    expect(page).toMatchObject({ control_description: 'current page', baseline_rate: 0.1, control_since_test_id: null });

    const timeline = await d.api('GET', `/v1/engagements/${e.id}/timeline`, cs.auth);
    const t = timeline.cycles[0].tests[0];
    expect(t.outcome).toBe('invalid');
    expect(t.invalidated.reason).toBe('conversion tag fired twice');
    // Every human decision is on the timeline with who made it.
    const decisions = timeline.cycles[0].decisions.map((x: { kind: string; actor_user_id: number }) => [x.kind, x.actor_user_id]);
    expect(decisions).toEqual([
      ['plan', clientUser.user.id],
      ['selection', cs.user.id],
      ['learnings', cs.user.id],
      ['learnings', cs.user.id],
      ['invalidation', cs.user.id],
    ]);

    const again = await d.call('POST', `/v1/tests/${test.id}/invalidate`, cs.auth, { reason: 'something else' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already invalidated.*conversion tag fired twice/);
    const verdict = await h.db.selectFrom('verdicts').selectAll().where('test_id', '=', test.id).where('kind', '=', 'final').executeTakeFirstOrThrow();
    expect(verdict.invalidation_reason).toBe('conversion tag fired twice');

    // The invalidation is recorded apart from the learnings, which stay as they were.
    const entry = (await d.api('GET', `/v1/knowledge?client_id=${e.client_id}`, cs.auth)).items.find((k: { test_id: number }) => k.test_id === test.id);
    expect(entry).toMatchObject({ outcome: 'invalid', invalidation_reason: 'conversion tag fired twice' });
    expect(entry.learnings).toBe('Shipping cost up front wins\n\nMobile users reacted most');
    // The reversal is a new negative line against the bonus.
    const lines = await h.db.selectFrom('earnings_ledger').select(['kind', 'amount_yen']).where('cycle_id', '=', cycleId).where('hacker_id', '=', author.id).orderBy('id').execute();
    expect(lines.map((l) => [l.kind, l.amount_yen])).toEqual([
      ['adoption_fee', 120_000],
      ['win_bonus', 80_000],
      ['bonus_reversal', -80_000],
    ]);
    // The hacker sees the reversal as a line and its balance (nothing paid yet: fee + bonus − reversal).
    const ledger = await d.api('GET', `/v1/hackers/${author.id}/ledger`, author.auth);
    expect(ledger.items.map((l: { kind: string; amount_yen: number }) => [l.kind, l.amount_yen])).toContainEqual(['bonus_reversal', -80_000]);
    // (Another test file's payout run may have drafted these lines already: count every state.)
    expect(ledger.balance.unpaid_yen + ledger.balance.in_run_yen + ledger.balance.paid_yen).toBe(120_000);
  });
});

describe('nothing accepted can stall a cycle', () => {
  it('refuses settings and pages that no test could be planned with, naming the field', async () => {
    const client = await makeClient(h.db);
    const base = { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 500_000 };
    const page = { url: 'https://x.example/', page_type: 'landing', baseline_rate: 0.1, daily_visitors: 100, value_per_conversion_yen: 1000 };
    for (const [settings, path] of [
      [{ mde_relative: 1e-9 }, '/body/settings/mde_relative'],
      [{ alpha: 5e-324 }, '/body/settings/alpha'],
      [{ mde_relative: 0.002 }, '/body/settings/mde_relative'],
    ] as const) {
      const res = await d.call('POST', '/v1/engagements', cs.auth, { ...base, settings, pages: [page] });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.details.map((x: { path: string }) => x.path)).toContain(path);
    }
    const { e } = await d.startEngagement({ planning_seconds: 60 });
    const put = await d.call('PUT', `/v1/engagements/${e.id}/settings`, cs.auth, { mde_relative: 0.002 });
    expect(put.status).toBe(400);
    expect(put.body.error.details[0]).toMatchObject({ path: '/body/mde_relative' });
    expect(put.body.error.details[0].message).toMatch(/visitors/);
    const tiny = await d.call('POST', `/v1/engagements/${e.id}/pages`, cs.auth, { ...page, url: 'https://x.example/rare', baseline_rate: 0.00001 });
    expect(tiny.status).toBe(400);
    expect(tiny.body.error.details[0].path).toBe('/body/baseline_rate');
    expect((await d.api('GET', `/v1/engagements/${e.id}/settings`, cs.auth)).mde_relative).toBe(0.1);
  });

  it('a rule broken inside the cycle fails it visibly: phase failed, CS alerted, a task', async () => {
    const author = await d.hacker(['design']);
    const { e, pages, cycleId, clientUser } = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 2, selection_seconds: 60, min_proposals: 1 });
    await d.api('POST', `/v1/cycles/${cycleId}/plan`, clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'p', page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst()) ?? undefined);
    const p = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 't', description: 'd', design_url: 'https://figma.example/t' });
    await eventually(async () => (await d.phaseOf(cycleId)) === 'selection', 20_000);
    // A setting written before today's validation existed (straight into the database).
    await h.db.updateTable('engagement_settings').set({ mde_relative: 1e-9 }).where('engagement_id', '=', e.id).execute();
    await d.select(cycleId, [{ offer_id: offer.id, proposal_ids: [p.id] }]);
    const failed = await eventually(async () => {
      const c = await cycleRow(cycleId);
      return c.phase === 'failed' ? c : undefined;
    }, 20_000);
    expect(failed.end_reason).toMatch(/cannot be planned/);
    const alerts = await h.db.selectFrom('alerts').select(['kind', 'message']).where('cycle_id', '=', cycleId).execute();
    expect(alerts.map((a) => a.kind)).toContain('cycle_failed');
    const tasks = (await d.api('GET', '/v1/tasks', cs.auth)).items;
    expect(tasks).toContainEqual(expect.objectContaining({ kind: 'cycle_failed', cycle_id: cycleId, engagement_id: e.id }));
    expect((await d.api('GET', `/v1/cycles?engagement_id=${e.id}&phase=failed`, cs.auth)).items.map((c: { id: number }) => c.id)).toEqual([cycleId]);
  });
});

describe('what a user reads is complete and true', () => {
  it('the whole verdict history pages through; a test stopped by CS says so; lists and /v1/me', async () => {
    const { e, test, clientUser, cycleId } = await d.runToTest({ interim_check_seconds: 1 });
    await d.sendTraffic(test.id, clientUser.auth, 100, { control: 0.1, A: 0.1 }, `h${test.id}`);
    await eventually(async () => (await h.db.selectFrom('verdicts').select('id').where('test_id', '=', test.id).execute()).length >= 7, 30_000);
    await d.api('POST', `/v1/tests/${test.id}/stop`, cs.auth, { reason: 'the page is being redesigned' });
    const final = await eventually(async () => (await d.api('GET', `/v1/tests/${test.id}`, cs.auth)).final_verdict ?? undefined, 30_000);
    expect(final.result.decision.outcome).toBe('inconclusive');
    expect(final.result.decision.reason).toMatch(/stopped by CS: the page is being redesigned/);
    expect(final.result.decision.reason).not.toMatch(/keep running/);

    const detail = await d.api('GET', `/v1/tests/${test.id}`, cs.auth);
    expect(detail.interim_checks).toBeGreaterThanOrEqual(6);
    expect(detail.stopped_by).toBe(cs.user.id);
    const all: { kind: string; check_no: number }[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const page: { items: { kind: string; check_no: number }[]; next_after_id: number | null } = await d.api('GET', `/v1/tests/${test.id}/verdicts?limit=2&after_id=${after}`, cs.auth);
      all.push(...page.items);
      after = page.next_after_id;
    }
    expect(all.filter((v) => v.kind === 'interim').map((v) => v.check_no)).toEqual(Array.from({ length: detail.interim_checks }, (_, i) => i + 1));
    expect(all.filter((v) => v.kind === 'final')).toHaveLength(1);

    expect((await d.api('GET', `/v1/tests?engagement_id=${e.id}`, cs.auth)).items.map((t: { id: number }) => t.id)).toEqual([test.id]);
    expect((await d.api('GET', `/v1/cycles?engagement_id=${e.id}`, clientUser.auth)).items.map((c: { id: number }) => c.id)).toEqual([cycleId]);
    // A client user lists only its own tests and cycles.
    const other = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    expect((await d.api('GET', `/v1/tests?engagement_id=${e.id}`, other.auth)).items).toEqual([]);
    expect((await d.api('GET', `/v1/cycles?engagement_id=${e.id}`, other.auth)).items).toEqual([]);
    expect(await d.api('GET', '/v1/me', clientUser.auth)).toMatchObject({ id: clientUser.user.id, role: 'client', client_id: e.client_id });
  });
});
