// What finance must act on now, for the caller: runs to review and approve, remittances to record,
// runs a rule has blocked. Read from Postgres (the read model); the /v1/tasks route shapes nothing more.
import type { Db } from '../db/index.ts';
import type { Role } from '../shared/actor.ts';
import { withholdingDueDate } from '../domain/payouts/calendar.ts';
import { fourEyesRefusal } from '../domain/payouts/four-eyes.ts';

export type FinanceTaskKind = 'review_payout_run' | 'record_remittance' | 'payout_run_blocked' | 'payout_run_needs_attention';

/** A failed or returned item waiting for finance, with its reason. */
export interface AttentionItem {
  item_id: number;
  hacker_id: number;
  status: string;
  reason: string | null;
}

export interface FinanceTask {
  kind: FinanceTaskKind;
  run_id: number;
  month: string;
  /** When the task is due (ISO, UTC): the end of the due day in Asia/Tokyo; null when there is no date. */
  due_at: string | null;
  /** The due day (Asia/Tokyo, YYYY-MM-DD) or null. */
  due_on: string | null;
  overdue: boolean;
  /** The run's own account of what it waits for (a sentence fragment, as on the run). */
  waiting_for: string;
  /** Who prepared the run (null: the monthly schedule). */
  prepared_by: number | null;
  /** For review tasks: whether the caller may approve (four eyes, finance role); null for other kinds. */
  may_approve: boolean | null;
  /** For review tasks: why not, as a sentence; null otherwise. */
  approve_refusal: string | null;
  /** The refusal as a code pages translate: `four_eyes_self` (I prepared the run), `role`. */
  approve_refusal_code: 'four_eyes_self' | 'role' | null;
  /** The run's planned transfer date. */
  payment_date: string | null;
  /** For needs_attention tasks: each failed or returned item and why. */
  items?: AttentionItem[];
}

