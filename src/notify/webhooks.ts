// Webhooks for other systems (issue 27 item 4): endpoints an admin registers per client or
// platform-wide, and deliveries of notification events to them. deliverToWebhooks records one
// delivery per endpoint and event id (a retried emit finds its row) and starts one workflow per
// delivery (src/workflows/webhook-delivery.ts), which retries attemptDelivery with backoff for up to a
// day and then records the failure; enough consecutive failures disable the endpoint. Secrets are
// read from the database by the attempt only: never in a workflow's history, a log line or an answer
// after the one that shows a new secret.
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Config, WebhookConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import { afterFailedDelivery, SECRET_OVERLAP_MS, webhookBody, type WebhookFormat } from '../domain/webhooks.ts';
import type { NotificationEvent } from './types.ts';
import { endpointUrlRefusal, postSigned, signatureHeader } from './webhook-http.ts';

/**
 * The event types an endpoint may choose: the names of the notification catalogue
 * (src/notify/catalogue.ts CATALOGUE, issue 27 item 1), listed here until that file is committed
 * and this list can become its keys.
 */
export const WEBHOOK_EVENT_TYPES = [
  'offer.published',
  'offer.deadline_approaching',
  'offer.widened',
  'proposal.selected',
  'proposal.not_selected',
  'plan.due',
  'selection.due',
  'test.no_traffic',
  'test.warning',
  'test.verdict',
  'learnings.due',
  'payout.awaiting_approval',
  'payout.transfer_failed',
  'invoice.issued',
  'invoice.overdue',
] as const;

/** What a caller sees of an endpoint: never its secrets (only their prefixes, to recognise them). */
export interface WebhookEndpointView {
  id: number;
  client_id: number | null;
  url: string;
  description: string | null;
  event_types: string[];
  format: WebhookFormat;
  secret_prefix: string;
  previous_secret_until: Date | null;
  consecutive_failures: number;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookDeliveryView {
  id: number;
  endpoint_id: number;
  event_id: string;
  event_type: string;
  message_id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'skipped';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** A new signing secret in the Standard Webhooks form (`whsec_` + base64 of 24 random bytes). */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

const VIEW_COLUMNS = [
  'id', 'client_id', 'url', 'description', 'event_types', 'format', 'secret', 'previous_secret_until',
  'consecutive_failures', 'disabled_at', 'disabled_reason', 'created_at', 'updated_at',
] as const;

function view(row: { secret: string } & Omit<WebhookEndpointView, 'secret_prefix'>): WebhookEndpointView {
  const { secret, ...rest } = row;
  return { ...rest, secret_prefix: secret.slice(0, 10) };
}

function assertUsable(input: { url?: string; eventTypes?: readonly string[] }, allowPrivate: boolean): void {
  if (input.url !== undefined) {
    const refusal = endpointUrlRefusal(input.url, allowPrivate);
    if (refusal) throw new RuleError('invalid', `endpoint URL: ${refusal}`, { path: '/body/url' });
  }
  const unknown = input.eventTypes?.find((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown) throw new RuleError('invalid', `unknown event type ${unknown}`, { path: '/body/event_types' });
}

export async function createEndpoint(
  db: Db,
  cfg: Pick<WebhookConfig, 'allowPrivateAddresses'>,
  input: { clientId: number | null; url: string; description: string | null; eventTypes: string[]; format: WebhookFormat; createdBy: number },
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  assertUsable(input, cfg.allowPrivateAddresses);
  if (input.clientId !== null && !(await db.selectFrom('clients').select('id').where('id', '=', input.clientId).executeTakeFirst())) {
    throw new RuleError('invalid', `client ${input.clientId} does not exist`, { path: '/body/client_id' });
  }
  const secret = newWebhookSecret();
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      client_id: input.clientId,
      url: input.url,
      description: input.description,
      event_types: [...new Set(input.eventTypes)],
      format: input.format,
      secret,
      created_by: input.createdBy,
    })
    .returning(VIEW_COLUMNS)
    .executeTakeFirstOrThrow();
  return { endpoint: view(row), secret };
}

/** Live endpoints, newest first; `clientIds` limits them to those clients' (platform-wide ones only with `all`). */
export async function listEndpoints(db: Db, scope: { all: true; clientId?: number } | { all: false; clientIds: readonly number[] }): Promise<WebhookEndpointView[]> {
  let q = db.selectFrom('webhook_endpoints').select(VIEW_COLUMNS).where('deleted_at', 'is', null).orderBy('id', 'desc');
  if (scope.all && scope.clientId !== undefined) q = q.where('client_id', '=', scope.clientId);
  if (!scope.all) {
    if (scope.clientIds.length === 0) return [];
    q = q.where('client_id', 'in', scope.clientIds);
  }
  return (await q.execute()).map(view);
}

export async function getEndpoint(db: Db, id: number): Promise<WebhookEndpointView | undefined> {
  const row = await db.selectFrom('webhook_endpoints').select(VIEW_COLUMNS).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row && view(row);
}

/** Changes what is given; `enabled: true` re-enables a disabled endpoint (its failure count starts again). */
export async function updateEndpoint(
  db: Db,
  cfg: Pick<WebhookConfig, 'allowPrivateAddresses'>,
  id: number,
  patch: { url?: string; description?: string | null; eventTypes?: string[]; format?: WebhookFormat; enabled?: boolean },
): Promise<WebhookEndpointView | undefined> {
  assertUsable(patch, cfg.allowPrivateAddresses);
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: [...new Set(patch.eventTypes)] } : {}),
      ...(patch.format !== undefined ? { format: patch.format } : {}),
      ...(patch.enabled === true ? { disabled_at: null, disabled_reason: null, consecutive_failures: 0 } : {}),
      ...(patch.enabled === false ? { disabled_at: sql<Date>`coalesce(disabled_at, now())`, disabled_reason: sql<string>`coalesce(disabled_reason, 'disabled by an admin')` } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(VIEW_COLUMNS)
    .executeTakeFirst();
  return row && view(row);
}

