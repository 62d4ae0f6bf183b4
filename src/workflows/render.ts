// One proposal version's screenshots (issue 23 item 1): the render worker's activity on its own task
// queue (`<task queue>-render`, so render workers scale apart from the main worker), bounded and
// retried; when the retries run out the version's pending renders are marked failed with the reason
// on the main queue. The workflow always ends: the proposal shows images or why there are none.
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { renderActivities, renderRecordActivities } from '../activities/renders.ts';

/** The failure type of a page that could not be rendered; its first detail is the reason code. */
export const RENDER_FAILED = 'RenderFailed';

export const renderWorkflowId = (versionId: number) => `render-version-${versionId}`;

/** The render workers' task queue beside a main task queue. */
export const renderQueueOf = (taskQueue: string) => `${taskQueue}-render`;

export interface RenderVersionInput {
  versionId: number;
}

const record = proxyActivities<ReturnType<typeof renderRecordActivities>>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/** rendered: how many renders the browser made, reused: how many came from a rendered row with the same key. */
export type RenderVersionOutcome = { status: 'rendered'; rendered: number; reused: number } | { status: 'failed'; reason: string };

export async function renderVersionWorkflow(input: RenderVersionInput): Promise<RenderVersionOutcome> {
  const render = proxyActivities<ReturnType<typeof renderActivities>>({
    taskQueue: renderQueueOf(workflowInfo().taskQueue),
    // Both widths, control and variant: about 15 s; a killed render worker is noticed by its heartbeat.
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: '30 seconds',
    // With no render worker polling, the version fails (reason `timeout`) after this instead of waiting forever.
    scheduleToCloseTimeout: '15 minutes',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
  });
  try {
    return { status: 'rendered', ...(await render.renderVersion(input)) };
  } catch (err) {
    const reason = reasonOf(err);
    await record.failRenders({ versionId: input.versionId, reason });
    return { status: 'failed', reason };
  }
}

/** The code shown on the proposal: the renderer's reason, `timeout`, else `render_failed`. */
function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === RENDER_FAILED && typeof cause.details?.[0] === 'string') return cause.details[0];
  if (cause instanceof TimeoutFailure) return 'timeout';
  return 'render_failed';
}
