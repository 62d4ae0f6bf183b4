// CS scope: every CS manager reads every engagement, but changes only the ones they manage; an
// admin changes any and reassigns them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

describe('CS scope', () => {
  it('a CS manager changes only engagements they manage; an admin reassigns', async () => {
    const a = await userWithToken(h.db, 'cs_manager');
    const b = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const client = await makeClient(h.db);
    const e = (await h.app.inject({ method: 'POST', url: '/v1/engagements', headers: a.auth, payload: { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 400_000 } })).json();
    const as = (who: { auth: { authorization: string } }, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
      h.app.inject({ method, url, headers: who.auth, ...(payload ? { payload } : {}) }).then((r) => ({ status: r.statusCode, body: r.json() }));

    expect((await as(b, 'GET', `/v1/engagements/${e.id}`)).status).toBe(200);
    expect((await as(b, 'GET', `/v1/engagements/${e.id}/settings`)).status).toBe(200);
    const refused = await as(b, 'PUT', `/v1/engagements/${e.id}/settings`, { planning_seconds: 60 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/do not manage engagement/);
    expect((await as(b, 'PUT', `/v1/engagements/${e.id}/team`, { hacker_ids: [] })).status).toBe(403);
    expect((await as(b, 'POST', `/v1/engagements/${e.id}/pages`, { url: 'https://b.example/', page_type: 'lp', baseline_rate: 0.1, daily_visitors: 10, value_per_conversion_yen: 100 })).status).toBe(403);
    expect((await as(b, 'POST', `/v1/engagements/${e.id}/end`, { mode: 'at_month_end' })).status).toBe(403);
    expect((await as(a, 'PUT', `/v1/engagements/${e.id}/settings`, { planning_seconds: 60 })).status).toBe(200);

    expect((await as(a, 'PUT', `/v1/engagements/${e.id}/cs-manager`, { cs_manager_id: b.user.id })).status).toBe(403);
    expect((await as(admin, 'PUT', `/v1/engagements/${e.id}/cs-manager`, { cs_manager_id: admin.user.id })).status).toBe(400);
    const moved = await as(admin, 'PUT', `/v1/engagements/${e.id}/cs-manager`, { cs_manager_id: b.user.id });
    expect(moved.status).toBe(200);
    expect(moved.body.cs_manager_id).toBe(b.user.id);
    expect((await as(b, 'PUT', `/v1/engagements/${e.id}/settings`, { planning_seconds: 90 })).status).toBe(200);
    expect((await as(a, 'PUT', `/v1/engagements/${e.id}/settings`, { planning_seconds: 30 })).status).toBe(403);
    expect((await as(admin, 'PUT', `/v1/engagements/${e.id}/settings`, { planning_seconds: 45 })).status).toBe(200);
  });
});

describe('CS scope of the client-wide and billing writes (issue 20)', () => {
  // Found from outside: CS2, who manages only client B, changed client A's holdout, team, price plan
  // and partner while A's settings, pages, plan and stop refused them.
  it("a CS manager of another client cannot change a client's holdout, team, price plan, partner or open an engagement for it", async () => {
    const cs1 = await userWithToken(h.db, 'cs_manager');
    const cs2 = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const [clientA, clientB] = [await makeClient(h.db), await makeClient(h.db)];
    const call = (who: { auth: { authorization: string } }, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
      h.app.inject({ method, url, headers: who.auth, ...(payload ? { payload } : {}) }).then((r) => ({ status: r.statusCode, body: r.json() }));
    const newEngagement = (clientId: number) => ({ client_id: clientId, offer_mode: 'open', monthly_fee_yen: 400_000 });
    const eA = (await call(cs1, 'POST', '/v1/engagements', newEngagement(clientA.id))).body;
    expect((await call(cs2, 'POST', '/v1/engagements', newEngagement(clientB.id))).status).toBe(201);
    const partner = (await call(admin, 'POST', '/v1/partners', { name: 'Scope Partner', legal_name: 'スコープ株式会社' })).body;
    const stateOfA = async () => ({
      holdout: (await h.db.selectFrom('clients').select('holdout_percent').where('id', '=', clientA.id).executeTakeFirstOrThrow()).holdout_percent,
      team: (await call(admin, 'GET', `/v1/engagements/${eA.id}/team`)).body.members,
      plan: (await call(admin, 'GET', `/v1/engagements/${eA.id}/price-plan`)).body,
      partner: (await call(admin, 'GET', `/v1/partners/${partner.id}/engagements`)).body.items,
      engagements: (await call(admin, 'GET', `/v1/engagements?client_id=${clientA.id}`)).body.items.length,
    });
    const before = await stateOfA();

    const writes: [method: 'PUT' | 'POST', url: string, body: object][] = [
      ['PUT', `/v1/clients/${clientA.id}/holdout`, { holdout_percent: 50 }],
      ['POST', `/v1/engagements/${eA.id}/team/form`, {}],
      ['PUT', `/v1/engagements/${eA.id}/price-plan`, { platform_fee_yen: 1 }],
      ['PUT', `/v1/engagements/${eA.id}/partner`, { partner_id: partner.id, mode: 'resale', wholesale_bp: 1 }],
      ['POST', '/v1/engagements', newEngagement(clientA.id)],
    ];
    const answers = [];
    for (const [method, url, body] of writes) answers.push(`${method} ${url} → ${(await call(cs2, method, url, body)).status}`);
    expect(answers).toEqual(writes.map(([method, url]) => `${method} ${url} → 403`));
    expect(await stateOfA()).toEqual(before);

    // A's own CS manager and an admin still can.
    expect((await call(cs1, 'PUT', `/v1/clients/${clientA.id}/holdout`, { holdout_percent: 5 })).status).toBe(200);
    expect((await call(cs1, 'PUT', `/v1/engagements/${eA.id}/price-plan`, { platform_fee_yen: 300_000 })).status).toBe(200);
    expect((await call(admin, 'PUT', `/v1/clients/${clientA.id}/holdout`, { holdout_percent: 10 })).status).toBe(200);
    // A client nobody manages yet (just created) may be taken on by any CS manager.
    const fresh = (await call(cs2, 'POST', '/v1/clients', { name: 'Fresh KK', industry: 'retail' })).body;
    expect((await call(cs2, 'POST', '/v1/engagements', newEngagement(fresh.id))).status).toBe(201);
  });
});