export async function deleteEndpoint(db: Db, id: number): Promise<boolean> {
  const res = await db.updateTable('webhook_endpoints').set({ deleted_at: sql<Date>`now()` }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** A new secret; the current one keeps signing beside it for SECRET_OVERLAP_MS (receivers switch over meanwhile). */
export async function rotateSecret(db: Db, id: number): Promise<{ endpoint: WebhookEndpointView; secret: string } | undefined> {
  const secret = newWebhookSecret();
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      previous_secret: sql<string>`secret`,
      previous_secret_until: sql<Date>`now() + ${`${SECRET_OVERLAP_MS} milliseconds`}::interval`,
      secret,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(VIEW_COLUMNS)
    .executeTakeFirst();
  return row && { endpoint: view(row), secret };
}

export async function listDeliveries(db: Db, endpointId: number, limit = 100): Promise<WebhookDeliveryView[]> {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'endpoint_id', 'event_id', 'event_type', 'message_id', 'status', 'attempts', 'last_status_code', 'last_error', 'last_latency_ms', 'last_attempt_at', 'finished_at', 'created_at'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

// ---- Delivery ----

export const webhookDeliveryWorkflowId = (deliveryId: number) => `webhook-delivery-${deliveryId}`;

/** The retry schedule a delivery workflow runs with (from the configuration, fixed at its start). */
export interface WebhookRetry {
  initialMs: number;
  maxIntervalMs: number;
  forMs: number;
  maxAttempts: number;
}

/** What deliverToWebhooks needs: the database, a Temporal client (an activity's: Context.current().client) and the configuration. */
export interface WebhookDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'taskQueue' | 'webhooks'>;
}

/**
 * Delivers `event` to every live endpoint that chose its type (its client's and the platform-wide
 * ones): one delivery row per endpoint and event id, one workflow per delivery (id by the row, and a
 * finished workflow is never started again), so calling it again for the same event sends nothing twice.
 */
export async function deliverToWebhooks(deps: WebhookDeps, event: NotificationEvent): Promise<{ deliveries: number[] }> {
  const { db } = deps;
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'format'])
    .where('deleted_at', 'is', null)
    .where('disabled_at', 'is', null)
    .where(sql<boolean>`${event.type} = any(event_types)`)
    .where((eb) => (event.clientId === null ? eb('client_id', 'is', null) : eb.or([eb('client_id', 'is', null), eb('client_id', '=', event.clientId)])))
    .execute();
  if (endpoints.length === 0) return { deliveries: [] };
  await db
    .insertInto('webhook_deliveries')
    .values(
      endpoints.map((e) => ({
        endpoint_id: e.id,
        event_id: event.id,
        event_type: event.type,
        message_id: `msg_${randomUUID().replaceAll('-', '')}`,
        payload: JSON.stringify(webhookBody(e.format, event)),
      })),
    )
    .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
    .execute();
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'status'])
    .where('event_id', '=', event.id)
    .where('endpoint_id', 'in', endpoints.map((e) => e.id))
    .execute();
  const retry: WebhookRetry = deps.config.webhooks.retry;
  for (const row of rows.filter((r) => r.status === 'pending')) {
    try {
      await deps.temporal.workflow.start('webhookDeliveryWorkflow', {
        taskQueue: deps.config.taskQueue,
        workflowId: webhookDeliveryWorkflowId(row.id),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ deliveryId: row.id, retry }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { deliveries: rows.map((r) => r.id) };
}

/** Thrown when an endpoint answered anything but 2xx: the workflow's retry policy tries again. */
export class DeliveryAttemptFailed extends Error {
  override name = 'DeliveryAttemptFailed';
}

/**
 * One attempt of a delivery: signs the stored body with the endpoint's secret (and the previous one
 * during a rotation's overlap), POSTs it and records status, latency and the answer's code. Resolves
 * when the endpoint answered 2xx (or the delivery is no longer due: endpoint disabled or deleted),
 * throws DeliveryAttemptFailed otherwise.
 */
export async function attemptDelivery(db: Db, cfg: WebhookConfig, deliveryId: number): Promise<{ status: 'succeeded' | 'skipped' | 'already'; code?: number }> {
  const d = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.status', 'd.message_id', 'd.payload', 'd.endpoint_id', 'e.url', 'e.secret', 'e.previous_secret', 'e.previous_secret_until', 'e.disabled_at', 'e.deleted_at'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  if (!d) throw new RuleError('not_found', `webhook delivery ${deliveryId} not found`);
  if (d.status !== 'pending') return { status: 'already' };
  if (d.disabled_at || d.deleted_at) {
    await db.updateTable('webhook_deliveries').set({ status: 'skipped', finished_at: sql<Date>`now()`, last_error: 'endpoint disabled or deleted' }).where('id', '=', deliveryId).execute();
    return { status: 'skipped' };
  }
  const body = JSON.stringify(d.payload);
  const now = new Date();
  const secrets = [d.secret, ...(d.previous_secret && d.previous_secret_until && d.previous_secret_until > now ? [d.previous_secret] : [])];
  let code: number | null = null;
  let latency: number | null = null;
  let error: string | null = null;
  try {
    const sent = await postSigned(d.url, body, { id: d.message_id, timestamp: now, signature: signatureHeader(secrets, d.message_id, now, body) }, {
      timeoutMs: cfg.timeoutMs,
      allowPrivate: cfg.allowPrivateAddresses,
    });
    code = sent.status;
    latency = sent.latencyMs;
    if (code < 200 || code > 299) error = `HTTP ${code}`;
  } catch (err) {
    error = (err as Error).message.slice(0, 500);
  }
  const ok = error === null;
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('webhook_deliveries')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_status_code: code,
        last_latency_ms: latency,
        last_error: error,
        last_attempt_at: now,
        ...(ok ? { status: 'succeeded' as const, finished_at: sql<Date>`now()` } : {}),
      })
      .where('id', '=', deliveryId)
      .execute();
    if (ok) await tx.updateTable('webhook_endpoints').set({ consecutive_failures: 0 }).where('id', '=', d.endpoint_id).execute();
  });
  if (!ok) throw new DeliveryAttemptFailed(`webhook delivery ${deliveryId}: ${error}`);
  return { status: 'succeeded', code: code! };
}

