// Revenue impact over the database: every test's final verdict as it stands now (an invalidated one
// counts as invalid), its conservative monthly uplift (domain/cycles/report.ts), and the engagements'
// monthly fees for the months they had a cycle; grouped by domain/cycles/impact.ts. And the holdout:
// everyone else's conversion rate in a client's tests against the visitors held out of all of them.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { impactRows, type FeeMonth, type ImpactGroupBy, type ImpactTest } from '../domain/cycles/impact.ts';
import { reportTest, revenueUpliftEstimate } from '../domain/cycles/report.ts';
import { holdoutEffect, inHoldout } from '../domain/holdout.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import type { VerdictResult } from '../domain/stats/index.ts';

export async function revenueImpact(db: Db, input: { groupBy: ImpactGroupBy; asOf?: string; clientId?: number; engagementId?: number }) {
  const asOf = input.asOf ?? tokyoMonthOf(Date.now());
  let q = db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('pages', 'pages.id', 'tests.page_id')
    .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
    .select(['tests.id', 'tests.offer_id', 'tests.baseline_rate as test_baseline', 'pages.baseline_rate', 'pages.daily_visitors', 'pages.value_per_conversion_yen', 'verdicts.result', 'verdicts.invalidated_at', 'cycles.month', 'engagements.id as engagement_id', 'engagements.client_id'])
    .orderBy('tests.id');
  if (input.clientId) q = q.where('engagements.client_id', '=', input.clientId);
  if (input.engagementId) q = q.where('engagements.id', '=', input.engagementId);
  const tests: ImpactTest[] = (await q.execute()).map((t) => {
    const r = reportTest({
      test_id: t.id,
      offer_id: t.offer_id,
      result: t.result as VerdictResult,
      invalidated: t.invalidated_at !== null,
      baseline_rate: t.test_baseline ?? t.baseline_rate,
      daily_visitors: t.daily_visitors,
      value_per_conversion_yen: t.value_per_conversion_yen,
    });
    const expected = r.outcome === 'winner' ? revenueUpliftEstimate(r.lift, t.test_baseline ?? t.baseline_rate, t.daily_visitors, t.value_per_conversion_yen) : 0;
    return { test_id: t.id, client_id: t.client_id, engagement_id: t.engagement_id, month: t.month, outcome: r.outcome, monthly_uplift_yen: r.monthly_revenue_uplift_yen, expected_monthly_uplift_yen: expected };
  });
  let f = db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['engagements.id as engagement_id', 'engagements.client_id', 'cycles.month', 'engagements.monthly_fee_yen as fee_yen']);
  if (input.clientId) f = f.where('engagements.client_id', '=', input.clientId);
  if (input.engagementId) f = f.where('engagements.id', '=', input.engagementId);
  const fees: FeeMonth[] = await f.execute();
  return { group_by: input.groupBy, as_of: asOf, basis: 'lower confidence bound of the lift × baseline monthly conversions × value per conversion; a winner counts from the month after its test', rows: impactRows(tests, fees, input.groupBy, asOf) };
}

/**
 * One engagement's revenue impact month by month (tests, wins, the uplift in force with its expected
 * value, fees, ROI to date), its total, and its client's holdout when it has one.
 */
export async function engagementImpact(db: Db, engagement: { id: number; client_id: number }, asOf?: string) {
  const months = await revenueImpact(db, { groupBy: 'month', asOf, engagementId: engagement.id });
  const total = await revenueImpact(db, { groupBy: 'engagement', asOf, engagementId: engagement.id });
  const holdout = await holdoutReport(db, engagement.client_id);
  return {
    engagement_id: engagement.id,
    as_of: months.as_of,
    basis: months.basis,
    months: months.rows,
    total: total.rows[0] ?? null,
    holdout: holdout.holdout_percent > 0 || holdout.holdout.n > 0 ? holdout : null,
  };
}

/**
 * The holdout's effect for a client: visitors held out of every test (always the original page)
 * against everyone else exposed in the client's tests; a visitor counts once, converted if it
 * converted in any test. Reads the aggregates the ingest keeps (a few rows, whatever the traffic).
 */
export async function holdoutReport(db: Db, clientId: number) {
  const client = await db.selectFrom('clients').select(['id', 'holdout_percent']).where('id', '=', clientId).executeTakeFirstOrThrow();
  const { rows } = await sql<{ holdout: boolean; n: number; conversions: number }>`
    select holdout, sum(n)::int as n, sum(conversions)::int as conversions
      from holdout_stats where client_id = ${clientId}::bigint group by holdout`.execute(db);
  const group = (held: boolean) => {
    const r = rows.find((x) => x.holdout === held);
    return { n: r?.n ?? 0, conversions: r?.conversions ?? 0 };
  };
  const holdout = group(true);
  const rest = group(false);
  return { client_id: clientId, holdout_percent: client.holdout_percent, holdout, rest, effect: holdoutEffect(holdout, rest) };
}

/** The same two groups recomputed from every stored event of the client (a scan: for checks and tests, never a read path). */
export async function holdoutGroupsFromEvents(db: Db, clientId: number) {
  const { rows } = await sql<{ visitor_id: string; holdout_percent: number; exposed: boolean; converted: boolean }>`
    select ev.visitor_id, t.holdout_percent, bool_or(ev.type = 'exposure') as exposed, bool_or(ev.type = 'conversion') as converted
      from test_events ev
      join tests t on t.id = ev.test_id
      join cycles c on c.id = t.cycle_id
      join engagements e on e.id = c.engagement_id
     where e.client_id = ${clientId}
     group by ev.visitor_id, t.holdout_percent`.execute(db);
  const visitors = new Map<string, { holdout: boolean; exposed: boolean; converted: boolean }>();
  for (const r of rows) {
    const v = visitors.get(r.visitor_id) ?? { holdout: false, exposed: false, converted: false };
    v.holdout ||= inHoldout(clientId, r.visitor_id, r.holdout_percent);
    v.exposed ||= r.exposed;
    v.converted ||= r.converted;
    visitors.set(r.visitor_id, v);
  }
  const holdout = { n: 0, conversions: 0 };
  const rest = { n: 0, conversions: 0 };
  for (const v of visitors.values()) {
    if (!v.exposed) continue;
    const g = v.holdout ? holdout : rest;
    g.n++;
    if (v.converted) g.conversions++;
  }
  return { holdout, rest };
}

export async function setHoldout(db: Db, clientId: number, percent: number) {
  const row = await db.updateTable('clients').set({ holdout_percent: percent }).where('id', '=', clientId).returning(['id', 'holdout_percent']).executeTakeFirst();
  return row ?? null;
}
