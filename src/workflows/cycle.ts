// One month of an engagement: planning → offer posting → proposals → selection → test run → verdict
// → knowledge capture → earnings → report. People act through updates (plan, select, learnings);
// everything else is timers and activities. Postgres holds every business fact; this workflow holds
// only ids and progress. It ends short of `completed` in three ways: `abandoned` when people did not
// act in time, `abandoned` when the engagement ended immediately (a cancellation: what was earned is
// kept), `failed` when a rule broke (an activity's non-retryable failure: CS is alerted).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  currentUpdateInfo,
  isCancellation,
  allHandlersFinished,
  patched,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { cycleActivities } from '../activities/cycles.ts';
import { SELECT_MAX, SELECT_MIN } from '../domain/cycles/proposals.ts';
import { NOT_YET_FAILURE } from '../domain/errors.ts';
import {
  cycleWorkflowId,
  testWorkflowId,
  type CycleContext,
  type CycleInput,
  type CyclePhase,
  type CycleView,
  type LearningsRequest,
  type OfferState,
  type PlanRequest,
  type SelectionRequest,
  type TestState,
} from '../shared/cycles.ts';
import { abTestWorkflow } from './ab-test.ts';
import { notify } from './notify.ts';
import { CycleMonthKey, CyclePhaseKey, EngagementIdKey, ClientIdKey, OfferKindKey } from './search-attributes.ts';

// Activities heartbeat every second (withLiveness): a killed worker's activity is retried after 5 s.
const acts = proxyActivities<ReturnType<typeof cycleActivities>>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '5 seconds', retry: { maximumInterval: '1 minute' } });

export const submitPlanUpdate = defineUpdate<{ hypothesisIds: number[] }, [PlanRequest]>('submitPlan');
export const selectProposalsUpdate = defineUpdate<{ pendingOffers: number[] }, [SelectionRequest]>('selectProposals');
export const addLearningsUpdate = defineUpdate<{ accepted: true }, [LearningsRequest]>('addLearnings');
export const proposalSubmittedSignal = defineSignal<[{ offerId: number }]>('proposalSubmitted');
/** The API published an answer as an addendum to this offer's brief (after the DB write). */
export const addendumPublishedSignal = defineSignal<[{ offerId: number }]>('addendumPublished');
export const cycleStatusQuery = defineQuery<CycleView>('status');

export { cycleWorkflowId, testWorkflowId };

const DAY_MS = 86_400_000;

/** The message of a rule an activity or child broke (a non-retryable failure), else null. */
function brokenRule(err: unknown): string | null {
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return cause.message;
  if (cause instanceof ChildWorkflowFailure || cause instanceof ActivityFailure) return brokenRule(cause);
  return null;
}

