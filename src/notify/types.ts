// The shape every notification channel shares (e-mail, digest, webhooks): one event, recorded once
// under a stable id, whatever the channel. The catalogue (src/notify/catalogue.ts) names the types.

/** One thing that happened or waits for someone; `id` is stable per occurrence (the dedupe key). */
export interface NotificationEvent {
  /** Stable per occurrence, e.g. `offer.deadline_approaching:offer-42` — a retried activity reuses it. */
  id: string;
  /** A catalogue entry's name, e.g. `offer.published`. */
  type: string;
  /** UTC ISO timestamp of the occurrence. */
  occurredAt: string;
  /** The tenant it belongs to (webhooks per client), null for platform-wide events. */
  clientId: number | null;
  /** What a message or a webhook body carries: ids, names, amounts — never secrets or bank details. */
  data: Record<string, unknown>;
}
