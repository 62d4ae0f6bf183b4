// Webhooks (issue 27 item 4): admins register endpoints per client or platform-wide; events reach them
// through one delivery workflow per endpoint and event, signed per Standard Webhooks (verified here by
// the `standardwebhooks` library on a receiver listening on another local port), retried with backoff,
// logged, signed with both secrets during a rotation's overlap, and an endpoint that keeps failing is
// disabled (and the admins e-mailed). Tenants: another client's endpoint is a 404.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverToWebhooks } from '../../src/notify/webhooks.ts';
import { endpointUrlRefusal, isPublicAddress } from '../../src/notify/webhook-http.ts';
import type { NotificationEvent } from '../../src/notify/types.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

interface Received {
  path: string;
  body: string;
  headers: Record<string, string>;
}

let h: Harness;
let admin: Awaited<ReturnType<typeof userWithToken>>;
let receiver: http.Server;
let base: string;
const received: Received[] = [];
/** Per path: the status codes to answer in turn (the last one repeats). */
const script = new Map<string, number[]>();

beforeAll(async () => {
  h = await createHarness();
  // A short retry schedule for this file's deliveries (the configuration the worker's activities and deliverToWebhooks read).
  h.config.webhooks = { ...h.config.webhooks, retry: { initialMs: 50, maxIntervalMs: 200, forMs: 120_000, maxAttempts: 4 }, disableAfter: 2 };
  admin = await userWithToken(h.db, 'admin');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, body: Buffer.concat(chunks).toString('utf8'), headers: req.headers as Record<string, string> });
      const codes = script.get(path) ?? [200];
      const code = codes.length > 1 ? codes.shift()! : codes[0]!;
      res.writeHead(code, { 'content-type': 'text/plain' }).end(code === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await h.close();
});

const deps = () => ({ db: h.db, temporal: h.temporal, config: h.config });
const event = (type: string, clientId: number | null, data: Record<string, unknown> = {}): NotificationEvent => ({
  id: `${type}:${randomUUID()}`,
  type,
  occurredAt: new Date().toISOString(),
  clientId,
  data,
});
async function register(body: Record<string, unknown>, auth = admin.auth) {
  return h.app.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: body });
}
const at = (path: string) => received.filter((r) => r.path === path);
const delivery = (endpointId: number, eventId: string) =>
  h.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).where('event_id', '=', eventId).executeTakeFirst();

describe('webhook endpoints', () => {
  it('an admin registers one (the secret shown once); the client and its CS read it, another client or CS gets 404', async () => {
    const client = await makeClient(h.db);
    const res = await register({ client_id: client.id, url: `${base}/register`, event_types: ['test.verdict'], description: 'BI' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    expect(created).toMatchObject({ client_id: client.id, format: 'standard', event_types: ['test.verdict'], secret_prefix: created.secret.slice(0, 10), disabled_at: null });

    const own = await userWithToken(h.db, 'client', { clientId: client.id });
    const list = await h.app.inject({ url: '/v1/webhooks', headers: own.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: { id: number }) => e.id)).toEqual([created.id]);
    expect(list.json().actions.create.allowed).toBe(false);
    expect(list.body).not.toContain(created.secret);
    const one = await h.app.inject({ url: `/v1/webhooks/${created.id}`, headers: admin.auth });
    expect(one.json().actions.rotate).toEqual({ allowed: true, reason: null });
    expect(one.body).not.toContain(created.secret);

    // The CS managing the client sees it; a CS of another client and another client's users: 404.
    const cs = await userWithToken(h.db, 'cs_manager');
    const engagement = await h.app.inject({ method: 'POST', url: '/v1/engagements', headers: cs.auth, payload: { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 400_000 } });
    expect(engagement.statusCode, engagement.body).toBe(201);
    expect((await h.app.inject({ url: `/v1/webhooks/${created.id}/deliveries`, headers: cs.auth })).statusCode).toBe(200);
    const otherCs = await userWithToken(h.db, 'cs_manager');
    const stranger = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    for (const who of [otherCs, stranger]) {
      expect((await h.app.inject({ url: `/v1/webhooks/${created.id}`, headers: who.auth })).statusCode).toBe(404);
      expect((await h.app.inject({ url: `/v1/webhooks/${created.id}/deliveries`, headers: who.auth })).statusCode).toBe(404);
      expect((await h.app.inject({ url: '/v1/webhooks', headers: who.auth })).json().items.map((e: { id: number }) => e.id)).not.toContain(created.id);
    }
    // Only admins write; a platform-wide endpoint is the admins' alone.
    expect((await register({ client_id: client.id, url: `${base}/x`, event_types: ['test.verdict'] }, cs.auth)).statusCode).toBe(403);
    const platform = (await register({ url: `${base}/platform`, event_types: ['invoice.issued'] })).json();
    expect(platform.client_id).toBeNull();
    expect((await h.app.inject({ url: `/v1/webhooks/${platform.id}`, headers: own.auth })).statusCode).toBe(404);
    expect((await h.app.inject({ url: `/v1/webhooks/${platform.id}`, headers: cs.auth })).statusCode).toBe(404);
    await h.app.inject({ method: 'DELETE', url: `/v1/webhooks/${platform.id}`, headers: admin.auth });

    // Only http(s); only catalogue event types.
    const ftp = await register({ url: 'ftp://files.example/hook', event_types: ['test.verdict'] });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json().error.details[0].path).toBe('/body/url');
    expect((await register({ url: `${base}/x`, event_types: ['no.such_event'] })).statusCode).toBe(400);
  });

  it('refuses addresses that are not public when private ones are not allowed (production)', () => {
    expect(endpointUrlRefusal('https://hooks.example/a', false)).toBeUndefined();
    for (const url of ['http://127.0.0.1:9/a', 'http://localhost/a', 'http://10.1.2.3/a', 'http://[::1]/a', 'http://169.254.169.254/latest', 'http://192.168.0.1/']) {
      expect([url, endpointUrlRefusal(url, false)]).toEqual([url, 'not a public address']);
      expect(endpointUrlRefusal(url, true)).toBeUndefined();
    }
    expect(endpointUrlRefusal('file:///etc/passwd', true)).toBe('only http:// and https:// URLs');
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('8.8.8.8')).toBe(true);
  });
});

