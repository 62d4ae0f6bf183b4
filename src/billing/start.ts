// Starting invoicing: on demand (API, CLI) and from the monthly Temporal Schedule.
import { ScheduleAlreadyRunning, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { invoicingScheduleWorkflow, invoicingWorkflow } from '../workflows/invoicing.ts';
import { INVOICING_SCHEDULE_ID, invoicingWorkflowId, type InvoicingInput } from '../shared/billing.ts';

/**
 * Starts `invoicing-<month>`; when it runs already, returns it. The workflow's drafting is idempotent,
 * so starting it again after it completed yields the same invoices.
 */
export async function startInvoicing(temporal: Client, taskQueue: string, input: InvoicingInput) {
  const workflowId = invoicingWorkflowId(input.month);
  try {
    const handle = await temporal.workflow.start(invoicingWorkflow, {
      workflowId,
      taskQueue,
      args: [input],
      staticSummary: `Invoicing ${input.month}`,
      staticDetails: input.requestedBy == null ? 'Started by the monthly schedule' : `Requested by user ${input.requestedBy}`,
    });
    return { workflowId, runId: handle.firstExecutionRunId, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { workflowId, runId: null, started: false };
  }
}

/** Creates the monthly invoicing Schedule (1st of the month, KAIZEN_INVOICING_HOUR, Asia/Tokyo); a no-op when it exists. */
export async function ensureInvoicingSchedule(temporal: Client, config: Pick<Config, 'taskQueue'> & { billing: Pick<Config['billing'], 'invoicingHour'> }): Promise<boolean> {
  try {
    await temporal.schedule.create({
      scheduleId: INVOICING_SCHEDULE_ID,
      spec: { calendars: [{ dayOfMonth: 1, hour: config.billing.invoicingHour, minute: 0 }], timezone: 'Asia/Tokyo' },
      action: {
        type: 'startWorkflow',
        workflowType: invoicingScheduleWorkflow,
        workflowId: 'invoicing-schedule',
        taskQueue: config.taskQueue,
        args: [{}],
      },
      state: { note: `Monthly invoicing of the month just ended, on the 1st at ${config.billing.invoicingHour}:00 Asia/Tokyo` },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
