// Site keys (issue 15): a public key per client site, usable only from its allowed origins, only for
// that client's running tests, within its rate limits; CS creates, rotates and revokes it. And the SDK
// is served at stable URLs.
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armStats, armStatsFromFacts } from '../../src/cycles/traffic.ts';
import { assignVariant } from '../../src/domain/assignment.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { runningTest, type TrafficFixture } from '../fixtures/traffic.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(() => h.close());

const SHOP = 'https://shop.example';

async function newKey(f: TrafficFixture, body: Record<string, unknown> = {}, auth = cs.auth) {
  return h.app.inject({ method: 'POST', url: `/v1/clients/${f.clientId}/site-keys`, headers: auth, payload: { origins: [SHOP], ...body } });
}
const config = (key: string, headers: Record<string, string> = { origin: SHOP }) => h.app.inject({ url: `/v1/site/config?key=${key}`, headers });
const events = (key: string, evs: unknown[], headers: Record<string, string> = { origin: SHOP }) =>
  h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers, payload: { events: evs } });

describe('site keys', () => {
  it('CS managing the client creates one (shown once), another CS may not; the list never shows keys', async () => {
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const res = await newKey(f, { label: 'prod', origins: ['https://shop.example/', 'http://localhost:8080'] });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created.key).toMatch(/^kzk_/);
    expect(created).toMatchObject({ client_id: f.clientId, label: 'prod', origins: [SHOP, 'http://localhost:8080'], rate_per_minute: 6000, visitor_events_per_minute: 300, key_prefix: created.key.slice(0, 10) });
    const other = await userWithToken(h.db, 'cs_manager');
    expect((await newKey(f, {}, other.auth)).statusCode).toBe(403);
    const bad = await newKey(f, { origins: ['https://shop.example/path'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('/body/origins');
    const own = await userWithToken(h.db, 'client', { clientId: f.clientId });
    const list = await h.app.inject({ url: `/v1/clients/${f.clientId}/site-keys`, headers: own.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    expect(list.body).not.toContain(created.key);
    expect(list.body).not.toContain('key_hash');
    const stranger = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    expect((await h.app.inject({ url: `/v1/clients/${f.clientId}/site-keys`, headers: stranger.auth })).statusCode).toBe(403);
  });

  it("serves the client's running tests from an allowed origin only, with an ETag; user tokens are not site keys", async () => {
    const f = await runningTest(h.db, cs.user.id, [0.5, 0.25, 0.25]);
    const other = await runningTest(h.db, cs.user.id, [1, 1]);
    const { key } = (await newKey(f)).json();
    const res = await config(key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    const body = res.json();
    expect(body.client_id).toBe(f.clientId);
    expect(body.tests.map((t: { id: number }) => t.id)).toEqual([f.testId]);
    expect(body.tests[0]).toMatchObject({ page_url: f.pageUrl, holdout_percent: 0, variants: f.variants.map((v) => ({ id: v.id, arm: v.arm, position: v.position, weight: v.weight })) });
    expect(other.clientId).not.toBe(f.clientId);
    const etag = res.headers.etag as string;
    expect((await config(key, { origin: SHOP, 'if-none-match': etag })).statusCode).toBe(304);
    // Compressed per Accept-Encoding: the same JSON, an ETag per coding, any of them revalidates.
    const br = await config(key, { origin: SHOP, 'accept-encoding': 'gzip, deflate, br' });
    const gz = await config(key, { origin: SHOP, 'accept-encoding': 'gzip' });
    expect([br.headers['content-encoding'], gz.headers['content-encoding']]).toEqual(['br', 'gzip']);
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(res.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(res.body);
    expect(new Set([etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
    expect((await config(key, { origin: SHOP, 'accept-encoding': 'gzip, br', 'if-none-match': br.headers.etag as string })).statusCode).toBe(304);
    expect((await config(key, { origin: SHOP, 'if-none-match': gz.headers.etag as string })).statusCode).toBe(304);
    expect((await config(key, { origin: SHOP, 'accept-encoding': 'br', 'if-none-match': '"other"' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/v1/site/config', headers: { origin: SHOP, 'x-site-key': key } })).statusCode).toBe(200);

    expect((await config(key, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await config(key, {})).statusCode).toBe(403);
    expect((await h.app.inject({ url: '/v1/site/config', headers: { origin: SHOP } })).statusCode).toBe(401);
    expect((await config('kzk_nope')).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/v1/site/config', headers: { origin: SHOP, ...cs.auth } })).statusCode).toBe(401);
  });

  it("counts the site's events once (text/plain too), rejects other clients' and stopped tests, and races safely", async () => {
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const foreign = await runningTest(h.db, cs.user.id, [1, 1]);
    const stopped = await runningTest(h.db, cs.user.id, [1, 1], f.clientId);
    await h.db.updateTable('tests').set({ status: 'completed', stopped_at: new Date() }).where('id', '=', stopped.testId).execute();
    const { key } = (await newKey(f)).json();
    const batch = Array.from({ length: 300 }, (_, i) => ({ test_id: f.testId, event_id: `e${i}`, visitor_id: `v${i % 50}`, type: i % 6 === 0 ? 'conversion' : 'exposure', ...(i % 6 === 0 ? { value: 100 } : {}) }));
    const raced = await Promise.all([events(key, batch), events(key, [...batch].reverse()), events(key, batch)]);
    for (const r of raced) expect(r.statusCode, r.body).toBe(200);
    expect(raced.reduce((s, r) => s + r.json().accepted, 0)).toBe(300);
    expect(raced.reduce((s, r) => s + r.json().duplicates, 0)).toBe(600);
    expect(await armStats(h.db, f.testId)).toEqual(await armStatsFromFacts(h.db, f.testId));

    const mixed = await events(key, [
      { test_id: foreign.testId, event_id: 'f1', visitor_id: 'v1', type: 'exposure' },
      { test_id: stopped.testId, event_id: 's1', visitor_id: 'v1', type: 'exposure' },
      { test_id: 999_999_999, event_id: 'u1', visitor_id: 'v1', type: 'exposure' },
      { test_id: f.testId, event_id: 'ok1', visitor_id: 'v-new', type: 'exposure' },
    ]);
    expect(mixed.json()).toEqual({ accepted: 1, duplicates: 0, rejected: 3, rate_limited: 0 });
    expect(await h.db.selectFrom('test_events').select('event_id').where('test_id', 'in', [foreign.testId, stopped.testId]).execute()).toEqual([]);

    // sendBeacon's text/plain body.
    const beacon = await h.app.inject({
      method: 'POST',
      url: `/v1/site/events?key=${key}`,
      headers: { origin: SHOP, 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify({ events: [{ test_id: f.testId, event_id: 'b1', visitor_id: 'v-beacon', type: 'exposure' }] }),
    });
    expect(beacon.statusCode, beacon.body).toBe(200);
    expect(beacon.json().accepted).toBe(1);
    const broken = await h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP, 'content-type': 'text/plain' }, payload: '{nope' });
    expect(broken.statusCode).toBe(400);
    // A bad event names its field.
    const bad = await events(key, [{ test_id: f.testId, event_id: 'x', visitor_id: 'v', type: 'click' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/events/0/type');
    // The user-token route still works for server-to-server use, with the same counting.
    const server = await h.app.inject({ method: 'POST', url: `/v1/tests/${f.testId}/events`, headers: cs.auth, payload: { events: [{ event_id: 'ok1', visitor_id: 'v-new', type: 'exposure' }] } });
    expect(server.json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('limits requests per key and events per visitor', async () => {
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const { key } = (await newKey(f, { rate_per_minute: 3, visitor_events_per_minute: 2 })).json();
    const one = (id: string, visitor: string) => ({ test_id: f.testId, event_id: id, visitor_id: visitor, type: 'exposure' });
    const first = await events(key, [one('a', 'busy'), one('b', 'busy'), one('c', 'busy'), one('d', 'calm')]);
    expect(first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: 0, rate_limited: 1 });
    expect((await config(key)).statusCode).toBe(200);
    expect((await config(key)).statusCode).toBe(200);
    const limited = await config(key);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rotation keeps the old key for the overlap; revocation stops a key at once', async () => {
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const created = (await newKey(f)).json();
    const rotated = await h.app.inject({ method: 'POST', url: `/v1/site-keys/${created.id}/rotate`, headers: cs.auth, payload: { overlap_minutes: 30 } });
    expect(rotated.statusCode, rotated.body).toBe(201);
    const { key: fresh, replaced } = rotated.json();
    expect(replaced.replaced_by).toBe(fresh.id);
    expect(Date.parse(replaced.expires_at) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((await config(created.key)).statusCode).toBe(200);
    expect((await config(fresh.key)).statusCode).toBe(200);
    expect(fresh.origins).toEqual([SHOP]);

    const revoked = await h.app.inject({ method: 'DELETE', url: `/v1/site-keys/${fresh.id}`, headers: cs.auth });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).not.toBeNull();
    expect((await config(fresh.key)).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: `/v1/site-keys/${fresh.id}/rotate`, headers: cs.auth, payload: {} })).statusCode).toBe(409);
    // Rotation without overlap revokes the old key now.
    const now = (await h.app.inject({ method: 'POST', url: `/v1/site-keys/${created.id}/rotate`, headers: cs.auth, payload: {} })).json();
    expect((await config(created.key)).statusCode).toBe(401);
    expect((await config(now.key.key)).statusCode).toBe(200);
    const other = await userWithToken(h.db, 'cs_manager');
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/site-keys/${now.key.id}`, headers: other.auth })).statusCode).toBe(403);
  });

  it('serves the SDK as an ES module and a classic script, gzipped on request, cacheable', async () => {
    const mjs = await h.app.inject({ url: '/sdk/v1.mjs', headers: { 'accept-encoding': 'gzip' } });
    expect(mjs.statusCode).toBe(200);
    expect(mjs.headers['content-type']).toMatch(/text\/javascript/);
    expect(mjs.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(mjs.rawPayload).toString()).toMatch(/export\{/);
    // The SDK's budget (issue 22: it applies change sets with dom-mutator): ≤ 8 KB gzipped.
    expect(mjs.rawPayload.length).toBeLessThanOrEqual(8 * 1024);
    const js = await h.app.inject({ url: '/sdk/v1.js' });
    expect(js.body).toMatch(/var Kaizen=/);
    expect((await h.app.inject({ url: '/sdk/v1.js', headers: { 'if-none-match': js.headers.etag as string } })).statusCode).toBe(304);
  });

  it('the site sees the same variant the server assigns', async () => {
    const f = await runningTest(h.db, cs.user.id, [0.6, 0.4]);
    const { key } = (await newKey(f)).json();
    const cfg = (await config(key)).json();
    const { assign } = await import('../../sdk/src/rule.ts');
    for (let i = 0; i < 200; i++) expect(assign(cfg.client_id, cfg.tests[0], `vis-${i}`).variant.id).toBe(assignVariant(f.testId, `vis-${i}`, f.variants).id);
  });

  it('never logs a site key or a token, even at info', async () => {
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const { key } = (await newKey(f)).json();
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp({ db: h.db, temporal: h.temporal, config: h.config, log: pino({ level: 'info' }, sink) });
    try {
      await app.ready();
      expect((await app.inject({ url: `/v1/site/config?key=${key}`, headers: { origin: SHOP } })).statusCode).toBe(200);
      expect((await app.inject({ url: '/v1/site/config', headers: { origin: SHOP, 'x-site-key': key } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP }, payload: { events: [{ test_id: f.testId, event_id: 'l1', visitor_id: 'v', type: 'exposure' }] } })).statusCode).toBe(200);
      expect((await app.inject({ url: `/v1/site/config?key=${key}`, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
      expect((await app.inject({ url: '/v1/me', headers: cs.auth })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('');
    expect(all).not.toContain(key);
    expect(all).not.toContain(cs.token);
  });
});
