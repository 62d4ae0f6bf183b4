// Issue 25, data side: a test's metrics set through the API, events (named, with the visitor's facts)
// in through the ingest route, verdicts and the test page's metric report out of the aggregates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVariant } from '../../src/domain/assignment.ts';
import { finalizeTest, interimCheck } from '../../src/cycles/tests.ts';
import { captureKnowledge } from '../../src/cycles/knowledge.ts';
import { updateSettings } from '../../src/engagements/settings.ts';
import { aovLoweringTraffic, GUARDRAIL_METRICS, visits, visitorsIn } from '../fixtures/metrics.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(() => h.close());

async function fixture(weights: number[]) {
  const f = await runningTest(h.db, cs.user.id, weights);
  await updateSettings(h.db, f.engagementId, { verdict_engine: 'frequentist' });
  return f;
}

async function post(testId: number, events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 5000) {
    const res = await h.app.inject({ method: 'POST', url: `/v1/tests/${testId}/events`, headers: cs.auth, payload: { events: events.slice(i, i + 5000) } });
    expect(res.statusCode, res.body).toBe(200);
  }
}

async function setMetrics(testId: number, body: Record<string, unknown>) {
  const res = await h.app.inject({ method: 'POST', url: `/v1/tests/${testId}/metrics`, headers: cs.auth, payload: body });
  expect(res.statusCode, res.body).toBe(200);
}

