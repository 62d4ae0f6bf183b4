// Q&A on an offer (issue 28.4): who sees a question, when one may be asked or answered, what an
// answer appends to the brief, and when a late addendum moves the deadline. The brief itself is frozen
// once posted (domain/cycles/brief.ts: only a draft takes an edit), so proposals meet one text.
import { proposalWindowClosed, type OfferWindow } from './proposals.ts';

export const QUESTION_MAX = 2000;
export const ANSWER_MAX = 4000;

/**
 * Whether a viewer who may see the offer (cycles/offers.ts decides that) sees this question: its asker
 * and the offer's owners always; every other hacker of the audience only once it is answered.
 */
export function questionVisible(q: { hacker_id: number; answered_at: Date | null }, viewer: { role: string; hacker_id: number | null }): boolean {
  if (viewer.role !== 'hacker') return true;
  return q.answered_at !== null || q.hacker_id === viewer.hacker_id;
}

/** Why a question cannot be asked now (null: it can): the same window as a proposal's. */
export function askRefused(o: OfferWindow, now: Date): string | null {
  const closed = proposalWindowClosed(o, now);
  return closed ? closed.replace('for proposals', 'for questions').replace('no more proposals', 'no more questions') : null;
}

/** Why a question cannot be answered (null: it can): once only, and the answer is published as is. */
export function answerRefused(q: { id: number; answered_at: Date | null }, o: { engagementStatus: string }): string | null {
  if (q.answered_at) return `question ${q.id} was already answered at ${q.answered_at.toISOString()}; an answer is published and never rewritten`;
  if (o.engagementStatus === 'ended') return 'the engagement has ended; its offers take no more answers';
  return null;
}

/** The addendum an answer appends to the brief (numbered per offer, from 1). */
export function addendumText(number: number, question: string, answer: string): string {
  return `Addendum ${number}\nQ: ${question.trim()}\nA: ${answer.trim()}`;
}

/**
 * The offer's new deadline when an addendum published at `at` came within `windowMs` before the
 * deadline (it moves by `windowMs`, once per offer); null when it does not move.
 */
export function extendedDeadline(o: { deadline: Date; status: 'open' | 'closed'; qa_extended: boolean }, at: Date, windowMs: number): Date | null {
  if (o.status !== 'open' || o.qa_extended) return null;
  const before = o.deadline.getTime() - at.getTime();
  if (before <= 0 || before > windowMs) return null;
  return new Date(o.deadline.getTime() + windowMs);
}

