// A/B tests: created per offer from its selected proposals (control + variants at equal weights,
// planned sample from the verdict engine), interim sequential checks, the final verdict and what
// follows from it (a winner becomes the page's control), and the reads people page through.
import { hasNoTraffic, NO_TRAFFIC_HOURS_DEFAULT } from '../domain/cycles/no-traffic.ts';
import type { Db } from '../db/index.ts';
import type { PageControl, TestStatus } from '../shared/cycles.ts';
import { plannedSample } from '../domain/cycles/design.ts';
import { promotedControl } from '../domain/cycles/promotion.ts';
import { finalDecision, verdictText, type TestEnd } from '../domain/cycles/verdict-text.ts';
import { RuleError } from '../domain/errors.ts';
import { SRM_THRESHOLD, testVerdict } from '../domain/stats/index.ts';
import type { TestVerdictRequest, TestVerdictResult, VerdictRequest, VerdictResult } from '../domain/stats/index.ts';
import { defaultMetrics, metricInputs, type MetricConfig } from '../domain/cycles/metric-data.ts';
import type { Actor } from '../shared/actor.ts';
import { testWorkflowId, type TestOutcome } from '../shared/cycles.ts';
import { raiseAlert, recordDecision } from './context.ts';
import { armChanges } from '../site/config.ts';
import { armStats, metricStats } from './traffic.ts';

const ARM_NAMES = ['control', 'A', 'B', 'C'];


/** A test's configured metrics (test_metrics, in position order); none: it measures conversion as before. */
export async function metricsOf(db: Db, testId: number): Promise<MetricConfig[]> {
  return db
    .selectFrom('test_metrics')
    .select(['name', 'role', 'kind', 'event', 'per', 'inverse', 'alpha', 'cap_percentile'])
    .where('test_id', '=', testId)
    .orderBy('position')
    .execute();
}

/**
 * The test's request to the verdict engine, from the aggregates and the engagement settings. Every
 * test gets the multi-metric verdict, corrected across variants × goal metrics by the engagement's
 * setting (Holm by default): one without configured metrics has its old single metric as primary
 * (conversion, or revenue per visitor, of any conversion: arm_stats through metricStats).
 */
async function verdictRequest(db: Db, testId: number, engine: VerdictRequest['engine']) {
  const test = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
    .select([
      'tests.metric', 'tests.planned_sample_total', 'tests.events', 'tests.decision_segment',
      'engagement_settings.alpha', 'engagement_settings.tuning_parameter', 'engagement_settings.risk_threshold', 'engagement_settings.correction',
    ])
    .where('tests.id', '=', testId)
    .executeTakeFirst();
  if (!test) throw new RuleError('not_found', `test ${testId} does not exist`);
  const [arms, variants, configured, rows] = await Promise.all([
    armStats(db, testId),
    db.selectFrom('variants').select(['id', 'weight', 'proposal_id']).where('test_id', '=', testId).orderBy('position').execute(),
    metricsOf(db, testId),
    metricStats(db, testId),
  ]);
  const segment = test.decision_segment ?? 'all';
  const { inputs } = metricInputs(configured.length ? configured : defaultMetrics(test.metric), test.events, arms, rows, segment);
  const [dimension, value] = segment.split(':') as [string, string];
  const request: TestVerdictRequest = {
    engine,
    alpha: test.alpha,
    sequential_tuning_parameter: test.tuning_parameter,
    risk_threshold: test.risk_threshold,
    correction: test.correction,
    metrics: inputs,
    weights: variants.map((v) => v.weight),
    ...(test.decision_segment ? { decision_population: { dimension, value } } : {}),
  };
  return { request, arms, variants, planned: test.planned_sample_total };
}

/** The engine's answer (verdicts.result keeps it as it is; verdicts from before issue 25 are VerdictResults). */
const decide = (v: Awaited<ReturnType<typeof verdictRequest>>): TestVerdictResult => testVerdict(v.request);

