// The daily My Number retention Schedule (Asia/Tokyo, 03:10), created idempotently by the stack with
// `schedules`: it starts myNumberRetentionWorkflow, which deletes numbers past their retention day.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { myNumberRetentionWorkflow } from '../workflows/my-number-retention.ts';

export const MY_NUMBER_RETENTION_SCHEDULE_ID = 'my-number-retention';

export async function ensureMyNumberRetentionSchedule(temporal: Client, config: { taskQueue: string }): Promise<boolean> {
  try {
    await temporal.schedule.create({
      scheduleId: MY_NUMBER_RETENTION_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, minute: 10 }], timezone: 'Asia/Tokyo' },
      action: { type: 'startWorkflow', workflowType: myNumberRetentionWorkflow, workflowId: 'my-number-retention', taskQueue: config.taskQueue, args: [{}] },
      state: { note: 'Deletes 個人番号 past their retention day (7 years after the last 支払調書 filed with them)' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
