// A test's metrics (issue 25): what CS configures (primary, secondary, guardrails, the decision
// population) and what the test page reads from the aggregates (per metric, guardrail and segment).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { eventsOf, metricInputs, segmentUsers, defaultMetrics, type MetricConfig } from '../domain/cycles/metric-data.ts';
import { RuleError, ValidationError } from '../domain/errors.ts';
import { segmentSrm, testVerdict, type TestVerdictResult } from '../domain/stats/index.ts';
import { armStats, metricStats, SEGMENT_DIMENSIONS } from './traffic.ts';
import { metricsOf } from './tests.ts';

export interface MetricsSetting {
  metrics: (Omit<MetricConfig, 'per' | 'inverse' | 'alpha' | 'cap_percentile'> & Partial<MetricConfig>)[];
  decision_segment?: string | null;
}

const SEGMENTS = Object.entries(SEGMENT_DIMENSIONS).flatMap(([d, values]) => values.map((v) => `${d}:${v}`));

/**
 * Sets a test's metrics before it has traffic (the aggregates fold named events into the slots these
 * name, so they cannot change under a running count): 409 once a visitor was exposed.
 */
export async function setTestMetrics(db: Db, testId: number, input: MetricsSetting) {
  const details: { path: string; message: string }[] = [];
  const primaries = input.metrics.filter((m) => m.role === 'primary').length;
  if (primaries !== 1) details.push({ path: '/metrics', message: `must have exactly one primary metric (has ${primaries})` });
  const names = input.metrics.map((m) => m.name);
  names.forEach((n, i) => names.indexOf(n) !== i && details.push({ path: `/metrics/${i}/name`, message: `${n} is named twice` }));
  input.metrics.forEach((m, i) => {
    if (m.alpha != null && m.role !== 'guardrail') details.push({ path: `/metrics/${i}/alpha`, message: "only a guardrail has its own alpha" });
    if (m.cap_percentile != null && m.kind === 'binomial') details.push({ path: `/metrics/${i}/cap_percentile`, message: 'a binomial metric is not capped' });
  });
  const full: MetricConfig[] = input.metrics.map((m) => ({ per: 'value', inverse: false, alpha: null, cap_percentile: null, ...m }));
  const events = eventsOf(full);
  if (events.length > 3) details.push({ path: '/metrics', message: `read at most 3 events (reads ${events.join(', ')})` });
  if (input.decision_segment && !SEGMENTS.includes(input.decision_segment)) {
    details.push({ path: '/decision_segment', message: `must be one of: ${SEGMENTS.join(', ')}` });
  }
  if (details.length) throw new ValidationError(`${details[0]!.path} ${details[0]!.message}`, details);

  await db.transaction().execute(async (trx) => {
    // FOR UPDATE waits for in-flight ingest batches (they hold the test FOR SHARE).
    const t = await trx.selectFrom('tests').select(['id', 'status']).where('id', '=', testId).forUpdate().executeTakeFirst();
    if (!t) throw new RuleError('not_found', `test ${testId} does not exist`);
    if (t.status !== 'running') throw new RuleError('conflict', `test ${testId} is ${t.status}, not running`);
    const { rows: exposed } = await sql`select 1 from arm_stats where test_id = ${testId}::bigint and n > 0 limit 1`.execute(trx);
    if (exposed.length) throw new RuleError('conflict', `test ${testId} already has exposed visitors: its metrics are fixed`);
    await trx.deleteFrom('test_metrics').where('test_id', '=', testId).execute();
    await trx.insertInto('test_metrics').values(full.map((m, position) => ({ test_id: testId, position, ...m }))).execute();
    await trx.updateTable('tests').set({ events, decision_segment: input.decision_segment ?? null }).where('id', '=', testId).execute();
  });
  return { test_id: testId, metrics: full, decision_segment: input.decision_segment ?? null };
}

/**
 * What the test page shows about its metrics, from the aggregates only: each metric's per-variant
 * effect (interval, raw and adjusted p), the guardrails' state, and each segment's primary effect
 * with its own SRM (one segment of many may look skewed by chance: `segments_browsed`).
 */
export async function metricReport(db: Db, testId: number) {
  const test = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
    .select(['tests.metric', 'tests.events', 'tests.decision_segment', 'engagement_settings.alpha', 'engagement_settings.correction', 'engagement_settings.verdict_engine'])
    .where('tests.id', '=', testId)
    .executeTakeFirstOrThrow();
  const configured = await metricsOf(db, testId);
  const metrics = configured.length ? configured : defaultMetrics(test.metric);
  const [arms, rows, variants] = await Promise.all([
    armStats(db, testId),
    metricStats(db, testId),
    db.selectFrom('variants').select(['weight']).where('test_id', '=', testId).orderBy('position').execute(),
  ]);
  const weights = variants.map((v) => v.weight);
  const run = (segment: string, ms: MetricConfig[]): TestVerdictResult | null => {
    const { inputs } = metricInputs(ms, test.events, arms, rows, segment);
    if (inputs[0]!.arms.every((a) => a.n === 0)) return null;
    return testVerdict({ engine: test.verdict_engine, alpha: test.alpha, correction: test.correction, metrics: inputs, weights });
  };
  const all = run(test.decision_segment ?? 'all', metrics);
  const primary = metrics.find((m) => m.role === 'primary')!;
  const users = segmentUsers(arms, rows);
  const srm = users.length ? segmentSrm({ weights, segments: users }) : null;
  const segments = users.map((s, i) => {
    const r = run(`${s.dimension}:${s.value}`, [primary]);
    return {
      dimension: s.dimension,
      value: s.value,
      users: s.users,
      srm_p_value: srm!.segments[i]!.p_value,
      srm: srm!.segments[i]!.srm,
      variants: (r?.variants ?? []).map((v) => ({ arm: v.arm, expected: v.expected, ci: v.ci, p_value: v.p_value ?? null })),
    };
  });
  return {
    decision_segment: test.decision_segment,
    correction: all?.correction ?? { method: test.correction, comparisons: 0 },
    metrics: (all?.metrics ?? []).map((m) => ({
      name: m.id,
      role: m.role,
      kind: m.kind,
      inverse: m.inverse,
      alpha: m.alpha,
      cuped: m.cuped,
      arms: m.arms,
      variants: m.variants.map((v) => ({
        arm: v.arm,
        expected: v.expected,
        ci: v.ci,
        p_value: v.p_value ?? null,
        p_value_adjusted: v.p_value_adjusted ?? null,
        ...(m.role === 'guardrail' ? { worse: v.worse ?? false } : {}),
        ...(v.cuped ? { cuped: v.cuped } : {}),
      })),
    })),
    segments,
    segments_browsed: segments.length,
  };
}
