// The hourly digest Schedule: each hour it sends the daily digests of the people whose chosen local
// hour (Asia/Tokyo) it is; created idempotently by `npm run dev` and the worker's stack.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { notificationDigestWorkflow } from '../workflows/notify.ts';

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
