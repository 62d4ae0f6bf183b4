// The contract of the engagement workflow (id, input, update payloads, view), shared with its
// activities and the API. Dependency-free: workflow code imports it.
import type { OfferKind } from './cycles.ts';
import type { Actor } from './actor.ts';

export type OfferMode = OfferKind;

export const engagementWorkflowId = (id: number) => `engagement-${id}`;

/** active → ending (ends at the month boundary) → ended. */
export type EngagementStatus = 'active' | 'ending' | 'ended';

export interface EndRequest {
  /** `at_month_end` is the normal path; `immediately` needs a reason (e.g. contract terminated). */
  mode: 'at_month_end' | 'immediately';
  reason?: string;
  actor: Actor;
}

/** The one JSON object carried across continue-as-new. */
export interface EngagementWorkflowState {
  engagementId: number;
  clientId: number;
  /** Current Tokyo month, YYYY-MM. */
  month: string;
  monthsCompleted: number;
  status: EngagementStatus;
  endReason?: string;
  /**
   * Demo/test knob: a "month" lasts this many ms instead of a calendar month. Month labels still
   * advance one calendar month per boundary.
   */
  monthLengthMs?: number;
  /** Epoch ms at which the current month began (set by the workflow). */
  monthStartedAt?: number;
  /** The last months' cycle workflows (bounded), for the Temporal UI and queries. */
  cycles?: { month: string; workflowId: string }[];
}

export interface EngagementView {
  engagementId: number;
  status: EngagementStatus;
  month: string;
  monthsCompleted: number;
  /** ISO time of the next month boundary (continue-as-new or end). */
  monthEndsAt: string;
  endReason?: string;
}

export interface RecordStatusInput {
  engagementId: number;
  status: EngagementStatus;
  reason?: string;
  actor?: Actor;
  /** ISO time the status takes effect. */
  effectiveAt: string;
}
