// What became of a proposal, as its author reads it: one word from its status, CS's review, whether
// its offer's selection happened and how its test ended.
import type { ProposalStatus, ReviewStatus } from '../../shared/cycles.ts';

export const PROPOSAL_FATES = ['submitted', 'returned', 'passed', 'selected', 'not_selected', 'won', 'lost', 'withdrawn'] as const;
export type ProposalFate = (typeof PROPOSAL_FATES)[number];

export function proposalFate(p: {
  status: ProposalStatus;
  review_status: ReviewStatus;
  /** The offer's selection is over: a test runs for it, or the offer closed with none selected. */
  selection_done: boolean;
  /** The final verdict of its offer's test (not invalidated): null while none. */
  final_outcome: string | null;
  /** That verdict names this proposal's arm the winner. */
  won: boolean;
}): ProposalFate {
  if (p.status === 'withdrawn') return 'withdrawn';
  if (p.status === 'rejected') return 'not_selected';
  if (p.status === 'selected') {
    if (p.final_outcome === null) return 'selected';
    return p.won ? 'won' : 'lost';
  }
  if (p.selection_done) return 'not_selected';
  return p.review_status === 'returned' ? 'returned' : p.review_status === 'passed' ? 'passed' : 'submitted';
}
