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
