// Starting payout runs: from the API (a month, idempotent) and from the monthly Temporal Schedule.
import {
  ScheduleAlreadyRunning,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { payoutRunWorkflow, payoutScheduleWorkflow, transfersChangedSignal } from '../workflows/payout-run.ts';
import { PayoutMonthKey, PayoutStatusKey } from '../workflows/search-attributes.ts';
import { openRun, redraftEmptyRun } from './runs.ts';
import { PAYOUT_SCHEDULE_ID, payoutWorkflowId } from '../shared/payouts.ts';

export interface StartRunOptions {
  month: string;
  preparedBy: number | null;
  taskQueue: string;
  payDay: number;
  reminderMs?: number;
  batchSize?: number;
}

/**
 * Persists the run (once per month), then starts its workflow; an existing run is returned as is.
 * One workflow per run: the workflow starts only while the run is still `drafting` (just created, or
 * its first start failed); a running workflow is reused, and an ID whose workflow closed may be used
 * again only if that workflow failed. A run past drafting (review, paying, completed, rejected,
 * blocked) never gets a second workflow — except an empty completed run, which is drafted again
 * (redraftEmptyRun: nothing was paid, so its workflow's ID may run once more).
 */
export async function startPayoutRun(db: Db, temporal: Client, opts: StartRunOptions) {
  const opened = await openRun(db, opts.month, opts.preparedBy);
  const { created } = opened;
  // An empty completed run is drafted again (its workflow completed: the ID may then be used again).
  const run = !created && opened.run.status === 'completed' ? await redraftEmptyRun(db, opened.run.id, opts.preparedBy) : opened.run;
  if (!created && run.status !== 'drafting') return { run, created };
  try {
    await temporal.workflow.start(payoutRunWorkflow, {
      workflowId: payoutWorkflowId(opts.month),
      workflowIdReusePolicy: run.redrafts > 0 ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      taskQueue: opts.taskQueue,
      args: [
        {
          runId: run.id,
          month: run.month,
          preparedBy: run.prepared_by,
          payDay: opts.payDay,
          ...(opts.reminderMs ? { reminderMs: opts.reminderMs } : {}),
          ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        },
      ],
      typedSearchAttributes: [
        { key: PayoutMonthKey, value: run.month },
        { key: PayoutStatusKey, value: 'drafting' },
      ],
      staticSummary: `Payout run ${run.month} (#${run.id})`,
      staticDetails: run.prepared_by == null ? 'Started by the monthly schedule' : `Prepared by user ${run.prepared_by}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { run, created };
}

/** Creates the monthly payout Schedule (Asia/Tokyo, configured day and hour); a no-op when it exists. */
export async function ensurePayoutSchedule(
  temporal: Client,
  config: Pick<Config, 'taskQueue'> & { payout: Pick<Config['payout'], 'day' | 'hour'> },
): Promise<boolean> {
  try {
    await temporal.schedule.create({
      scheduleId: PAYOUT_SCHEDULE_ID,
      spec: {
        calendars: [{ dayOfMonth: config.payout.day, hour: config.payout.hour, minute: 0 }],
        timezone: 'Asia/Tokyo',
      },
      action: {
        type: 'startWorkflow',
        workflowType: payoutScheduleWorkflow,
        workflowId: 'payout-schedule',
        taskQueue: config.taskQueue,
        args: [{ payDay: config.payout.day }],
      },
      state: { note: `Monthly payout run on day ${config.payout.day} at ${config.payout.hour}:00 Asia/Tokyo` },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}

/**
 * Wakes a run's workflow to settle again after a transfer's state changed (the change is committed
 * first). A finished workflow has nothing left to do (Postgres holds the run's state). Any other
 * failure is retried and then thrown: swallowed, the run would wait a whole reminder interval (a day)
 * for a signal that never came; thrown, the caller's retry (same Idempotency-Key) signals again.
 */
export async function wakePayoutRun(temporal: Client, workflowId: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await temporal.workflow.getHandle(workflowId).signal(transfersChangedSignal);
      return;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
