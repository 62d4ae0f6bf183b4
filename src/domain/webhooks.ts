// Webhook rules without I/O: what an endpoint receives (its body, per format) and when repeated
// failure disables it.

/** The event as a webhook body needs it (src/notify/types.ts NotificationEvent's fields). */
export interface WebhookEvent {
  id: string;
  type: string;
  occurredAt: string;
  clientId: number | null;
  data: Record<string, unknown>;
}

export type WebhookFormat = 'standard' | 'slack';

/**
 * The body of one delivery: Standard Webhooks' recommended `{ type, timestamp, data }` (the event id
 * and client inside data), or a Slack incoming webhook's `{ text }`.
 */
export function webhookBody(format: WebhookFormat, event: WebhookEvent): Record<string, unknown> {
  if (format === 'slack') {
    const facts = Object.entries(event.data)
      .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
      .map(([k, v]) => `${k}: ${String(v)}`);
    return { text: [`*${event.type}*${event.clientId === null ? '' : ` (client ${event.clientId})`}`, ...facts].join('\n') };
  }
  return { type: event.type, timestamp: event.occurredAt, data: { event_id: event.id, client_id: event.clientId, ...event.data } };
}

/** After a delivery failed for good: the endpoint's new count of consecutive failures and whether it is now disabled. */
export function afterFailedDelivery(consecutiveFailures: number, disableAfter: number): { consecutiveFailures: number; disable: boolean } {
  const next = consecutiveFailures + 1;
  return { consecutiveFailures: next, disable: next >= disableAfter };
}

/** How long a rotated-out secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