/**
 * A delivery whose retries ran out: marked failed, and its endpoint's consecutive failures counted;
 * at cfg.disableAfter the endpoint is disabled (returned, so the caller tells the admins).
 */
export async function failDelivery(db: Db, cfg: Pick<WebhookConfig, 'disableAfter'>, deliveryId: number): Promise<{ disabledEndpoint: { id: number; url: string; clientId: number | null; failures: number } | null }> {
  return db.transaction().execute(async (tx) => {
    const d = await tx
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', finished_at: sql<Date>`now()` })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .returning('endpoint_id')
      .executeTakeFirst();
    if (!d) return { disabledEndpoint: null };
    const e = await tx.selectFrom('webhook_endpoints').select(['id', 'url', 'client_id', 'consecutive_failures', 'disabled_at']).where('id', '=', d.endpoint_id).forUpdate().executeTakeFirstOrThrow();
    const next = afterFailedDelivery(e.consecutive_failures, cfg.disableAfter);
    const disable = next.disable && e.disabled_at === null;
    await tx
      .updateTable('webhook_endpoints')
      .set({
        consecutive_failures: next.consecutiveFailures,
        ...(disable ? { disabled_at: sql<Date>`now()`, disabled_reason: `${next.consecutiveFailures} consecutive failed deliveries` } : {}),
      })
      .where('id', '=', e.id)
      .execute();
    return { disabledEndpoint: disable ? { id: e.id, url: e.url, clientId: e.client_id, failures: next.consecutiveFailures } : null };
  });
}

