// The hourly digest Schedule: each hour it sends the daily digests of the people whose chosen local
// hour (Asia/Tokyo) it is; created idempotently by `npm run dev` and the worker's stack.
import { ScheduleAlreadyRunning, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { notificationDigestWorkflow, notifyEventWorkflow } from '../workflows/notify.ts';
import type { NotificationEvent } from './types.ts';

export const DIGEST_SCHEDULE_ID = 'notification-digests';

export async function ensureDigestSchedule(temporal: Client, config: { taskQueue: string }): Promise<boolean> {
  try {
    await temporal.schedule.create({
      scheduleId: DIGEST_SCHEDULE_ID,
      spec: { calendars: [{ hour: '*', minute: 0 }], timezone: 'Asia/Tokyo' },
      action: { type: 'startWorkflow', workflowType: notificationDigestWorkflow, workflowId: 'notification-digests', taskQueue: config.taskQueue, args: [{}] },
      state: { note: 'Daily notification digests, at each person’s chosen hour' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}

/**
 * Emits an event that happens outside a workflow (the API issued an invoice): a one-activity workflow
 * whose id is the event's, so the same event started twice (a retried request, two processes) is sent
 * once, with the notify activity's retries and recorded failures.
 */
export async function emitEvent(temporal: Client, taskQueue: string, event: NotificationEvent): Promise<void> {
  try {
    await temporal.workflow.start(notifyEventWorkflow, { workflowId: `notify-${event.id}`, taskQueue, args: [event], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
