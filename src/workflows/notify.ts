// Telling people from a workflow: one activity per event (recorded in history, retried with backoff,
// deduplicated by the stable event id), behind the call site's own patch so histories recorded before
// it replay unchanged. A notification never stops the work it tells about: when every attempt failed,
// the activity has recorded the failure (admins see it) and the workflow goes on.
import { ActivityFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { notifyActivities } from '../activities/notify.ts';
import type { EventType } from '../notify/catalogue.ts';
import type { NotificationEvent } from '../notify/types.ts';
import { NOTIFY_MAX_ATTEMPTS } from '../shared/notify.ts';

const acts = proxyActivities<ReturnType<typeof notifyActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: NOTIFY_MAX_ATTEMPTS },
});

/**
 * Emits `type` once per `key` (the occurrence: e.g. the offer id, or the offer id and its deadline).
 * `patchId`: this call site's patch; null when the caller already checked its own.
 */
export async function notify(patchId: string | null, type: EventType, key: string | number, clientId: number | null, data: Record<string, unknown>): Promise<void> {
  if (patchId !== null && !patched(patchId)) return;
  try {
    await acts.notify({ id: `${type}:${key}`, type, occurredAt: new Date().toISOString(), clientId, data });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
}

/** Started by the hourly digest Schedule: sends the digests of the people whose local hour it is. */
export async function notificationDigestWorkflow(input: { at?: number } = {}): Promise<{ users: number; items: number }> {
  return acts.sendDueDigests({ at: input.at ?? Date.now() });
}

/**
 * An event that happens outside a workflow (an API decision such as issuing an invoice): started by
 * emitEvent (src/notify/start.ts) under the event's own id, so a retried request never sends twice.
 */
export async function notifyEventWorkflow(event: NotificationEvent): Promise<void> {
  try {
    await acts.notify(event);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
}