/** The end of a Tokyo calendar day, as an ISO instant. */
function endOfTokyoDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00+09:00`) + 86_400_000).toISOString();
}

/**
 * Finance's open tasks, most urgent first (overdue, then by due date). Review tasks are due by the
 * payment date (the bank needs the approved transfers by then); remittance tasks by the withholding
 * due date of the payment month (the 10th of the next month, moved past closed days). `userId` is the
 * caller: `may_approve` applies the four-eyes rule to them; only the finance role approves.
 */
export async function financeTasks(db: Db, userId: number, opts: { role?: Role; nowMs?: number } = {}): Promise<FinanceTask[]> {
  const role = opts.role ?? 'finance';
  const nowMs = opts.nowMs ?? Date.now();
  const runs = await db
    .selectFrom('payout_runs')
    .select(['id', 'month', 'status', 'payment_date', 'prepared_by', 'waiting_for'])
    .where('status', 'in', ['review', 'remitting', 'blocked', 'needs_attention'])
    .orderBy('id')
    .execute();
  const attention = runs.some((r) => r.status === 'needs_attention')
    ? await db
        .selectFrom('payout_items')
        .select(['id as item_id', 'run_id', 'hacker_id', 'status', 'failure_reason as reason'])
        .where('run_id', 'in', runs.filter((r) => r.status === 'needs_attention').map((r) => r.id))
        .where('status', 'in', ['failed', 'returned'])
        .where('resolution', 'is', null)
        .orderBy('id')
        .execute()
    : [];
  const tasks = runs.map((r): FinanceTask => {
    const base = { run_id: r.id, month: r.month, prepared_by: r.prepared_by, payment_date: r.payment_date, waiting_for: r.waiting_for ?? '' };
    if (r.status === 'blocked') {
      return { ...base, kind: 'payout_run_blocked', due_at: null, due_on: null, overdue: false, may_approve: null, approve_refusal: null, approve_refusal_code: null };
    }
    if (r.status === 'needs_attention') {
      const items = attention.filter((i) => i.run_id === r.id).map(({ run_id: _, ...i }) => i);
      return { ...base, kind: 'payout_run_needs_attention', due_at: null, due_on: null, overdue: false, may_approve: null, approve_refusal: null, approve_refusal_code: null, items };
    }
    const dueOn = r.status === 'review' ? r.payment_date : withholdingDueDate((r.payment_date ?? `${r.month}-01`).slice(0, 7));
    const dueAt = dueOn ? endOfTokyoDay(dueOn) : null;
    const overdue = dueAt !== null && nowMs >= Date.parse(dueAt);
    if (r.status === 'review') {
      const refusal =
        role !== 'finance' ? `Only a finance user may approve a payout run; you are ${role}.` : fourEyesRefusal({ approver: userId, preparedBy: r.prepared_by, runId: r.id });
      const code = !refusal ? null : role !== 'finance' ? 'role' : 'four_eyes_self';
      return { ...base, kind: 'review_payout_run', due_at: dueAt, due_on: dueOn, overdue, may_approve: !refusal, approve_refusal: refusal ?? null, approve_refusal_code: code };
    }
    return { ...base, kind: 'record_remittance', due_at: dueAt, due_on: dueOn, overdue, may_approve: null, approve_refusal: null, approve_refusal_code: null };
  });
  const rank = (t: FinanceTask) => (t.kind === 'payout_run_blocked' || t.kind === 'payout_run_needs_attention' ? 0 : t.overdue ? 1 : 2);
  return tasks.sort((a, b) => rank(a) - rank(b) || (a.due_at ?? '9').localeCompare(b.due_at ?? '9') || a.run_id - b.run_id);
}

/** A payee's task: a transfer to them failed or came back; fix the bank details (until the notification catalogue exists). */
export interface PayeeTask {
  kind: 'fix_bank_details';
  run_id: number;
  item_id: number;
  month: string;
  reason: string | null;
  /** The payee record where the bank details are fixed. */
  link: string;
  overdue: false;
  due_at: null;
  waiting_for: string;
}

/** The hacker's failed or returned transfers not yet resolved (moved or cancelled), each with its reason. */
export async function payeeTasks(db: Db, hackerId: number): Promise<PayeeTask[]> {
  const rows = await db
    .selectFrom('payout_items as i')
    .innerJoin('payout_runs as r', 'r.id', 'i.run_id')
    .select(['i.id', 'i.run_id', 'r.month', 'i.failure_reason'])
    .where('i.hacker_id', '=', hackerId)
    .where('i.status', 'in', ['failed', 'returned'])
    .where('i.resolution', 'is', null)
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    kind: 'fix_bank_details',
    run_id: r.run_id,
    item_id: r.id,
    month: r.month,
    reason: r.failure_reason,
    link: `/v1/hackers/${hackerId}/payee`,
    overdue: false,
    due_at: null,
    waiting_for: `you: your payment of ${r.month} did not reach your account (${r.failure_reason ?? 'no reason given'}); check your bank details`,
  }));
}

/** A payee's own change waiting for finance (review_payee_change), or for the payee's answer (answer_payee_change). */
export interface PayeeChangeTask {
  kind: 'review_payee_change' | 'answer_payee_change';
  change_id: number;
  hacker_id: number;
  link: string;
  reason: string | null;
  overdue: false;
  due_at: null;
  waiting_for: string;
}

/**
 * Finance (no `hackerId`): one task per pending payee change, oldest first. A hacker: its change
 * finance asked about, with the question.
 */
export async function payeeChangeTasks(db: Db, opts: { hackerId?: number } = {}): Promise<PayeeChangeTask[]> {
  let q = db
    .selectFrom('payee_change_requests as c')
    .innerJoin('hackers as h', 'h.id', 'c.hacker_id')
    .select(['c.id', 'c.hacker_id', 'c.fields', 'c.comment', 'h.display_name'])
    .orderBy('c.id')
    .limit(500);
  q = opts.hackerId === undefined ? q.where('c.status', '=', 'pending') : q.where('c.hacker_id', '=', opts.hackerId).where('c.status', '=', 'needs_info');
  const rows = await q.execute();
  return rows.map((r) =>
    opts.hackerId === undefined
      ? {
          kind: 'review_payee_change', change_id: r.id, hacker_id: r.hacker_id, link: `/v1/payee-changes?status=pending`, reason: null,
          overdue: false, due_at: null, waiting_for: `finance to review ${r.display_name}'s change of ${r.fields.join(', ')}`,
        }
      : {
          kind: 'answer_payee_change', change_id: r.id, hacker_id: r.hacker_id, link: `/v1/hackers/${r.hacker_id}/payee/changes`, reason: r.comment,
          overdue: false, due_at: null, waiting_for: `you: finance asked about your change of ${r.fields.join(', ')} (${r.comment ?? ''}); send it again with what they asked for`,
        },
  );
}