export async function createTest(db: Db, input: { offerId: number }): Promise<{ testId: number }> {
  const offer = await db
    .selectFrom('offers')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
    .select(['offers.id', 'offers.cycle_id', 'hypotheses.page_id', 'hypotheses.metric', 'pages.baseline_rate', 'engagement_settings.alpha', 'engagement_settings.mde_relative'])
    .where('offers.id', '=', input.offerId)
    .executeTakeFirst();
  if (!offer) throw new RuleError('not_found', `offer ${input.offerId} does not exist`);
  const existing = await db.selectFrom('tests').select('id').where('offer_id', '=', offer.id).executeTakeFirst();
  if (existing) return { testId: existing.id };
  // Each arm runs its proposal's current version, frozen since the selection (reviseRefused).
  const chosen = await db
    .selectFrom('proposals')
    .innerJoin('proposal_versions', (j) => j.onRef('proposal_versions.proposal_id', '=', 'proposals.id').onRef('proposal_versions.version', '=', 'proposals.version'))
    .select(['proposals.id', 'proposal_versions.id as version_id'])
    .where('proposals.offer_id', '=', input.offerId)
    .where('proposals.status', '=', 'selected')
    .orderBy('proposals.id')
    .execute();
  if (chosen.length === 0) throw new RuleError('conflict', `offer ${input.offerId} has no selected proposal`);
  const k = chosen.length + 1;
  // The conversion-rate design is used for revenue too, as the page's conversion rate drives most of
  // the variance. A design that cannot be planned is a rule failure: the cycle fails visibly.
  const planned = plannedSample({ baseline_rate: offer.baseline_rate, mde_relative: offer.mde_relative, alpha: offer.alpha, variants: k });
  // CUPED's pre-period: the page's tests that ran in the 14 days before this one (their visitors' facts).
  const pre = await db
    .selectFrom('tests')
    .select('id')
    .where('page_id', '=', offer.page_id)
    .where((eb) => eb.or([eb('stopped_at', 'is', null), eb('stopped_at', '>=', new Date(Date.now() - 14 * 86400_000))]))
    .execute();
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('tests')
      .values({ offer_id: offer.id, cycle_id: offer.cycle_id, page_id: offer.page_id, metric: offer.metric, planned_sample_total: planned, baseline_rate: offer.baseline_rate, workflow_id: 'pending', pre_test_ids: pre.map((t) => t.id) })
      .onConflict((oc) => oc.column('offer_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { testId: (await trx.selectFrom('tests').select('id').where('offer_id', '=', offer.id).executeTakeFirstOrThrow()).id };
    await trx.updateTable('tests').set({ workflow_id: testWorkflowId(inserted.id) }).where('id', '=', inserted.id).execute();
    await trx
      .insertInto('variants')
      .values([
        { test_id: inserted.id, arm: 'control', position: 0, proposal_id: null, weight: 1 / k },
        ...chosen.map((p, i) => ({ test_id: inserted.id, arm: ARM_NAMES[i + 1]!, position: i + 1, proposal_id: p.id, proposal_version_id: p.version_id, weight: 1 / k })),
      ])
      .execute();
    return { testId: inserted.id };
  });
}

/** `noTrafficHours`: the check also says whether the test has had no exposure that long (hasNoTraffic). */
export async function interimCheck(db: Db, input: { testId: number; checkNo: number }, noTrafficHours = NO_TRAFFIC_HOURS_DEFAULT) {
  const v = await verdictRequest(db, input.testId, 'sequential');
  const { request, arms, planned } = v;
  const result = decide(v);
  await db
    .insertInto('verdicts')
    .values({ test_id: input.testId, kind: 'interim', check_no: input.checkNo, engine: 'sequential', outcome: result.decision.outcome, winner_variant_id: null, request: JSON.stringify(request), result: JSON.stringify(result) })
    .onConflict((oc) => oc.columns(['test_id', 'kind', 'check_no']).doNothing())
    .execute();
  const totalN = arms.reduce((s, a) => s + a.n, 0);
  const srmPValue = result.srm_p_value ?? 1;
  // SRM only means something once there is traffic; an empty test is simply not decisive yet.
  const srm = totalN > 0 && srmPValue < SRM_THRESHOLD;
  // A breached guardrail ends the test too: CS decides what to do with a harmful "win".
  const decisive = result.decision.outcome === 'winner' || result.decision.outcome === 'loser' || result.decision.outcome === 'blocked_by_guardrail';
  const test = await db.selectFrom('tests').select(['status', 'started_at']).where('id', '=', input.testId).executeTakeFirstOrThrow();
  const noTraffic = hasNoTraffic({ status: test.status, startedAt: test.started_at, exposures: totalN }, new Date(), noTrafficHours);
  return { outcome: result.decision.outcome, decisive, srm, srmPValue, totalN, plannedTotal: planned, noTraffic, noTrafficHours };
}

