// GET /metrics (issue 29): Prometheus text for admins only, with request latency per route pattern,
// site events per outcome as the SDK posts them, the database pool, and figures read from Postgres at
// the scrape (verdicts, payout items) — the same in every API process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { runningTest } from '../fixtures/traffic.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

const SHOP = 'https://shop.example';
/** The value of one series in Prometheus text, or undefined. */
const series = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

describe('GET /metrics', () => {
  it('admins only; latency per route pattern; site events per outcome; pool and database figures', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/metrics', headers: cs.auth })).statusCode).toBe(403);

    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const created = await h.app.inject({ method: 'POST', url: `/v1/clients/${f.clientId}/site-keys`, headers: cs.auth, payload: { origins: [SHOP] } });
    const key = created.json().key as string;
    const before = await h.app.inject({ url: '/metrics', headers: admin.auth });
    const accepted0 = series(before.body, 'kaizen_site_events_total', 'outcome="accepted"') ?? 0;
    const events = [
      { test_id: f.testId, event_id: 'm1', visitor_id: 'v1', type: 'exposure' },
      { test_id: f.testId, event_id: 'm2', visitor_id: 'v2', type: 'exposure' },
      { test_id: 999_999_999, event_id: 'm3', visitor_id: 'v3', type: 'exposure' },
    ];
    const posted = await h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP }, payload: { events } });
    expect(posted.statusCode, posted.body).toBe(200);
    await h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP }, payload: { events: events.slice(0, 1) } });

    const res = await h.app.inject({ url: '/metrics', headers: admin.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(series(res.body, 'kaizen_site_events_total', 'outcome="accepted"')).toBe(accepted0 + 2);
    expect(series(res.body, 'kaizen_site_events_total', 'outcome="duplicate"')).toBeGreaterThanOrEqual(1);
    expect(series(res.body, 'kaizen_site_events_total', 'outcome="rejected"')).toBeGreaterThanOrEqual(1);
    // The route pattern, never the URL with its ids or keys.
    expect(series(res.body, 'kaizen_http_request_duration_seconds_count', 'route="/v1/clients/:id/site-keys",method="POST",status="201"')).toBe(1);
    expect(res.body).not.toContain(key);
    expect(series(res.body, 'kaizen_db_pool_connections', 'state="total"')).toBeGreaterThan(0);
    // Read from Postgres at the scrape: present even when no verdict exists in this process.
    expect(res.body).toMatch(/^# TYPE kaizen_verdicts gauge$/m);
    expect(res.body).toMatch(/^# TYPE kaizen_payout_items gauge$/m);
    expect(res.body).toMatch(/^kaizen_process_process_cpu_seconds_total /m);
  });
});
