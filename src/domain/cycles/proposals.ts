// When a hacker may submit or withdraw a proposal, and what a selection may contain. The use cases
// call these in the transaction that writes (a submission under a lock on the offer row, so the cap
// holds under concurrency); the cycle workflow's update validator checks the same selection limits.
import type { ReviewDecision, ReviewStatus } from '../../shared/cycles.ts';
import { RuleError, type ErrorDetail } from '../errors.ts';

export const SELECT_MIN = 1;
export const SELECT_MAX = 3;

export interface OfferWindow {
  engagementStatus: 'active' | 'ending' | 'ended';
  engagementEndReason: string | null;
  offerStatus: 'open' | 'closed';
  deadline: Date;
}

/** Why the offer takes no proposal now (null: it does). The deadline is enforced here. */
export function proposalWindowClosed(o: OfferWindow, now: Date): string | null {
  if (o.engagementStatus === 'ended') {
    return `the engagement has ended (${o.engagementEndReason ?? 'no reason given'}); its offers take no more proposals`;
  }
  if (o.offerStatus !== 'open' || o.deadline.getTime() <= now.getTime()) {
    return `the offer closed for proposals at its deadline ${o.deadline.toISOString()}`;
  }
  return null;
}

/** Why a hacker may not add another proposal to an offer (null: it may). */
export function proposalLimitReached(mine: number, max: number): string | null {
  return mine >= max ? `you already have ${max} proposals on this offer (the maximum)` : null;
}

/** Why a proposal cannot be withdrawn now (null: it can). */
export function withdrawRefused(p: { status: string }, o: OfferWindow, now: Date): string | null {
  const closed = proposalWindowClosed(o, now);
  if (closed && o.engagementStatus === 'ended') return closed;
  if (p.status !== 'submitted' || closed) {
    return `a proposal can be withdrawn only while it is submitted and before the deadline ${o.deadline.toISOString()}`;
  }
  return null;
}

/**
 * Why a proposal cannot be revised now (null: it can): a selected one's version is frozen (its test
 * runs it); otherwise only a submitted one, before the deadline.
 */
export function reviseRefused(p: { status: string }, o: OfferWindow, now: Date): string | null {
  if (p.status === 'selected') return 'the proposal was selected: its version is frozen, as its test runs that version';
  const closed = proposalWindowClosed(o, now);
  if (closed) return closed;
  if (p.status !== 'submitted') return `a ${p.status} proposal cannot be revised`;
  return null;
}

/**
 * Why CS may not review a proposal now (null: it may). Only a submitted one (a selection freezes the
 * rest). Returning asks the author for a revision, so it needs the offer's window open; passing stays
 * possible until the selection, so a proposal that arrived just before the deadline still gets its look.
 */
export function reviewRefused(p: { status: string }, o: OfferWindow, decision: ReviewDecision, now: Date): string | null {
  const closed = proposalWindowClosed(o, now);
  if (closed && o.engagementStatus === 'ended') return closed;
  if (p.status !== 'submitted') return `a ${p.status} proposal cannot be reviewed`;
  if (decision === 'return' && closed) return `${closed}: its author could no longer revise it, so it cannot be returned`;
  return null;
}

/**
 * A review comment as stored: plain text (the web escapes it) without control characters other than
 * line breaks and tabs, trimmed; null when nothing is left. RuleError `invalid` naming /comment
 * when a return has none (the author needs to know what to fix).
 */
export function cleanReviewComment(decision: ReviewDecision, comment: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const text = (comment ?? '').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '').trim();
  if (decision === 'return' && text === '') throw new RuleError('invalid', '/comment is required to return a proposal: say what to fix', { path: '/comment' });
  return text === '' ? null : text;
}

/** Whether a review changes nothing: the same decision on the version as it stands (and, for a return, the same comment). */
export function reviewUnchanged(p: { review_status: ReviewStatus; review_comment: string | null }, decision: ReviewDecision, comment: string | null): boolean {
  if (decision === 'pass') return p.review_status === 'passed';
  return p.review_status === 'returned' && p.review_comment === comment;
}

export interface SelectionRequestItem {
  offer_id: number;
  proposal_ids: number[];
}

/**
 * Problems with a selection against the cycle's offers and the proposals named, as details under
 * /body/selections/…: 1–3 per offer, each a submitted proposal of that offer that passed CS's review.
 */
export function selectionProblems(
  selections: SelectionRequestItem[],
  cycleOfferIds: number[],
  proposals: { id: number; offer_id: number; status: string; review_status: ReviewStatus }[],
): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  selections.forEach((s, i) => {
    const at = `/body/selections/${i}`;
    if (!cycleOfferIds.includes(s.offer_id)) {
      details.push({ path: `${at}/offer_id`, message: `offer ${s.offer_id} is not an offer of this cycle` });
      return;
    }
    if (selections.findIndex((x) => x.offer_id === s.offer_id) !== i) details.push({ path: `${at}/offer_id`, message: `offer ${s.offer_id} is listed twice` });
    if (s.proposal_ids.length < SELECT_MIN || s.proposal_ids.length > SELECT_MAX) {
      details.push({ path: `${at}/proposal_ids`, message: `select ${SELECT_MIN} to ${SELECT_MAX} proposals per offer` });
    }
    s.proposal_ids.forEach((pid, j) => {
      const p = proposals.find((r) => r.id === pid);
      if (!p || p.offer_id !== s.offer_id) details.push({ path: `${at}/proposal_ids/${j}`, message: `proposal ${pid} does not belong to offer ${s.offer_id}` });
      else if (p.status !== 'submitted') details.push({ path: `${at}/proposal_ids/${j}`, message: `proposal ${pid} is ${p.status}, not submitted` });
      // The client chooses only among what CS passed (issue 23: it never saw the others).
      else if (p.review_status !== 'passed') details.push({ path: `${at}/proposal_ids/${j}`, message: `proposal ${pid} has not passed CS's review (${p.review_status})` });
    });
  });
  return details;
}
