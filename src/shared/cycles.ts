// The contract of the cycle and A/B test workflows (ids, inputs, update payloads, views) and the
// cycle's vocabulary, shared with their activities, the API and the database types. Dependency-free:
// workflow code imports it.
import type { Actor } from './actor.ts';

/** Every phase, in order; the last three are the ends a cycle can reach. */
export const CYCLE_PHASES = [
  'planning', 'offer_posting', 'proposals', 'selection', 'test_run', 'verdict', 'knowledge_capture', 'earnings',
  'completed', 'abandoned', 'failed',
] as const;
export type CyclePhase = (typeof CYCLE_PHASES)[number];

/** Who an offer reaches: everyone, the top of the ranking, or the engagement's growth team. */
export const OFFER_KINDS = ['open', 'targeted', 'team'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

export const PROPOSAL_STATUSES = ['submitted', 'selected', 'rejected', 'withdrawn'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** CS's review of a proposal's current version (issue 23): only a passed one reaches the client. */
export const REVIEW_STATUSES = ['pending', 'passed', 'returned'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_DECISIONS = ['pass', 'return'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const TEST_STATUSES = ['running', 'completed', 'invalid', 'cancelled'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

/** The human decisions a cycle records (cycle_decisions.kind). */
export const DECISION_KINDS = ['plan', 'selection', 'stop', 'learnings', 'invalidation', 'end'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** Lines of the earnings ledger (earnings_ledger.kind). */
export const LEDGER_KINDS = ['adoption_fee', 'win_bonus', 'submission_fee', 'team_retainer', 'bonus_reversal', 'partner_commission', 'managed_retainer'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The page's control before a winner replaced it (given back if that verdict is invalidated). */
export interface PageControl {
  description: string;
  baseline_rate: number;
  since_test_id: number | null;
}

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
  /** The approved brief this hypothesis was posted from (issue 28); absent for a free-text plan. */
  brief_id?: number;
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
  outcome: 'winner' | 'loser' | 'inconclusive' | 'invalid' | 'blocked_by_guardrail';
  reason: string;
  winnerProposalId: number | null;
}