/** How the test ended, from the reason the workflow gives (older workflows pass only `srm`). */
function endOf(input: { reason: string; srm: boolean; end?: TestEnd['by'] }): TestEnd {
  if (input.srm) return { by: 'srm', reason: input.reason };
  if (input.end) return { by: input.end, reason: input.reason } as TestEnd;
  if (input.reason.startsWith('stopped by CS')) return { by: 'cs', reason: input.reason };
  if (input.reason.startsWith('planned sample')) return { by: 'planned_sample', reason: input.reason };
  if (input.reason.startsWith('maximum duration')) return { by: 'max_duration', reason: input.reason };
  return { by: 'engine', reason: input.reason };
}

/** The final verdict, stored once; a winner becomes the page's control (the replaced one is kept). */
export async function finalizeTest(db: Db, input: { testId: number; reason: string; srm: boolean; end?: TestEnd['by'] }): Promise<TestOutcome> {
  const test = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['tests.id', 'tests.status', 'tests.page_id', 'tests.cycle_id', 'cycles.engagement_id', 'engagements.client_id', 'engagement_settings.verdict_engine'])
    .where('tests.id', '=', input.testId)
    .executeTakeFirst();
  if (!test) throw new RuleError('not_found', `test ${input.testId} does not exist`);
  const existing = await db.selectFrom('verdicts').selectAll().where('test_id', '=', input.testId).where('kind', '=', 'final').executeTakeFirst();
  const variants = await db.selectFrom('variants').select(['id', 'proposal_id']).where('test_id', '=', input.testId).execute();
  const outcomeOf = (result: VerdictResult | TestVerdictResult, winnerVariantId: number | null): TestOutcome => ({
    testId: input.testId,
    outcome: result.decision.outcome,
    reason: input.reason,
    winnerProposalId: variants.find((v) => v.id === winnerVariantId)?.proposal_id ?? null,
  });
  if (existing) return outcomeOf(existing.result as VerdictResult, existing.winner_variant_id);
  if (test.status === 'cancelled') return { testId: input.testId, outcome: 'invalid', reason: input.reason, winnerProposalId: null };

  const v = await verdictRequest(db, input.testId, test.verdict_engine);
  const engine = decide(v);
  const result: TestVerdictResult = { ...engine, decision: finalDecision(engine.decision, endOf(input)) };
  const armIndex = v.arms.findIndex((a) => a.arm === result.decision.arm);
  // Only a winner is promoted and earns its bonus (a winner blocked by a guardrail is neither).
  const winnerVariantId = result.decision.outcome === 'winner' && armIndex > 0 ? v.arms[armIndex]!.variant_id : null;
  // What the winner's visitors saw (on top of the page's control then): served once it is the page's control.
  const served = winnerVariantId === null ? null : await armChanges(db, test.client_id, input.testId, winnerVariantId);
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('verdicts')
      .values({ test_id: input.testId, kind: 'final', check_no: 0, engine: test.verdict_engine, outcome: result.decision.outcome, winner_variant_id: winnerVariantId, request: JSON.stringify(v.request), result: JSON.stringify(result) })
      .onConflict((oc) => oc.columns(['test_id', 'kind', 'check_no']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return;
    await trx
      .updateTable('tests')
      .set({ status: result.decision.outcome === 'invalid' ? 'invalid' : 'completed', stop_reason: input.reason, stopped_at: new Date() })
      .where('id', '=', input.testId)
      .where('status', '=', 'running')
      .execute();
    if (winnerVariantId !== null) {
      const winner = await trx
        .selectFrom('variants')
        .innerJoin('proposals', 'proposals.id', 'variants.proposal_id')
        .select(['proposals.title'])
        .where('variants.id', '=', winnerVariantId)
        .executeTakeFirstOrThrow();
      const page = await trx.selectFrom('pages').select(['control_description', 'baseline_rate', 'control_since_test_id']).where('id', '=', test.page_id).forUpdate().executeTakeFirstOrThrow();
      const current: PageControl = { description: page.control_description, baseline_rate: page.baseline_rate, since_test_id: page.control_since_test_id };
      const arm = v.arms[armIndex]!;
      const binomial = v.request.metrics.find((m) => m.role === 'primary')?.kind === 'binomial';
      const next = promotedControl(current, { title: winner.title, n: arm.n, conversions: arm.conversions, binomial }, input.testId);
      await trx.updateTable('pages').set({ control_description: next.description, baseline_rate: next.baseline_rate, control_since_test_id: next.since_test_id }).where('id', '=', test.page_id).execute();
      await trx
        .updateTable('tests')
        .set({ replaced_control: JSON.stringify(current), served_changes: served ? JSON.stringify(served) : null })
        .where('id', '=', input.testId)
        .execute();
    }
  });
  if (result.decision.outcome === 'invalid') {
    await raiseAlert(db, { engagementId: test.engagement_id, cycleId: test.cycle_id, kind: 'test_invalid', key: `test_invalid:${input.testId}`, message: `Test ${input.testId} is invalid: ${result.decision.reason}` });
  }
  if (result.decision.outcome === 'blocked_by_guardrail') {
    // CS's task: the variant won on its goal but harmed a guardrail; nothing was promoted or paid.
    await raiseAlert(db, { engagementId: test.engagement_id, cycleId: test.cycle_id, kind: 'guardrail_blocked', key: `guardrail_blocked:${input.testId}`, message: `Test ${input.testId}: ${verdictText(result.decision, 'en')}` });
  }
  return outcomeOf(result, winnerVariantId);
}

