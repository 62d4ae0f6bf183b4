// Shapes of webhook endpoints and their delivery log (/v1/webhooks).
import { Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from '../../notify/webhooks.ts';
import { Actions, Id, Nullable, Timestamp } from './common.ts';

const EventType = Type.Enum([...WEBHOOK_EVENT_TYPES], { description: 'a notification event type (docs/notifications.md)' });
const Format = Type.Enum(['standard', 'slack'], { description: 'standard: Standard Webhooks JSON `{type, timestamp, data}`; slack: a Slack incoming-webhook body `{text}`' });
const Url = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://', description: 'http(s) only; in production a public address' });
const Description = Type.String({ minLength: 1, maxLength: 500 });
const EndpointActionNames = ['update', 'rotate', 'delete'] as const;

export const WebhookEndpoint = Type.Object({
  id: Id,
  client_id: Nullable(Id),
  url: Type.String(),
  description: Nullable(Type.String()),
  event_types: Type.Array(Type.String()),
  format: Format,
  secret_prefix: Type.String({ description: 'the first characters of the current secret, to recognise it' }),
  previous_secret_until: Nullable(Timestamp),
  consecutive_failures: Type.Integer(),
  disabled_at: Nullable(Timestamp),
  disabled_reason: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  actions: Actions(EndpointActionNames),
});
export const WebhookEndpointList = Type.Object({ items: Type.Array(WebhookEndpoint), actions: Actions(['create'] as const) });
export const WebhookEndpointWithSecret = Type.Intersect([
  WebhookEndpoint,
  Type.Object({ secret: Type.String({ description: 'the signing secret (whsec_…), shown once' }) }),
]);
export const WebhookListQuery = Type.Object({ client_id: Type.Optional(Id) }, { additionalProperties: false });

export const NewWebhookBody = Type.Object(
  {
    client_id: Type.Optional(Nullable(Id)),
    url: Url,
    description: Type.Optional(Description),
    event_types: Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length }),
    format: Type.Optional(Format),
  },
  { additionalProperties: false, examples: [{ client_id: 1, url: 'https://hooks.example/kaizen', event_types: ['test.verdict'], format: 'standard' }] },
);
export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Nullable(Description)),
    event_types: Type.Optional(Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length })),
    format: Type.Optional(Format),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled endpoint (its failure count starts again)' })),
  },
  { additionalProperties: false, examples: [{ enabled: true }] },
);

export const WebhookDelivery = Type.Object({
  id: Id,
  endpoint_id: Id,
  event_id: Type.String(),
  event_type: Type.String(),
  message_id: Type.String({ description: 'the webhook-id header: the same on every attempt' }),
  status: Type.Enum(['pending', 'succeeded', 'failed', 'skipped']),
  attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  last_latency_ms: Nullable(Type.Integer()),
  last_attempt_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
  created_at: Timestamp,
});
export const WebhookDeliveryList = Type.Object({ items: Type.Array(WebhookDelivery) });
