// The client's ordering ability (issue 28.5), per Asia/Tokyo month (the cycle's month): counts from
// the client's offers, questions, proposals, tests and reports, turned into the trend by the pure rules
// in domain/cycles/ordering-ability.ts. The engagement page shows it; the client's monthly digest can
// call clientOrderingAbility for the month it reports.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { filledShare, orderingTrend, type OrderingCounts, type OrderingMonth } from '../domain/cycles/ordering-ability.ts';

/**
 * How brief completeness is measured: the checklist's score is computed live for the editor and not
 * stored, so a month's figure is the share of filled fields — of the structured brief when the offer
 * was posted from one, else of the plan's hypothesis (problem, page, metric, skills, visibility).
 */
export const COMPLETENESS_BASIS = 'share of filled brief fields (structured brief when there is one, else the hypothesis: problem, page, metric, skills, visibility)';

/** The client's months, oldest first; `months` narrows them (e.g. the month a digest reports). */
export async function clientOrderingAbility(db: Db, clientId: number, months?: string[]): Promise<OrderingMonth[]> {
  const cycles = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['cycles.id', 'cycles.month', 'cycles.report'])
    .where('engagements.client_id', '=', clientId)
    .$if(!!months?.length, (q) => q.where('cycles.month', 'in', months!))
    .execute();
  if (cycles.length === 0) return [];
  const ids = cycles.map((c) => c.id);
  const [offers, questions, proposals, tests] = await Promise.all([
    db
      .selectFrom('offers')
      .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
      .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
      .leftJoin('briefs', 'briefs.hypothesis_id', 'offers.hypothesis_id')
      .select(['cycles.month', 'hypotheses.problem', 'hypotheses.page_id', 'hypotheses.metric', 'hypotheses.skills', 'hypotheses.offer_kind', 'briefs.content'])
      .where('offers.cycle_id', 'in', ids)
      .execute(),
    db
      .selectFrom('offer_questions')
      .innerJoin('offers', 'offers.id', 'offer_questions.offer_id')
      .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
      .select(['cycles.month', (eb) => eb.fn.countAll<string>().as('n')])
      .where('offers.cycle_id', 'in', ids)
      .groupBy('cycles.month')
      .execute(),
    db
      .selectFrom('proposals')
      .innerJoin('offers', 'offers.id', 'proposals.offer_id')
      .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
      .select([
        'cycles.month',
        (eb) => eb.fn.countAll<string>().as('n'),
        sql<string>`count(*) filter (where proposals.review_status = 'passed')`.as('passed'),
        sql<string>`count(*) filter (where proposals.status = 'selected')`.as('selected'),
      ])
      .where('offers.cycle_id', 'in', ids)
      .where('proposals.status', '!=', 'withdrawn')
      .groupBy('cycles.month')
      .execute(),
    db
      .selectFrom('tests')
      .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
      .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
      .select([
        'cycles.month',
        (eb) => eb.fn.countAll<string>().as('n'),
        sql<string>`count(*) filter (where verdicts.outcome = 'winner')`.as('won'),
      ])
      .where('tests.cycle_id', 'in', ids)
      .where('verdicts.invalidated_at', 'is', null)
      .where('verdicts.outcome', '!=', 'invalid')
      .groupBy('cycles.month')
      .execute(),
  ]);
  const byMonth = new Map<string, OrderingCounts>();
  const month = (m: string) => {
    let c = byMonth.get(m);
    if (!c) {
      c = { month: m, offers: 0, brief_completeness_sum: 0, questions: 0, proposals: 0, proposals_passed: 0, proposals_selected: 0, tests_decided: 0, tests_won: 0, uplift_yen: 0 };
      byMonth.set(m, c);
    }
    return c;
  };
  for (const c of cycles) {
    const uplift = (c.report as { monthly_revenue_uplift_yen?: number } | null)?.monthly_revenue_uplift_yen ?? 0;
    month(c.month).uplift_yen += uplift;
  }
  for (const o of offers) {
    const fields = o.content && typeof o.content === 'object' ? (o.content as Record<string, unknown>) : { problem: o.problem, page: o.page_id, metric: o.metric, skills: o.skills, visibility: o.offer_kind };
    const c = month(o.month);
    c.offers++;
    c.brief_completeness_sum += filledShare(fields);
  }
  for (const q of questions) month(q.month).questions += Number(q.n);
  for (const p of proposals) {
    const c = month(p.month);
    c.proposals += Number(p.n);
    c.proposals_passed += Number(p.passed);
    c.proposals_selected += Number(p.selected);
  }
  for (const t of tests) {
    const c = month(t.month);
    c.tests_decided += Number(t.n);
    c.tests_won += Number(t.won);
  }
  return orderingTrend([...byMonth.values()]);
}
