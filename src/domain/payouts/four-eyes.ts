// Four eyes on a payout run: the one rule, used by the workflow's approve validator and by decideRun;
// and when a run's decisions can be taken at all (its validators and the run's `actions` view).
// Dependency-free: workflow code imports it.
//
// The rule a finance lead would set: the approver must be a finance user other than the one who
// prepared the run. Holding or releasing an item only pauses or restores an amount the system drafted
// (it never changes an amount), so a reviewer's own holds and releases are part of their review and
// do not stop them from approving. A run the schedule prepared (no preparer) needs one finance
// reviewer: the system drafted it, a person approves it. So two finance users can always finish.

/** The failure type every four-eyes refusal carries (workflow update failure and activity failure). */
export const FOUR_EYES_FAILURE = 'FourEyes';

export interface FourEyesCase {
  /** The user asking to approve. */
  approver: number;
  /** Who prepared the run; null when the monthly schedule did. */
  preparedBy: number | null;
  runId?: number;
  /** Another decision under the same rule (e.g. "the cancellation of item 7"): `preparedBy` asked for it. */
  subject?: string;
}

/** Why `approver` may not approve the run, as a sentence; undefined when they may. */
export function fourEyesRefusal(c: FourEyesCase): string | undefined {
  if (c.preparedBy != null && c.approver === c.preparedBy) {
    if (c.subject) return `User ${c.approver} asked for ${c.subject}, so under the four eyes rule another finance user must confirm it.`;
    const run = c.runId != null ? `payout run ${c.runId}` : 'this payout run';
    return `User ${c.approver} prepared ${run}, so under the four eyes rule another finance user must approve it.`;
  }
  return undefined;
}

export function mayApprove(c: FourEyesCase): boolean {
  return fourEyesRefusal(c) === undefined;
}

/** Why a run in `phase` cannot be approved or rejected now (`decision`: one already taken); undefined when it can. */
export function decisionStateRefusal(runId: number, phase: string, decision?: 'approve' | 'reject'): string | undefined {
  if (phase === 'review' && !decision) return undefined;
  return `Payout run ${runId} is ${decision ? `already ${decision === 'approve' ? 'approved' : 'rejected'}` : phase}, not under review.`;
}

/** Why a run's items cannot be held or released in `phase`; undefined during review. */
export function itemChangeRefusal(runId: number, phase: string): string | undefined {
  return phase === 'review' ? undefined : `Payout run ${runId} is ${phase}; its items can change only during review.`;
}

/** Why no remittance can be recorded on a run in `phase`; undefined while it waits for one. */
export function remittanceRefusal(runId: number, phase: string, remitted = false): string | undefined {
  return phase === 'remitting' && !remitted ? undefined : `Payout run ${runId} is ${phase}; it has no remittance to record.`;
}
