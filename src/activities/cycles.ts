// Activities of the improvement cycle and its A/B tests. Each one is idempotent: it writes through a
// business key behind a unique constraint (ON CONFLICT DO NOTHING, then reads back), or it is a
// guarded UPDATE that a retry repeats harmlessly.
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { CyclePhase } from '../db/schema.ts';
import { rankHackers, revenueUpliftEstimate, widen, type TrackRecord } from '../domain/ranking.ts';
import { sampleSize, verdict, SRM_THRESHOLD } from '../domain/stats/index.ts';
import type { VerdictRequest, VerdictResult } from '../domain/stats/index.ts';
import type { CycleContext, HypothesisInput, OfferKind, TestOutcome } from '../shared/cycles.ts';
import { armStats } from '../traffic.ts';

const ARM_NAMES = ['control', 'A', 'B', 'C'];

export function cycleActivities(db: Db) {
  async function settingsOf(engagementId: number) {
    await db.insertInto('engagement_settings').values({ engagement_id: engagementId }).onConflict((oc) => oc.doNothing()).execute();
    return db.selectFrom('engagement_settings').selectAll().where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
  }

  /** One alert per business key, however often it is raised (retries, replays). */
  async function raiseAlert(input: { engagementId: number; cycleId: number | null; kind: string; key: string; message: string }) {
    await db
      .insertInto('alerts')
      .values({ engagement_id: input.engagementId, cycle_id: input.cycleId, kind: input.kind, unique_key: input.key, message: input.message })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .execute();
  }

  async function cycleRow(cycleId: number) {
    return db
      .selectFrom('cycles')
      .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
      .innerJoin('clients', 'clients.id', 'engagements.client_id')
      .select(['cycles.id', 'cycles.month', 'cycles.engagement_id', 'engagements.client_id', 'engagements.offer_mode', 'clients.industry'])
      .where('cycles.id', '=', cycleId)
      .executeTakeFirstOrThrow();
  }

  /** The test's request to the verdict engine, from per-visitor facts and the engagement settings. */
  async function verdictRequest(testId: number, engine: VerdictRequest['engine']) {
    const test = await db
      .selectFrom('tests')
      .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
      .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
      .select(['tests.metric', 'tests.planned_sample_total', 'engagement_settings.alpha', 'engagement_settings.tuning_parameter', 'engagement_settings.risk_threshold'])
      .where('tests.id', '=', testId)
      .executeTakeFirstOrThrow();
    const arms = await armStats(db, testId);
    const variants = await db.selectFrom('variants').select(['id', 'weight', 'proposal_id']).where('test_id', '=', testId).orderBy('position').execute();
    const binomial = test.metric === 'conversion';
    const request: VerdictRequest = {
      engine,
      metric_type: binomial ? 'binomial' : 'mean',
      alpha: test.alpha,
      sequential_tuning_parameter: test.tuning_parameter,
      risk_threshold: test.risk_threshold,
      arms: arms.map((a) =>
        binomial ? { arm: a.arm, n: a.n, conversions: a.conversions } : { arm: a.arm, n: a.n, sum: a.sum, sum_squares: a.sum_squares },
      ),
      weights: variants.map((v) => v.weight),
    };
    return { request, arms, variants, planned: test.planned_sample_total };
  }

  return {
    async openCycle(input: { engagementId: number; month: string; workflowId: string }): Promise<CycleContext> {
      const settings = await settingsOf(input.engagementId);
      await db
        .insertInto('cycles')
        .values({ engagement_id: input.engagementId, month: input.month, workflow_id: input.workflowId })
        .onConflict((oc) => oc.columns(['engagement_id', 'month']).doNothing())
        .execute();
      const cycle = await db
        .selectFrom('cycles')
        .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
        .select(['cycles.id', 'engagements.client_id', 'engagements.offer_mode'])
        .where('cycles.engagement_id', '=', input.engagementId)
        .where('cycles.month', '=', input.month)
        .executeTakeFirstOrThrow();
      // What the client already tried on these pages (matched by URL, so an earlier engagement's tests
      // show too: the lesson outlives the staff who learned it).
      const history = await db
        .selectFrom('knowledge_entries')
        .innerJoin('pages as tested', 'tested.id', 'knowledge_entries.page_id')
        .select([
          'knowledge_entries.test_id',
          'knowledge_entries.month',
          'knowledge_entries.page_id',
          'knowledge_entries.hypothesis',
          'knowledge_entries.change',
          'knowledge_entries.outcome',
          'knowledge_entries.lift',
        ])
        .where('knowledge_entries.client_id', '=', cycle.client_id)
        .where('tested.url', 'in', db.selectFrom('pages').select('url').where('engagement_id', '=', input.engagementId))
        .orderBy('knowledge_entries.id', 'desc')
        .limit(50)
        .execute();
      const s = (n: number) => n * 1000;
      return {
        cycleId: cycle.id,
        history: history.map((h) => ({
          testId: h.test_id,
          month: h.month,
          pageId: h.page_id,
          hypothesis: h.hypothesis,
          change: h.change,
          outcome: h.outcome,
          lift: h.lift,
        })),
        timings: {
          planningMs: s(settings.planning_seconds),
          offerWindowMs: s(settings.offer_window_seconds),
          selectionMs: s(settings.selection_seconds),
          testMaxMs: s(settings.test_max_seconds),
          interimCheckMs: s(settings.interim_check_seconds),
          learningMs: s(settings.learning_seconds),
          minProposals: settings.min_proposals,
        },
      };
    },

    async setCyclePhase(input: { cycleId: number; phase: CyclePhase; waitingFor: string | null; dueAt: string | null; overdue: boolean }) {
      await db
        .updateTable('cycles')
        .set({ phase: input.phase, waiting_for: input.waitingFor, due_at: input.dueAt, overdue: input.overdue, updated_at: new Date() })
        .where('id', '=', input.cycleId)
        .execute();
    },

    raiseAlert,

    async abandonCycle(input: { cycleId: number; reason: string }) {
      await db
        .updateTable('cycles')
        .set({ phase: 'completed', waiting_for: null, report: JSON.stringify({ abandoned: input.reason }), completed_at: new Date(), updated_at: new Date() })
        .where('id', '=', input.cycleId)
        .where('completed_at', 'is', null)
        .execute();
    },

    async recordPlan(input: { cycleId: number; hypotheses: HypothesisInput[]; requestedBy: number }): Promise<number[]> {
      await db
        .insertInto('hypotheses')
        .values(
          input.hypotheses.map((h, i) => ({
            cycle_id: input.cycleId,
            ordinal: i + 1,
            author: h.author,
            author_user_id: input.requestedBy,
            problem: h.problem,
            page_id: h.page_id,
            metric: h.metric,
            skills: h.skills ?? [],
            offer_kind: h.offer_kind ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['cycle_id', 'ordinal']).doNothing())
        .execute();
      const rows = await db.selectFrom('hypotheses').select('id').where('cycle_id', '=', input.cycleId).orderBy('ordinal').execute();
      return rows.map((r) => r.id);
    },

    async postOffer(input: { cycleId: number; hypothesisId: number; windowMs: number }) {
      const cycle = await cycleRow(input.cycleId);
      const settings = await settingsOf(cycle.engagement_id);
      const hypothesis = await db
        .selectFrom('hypotheses')
        .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
        .select(['hypotheses.problem', 'hypotheses.offer_kind', 'hypotheses.skills', 'hypotheses.metric', 'pages.url', 'pages.page_type'])
        .where('hypotheses.id', '=', input.hypothesisId)
        .executeTakeFirstOrThrow();
      let kind: OfferKind = hypothesis.offer_kind ?? cycle.offer_mode;
      const team = await db.selectFrom('growth_team_members').select('hacker_id').where('engagement_id', '=', cycle.engagement_id).execute();
      if (kind === 'team' && team.length === 0) kind = 'targeted';
      await db
        .insertInto('offers')
        .values({
          cycle_id: input.cycleId,
          hypothesis_id: input.hypothesisId,
          kind,
          brief: `${hypothesis.problem}\n\nPage: ${hypothesis.url} (${hypothesis.page_type}); metric: ${hypothesis.metric}`,
          adoption_fee_yen: settings.adoption_fee_yen,
          win_bonus_yen: settings.win_bonus_yen,
          submission_fee_yen: settings.submission_fee_yen,
          deadline: new Date(Date.now() + input.windowMs),
        })
        .onConflict((oc) => oc.column('hypothesis_id').doNothing())
        .execute();
      const offer = await db.selectFrom('offers').selectAll().where('hypothesis_id', '=', input.hypothesisId).executeTakeFirstOrThrow();
      await invite(offer.id, offer.kind, cycle, hypothesis.skills, settings.targeted_top_n, team.map((m) => m.hacker_id));
      return { offerId: offer.id, hypothesisId: input.hypothesisId, kind: offer.kind, deadline: offer.deadline.toISOString(), extended: offer.extended };
    },

    async closeOfferWindow(input: { offerId: number; minProposals: number; canExtend: boolean; windowMs: number }) {
      const offer = await db.selectFrom('offers').selectAll().where('id', '=', input.offerId).executeTakeFirstOrThrow();
      const count = async () =>
        Number(
          (await db.selectFrom('proposals').select((eb) => eb.fn.countAll().as('n')).where('offer_id', '=', input.offerId).where('status', '=', 'submitted').executeTakeFirstOrThrow()).n,
        );
      const proposals = await count();
      const result = (o: typeof offer, reopened: boolean) => ({
        proposals,
        kind: o.kind,
        deadline: o.deadline.toISOString(),
        extended: o.extended,
        reopened,
      });
      // A retry after the extension was written sees it and reports it again rather than extending twice.
      if (offer.status === 'open' && offer.extended && offer.deadline.getTime() > Date.now()) return result(offer, true);
      if (offer.status === 'closed') return result(offer, false);
      if (proposals < input.minProposals && input.canExtend && !offer.extended) {
        const cycle = await cycleRow(offer.cycle_id);
        const settings = await settingsOf(cycle.engagement_id);
        const kind = widen(offer.kind);
        const why = `only ${proposals} of ${input.minProposals} proposals by ${offer.deadline.toISOString()}: extended once and widened from ${offer.kind} to ${kind}`;
        const updated = await db
          .updateTable('offers')
          .set({ kind, extended: true, widen_reason: why, deadline: new Date(Date.now() + input.windowMs) })
          .where('id', '=', offer.id)
          .where('extended', '=', false)
          .returningAll()
          .executeTakeFirst();
        const current = updated ?? (await db.selectFrom('offers').selectAll().where('id', '=', offer.id).executeTakeFirstOrThrow());
        const hypothesis = await db.selectFrom('hypotheses').select('skills').where('id', '=', offer.hypothesis_id).executeTakeFirstOrThrow();
        await invite(offer.id, kind, cycle, hypothesis.skills, settings.targeted_top_n, [], 'widened');
        return result(current, true);
      }
      const closed = await db.updateTable('offers').set({ status: 'closed' }).where('id', '=', offer.id).returningAll().executeTakeFirstOrThrow();
      return result(closed, false);
    },

    async recordSelection(input: { offerId: number; proposalIds: number[]; requestedBy: number }) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('proposals')
          .set({ status: 'selected', updated_at: new Date() })
          .where('offer_id', '=', input.offerId)
          .where('id', 'in', input.proposalIds)
          .where('status', '=', 'submitted')
          .execute();
        await trx
          .updateTable('proposals')
          .set({ status: 'rejected', updated_at: new Date() })
          .where('offer_id', '=', input.offerId)
          .where('status', '=', 'submitted')
          .execute();
      });
    },

    async createTest(input: { offerId: number }): Promise<{ testId: number }> {
      const offer = await db
        .selectFrom('offers')
        .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
        .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
        .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
        .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
        .select([
          'offers.id',
          'offers.cycle_id',
          'hypotheses.page_id',
          'hypotheses.metric',
          'pages.baseline_rate',
          'pages.daily_visitors',
          'engagement_settings.alpha',
          'engagement_settings.mde_relative',
        ])
        .where('offers.id', '=', input.offerId)
        .executeTakeFirstOrThrow();
      const chosen = await db.selectFrom('proposals').select('id').where('offer_id', '=', input.offerId).where('status', '=', 'selected').orderBy('id').execute();
      if (chosen.length === 0) throw ApplicationFailure.nonRetryable(`offer ${input.offerId} has no selected proposal`);
      const k = chosen.length + 1;
      // Planned sample from the engine (power 0.8); the conversion-rate design is used for revenue too,
      // as the page's conversion rate drives most of the variance.
      const plan = sampleSize({ baseline_rate: offer.baseline_rate, mde_relative: offer.mde_relative, alpha: offer.alpha, power: 0.8, variants: k });
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('tests')
          .values({
            offer_id: offer.id,
            cycle_id: offer.cycle_id,
            page_id: offer.page_id,
            metric: offer.metric,
            planned_sample_total: plan.n_total,
            baseline_rate: offer.baseline_rate,
            workflow_id: 'pending',
          })
          .onConflict((oc) => oc.column('offer_id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) {
          const existing = await trx.selectFrom('tests').select('id').where('offer_id', '=', offer.id).executeTakeFirstOrThrow();
          return { testId: existing.id };
        }
        await trx.updateTable('tests').set({ workflow_id: `test-${inserted.id}` }).where('id', '=', inserted.id).execute();
        await trx
          .insertInto('variants')
          .values([
            { test_id: inserted.id, arm: 'control', position: 0, proposal_id: null, weight: 1 / k },
            ...chosen.map((p, i) => ({ test_id: inserted.id, arm: ARM_NAMES[i + 1]!, position: i + 1, proposal_id: p.id, weight: 1 / k })),
          ])
          .execute();
        return { testId: inserted.id };
      });
    },

    async interimCheck(input: { testId: number; checkNo: number }) {
      const { request, arms, planned } = await verdictRequest(input.testId, 'sequential');
      const result = verdict(request);
      await db
        .insertInto('verdicts')
        .values({
          test_id: input.testId,
          kind: 'interim',
          check_no: input.checkNo,
          engine: 'sequential',
          outcome: result.decision.outcome,
          winner_variant_id: null,
          request: JSON.stringify(request),
          result: JSON.stringify(result),
        })
        .onConflict((oc) => oc.columns(['test_id', 'kind', 'check_no']).doNothing())
        .execute();
      const totalN = arms.reduce((s, a) => s + a.n, 0);
      const srmPValue = result.srm_p_value ?? 1;
      // SRM only means something once there is traffic; an empty test is simply not decisive yet.
      const srm = totalN > 0 && srmPValue < SRM_THRESHOLD;
      const decisive = result.decision.outcome === 'winner' || result.decision.outcome === 'loser';
      return { outcome: result.decision.outcome, decisive, srm, srmPValue, totalN, plannedTotal: planned };
    },

    async finalizeTest(input: { testId: number; reason: string; srm: boolean }): Promise<TestOutcome> {
      const existing = await db.selectFrom('verdicts').selectAll().where('test_id', '=', input.testId).where('kind', '=', 'final').executeTakeFirst();
      const test = await db
        .selectFrom('tests')
        .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
        .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
        .select(['tests.id', 'tests.page_id', 'tests.cycle_id', 'cycles.engagement_id', 'engagement_settings.verdict_engine'])
        .where('tests.id', '=', input.testId)
        .executeTakeFirstOrThrow();
      let result: VerdictResult;
      let winnerVariantId: number | null = null;
      let variants: { id: number; proposal_id: number | null }[];
      if (existing) {
        result = existing.result as VerdictResult;
        winnerVariantId = existing.winner_variant_id;
        variants = await db.selectFrom('variants').select(['id', 'proposal_id']).where('test_id', '=', input.testId).execute();
      } else {
        const v = await verdictRequest(input.testId, test.verdict_engine);
        variants = v.variants;
        result = verdict(v.request);
        if (input.srm && result.decision.outcome !== 'invalid') {
          result = { ...result, decision: { outcome: 'invalid', reason: `sample ratio mismatch: ${input.reason}` } };
        }
        const armIndex = v.arms.findIndex((a) => a.arm === result.decision.arm);
        winnerVariantId = result.decision.outcome === 'winner' && armIndex > 0 ? v.arms[armIndex]!.variant_id : null;
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('verdicts')
            .values({
              test_id: input.testId,
              kind: 'final',
              check_no: 0,
              engine: test.verdict_engine,
              outcome: result.decision.outcome,
              winner_variant_id: winnerVariantId,
              request: JSON.stringify(v.request),
              result: JSON.stringify(result),
            })
            .onConflict((oc) => oc.columns(['test_id', 'kind', 'check_no']).doNothing())
            .execute();
          await trx
            .updateTable('tests')
            .set({ status: result.decision.outcome === 'invalid' ? 'invalid' : 'completed', stop_reason: input.reason, stopped_at: new Date() })
            .where('id', '=', input.testId)
            .execute();
          if (winnerVariantId !== null) {
            // The winner becomes the page's control for the next cycle.
            const proposal = await trx
              .selectFrom('variants')
              .innerJoin('proposals', 'proposals.id', 'variants.proposal_id')
              .select(['proposals.title'])
              .where('variants.id', '=', winnerVariantId)
              .executeTakeFirstOrThrow();
            // Its observed conversion rate becomes the baseline the next test is planned from.
            const arm = v.arms[armIndex]!;
            const rate = arm.n > 0 ? arm.conversions / arm.n : 0;
            await trx
              .updateTable('pages')
              .set({
                control_description: proposal.title,
                control_since_test_id: input.testId,
                ...(v.request.metric_type === 'binomial' && rate > 0 && rate < 1 ? { baseline_rate: rate } : {}),
              })
              .where('id', '=', test.page_id)
              .execute();
          }
        });
        if (result.decision.outcome === 'invalid') {
          await raiseAlert({
            engagementId: test.engagement_id,
            cycleId: test.cycle_id,
            kind: 'test_invalid',
            key: `test_invalid:${input.testId}`,
            message: `Test ${input.testId} is invalid: ${result.decision.reason}`,
          });
        }
      }
      const winnerProposalId = variants.find((v) => v.id === winnerVariantId)?.proposal_id ?? null;
      return { testId: input.testId, outcome: result.decision.outcome, reason: input.reason, winnerProposalId };
    },

    async captureKnowledge(input: { testId: number }) {
      const t = await db
        .selectFrom('tests')
        .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
        .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
        .innerJoin('clients', 'clients.id', 'engagements.client_id')
        .innerJoin('offers', 'offers.id', 'tests.offer_id')
        .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
        .innerJoin('pages', 'pages.id', 'tests.page_id')
        .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
        .select([
          'tests.id',
          'engagements.client_id',
          'engagements.id as engagement_id',
          'tests.page_id',
          'pages.page_type',
          'clients.industry',
          'cycles.month',
          'hypotheses.problem',
          'hypotheses.skills',
          'verdicts.result',
          'verdicts.winner_variant_id',
        ])
        .where('tests.id', '=', input.testId)
        .executeTakeFirstOrThrow();
      const result = t.result as VerdictResult;
      const proposals = await db
        .selectFrom('variants')
        .innerJoin('proposals', 'proposals.id', 'variants.proposal_id')
        .select(['variants.id', 'variants.arm', 'proposals.title'])
        .where('variants.test_id', '=', input.testId)
        .orderBy('variants.position')
        .execute();
      const best = result.variants.find((v) => v.arm === result.decision.arm) ?? result.variants[0];
      await db
        .insertInto('knowledge_entries')
        .values({
          test_id: t.id,
          client_id: t.client_id,
          engagement_id: t.engagement_id,
          page_id: t.page_id,
          page_type: t.page_type,
          industry: t.industry,
          month: t.month,
          hypothesis: t.problem,
          change: proposals.map((p) => `${p.arm}: ${p.title}`).join('; '),
          outcome: result.decision.outcome,
          lift: best?.error ? null : (best?.expected ?? null),
          ci_low: best?.ci[0] ?? null,
          ci_high: best?.ci[1] ?? null,
          tags: [t.page_type, result.decision.outcome, ...t.skills],
        })
        .onConflict((oc) => oc.column('test_id').doNothing())
        .execute();
    },

    async addLearnings(input: { testId: number; learnings: string; tags: string[] }) {
      await db
        .updateTable('knowledge_entries')
        .set({ learnings: input.learnings, tags: sql<string[]>`array(select distinct unnest(tags || ${input.tags}::text[]))` })
        .where('test_id', '=', input.testId)
        .where('status', '=', 'draft')
        .execute();
    },

    async finalizeKnowledge(input: { cycleId: number }) {
      await db
        .updateTable('knowledge_entries')
        .set({ status: 'final' })
        .where('test_id', 'in', db.selectFrom('tests').select('id').where('cycle_id', '=', input.cycleId))
        .execute();
    },

    /** Adoption fees, win bonuses, submission fees and team retainers: one ledger line per business fact. */
    async accrueEarnings(input: { cycleId: number }): Promise<number> {
      const cycle = await cycleRow(input.cycleId);
      const settings = await settingsOf(cycle.engagement_id);
      const proposals = await db
        .selectFrom('proposals')
        .innerJoin('offers', 'offers.id', 'proposals.offer_id')
        .leftJoin('tests', 'tests.offer_id', 'offers.id')
        .leftJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
        .leftJoin('variants', 'variants.id', 'verdicts.winner_variant_id')
        .select([
          'proposals.id',
          'proposals.hacker_id',
          'proposals.status',
          'proposals.offer_id',
          'proposals.title',
          'offers.adoption_fee_yen',
          'offers.win_bonus_yen',
          'offers.submission_fee_yen',
          'variants.proposal_id as winning_proposal_id',
          'tests.stopped_at',
        ])
        .where('offers.cycle_id', '=', input.cycleId)
        .where('proposals.status', '!=', 'withdrawn')
        .execute();
      const now = new Date();
      const lines = [];
      for (const p of proposals) {
        const base = { hacker_id: p.hacker_id, engagement_id: cycle.engagement_id, cycle_id: input.cycleId, offer_id: p.offer_id, proposal_id: p.id, month: cycle.month };
        if (p.submission_fee_yen > 0) {
          lines.push({ ...base, kind: 'submission_fee' as const, amount_yen: p.submission_fee_yen, delivered_at: now, description: `Submission fee: ${p.title}` });
        }
        if (p.status === 'selected' && p.adoption_fee_yen > 0) {
          lines.push({ ...base, kind: 'adoption_fee' as const, amount_yen: p.adoption_fee_yen, delivered_at: now, description: `Adoption fee: ${p.title}` });
        }
        if (p.winning_proposal_id === p.id && p.win_bonus_yen > 0) {
          lines.push({ ...base, kind: 'win_bonus' as const, amount_yen: p.win_bonus_yen, delivered_at: p.stopped_at ?? now, description: `Win bonus: ${p.title}` });
        }
      }
      if (settings.team_retainer_yen > 0) {
        const team = await db.selectFrom('growth_team_members').selectAll().where('engagement_id', '=', cycle.engagement_id).execute();
        for (const m of team) {
          lines.push({
            hacker_id: m.hacker_id,
            engagement_id: cycle.engagement_id,
            cycle_id: input.cycleId,
            offer_id: null,
            proposal_id: null,
            month: cycle.month,
            kind: 'team_retainer' as const,
            amount_yen: Math.floor((settings.team_retainer_yen * m.share_percent) / 100),
            delivered_at: now,
            description: `Growth team retainer ${m.share_percent}% for ${cycle.month}`,
          });
        }
      }
      if (lines.length === 0) return 0;
      const inserted = await db
        .insertInto('earnings_ledger')
        .values(lines.map((l) => ({ ...l, unique_key: `${l.kind}:${l.hacker_id}:${l.cycle_id}:${l.offer_id ?? '-'}`, reverses_id: null })))
        .onConflict((oc) => oc.column('unique_key').doNothing())
        .returning('id')
        .execute();
      return inserted.length;
    },

    async completeCycle(input: { cycleId: number }) {
      const tests = await db
        .selectFrom('tests')
        .innerJoin('pages', 'pages.id', 'tests.page_id')
        .innerJoin('verdicts', (j) => j.onRef('verdicts.test_id', '=', 'tests.id').on('verdicts.kind', '=', 'final'))
        .select(['tests.id', 'tests.offer_id', 'tests.baseline_rate as test_baseline', 'pages.baseline_rate', 'pages.daily_visitors', 'pages.value_per_conversion_yen', 'verdicts.result'])
        .where('tests.cycle_id', '=', input.cycleId)
        .execute();
      const perTest = tests.map((t) => {
        const r = t.result as VerdictResult;
        const winner = r.variants.find((v) => v.arm === r.decision.arm);
        const lower = r.decision.outcome === 'winner' && winner ? winner.ci[0] : null;
        return {
          test_id: t.id,
          offer_id: t.offer_id,
          outcome: r.decision.outcome,
          winner_arm: r.decision.outcome === 'winner' ? (r.decision.arm ?? null) : null,
          lift: winner?.expected ?? null,
          lift_ci: winner?.ci ?? null,
          monthly_revenue_uplift_yen: revenueUpliftEstimate(lower, t.test_baseline ?? t.baseline_rate, t.daily_visitors, t.value_per_conversion_yen),
        };
      });
      const report = {
        tests: perTest,
        winners: perTest.filter((t) => t.outcome === 'winner').length,
        monthly_revenue_uplift_yen: perTest.reduce((s, t) => s + t.monthly_revenue_uplift_yen, 0),
        basis: 'lower confidence bound of the lift × baseline monthly conversions × value per conversion',
      };
      await db
        .updateTable('cycles')
        .set({ phase: 'completed', waiting_for: null, report: JSON.stringify(report), completed_at: new Date(), updated_at: new Date() })
        .where('id', '=', input.cycleId)
        .execute();
      return report;
    },
  };

  async function invite(
    offerId: number,
    kind: OfferKind,
    cycle: { client_id: number; industry: string },
    skills: string[],
    topN: number,
    team: number[],
    reason: 'targeted_rank' | 'team' | 'widened' = kind === 'team' ? 'team' : 'targeted_rank',
  ) {
    if (kind === 'open') return;
    let rows: { offer_id: number; hacker_id: number; reason: typeof reason; rank: number | null; score: number | null }[];
    if (kind === 'team') {
      rows = team.map((hackerId) => ({ offer_id: offerId, hacker_id: hackerId, reason, rank: null, score: null }));
    } else {
      const records = await trackRecords();
      rows = rankHackers(records, cycle.industry, skills, topN).map((r) => ({
        offer_id: offerId,
        hacker_id: r.hackerId,
        reason,
        rank: r.rank,
        score: r.score,
      }));
    }
    if (rows.length) {
      await db.insertInto('offer_invitations').values(rows).onConflict((oc) => oc.columns(['offer_id', 'hacker_id']).doNothing()).execute();
    }
  }

  async function trackRecords(): Promise<TrackRecord[]> {
    const { rows } = await sql<{ id: number; skills: string[]; industries: string[]; proposals: number; adopted: number; wins: number }>`
      select h.id, h.skills, h.industries,
             count(p.id)::int as proposals,
             count(p.id) filter (where p.status = 'selected')::int as adopted,
             count(w.id)::int as wins
        from hackers h
        left join proposals p on p.hacker_id = h.id
        left join variants v on v.proposal_id = p.id
        left join verdicts w on w.winner_variant_id = v.id and w.kind = 'final' and w.invalidated_at is null
       where h.status = 'active'
       group by h.id`.execute(db);
    return rows.map((r) => ({ hackerId: r.id, proposals: r.proposals, adopted: r.adopted, wins: r.wins, skills: r.skills, industries: r.industries }));
  }
}
