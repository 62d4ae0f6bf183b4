// The monthly network Schedule (Asia/Tokyo, day 1 at 00:05): created idempotently by `npm run dev`.
// A Schedule, not the engagements' month boundaries: managed contracts and grades belong to the whole
// network, not to one engagement (team reviews, which do, run at the engagement's boundary).
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { NETWORK_SCHEDULE_ID } from '../shared/network.ts';
import { networkMonthWorkflow } from '../workflows/network-month.ts';

export async function ensureNetworkSchedule(temporal: Client, config: { taskQueue: string }): Promise<boolean> {
  try {
    await temporal.schedule.create({
      scheduleId: NETWORK_SCHEDULE_ID,
      spec: { calendars: [{ dayOfMonth: 1, hour: 0, minute: 5 }], timezone: 'Asia/Tokyo' },
      action: { type: 'startWorkflow', workflowType: networkMonthWorkflow, workflowId: 'network-month', taskQueue: config.taskQueue, args: [{}] },
      state: { note: 'Managed retainers and grades at the start of each Tokyo month' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
