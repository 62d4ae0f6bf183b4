// Contracts of the network: the engagement workflow's team-decision update and the monthly network
// schedule. Dependency-free: workflow code imports it.
import type { Actor } from './actor.ts';

export const NETWORK_SCHEDULE_ID = 'network-monthly';

export interface TeamDecisionInput {
  suggestion_id: number;
  decision: 'accept' | 'dismiss';
  /** Why CS decided so: recorded with who and when. */
  reason: string;
  actor: Actor;
}

export interface TeamDecisionResult {
  suggestionId: number;
  status: 'pending' | 'accepted' | 'dismissed';
}

export interface NetworkMonthInput {
  /** The Tokyo month to run; default: the month the run starts in. */
  month?: string;
}
