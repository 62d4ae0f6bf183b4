// Monthly invoicing (ID `invoicing-<YYYY-MM>`, the service month): draft one invoice per client (or
// reselling partner) — idempotent, so a retry, a replay or a second start changes nothing — then watch
// the month: once a day (configurable) count drafts still under review and issued invoices still owed,
// raising overdue alerts, until everything is issued and paid. Finance reviews and issues through the
// API (Postgres is the system of record); the workflow carries the month and counts only.
import { ParentClosePolicy, proxyActivities, setCurrentDetails, sleep, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import { addMonths, tokyoMonthOf } from '../domain/months.ts';
import type { DraftMonthSummary, InvoicingInput, MonthCheck } from '../shared/billing.ts';
import { invoicingWorkflowId } from '../shared/billing.ts';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const DAY_MS = 86_400_000;

export async function invoicingWorkflow(input: InvoicingInput): Promise<{ draft: DraftMonthSummary; last: MonthCheck | null }> {
  const { month } = input;
  setCurrentDetails(`Invoicing ${month}: drafting`);
  const draft = await acts.draftInvoicesForMonth({ month, requestedBy: input.requestedBy });
  let last: MonthCheck | null = null;
  if (input.watch === false) return { draft, last };
  for (;;) {
    last = await acts.checkInvoicingMonth({ month });
    if (last.drafts === 0 && last.open === 0) break;
    setCurrentDetails(
      `Invoicing ${month}: waiting for ${last.drafts} draft(s) to be reviewed and issued by finance and ${last.open} invoice(s) to be paid (${last.overdue} overdue)`,
    );
    await sleep(input.checkEveryMs ?? DAY_MS);
  }
  setCurrentDetails(`Invoicing ${month}: every invoice issued and settled`);
  return { draft, last };
}

/**
 * Started by the monthly Schedule (1st of the month, Asia/Tokyo): invoices the month just ended by
 * starting `invoicing-<YYYY-MM>` as an abandoned child; one already started (API, CLI) is left alone.
 */
export async function invoicingScheduleWorkflow(input: { checkEveryMs?: number } = {}): Promise<{ month: string; started: boolean }> {
  const month = addMonths(tokyoMonthOf(Date.now()), -1);
  try {
    await startChild(invoicingWorkflow, {
      workflowId: invoicingWorkflowId(month),
      args: [{ month, requestedBy: null, ...(input.checkEveryMs ? { checkEveryMs: input.checkEveryMs } : {}) }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { month, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { month, started: false };
    throw err;
  }
}
