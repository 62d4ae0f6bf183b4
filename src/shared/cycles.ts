// The contract of the cycle and A/B test workflows (ids, inputs, update payloads, views), shared
// with their activities and the API. Dependency-free: workflow code imports it.
import type { CyclePhase, OfferKind } from '../db/schema.ts';
import type { Actor } from './actor.ts';

export type { CyclePhase, OfferKind };

export const cycleWorkflowId = (engagementId: number, month: string) => `cycle-${engagementId}-${month}`;
export const testWorkflowId = (testId: number) => `test-${testId}`;

export interface CycleInput {
  engagementId: number;
  clientId: number;
  month: string;
  /** Epoch ms when the engagement's month ends: a cycle still waiting for people then gives up. */
  monthEndsAt: number;
}

/** Durations in ms (engagement settings; seconds in tests and demos). */
export interface CycleTimings {
  planningMs: number;
  offerWindowMs: number;
  selectionMs: number;
  testMaxMs: number;
  interimCheckMs: number;
  learningMs: number;
  minProposals: number;
}

export interface PastTest {
  testId: number;
  month: string;
  pageId: number;
  hypothesis: string;
  change: string;
  outcome: string;
  lift: number | null;
}

export interface CycleContext {
  cycleId: number;
  timings: CycleTimings;
  /** The client's past tests on its pages, shown while planning. */
  history: PastTest[];
}

export interface HypothesisInput {
  author: 'client' | 'cs';
  problem: string;
  page_id: number;
  metric: 'conversion' | 'revenue';
  skills?: string[];
  offer_kind?: OfferKind;
}

export interface PlanRequest {
  hypotheses: HypothesisInput[];
  actor: Actor;
}

export interface SelectionRequest {
  selections: { offer_id: number; proposal_ids: number[] }[];
  actor: Actor;
}

export interface LearningsRequest {
  test_id: number;
  learnings: string;
  tags?: string[];
  actor: Actor;
}

export interface StopTestRequest {
  reason: string;
  actor: Actor;
}

export interface OfferState {
  offerId: number;
  hypothesisId: number;
  kind: OfferKind;
  deadline: string;
  extended: boolean;
  proposals: number;
}

export interface TestState {
  testId: number;
  offerId: number;
  workflowId: string;
  outcome?: string;
}

export interface CycleView {
  cycleId: number;
  month: string;
  phase: CyclePhase;
  /** Why an abandoned or failed cycle ended. */
  endReason?: string;
  waitingFor: string | null;
  dueAt: string | null;
  overdue: boolean;
  history: PastTest[];
  offers: OfferState[];
  tests: TestState[];
}

export interface AbTestInput {
  testId: number;
  engagementId: number;
  cycleId: number;
  interimCheckMs: number;
  maxDurationMs: number;
  /** Carried across continue-as-new. */
  startedAt?: number;
  checks?: number;
}

export interface TestOutcome {
  testId: number;
  outcome: 'winner' | 'loser' | 'inconclusive' | 'invalid';
  reason: string;
  winnerProposalId: number | null;
}