async function report(testId: number) {
  const res = await h.app.inject({ method: 'GET', url: `/v1/tests/${testId}`, headers: cs.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('metrics', () => {
  it('refuses an unknown segment fact and an event name naming the field', async () => {
    const f = await fixture([0.5, 0.5]);
    for (const [field, value] of [['device', 'fridge'], ['source', 'tv'], ['visitor_type', 'old'], ['event', 'Order!']] as const) {
      const res = await h.app.inject({ method: 'POST', url: `/v1/tests/${f.testId}/events`, headers: cs.auth, payload: { events: [{ event_id: 'e1', visitor_id: 'v1', type: 'exposure', [field]: value }] } });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(field);
    }
  });

  it('an AOV-lowering variant that lifts conversion is blocked by its revenue guardrail: no promotion, no bonus, a CS task', async () => {
    const f = await fixture([0.5, 0.5]);
    await setMetrics(f.testId, GUARDRAIL_METRICS);
    await post(f.testId, aovLoweringTraffic(f));

    const page = await report(f.testId);
    const aov = page.metric_report.metrics.find((m: { name: string }) => m.name === 'aov');
    expect(aov.role).toBe('guardrail');
    expect(aov.variants[0].worse).toBe(true);

    const outcome = await finalizeTest(h.db, { testId: f.testId, reason: 'planned sample of 3000 reached', srm: false, end: 'planned_sample' });
    expect(outcome.outcome).toBe('blocked_by_guardrail');
    expect(outcome.winnerProposalId).toBeNull();
    const verdict = await h.db.selectFrom('verdicts').selectAll().where('test_id', '=', f.testId).where('kind', '=', 'final').executeTakeFirstOrThrow();
    expect(verdict.outcome).toBe('blocked_by_guardrail');
    expect(verdict.winner_variant_id).toBeNull();
    expect((verdict.result as { decision: { guardrail?: { id: string } } }).decision.guardrail?.id).toBe('aov');
    expect((verdict.result as { correction: { method: string } }).correction.method).toBe('holm');
    const test = await h.db.selectFrom('tests').innerJoin('pages', 'pages.id', 'tests.page_id').select(['pages.control_since_test_id', 'tests.served_changes']).where('tests.id', '=', f.testId).executeTakeFirstOrThrow();
    expect(test.control_since_test_id).toBeNull();
    expect(test.served_changes).toBeNull();
    const alert = await h.db.selectFrom('alerts').selectAll().where('unique_key', '=', `guardrail_blocked:${f.testId}`).executeTakeFirst();
    expect(alert?.message).toContain('significantly worse on the guardrail aov: not promoted, no win bonus; CS decides (Holm-corrected over 1 comparison)');
    // the knowledge base keeps the outcome, and its filter finds it
    await captureKnowledge(h.db, { testId: f.testId });
    const found = await h.app.inject({ method: 'GET', url: '/v1/knowledge?outcome=blocked_by_guardrail&limit=100', headers: cs.auth });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().items.map((e: { test_id: number }) => e.test_id)).toContain(f.testId);
  });

  it('flags SRM on the one segment whose split is skewed, and warns how many segments are browsed', async () => {
    const f = await fixture([0.5, 0.5]);
    // phones: 300 vs 200 exposed (the variant lost phone exposures); PCs: 1000 vs 1000
    const phoneC = visitorsIn(f, 'control', 300, 'p');
    const phoneA = visitorsIn(f, 'A', 200, 'p');
    const pcC = visitorsIn(f, 'control', 1000, 'c');
    const pcA = visitorsIn(f, 'A', 1000, 'c');
    await post(f.testId, [
      ...visits(phoneC, 30, () => 1000, { device: 'phone' }),
      ...visits(phoneA, 20, () => 1000, { device: 'phone' }),
      ...visits(pcC, 100, () => 1000, { device: 'pc' }),
      ...visits(pcA, 100, () => 1000, { device: 'pc' }),
    ]);
    const { metric_report: r } = await report(f.testId);
    const seg = (v: string) => r.segments.find((s: { dimension: string; value: string }) => s.dimension === 'device' && s.value === v);
    expect(seg('phone').users).toEqual([300, 200]);
    expect(seg('phone').srm).toBe(true);
    expect(seg('pc').srm).toBe(false);
    expect(r.segments_browsed).toBe(2);
    // the overall split is not flagged: the verdict is not invalid because of one segment
    const outcome = await finalizeTest(h.db, { testId: f.testId, reason: 'planned sample of 2500 reached', srm: false, end: 'planned_sample' });
    expect(outcome.outcome).not.toBe('invalid');
  });

  it('CUPED narrows the revenue interval for returning visitors with a pre-period on the page', async () => {
    // Two tests on one page run over the same visitors; the second one's pre-period is the first one.
    const pre = await fixture([0.5, 0.5]);
    const ids = Array.from({ length: 2000 }, (_, i) => `r-${i}`);
    const x = (i: number) => 1000 * (1 + (i % 10));
    await post(pre.testId, visits(ids, ids.length, x, { visitor_type: 'new' }, 'order'));
    await h.db.updateTable('tests').set({ status: 'completed', stopped_at: new Date() }).where('id', '=', pre.testId).execute();

    const [withPre, without] = [await secondTest(pre, [pre.testId]), await secondTest(pre, [])];
    for (const t of [withPre, without]) {
      await setMetrics(t.testId, { metrics: [{ name: 'revenue', role: 'primary', kind: 'mean', event: 'order' }] });
      const arm = new Map(ids.map((v) => [v, assignVariant(t.testId, v, t.variants).arm]));
      // this month's revenue follows last month's closely; the variant adds 3%
      const y = (i: number) => Math.round(x(i) * (arm.get(ids[i]!) === 'A' ? 1.03 : 1) + (i % 3) * 50);
      await post(t.testId, visits(ids, ids.length, y, { visitor_type: 'returning' }));
    }
    const width = (m: { variants: { ci: [number, number] }[] }) => m.variants[0]!.ci[1] - m.variants[0]!.ci[0];
    const a = (await report(withPre.testId)).metric_report.metrics[0];
    const b = (await report(without.testId)).metric_report.metrics[0];
    expect(a.cuped.applied).toBe(true);
    expect(b.cuped.applied).toBe(false);
    expect(a.variants[0].cuped.variance_reduction).toBeGreaterThan(0.5);
    expect(width(a)).toBeLessThan(width(b) / 2);
  });

  it('a three-variant test whose best raw p is about 0.03 is not a winner (Holm over three comparisons)', async () => {
    const f = await fixture([0.25, 0.25, 0.25, 0.25]);
    await setMetrics(f.testId, { metrics: [{ name: 'conversion', role: 'primary', kind: 'binomial', event: 'order' }] });
    const arms = { control: 500, A: 574, B: 500, C: 500 };
    const events = Object.entries(arms).flatMap(([arm, conv]) => visits(visitorsIn(f, arm, 10_000, 'h'), conv, () => 1000));
    await post(f.testId, events);
    const { metric_report: r } = await report(f.testId);
    const a = r.metrics[0].variants.find((v: { arm: string }) => v.arm === 'A');
    expect(a.p_value).toBeGreaterThan(0.02);
    expect(a.p_value).toBeLessThan(0.04);
    expect(a.p_value_adjusted).toBeGreaterThan(0.05);
    expect(r.correction).toEqual({ method: 'holm', comparisons: 3 });
    const outcome = await finalizeTest(h.db, { testId: f.testId, reason: 'planned sample of 40000 reached', srm: false, end: 'planned_sample' });
    expect(outcome.outcome).toBe('inconclusive');
  });

  // Issue 25 item 1: corrected by default, not only once metrics are configured.
  it('without metrics configured, the same three-variant test is corrected too (interim and final) by the engagement\'s setting', async () => {
    const arms = { control: 500, A: 574, B: 500, C: 500 };
    const traffic = async (correction: 'holm' | 'none') => {
      const f = await fixture([0.25, 0.25, 0.25, 0.25]);
      await updateSettings(h.db, f.engagementId, { correction });
      // unnamed conversions, as every test measured them before metrics existed
      const events = Object.entries(arms).flatMap(([arm, conv]) => visits(visitorsIn(f, arm, 10_000, 'u'), conv, () => 1000));
      await post(f.testId, events.map(({ event: _name, ...e }: Record<string, unknown>) => e));
      return f;
    };
    type Stored = { variants: { arm: string; p_value: number; p_value_adjusted?: number }[]; correction?: unknown };
    const stored = async (testId: number, kind: 'interim' | 'final') =>
      (await h.db.selectFrom('verdicts').select('result').where('test_id', '=', testId).where('kind', '=', kind).executeTakeFirstOrThrow()).result as Stored;

    const f = await traffic('holm');
    expect((await interimCheck(h.db, { testId: f.testId, checkNo: 1 })).outcome).toBe('inconclusive');
    expect((await stored(f.testId, 'interim')).correction).toEqual({ method: 'holm', comparisons: 3 });
    const outcome = await finalizeTest(h.db, { testId: f.testId, reason: 'planned sample of 40000 reached', srm: false, end: 'planned_sample' });
    expect(outcome.outcome).toBe('inconclusive');
    // the stored shape still has the primary metric's variants on top, now with their corrected p
    const final = await stored(f.testId, 'final');
    const a = final.variants.find((v) => v.arm === 'A')!;
    expect(a.p_value).toBeGreaterThan(0.02);
    expect(a.p_value).toBeLessThan(0.04);
    expect(a.p_value_adjusted).toBeGreaterThan(0.05);
    expect(final.correction).toEqual({ method: 'holm', comparisons: 3 });

    // an engagement that turned correction off gets the raw p as its decision's p
    const g = await traffic('none');
    await interimCheck(h.db, { testId: g.testId, checkNo: 1 });
    const raw = await stored(g.testId, 'interim');
    expect(raw.correction).toEqual({ method: 'none', comparisons: 3 });
    for (const v of raw.variants) expect(v.p_value_adjusted).toBe(v.p_value);
  });
});

/** Another running test on the pre-period test's page (its own offer), with `preTestIds` as its pre-period. */
async function secondTest(pre: TrafficFixture, preTestIds: number[]): Promise<TrafficFixture> {
  const first = await h.db.selectFrom('tests').innerJoin('offers', 'offers.id', 'tests.offer_id').select(['tests.page_id', 'tests.cycle_id']).where('tests.id', '=', pre.testId).executeTakeFirstOrThrow();
  const hypothesis = await h.db
    .insertInto('hypotheses')
    .values({ cycle_id: first.cycle_id, ordinal: 2 + preTestIds.length, author: 'cs', author_user_id: cs.user.id, problem: 'the same page again', page_id: first.page_id, metric: 'revenue', skills: [], offer_kind: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const offer = await h.db
    .insertInto('offers')
    .values({ cycle_id: first.cycle_id, hypothesis_id: hypothesis.id, kind: 'open', brief: 'again', adoption_fee_yen: 150_000, win_bonus_yen: 100_000, submission_fee_yen: 0, deadline: new Date(Date.now() + 86400_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const test = await h.db
    .insertInto('tests')
    .values({ offer_id: offer.id, cycle_id: first.cycle_id, page_id: first.page_id, metric: 'conversion', planned_sample_total: 10_000, workflow_id: `test-cuped-${offer.id}`, pre_test_ids: preTestIds })
    .returning('id')
    .executeTakeFirstOrThrow();
  const variants = await h.db
    .insertInto('variants')
    .values([0, 1].map((i) => ({ test_id: test.id, arm: i === 0 ? 'control' : 'A', position: i, weight: 0.5 })))
    .returning(['id', 'arm', 'position', 'weight'])
    .execute();
  return { ...pre, testId: test.id, variants };
}
