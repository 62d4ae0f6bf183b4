// One webhook delivery (issue 27 item 4): attempts with exponential backoff until the endpoint answers
// 2xx or the retry window (a day by default) runs out, then records the failure (which may disable
// the endpoint: the admins are e-mailed). The retry schedule is the workflow's input, fixed when the delivery was recorded.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { webhookActivities } from '../activities/webhooks.ts';

export interface WebhookDeliveryInput {
  deliveryId: number;
  retry: { initialMs: number; maxIntervalMs: number; forMs: number; maxAttempts: number };
}

type Acts = ReturnType<typeof webhookActivities>;

const record = proxyActivities<Acts>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<{ status: 'succeeded' | 'skipped' | 'already' | 'failed'; disabledEndpointId?: number | null }> {
  const { retry } = input;
  const send = proxyActivities<Acts>({
    // Above the longest request timeout (KAIZEN_WEBHOOK_TIMEOUT_MS ≤ 60 s); a killed worker is noticed by the heartbeat.
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    scheduleToCloseTimeout: retry.forMs,
    // maxAttempts 0: no limit but the window (the SDK refuses 0, so it is left out).
    retry: { initialInterval: retry.initialMs, backoffCoefficient: 2, maximumInterval: retry.maxIntervalMs, ...(retry.maxAttempts > 0 ? { maximumAttempts: retry.maxAttempts } : {}) },
  });
  try {
    return await send.attemptWebhookDelivery({ deliveryId: input.deliveryId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const { disabledEndpointId } = await record.failWebhookDelivery({ deliveryId: input.deliveryId });
    if (disabledEndpointId !== null) await record.mailWebhookDisabled({ endpointId: disabledEndpointId });
    return { status: 'failed', disabledEndpointId };
  }
}
