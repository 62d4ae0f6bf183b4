// Activities of the improvement cycle and its A/B tests: thin wrappers over the use cases in
// src/cycles/. Each is idempotent there (a business key behind a unique constraint, or a guarded
// UPDATE); a broken rule is a typed non-retryable failure (ruled.ts).
import type { Db } from '../db/index.ts';
import type { CyclePhase } from '../shared/cycles.ts';
import { abandonCycle, cutCycleShort, failCycle, openCycle, raiseAlert, setCyclePhase } from '../cycles/context.ts';
import { accrueEarnings } from '../cycles/earnings.ts';
import { addLearning, captureKnowledge, finalizeKnowledge } from '../cycles/knowledge.ts';
import { flagUnreviewedBriefs } from '../cycles/brief.ts';
import { closeOfferWindow, postOffer } from '../cycles/offers.ts';
import { recordPlan } from '../cycles/plan.ts';
import { extendForAddendum } from '../cycles/questions.ts';
import { recordSelection } from '../cycles/proposals.ts';
import { completeCycle } from '../cycles/report.ts';
import { NO_TRAFFIC_HOURS_DEFAULT } from '../domain/cycles/no-traffic.ts';
import { createTest, finalizeTest, interimCheck, recordStop } from '../cycles/tests.ts';
import type { TestEnd } from '../domain/cycles/verdict-text.ts';
import type { Actor } from '../shared/actor.ts';
import type { HypothesisInput } from '../shared/cycles.ts';
import { ruledAll } from './ruled.ts';

/** `noTrafficHours`: when a running test without exposures is reported (config.noTrafficHours). */
export function cycleActivities(db: Db, noTrafficHours = NO_TRAFFIC_HOURS_DEFAULT) {
  return ruledAll({
    openCycle: (i: { engagementId: number; month: string; workflowId: string }) => openCycle(db, i),
    setCyclePhase: (i: { cycleId: number; phase: CyclePhase; waitingFor: string | null; dueAt: string | null; overdue: boolean }) => setCyclePhase(db, i),
    raiseAlert: (i: { engagementId: number; cycleId: number | null; kind: string; key: string; message: string }) => raiseAlert(db, i),
    abandonCycle: (i: { cycleId: number; reason: string }) => abandonCycle(db, i),
    failCycle: (i: { cycleId: number; reason: string }) => failCycle(db, i),
    cutCycleShort: (i: { cycleId: number }) => cutCycleShort(db, i),
    recordPlan: (i: { cycleId: number; hypotheses: HypothesisInput[]; actor: Actor }) => recordPlan(db, i),
    postOffer: (i: { cycleId: number; hypothesisId: number; windowMs: number }) => postOffer(db, i),
    flagUnreviewedBriefs: (i: { cycleId: number }) => flagUnreviewedBriefs(db, i),
    closeOfferWindow: (i: { offerId: number; minProposals: number; canExtend: boolean; windowMs: number }) => closeOfferWindow(db, i),
    extendForAddendum: (i: { offerId: number }) => extendForAddendum(db, i),
    recordSelection: (i: { offerId: number; proposalIds: number[]; actor: Actor }) => recordSelection(db, i),
    createTest: (i: { offerId: number }) => createTest(db, i),
    interimCheck: (i: { testId: number; checkNo: number }) => interimCheck(db, i, noTrafficHours),
    finalizeTest: (i: { testId: number; reason: string; srm: boolean; end?: TestEnd['by'] }) => finalizeTest(db, i),
    recordStop: (i: { testId: number; reason: string; actor: Actor }) => recordStop(db, i),
    captureKnowledge: (i: { testId: number }) => captureKnowledge(db, i),
    addLearnings: (i: { testId: number; learnings: string; tags: string[]; actor: Actor; key: string }) => addLearning(db, i),
    finalizeKnowledge: (i: { cycleId: number }) => finalizeKnowledge(db, i),
    accrueEarnings: (i: { cycleId: number }) => accrueEarnings(db, i),
    completeCycle: (i: { cycleId: number }) => completeCycle(db, i),
  });
}