/** Why a test cannot be stopped (the route asks first, the stop's activity again), if it cannot. */
export function stopRefusal(t: { id: number; status: TestStatus }): RuleError | undefined {
  return t.status === 'running' ? undefined : new RuleError('conflict', `test ${t.id} is ${t.status}, not running`);
}

/**
 * CS stops a test with a reason: recorded with who by the test workflow's stop update, i.e. only once
 * the workflow accepted it. Idempotent (a retried activity writes nothing twice).
 */
export async function recordStop(db: Db, input: { testId: number; reason: string; actor: Actor }) {
  const t = await db.selectFrom('tests').select(['id', 'cycle_id', 'status']).where('id', '=', input.testId).executeTakeFirstOrThrow();
  const refusal = stopRefusal(t);
  if (refusal) throw refusal;
  await db.updateTable('tests').set({ stopped_by: input.actor.userId }).where('id', '=', t.id).where('stopped_by', 'is', null).execute();
  await recordDecision(db, { cycleId: t.cycle_id, testId: t.id, kind: 'stop', actorUserId: input.actor.userId, summary: `stopped test ${t.id}: ${input.reason}`, key: `stop:${t.id}` });
}

export interface TestFilter {
  engagementId?: number;
  clientId?: number;
  status?: TestStatus;
  afterId?: number;
  limit: number;
}

export async function listTests(db: Db, f: TestFilter) {
  let q = db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
    .select([
      'tests.id', 'tests.cycle_id', 'tests.offer_id', 'tests.page_id', 'tests.metric', 'tests.status', 'tests.planned_sample_total',
      'tests.stop_reason', 'tests.started_at', 'tests.stopped_at', 'cycles.engagement_id', 'cycles.month', 'engagements.client_id',
      'verdicts.outcome', 'verdicts.invalidated_at',
    ])
    .orderBy('tests.id')
    .limit(f.limit);
  if (f.engagementId) q = q.where('cycles.engagement_id', '=', f.engagementId);
  if (f.clientId) q = q.where('engagements.client_id', '=', f.clientId);
  if (f.status) q = q.where('tests.status', '=', f.status);
  if (f.afterId) q = q.where('tests.id', '>', f.afterId);
  const rows = await q.execute();
  return rows.map(({ invalidated_at, outcome, ...t }) => ({ ...t, outcome: invalidated_at ? 'invalid' : (outcome ?? null), invalidated: invalidated_at !== null }));
}

/** Verdicts of a test in check order (interim checks, then the final one), paged by id. */
export async function listVerdicts(db: Db, testId: number, page: { afterId?: number; limit: number }) {
  let q = db.selectFrom('verdicts').selectAll().where('test_id', '=', testId).orderBy('id').limit(page.limit);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  return q.execute();
}

/** What one test's page shows beside its row: variants, live per-arm figures, the final verdict, how many interim checks ran. */
export async function testFigures(db: Db, testId: number) {
  const [variants, arms, final, interim] = await Promise.all([
    db.selectFrom('variants').selectAll().where('test_id', '=', testId).orderBy('position').execute(),
    armStats(db, testId),
    db.selectFrom('verdicts').selectAll().where('test_id', '=', testId).where('kind', '=', 'final').executeTakeFirst(),
    db.selectFrom('verdicts').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', testId).where('kind', '=', 'interim').executeTakeFirstOrThrow(),
  ]);
  return { variants, arms, final_verdict: final ?? null, interim_checks: Number(interim.n) };
}