export async function improvementCycleWorkflow(input: CycleInput): Promise<CycleView> {
  // Handlers first (before any await) so no update or signal arrives to a workflow without them.
  let ctx: CycleContext | undefined;
  const view: CycleView = {
    cycleId: 0,
    month: input.month,
    phase: 'planning',
    waitingFor: null,
    dueAt: null,
    overdue: false,
    history: [],
    offers: [],
    tests: [],
  };
  let planIds: number[] = [];
  let planning = false;
  const selected = new Map<number, number[]>();
  let learningsOpen = false;

  setHandler(cycleStatusQuery, () => view);
  setHandler(proposalSubmittedSignal, ({ offerId }) => {
    const offer = view.offers.find((o) => o.offerId === offerId);
    if (offer) offer.proposals++;
  });
  const addendaPublished = new Set<number>();
  setHandler(addendumPublishedSignal, ({ offerId }) => void addendaPublished.add(offerId));

  setHandler(
    submitPlanUpdate,
    async (req) => {
      planning = true;
      planIds = await acts.recordPlan({ cycleId: view.cycleId, hypotheses: req.hypotheses, actor: req.actor });
      return { hypothesisIds: planIds };
    },
    {
      validator: (req) => {
        if (!ctx) reject('the cycle is starting; retry in a moment', NOT_YET_FAILURE);
        if (view.phase !== 'planning' || planning) reject('the plan has already been submitted for this cycle');
        if (!req.hypotheses?.length) reject('a plan needs at least one hypothesis');
      },
    },
  );

  setHandler(
    selectProposalsUpdate,
    async (req) => {
      for (const s of req.selections) selected.set(s.offer_id, s.proposal_ids);
      for (const s of req.selections) {
        await acts.recordSelection({ offerId: s.offer_id, proposalIds: s.proposal_ids, actor: req.actor });
      }
      return { pendingOffers: view.offers.filter((o) => o.proposals > 0 && !selected.has(o.offerId)).map((o) => o.offerId) };
    },
    {
      validator: (req) => {
        if (view.phase !== 'selection') reject(`the cycle is in ${view.phase}, not selection`);
        if (!req.selections?.length) reject('select proposals for at least one offer');
        for (const s of req.selections) {
          if (!view.offers.some((o) => o.offerId === s.offer_id)) reject(`offer ${s.offer_id} is not part of this cycle`);
          if (selected.has(s.offer_id)) reject(`offer ${s.offer_id} already has its selection`);
          if (s.proposal_ids.length < SELECT_MIN || s.proposal_ids.length > SELECT_MAX) reject(`select ${SELECT_MIN} to ${SELECT_MAX} proposals per offer`);
        }
      },
    },
  );

  setHandler(
    addLearningsUpdate,
    async (req) => {
      await acts.addLearnings({ testId: req.test_id, learnings: req.learnings, tags: req.tags ?? [], actor: req.actor, key: currentUpdateInfo()!.id });
      return { accepted: true as const };
    },
    {
      validator: (req) => {
        if (!learningsOpen) reject('learnings are accepted only during knowledge capture');
        if (!view.tests.some((x) => x.testId === req.test_id)) reject(`test ${req.test_id} is not part of this cycle`);
        if (!req.learnings?.trim()) reject('learnings must not be empty');
      },
    },
  );

  let cycleId = 0;
  try {
    return await runCycle();
  } catch (err) {
    // The engagement ended immediately: close what is open, keep what was earned, stop.
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        if (cycleId) await acts.cutCycleShort({ cycleId });
      });
      return ended('abandoned', 'the engagement ended');
    }
    const rule = brokenRule(err);
    if (rule === null || !cycleId) throw err;
    await acts.failCycle({ cycleId, reason: rule });
    return ended('failed', rule);
  }

  function ended(phase: 'abandoned' | 'failed', why: string): CycleView {
    view.phase = phase;
    view.waitingFor = null;
    view.endReason = why;
    upsertSearchAttributes([{ key: CyclePhaseKey, value: phase }]);
    setCurrentDetails(`${phase}: ${why}`);
    return view;
  }

  async function runCycle(): Promise<CycleView> {
    ctx = await acts.openCycle({
      engagementId: input.engagementId,
      month: input.month,
      workflowId: workflowInfo().workflowId,
    });
    const t = ctx.timings;
    view.cycleId = ctx.cycleId;
    view.history = ctx.history;
    cycleId = ctx.cycleId;

    upsertSearchAttributes([
      { key: EngagementIdKey, value: String(input.engagementId) },
      { key: ClientIdKey, value: String(input.clientId) },
      { key: CycleMonthKey, value: input.month },
    ]);

    async function enter(phase: CyclePhase, waitingFor: string | null, dueAt: number | null) {
      view.phase = phase;
      view.waitingFor = waitingFor;
      view.dueAt = dueAt === null ? null : new Date(dueAt).toISOString();
      view.overdue = false;
      upsertSearchAttributes([{ key: CyclePhaseKey, value: phase }]);
      setCurrentDetails(
        waitingFor ? `${phase}: waiting for ${waitingFor}${view.dueAt ? ` until ${view.dueAt}` : ''}` : `${phase}: working`,
      );
      await acts.setCyclePhase({ cycleId, phase, waitingFor, dueAt: view.dueAt, overdue: false });
    }

    /** Waits for people: a reminder at half time, `overdue` at the due time, gives up at month end. */
    async function waitForPeople(phase: CyclePhase, done: () => boolean, what: string, durationMs: number, onOverdue?: () => Promise<void>): Promise<boolean> {
      const dueAt = Date.now() + durationMs;
      await enter(phase, what, dueAt);
      // Tell the people it waits for (issue 27).
      if (phase === 'planning') await notify('notify-plan-due', 'plan.due', cycleId, input.clientId, { cycleId, dueAt: view.dueAt });
      if (phase === 'selection') await notify('notify-selection-due', 'selection.due', cycleId, input.clientId, { cycleId, dueAt: view.dueAt });
      if (await condition(done, durationMs / 2)) return true;
      await acts.raiseAlert({
        engagementId: input.engagementId,
        cycleId,
        kind: 'reminder',
        key: `reminder:${cycleId}:${phase}`,
        message: `Reminder: ${what} is due by ${new Date(dueAt).toISOString()}`,
      });
      if (await condition(done, Math.max(1, dueAt - Date.now()))) return true;
      view.overdue = true;
      setCurrentDetails(`${phase}: OVERDUE, waiting for ${what} since ${new Date(dueAt).toISOString()}`);
      await acts.setCyclePhase({ cycleId, phase, waitingFor: what, dueAt: view.dueAt, overdue: true });
      await acts.raiseAlert({
        engagementId: input.engagementId,
        cycleId,
        kind: 'overdue',
        key: `overdue:${cycleId}:${phase}`,
        message: `Overdue: ${what} was due ${new Date(dueAt).toISOString()}`,
      });
      if (onOverdue) await onOverdue();
      // Never invent a decision: keep waiting, but not past the engagement's month (plus one phase).
      const giveUpAt = Math.max(input.monthEndsAt, dueAt + durationMs);
      return condition(done, Math.max(1, giveUpAt - Date.now()));
    }

    async function abandon(why: string): Promise<CycleView> {
      await acts.abandonCycle({ cycleId, reason: why });
      // Older runs ended here without setting their search attribute: keep their histories replaying.
      if (patched('abandoned-phase')) return ended('abandoned', why);
      view.phase = 'abandoned';
      view.waitingFor = null;
      return view;
    }

    // 1. planning
    // Briefs still unposted at the planning deadline become CS's tasks (issue 28), never a silent skip.
    const flagBriefs = async () => {
      if (patched('brief-review')) await acts.flagUnreviewedBriefs({ cycleId });
    };
    if (!(await waitForPeople('planning', () => planIds.length > 0, 'a plan from the client or CS', t.planningMs, flagBriefs))) {
      return abandon('no plan was submitted this month');
    }

    // 2. offer posting: one offer per hypothesis
    await enter('offer_posting', null, null);
    for (const hypothesisId of planIds) {
      const offer = await acts.postOffer({ cycleId, hypothesisId, windowMs: t.offerWindowMs });
      view.offers.push({ ...offer, proposals: 0 });
      await notify('notify-offer-published', 'offer.published', offer.offerId, input.clientId, { offerId: offer.offerId, cycleId, deadline: offer.deadline });
      if (patched('notify-offer-deadline')) void remindBeforeDeadline(view.offers.at(-1)!).catch(() => undefined);
    }

    /**
     * The deadline reminder, beside the window's own wait: 24 h before each deadline the offer gets
     * (half the window when it is shorter), once per deadline, while proposals are open.
     */
    async function remindBeforeDeadline(offer: OfferState): Promise<void> {
      const lead = Math.min(DAY_MS, Math.floor(t.offerWindowMs / 2));
      const open = () => view.phase === 'offer_posting' || view.phase === 'proposals';
      while (open()) {
        const deadline = offer.deadline;
        const changed = () => offer.deadline !== deadline || !open();
        const until = Date.parse(deadline) - lead - Date.now();
        if (until > 0 && !(await condition(changed, until))) {
          await notify(null, 'offer.deadline_approaching', `${offer.offerId}:${deadline}`, input.clientId, { offerId: offer.offerId, cycleId, deadline });
        }
        await condition(changed);
      }
    }
    upsertSearchAttributes([{ key: OfferKindKey, value: [...new Set(view.offers.map((o) => o.kind))].sort().join(',') }]);

    // 3. proposals: until each deadline; too few → extend once and widen the audience
    await enter('proposals', 'proposals from growth hackers', Math.max(...view.offers.map((o) => Date.parse(o.deadline))));
    for (const offer of view.offers) await closeWindow(offer);

    async function closeWindow(offer: OfferState): Promise<void> {
      for (;;) {
        const remaining = Date.parse(offer.deadline) - Date.now();
        if (patched('qa-deadline-extension')) {
          // A late addendum moves the deadline once: wake on its signal, and ask again at the deadline
          // (a lost signal loses nothing); the rule and the write are extendForAddendum's.
          if (remaining > 0) await condition(() => addendaPublished.has(offer.offerId), remaining);
          addendaPublished.delete(offer.offerId);
          offer.deadline = (await acts.extendForAddendum({ offerId: offer.offerId })).deadline;
          if (Date.parse(offer.deadline) > Date.now()) continue;
        } else if (remaining > 0) await sleep(remaining);
        const closed = await acts.closeOfferWindow({
          offerId: offer.offerId,
          minProposals: t.minProposals,
          canExtend: !offer.extended,
          windowMs: t.offerWindowMs,
        });
        offer.proposals = closed.proposals;
        offer.kind = closed.kind;
        offer.deadline = closed.deadline;
        offer.extended = closed.extended;
        if (!closed.reopened) return;
        await notify('notify-offer-widened', 'offer.widened', offer.offerId, input.clientId, { offerId: offer.offerId, cycleId, deadline: offer.deadline });
      }
    }

    const withProposals = view.offers.filter((o) => o.proposals > 0);
    if (withProposals.length === 0) return abandon('no proposals arrived, even after widening the offers');

    // 4. selection
    const allSelected = () => withProposals.every((o) => selected.has(o.offerId));
    if (!(await waitForPeople('selection', allSelected, 'the client or CS to select proposals', t.selectionMs))) {
      return abandon('no selection was made');
    }

    // The selection handler marks every offer selected before it records them one by one: wait until
    // each recordSelection has finished, or createTest may find an offer's proposals not yet selected.
    if (patched('selection-recorded-before-tests')) await condition(allHandlersFinished);
    for (const offer of withProposals) {
      const data = { offerId: offer.offerId, cycleId, proposalIds: selected.get(offer.offerId) ?? [] };
      await notify('notify-proposal-results', 'proposal.selected', offer.offerId, input.clientId, data);
      await notify('notify-proposal-results', 'proposal.not_selected', offer.offerId, input.clientId, data);
    }

    // 5. test run: one child A/B test per offer, in parallel
    await enter('test_run', null, Date.now() + t.testMaxMs);
    const children = [];
    for (const offer of withProposals) {
      const test = await acts.createTest({ offerId: offer.offerId });
      const state: TestState = { testId: test.testId, offerId: offer.offerId, workflowId: testWorkflowId(test.testId) };
      view.tests.push(state);
      children.push(
        startChild(abTestWorkflow, {
          workflowId: state.workflowId,
          args: [
            { testId: test.testId, engagementId: input.engagementId, cycleId, interimCheckMs: t.interimCheckMs, maxDurationMs: t.testMaxMs },
          ],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary: `A/B test ${test.testId} (offer ${offer.offerId})`,
        }).then(async (handle) => {
          const outcome = await handle.result();
          state.outcome = outcome.outcome;
        }),
      );
    }
    setCurrentDetails(`test_run: ${view.tests.length} A/B test(s) running; traffic comes from the client's site`);
    await Promise.all(children);

    // 6. verdicts are persisted by each test; 7. knowledge capture with a window for CS learnings
    await enter('verdict', null, null);
    if (patched('knowledge-entries-before-capture-phase')) {
      // The entries exist and learnings are open before the phase says so: a learning posted as soon
      // as people see `knowledge_capture` is never refused.
      for (const test of view.tests) await acts.captureKnowledge({ testId: test.testId });
      learningsOpen = true;
      await enter('knowledge_capture', 'CS learnings (optional)', Date.now() + t.learningMs);
    } else {
      await enter('knowledge_capture', 'CS learnings (optional)', Date.now() + t.learningMs);
      for (const test of view.tests) await acts.captureKnowledge({ testId: test.testId });
      learningsOpen = true;
    }
    await notify('notify-learnings-due', 'learnings.due', cycleId, input.clientId, { cycleId, dueAt: view.dueAt });
    await sleep(t.learningMs);
    learningsOpen = false;
    await acts.finalizeKnowledge({ cycleId });

    // 8. earnings, 9. report
    await enter('earnings', null, null);
    await acts.accrueEarnings({ cycleId });
    await acts.completeCycle({ cycleId });
    view.phase = 'completed';
    view.waitingFor = null;
    upsertSearchAttributes([{ key: CyclePhaseKey, value: 'completed' }]);
    setCurrentDetails('completed');
    return view;
  }
}

function reject(message: string, type = 'InvalidRequest'): never {
  throw ApplicationFailure.nonRetryable(message, type);
}
