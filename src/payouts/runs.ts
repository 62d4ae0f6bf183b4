// Payout run use cases over Postgres, one file per step of the run: open, draft (set-based, the
// payments composed by the pure composePayment), review (hold/release, decide with four eyes), pay
// (guarded per payee) and finish, remit; plus the workflow's bookkeeping (status.ts). Each step
// queries, composes (pure), then writes; every state change writes the audit log in the same
// transaction. The workflow calls these through activities (src/activities/payouts.ts); the bench
// calls them directly.
export { openRun, redraftEmptyRun } from './runs/open.ts';
export { draftRun, plannedPaymentDate } from './runs/draft.ts';
export { decideRun, setItemHold } from './runs/review.ts';
export { finishPayments, payBatch, type PayDeps } from './runs/pay.ts';
export { recordRemittance, withholdingSummary } from './runs/remit.ts';
export { blockRun, noteReminder, noteWaiting } from './runs/status.ts';
