import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

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
    expect(none.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });
    const bad = await h.app.inject({ url: '/v1/clients', headers: { authorization: 'Bearer kzd_nope' } });
    expect(bad.statusCode).toBe(401);
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