/** The admins' e-mail about a disabled endpoint, in each admin's language (ja/en). */
const DISABLED_MAIL = {
  ja: (e: { id: number; url: string; reason: string }, link: string) => ({
    subject: `Webhook エンドポイント ${e.id} を無効にしました`,
    text: `${e.url} への配信が続けて失敗したため（${e.reason}）、このエンドポイントを無効にしました。受信側を直したら、Webhook ページで再び有効にしてください。\n開く: ${link}`,
  }),
  en: (e: { id: number; url: string; reason: string }, link: string) => ({
    subject: `Webhook endpoint ${e.id} disabled`,
    text: `Deliveries to ${e.url} kept failing (${e.reason}), so the endpoint was disabled. Once the receiver is fixed, enable it again on the Webhooks page.\nOpen: ${link}`,
  }),
};

/**
 * Tells every admin with an e-mail address that an endpoint was disabled, through the notification
 * mail transport (src/notify/mail.ts). The Message-ID is the endpoint's and its disabling time, so a
 * retried send is the same message. Answers how many admins were written to.
 */
export async function mailEndpointDisabled(
  db: Db,
  transport: { sendMail(m: Record<string, unknown>): Promise<unknown> },
  config: Pick<Config, 'mail'>,
  endpointId: number,
): Promise<number> {
  const e = await db.selectFrom('webhook_endpoints').select(['id', 'url', 'disabled_at', 'disabled_reason']).where('id', '=', endpointId).executeTakeFirst();
  if (!e?.disabled_at) return 0;
  const admins = await db.selectFrom('users').select(['id', 'email', 'locale']).where('role', '=', 'admin').where('email', 'is not', null).orderBy('id').execute();
  const link = `${config.mail.publicUrl}/webhooks`;
  for (const a of admins) {
    const m = DISABLED_MAIL[a.locale === 'en' ? 'en' : 'ja']({ id: e.id, url: e.url, reason: e.disabled_reason ?? '' }, link);
    await transport.sendMail({ from: config.mail.from, to: a.email, messageId: `<webhook-disabled-${e.id}-${e.disabled_at.getTime()}-${a.id}@kaizen-desk>`, ...m });
  }
  return admins.length;
}
