import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import type { AuthFailureLimits } from '../../src/config.ts';
import { createDb } from '../../src/db/index.ts';
import { generateToken } from '../../src/db/users.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
const closing: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  for (const close of closing) await close();
  await h.close();
});

/** Another API process on the same database: its own pool, token cache and limiter; these limits. */
async function apiProcess(limits: AuthFailureLimits): Promise<FastifyInstance> {
  const db = createDb(h.config.databaseUrl!, 2);
  const app = await buildApp({ db, temporal: h.temporal, config: { ...h.config, authFailures: limits }, log: createLogger({ logLevel: 'error', logPretty: false }, 'test') });
  await app.ready();
  closing.push(() => app.close(), () => db.destroy());
  return app;
}

/** A client address no other test (or file) uses, so counters never mix. */
const address = () => `10.${randomBytes(3).join('.')}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const expect429 = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }, windowSeconds: number) => {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/too many failed/), params: {}, details: [] } });
  const retry = Number(res.headers['retry-after']);
  expect(Number.isInteger(retry) && retry >= 1 && retry <= windowSeconds, `Retry-After ${String(res.headers['retry-after'])}`).toBe(true);
};

describe('API errors and auth', () => {
  it('serves health, readiness and the OpenAPI document without a token', async () => {
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ db: 'ok', temporal: 'ok' });
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/clients', '/v1/engagements/{id}', '/v1/engagements/{id}/end']));
    expect((await h.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('401 without a token and with a bad one, in the error shape', async () => {
    const none = await h.app.inject({ url: '/v1/clients' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), params: {}, details: [] } });
    const bad = await h.app.inject({ url: '/v1/clients', headers: { authorization: 'Bearer kzd_nope' } });
    expect(bad.statusCode).toBe(401);
  });

  it('bad bearer tokens from one address: 401 up to the limit, then 429 with Retry-After before any lookup; other addresses unaffected', async () => {
    const { perAddress, windowSeconds } = h.config.authFailures;
    const attacker = address();
    // Each guess a different token (different prefixes): only the address limit can stop them.
    for (let i = 0; i < perAddress; i++) {
      expect((await h.app.inject({ url: '/v1/me', remoteAddress: attacker, headers: bearer(generateToken()) })).statusCode).toBe(401);
    }
    expect429(await h.app.inject({ url: '/v1/me', remoteAddress: attacker, headers: bearer(generateToken()) }), windowSeconds);
    // Blocked before the lookup: even a real token this process has not just seen is refused from there.
    const good = await userWithToken(h.db, 'finance');
    expect429(await h.app.inject({ url: '/v1/me', remoteAddress: attacker, headers: good.auth }), windowSeconds);
    // Anyone else is not slowed.
    const me = await h.app.inject({ url: '/v1/me', remoteAddress: address(), headers: good.auth });
    expect(me.statusCode).toBe(200);
    expect(me.headers['retry-after']).toBeUndefined();
    // Bad session cookies count the same way.
    const cookieAttacker = address();
    for (let i = 0; i < perAddress; i++) {
      expect((await h.app.inject({ url: '/v1/me', remoteAddress: cookieAttacker, headers: { cookie: `kaizen_session=kzs_${randomBytes(32).toString('base64url')}` } })).statusCode).toBe(401);
    }
    expect429(await h.app.inject({ url: '/v1/me', remoteAddress: cookieAttacker, headers: { cookie: `kaizen_session=kzs_${randomBytes(32).toString('base64url')}` } }), windowSeconds);
  });

  it('bad session sign-ins (POST /v1/session) from one address: 429 after the limit; a good sign-in elsewhere still works', async () => {
    const { perAddress, windowSeconds } = h.config.authFailures;
    const attacker = address();
    for (let i = 0; i < perAddress; i++) {
      expect((await h.app.inject({ method: 'POST', url: '/v1/session', remoteAddress: attacker, headers: bearer(generateToken()) })).statusCode).toBe(401);
    }
    expect429(await h.app.inject({ method: 'POST', url: '/v1/session', remoteAddress: attacker, headers: bearer(generateToken()) }), windowSeconds);
    const good = await userWithToken(h.db, 'cs_manager');
    expect((await h.app.inject({ method: 'POST', url: '/v1/session', remoteAddress: address(), headers: good.auth })).statusCode).toBe(201);
  });

  it('many addresses guessing at one token prefix: 429 for that prefix only', async () => {
    const limits = { perAddress: 1000, perPrefix: 3, windowSeconds: 3600 };
    const app = await apiProcess(limits);
    const known = generateToken().slice(0, 12);
    const guess = () => known + randomBytes(32).toString('base64url').slice(0, 31);
    for (let i = 0; i < limits.perPrefix; i++) expect((await app.inject({ url: '/v1/me', remoteAddress: address(), headers: bearer(guess()) })).statusCode).toBe(401);
    expect429(await app.inject({ url: '/v1/me', remoteAddress: address(), headers: bearer(guess()) }), limits.windowSeconds);
    // Another prefix from the same kind of caller is only a bad token; real tokens work.
    expect((await app.inject({ url: '/v1/me', remoteAddress: address(), headers: bearer(generateToken()) })).statusCode).toBe(401);
    const good = await userWithToken(h.db, 'admin');
    expect((await app.inject({ url: '/v1/me', remoteAddress: address(), headers: good.auth })).statusCode).toBe(200);
  });

  it('an IPv6 caller is one /64: hopping addresses inside it does not escape the limit', async () => {
    const limits = { perAddress: 3, perPrefix: 1000, windowSeconds: 3600 };
    const app = await apiProcess(limits);
    const net = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    for (const host of ['::1', ':0:0:0:2', '::abcd:3']) {
      expect((await app.inject({ url: '/v1/me', remoteAddress: `${net}${host}`, headers: bearer(generateToken()) })).statusCode).toBe(401);
    }
    expect429(await app.inject({ url: '/v1/me', remoteAddress: `${net}:ffff::9`, headers: bearer(generateToken()) }), limits.windowSeconds);
    expect((await app.inject({ url: '/v1/me', remoteAddress: `2001:db9:${randomBytes(2).toString('hex')}::1`, headers: bearer(generateToken()) })).statusCode).toBe(401);
  });

  it('two API processes share the limit: failures in one count in the other', async () => {
    const limits = { perAddress: 6, perPrefix: 1000, windowSeconds: 3600 };
    const [one, two] = [await apiProcess(limits), await apiProcess(limits)];
    const attacker = address();
    const fail = async (app: FastifyInstance) => (await app.inject({ url: '/v1/me', remoteAddress: attacker, headers: bearer(generateToken()) })).statusCode;
    for (let i = 0; i < 3; i++) expect(await fail(one)).toBe(401);
    for (let i = 0; i < 3; i++) expect(await fail(two)).toBe(401);
    // The first process never saw the sixth failure: it learns the block from Postgres, before a lookup.
    expect429(await one.inject({ url: '/v1/me', remoteAddress: attacker, headers: bearer(generateToken()) }), limits.windowSeconds);
    expect429(await two.inject({ url: '/v1/me', remoteAddress: attacker, headers: bearer(generateToken()) }), limits.windowSeconds);
    // A second attacker blocked in the first process is blocked in the second at once.
    const other = address();
    for (let i = 0; i < limits.perAddress; i++) expect((await one.inject({ url: '/v1/me', remoteAddress: other, headers: bearer(generateToken()) })).statusCode).toBe(401);
    const good = await userWithToken(h.db, 'finance');
    expect429(await two.inject({ url: '/v1/me', remoteAddress: other, headers: good.auth }), limits.windowSeconds);
  });

  it('400 names every bad field', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/clients',
      headers: admin.auth,
      payload: { name: '', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('validation_error');
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/name', '/body/industry', '/body/extra']));

    const fee = await h.app.inject({
      method: 'POST',
      url: '/v1/engagements',
      headers: admin.auth,
      payload: { client_id: 1, offer_mode: 'open', monthly_fee_yen: 1.5 },
    });
    expect(fee.statusCode).toBe(400);
    expect(fee.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/monthly_fee_yen');

    const param = await h.app.inject({ url: '/v1/engagements/abc', headers: admin.auth });
    expect(param.statusCode).toBe(400);
    expect(param.json().error.details[0].path).toBe('/params/id');
  });

  it('403 for a role that may not call the route', async () => {
    const finance = await userWithToken(h.db, 'finance');
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/clients',
      headers: finance.auth,
      payload: { name: 'Acme', industry: 'retail' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it("403 when a client user reads another client's data; 404 for what does not exist", async () => {
    const mine = await makeClient(h.db);
    const theirs = await makeClient(h.db);
    const cs = await userWithToken(h.db, 'cs_manager');
    const engagement = await h.db
      .insertInto('engagements')
      .values({
        client_id: theirs.id,
        cs_manager_id: cs.user.id,
        offer_mode: 'open',
        monthly_fee_yen: 500_000,
        start_month: '2026-12',
        status: 'active',
        workflow_id: `engagement-test-${theirs.id}`,
        created_by: cs.user.id,
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    const clientUser = await userWithToken(h.db, 'client', { clientId: mine.id });

    const other = await h.app.inject({ url: `/v1/engagements/${engagement.id}`, headers: clientUser.auth });
    expect(other.statusCode).toBe(403);
    expect((await h.app.inject({ url: `/v1/clients/${theirs.id}`, headers: clientUser.auth })).statusCode).toBe(403);
    const list = await h.app.inject({ url: '/v1/engagements', headers: clientUser.auth });
    expect(list.json().items.every((e: { client_id: number }) => e.client_id === mine.id)).toBe(true);
    const clients = await h.app.inject({ url: '/v1/clients', headers: clientUser.auth });
    expect(clients.json().items.map((c: { id: number }) => c.id)).toEqual([mine.id]);

    const missing = await h.app.inject({ url: '/v1/engagements/999999999', headers: cs.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('admins create users bound to a tenant; the token works once created', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const client = await makeClient(h.db);
    const unbound = await h.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload: { name: 'x', role: 'client' } });
    expect(unbound.statusCode).toBe(400);
    expect(unbound.json().error.details[0].path).toBe('/body/client_id');
    const created = await h.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: admin.auth,
      payload: { name: 'Client staff', role: 'client', client_id: client.id },
    });
    expect(created.statusCode).toBe(201);
    const token = created.json().token;
    const res = await h.app.inject({ url: `/v1/clients/${client.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe(client.name);
  });
});