describe('deliveries', () => {
  it('signed per Standard Webhooks: the receiver verifies with the secret and rejects a tampered body; one delivery per event id', async () => {
    const client = await makeClient(h.db);
    const { id, secret } = (await register({ client_id: client.id, url: `${base}/signed`, event_types: ['test.verdict'] })).json();
    const other = (await register({ client_id: client.id, url: `${base}/other-type`, event_types: ['invoice.issued'] })).json();
    const e = event('test.verdict', client.id, { test_id: 7, outcome: 'win' });
    const first = await deliverToWebhooks(deps(), e);
    // Another client's event and another type reach neither endpoint; the same event again adds nothing.
    // (Checked by the endpoints' own rows: other files' platform-wide endpoints may take any event.)
    const elsewhere = event('test.verdict', (await makeClient(h.db)).id);
    await deliverToWebhooks(deps(), elsewhere);
    expect(await delivery(id, elsewhere.id)).toBeUndefined();
    expect(await deliverToWebhooks(deps(), e)).toEqual(first);
    expect(await h.db.selectFrom('webhook_deliveries').select('endpoint_id').where('event_id', '=', e.id).where('endpoint_id', 'in', [id, other.id]).execute()).toEqual([{ endpoint_id: id }]);
    expect(await delivery(other.id, e.id)).toBeUndefined();

    const row = await eventually(async () => ((await delivery(id, e.id))?.status === 'succeeded' ? delivery(id, e.id) : undefined), 60_000);
    expect(row).toMatchObject({ attempts: 1, last_status_code: 200, last_error: null });
    expect(row!.last_latency_ms).toBeGreaterThanOrEqual(0);
    const [got, ...more] = at('/signed');
    expect(more).toEqual([]);
    expect(got!.headers['webhook-id']).toBe(row!.message_id);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toEqual({ type: 'test.verdict', timestamp: e.occurredAt, data: { event_id: e.id, client_id: client.id, test_id: 7, outcome: 'win' } });
    expect(() => new Webhook(secret).verify(got!.body.replace('"win"', '"loss"'), got!.headers)).toThrow(/signature/i);
    expect(() => new Webhook(`whsec_${Buffer.alloc(24, 9).toString('base64')}`).verify(got!.body, got!.headers)).toThrow(/signature/i);

    // The log, readable by the client's users.
    const own = await userWithToken(h.db, 'client', { clientId: client.id });
    const log = await h.app.inject({ url: `/v1/webhooks/${id}/deliveries`, headers: own.auth });
    expect(log.json().items).toEqual([expect.objectContaining({ event_id: e.id, event_type: 'test.verdict', status: 'succeeded', attempts: 1, last_status_code: 200 })]);
  });

  it('retries after the receiver answers 500, then succeeds: one delivery id, several attempts', async () => {
    const client = await makeClient(h.db);
    script.set('/flaky', [500, 500, 200]);
    const { id, secret } = (await register({ client_id: client.id, url: `${base}/flaky`, event_types: ['offer.published'] })).json();
    const e = event('offer.published', client.id, { offer_id: 1 });
    await deliverToWebhooks(deps(), e);
    const row = await eventually(async () => ((await delivery(id, e.id))?.status === 'succeeded' ? delivery(id, e.id) : undefined), 60_000);
    expect(row).toMatchObject({ attempts: 3, last_status_code: 200 });
    const tries = at('/flaky');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers['webhook-id']))).toEqual(new Set([row!.message_id]));
    for (const t of tries) expect(new Webhook(secret).verify(t.body, t.headers)).toMatchObject({ type: 'offer.published' });
  });

  it('after a rotation both secrets verify until the overlap ends; Slack format sends {text}', async () => {
    const client = await makeClient(h.db);
    const created = (await register({ client_id: client.id, url: `${base}/rotated`, event_types: ['invoice.issued'] })).json();
    const rotated = await h.app.inject({ method: 'POST', url: `/v1/webhooks/${created.id}/rotate`, headers: admin.auth });
    expect(rotated.statusCode, rotated.body).toBe(201);
    const { secret } = rotated.json();
    expect(secret).not.toBe(created.secret);
    expect(rotated.json().previous_secret_until).not.toBeNull();
    const e = event('invoice.issued', client.id, { invoice_id: 3 });
    await deliverToWebhooks(deps(), e);
    await eventually(async () => (await delivery(created.id, e.id))?.status === 'succeeded', 60_000);
    const [got] = at('/rotated');
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toMatchObject({ type: 'invoice.issued' });
    expect(new Webhook(created.secret).verify(got!.body, got!.headers)).toMatchObject({ type: 'invoice.issued' });
    // Past the overlap only the new secret signs.
    await h.db.updateTable('webhook_endpoints').set({ previous_secret_until: new Date(Date.now() - 1000) }).where('id', '=', created.id).execute();
    const later = event('invoice.issued', client.id);
    await deliverToWebhooks(deps(), later);
    await eventually(async () => (await delivery(created.id, later.id))?.status === 'succeeded', 60_000);
    const last = at('/rotated')[1]!;
    expect(last.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => new Webhook(created.secret).verify(last.body, last.headers)).toThrow(/signature/i);

    const slack = (await register({ client_id: client.id, url: `${base}/slack`, event_types: ['test.verdict'], format: 'slack' })).json();
    const v = event('test.verdict', client.id, { test_id: 9, outcome: 'win' });
    await deliverToWebhooks(deps(), v);
    await eventually(async () => (await delivery(slack.id, v.id))?.status === 'succeeded', 60_000);
    expect(JSON.parse(at('/slack')[0]!.body)).toEqual({ text: `*test.verdict* (client ${client.id})\ntest_id: 9\noutcome: win` });
  });

  it('an endpoint is disabled after consecutive failed deliveries (retries exhausted), and receives nothing more', async () => {
    const client = await makeClient(h.db);
    script.set('/down', [500]);
    const { id } = (await register({ client_id: client.id, url: `${base}/down`, event_types: ['test.warning'] })).json();
    const watcher = { email: `admin-${randomUUID().slice(0, 8)}@kaizen.example` };
    await h.db.updateTable('users').set({ email: watcher.email, locale: 'en' }).where('id', '=', admin.user.id).execute();
    const first = event('test.warning', client.id);
    await deliverToWebhooks(deps(), first);
    const failed = await eventually(async () => ((await delivery(id, first.id))?.status === 'failed' ? delivery(id, first.id) : undefined), 90_000);
    expect(failed).toMatchObject({ attempts: 4, last_status_code: 500, last_error: 'HTTP 500' });
    let endpoint = (await h.app.inject({ url: `/v1/webhooks/${id}`, headers: admin.auth })).json();
    expect(endpoint).toMatchObject({ consecutive_failures: 1, disabled_at: null });

    const second = event('test.warning', client.id);
    await deliverToWebhooks(deps(), second);
    await eventually(async () => (await delivery(id, second.id))?.status === 'failed', 90_000);
    endpoint = (await h.app.inject({ url: `/v1/webhooks/${id}`, headers: admin.auth })).json();
    expect(endpoint).toMatchObject({ consecutive_failures: 2, disabled_reason: '2 consecutive failed deliveries' });
    expect(endpoint.disabled_at).not.toBeNull();
    const ignored = event('test.warning', client.id);
    await deliverToWebhooks(deps(), ignored);
    expect(await delivery(id, ignored.id)).toBeUndefined();
    // Every admin with an address is e-mailed (the embedded SMTP server's mailbox), in their language.
    const mail = await eventually(
      () => h.db.selectFrom('mailbox_messages').selectAll().where(sql<boolean>`${watcher.email} = any(rcpt_to)`).where('subject', '=', `Webhook endpoint ${id} disabled`).executeTakeFirst(),
      60_000,
    );
    expect(mail.text).toContain(`${base}/down`);
    expect(mail.text).toContain('2 consecutive failed deliveries');

    // Re-enabled by an admin, it receives again and its count starts over.
    script.set('/down', [200]);
    const enabled = await h.app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: admin.auth, payload: { enabled: true } });
    expect(enabled.json()).toMatchObject({ disabled_at: null, consecutive_failures: 0 });
    const third = event('test.warning', client.id);
    await deliverToWebhooks(deps(), third);
    await eventually(async () => (await delivery(id, third.id))?.status === 'succeeded', 60_000);
  });
});
