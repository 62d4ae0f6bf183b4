// The actions a view offers agree with what the server enforces (issue 21 item 4): for each caller,
// an action the view says is not allowed is refused with the same reason, and one it allows succeeds.
// The session's `can` follows the routes' declared roles.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const call = (who: Auth, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
  h.app.inject({ method, url, headers: who.auth, ...(payload ? { payload } : {}) }).then((r) => ({ status: r.statusCode, body: r.json() }));

describe('actions agree with enforcement', () => {
  it("a payout run in review: the preparer may not approve (four eyes, 403), the other finance user may (200); admin reads but may not decide", async () => {
    const [finA, finB, admin, cs] = [await userWithToken(h.db, 'finance'), await userWithToken(h.db, 'finance'), await userWithToken(h.db, 'admin'), await userWithToken(h.db, 'cs_manager')];
    const client = await makeClient(h.db);
    const e = await h.db
      .insertInto('engagements')
      .values({ client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 1_000_000, start_month: '2026-01', status: 'active', workflow_id: `engagement-actions-${randomUUID()}`, created_by: cs.user.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const hackerId = (await h.db.insertInto('hackers').values({ display_name: 'Actions Payee', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    const payee = await call(finA, 'PUT', `/v1/hackers/${hackerId}/payee`, { bank: { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1234567', holder_name: 'ｱｸｼｮﾝ' } });
    expect(payee.status, JSON.stringify(payee.body)).toBe(200);
    // A month no other file's run takes (one run per month, one database: payout-transfers has 2032-05).
    const month = '2034-08';
    await h.db
      .insertInto('earnings_ledger')
      .values({ unique_key: `adoption_fee:${hackerId}:${randomUUID()}`, hacker_id: hackerId, engagement_id: e.id, cycle_id: null, offer_id: null, proposal_id: null, kind: 'adoption_fee', amount_yen: 100_000, category: 'design', month, delivered_at: `${month}-01T03:00:00Z`, reverses_id: null, description: 'actions line' })
      .execute();

    const opened = await call(finA, 'POST', '/v1/payout-runs', { month });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const runId: number = opened.body.id;
    const asSeenBy = (who: Auth) => eventually(async () => {
      const r = await call(who, 'GET', `/v1/payout-runs/${runId}`);
      return r.body.status === 'review' ? r.body : undefined;
    });

    // The preparer: approve refused with the four-eyes sentence, and the route refuses with it.
    const preparer = await asSeenBy(finA);
    expect(preparer.actions.approve.allowed).toBe(false);
    expect(preparer.actions.approve.reason).toMatch(/four eyes/);
    expect(preparer.actions.reject).toEqual({ allowed: true, reason: null });
    expect(preparer.actions.record_remittance.allowed).toBe(false);
    const selfApprove = await call(finA, 'POST', `/v1/payout-runs/${runId}/approve`);
    expect(selfApprove.status).toBe(403);
    expect(selfApprove.body.error.message).toBe(preparer.actions.approve.reason);

    // An admin reads the run but money decisions are finance's: the role refusal, as the route gives it.
    const byAdmin = await asSeenBy(admin);
    expect(byAdmin.actions.approve).toEqual({ allowed: false, reason: 'role admin may not call this route' });
    expect(byAdmin.actions.hold.allowed).toBe(false);
    const adminApprove = await call(admin, 'POST', `/v1/payout-runs/${runId}/approve`);
    expect(adminApprove.status).toBe(403);
    expect(adminApprove.body.error.message).toBe(byAdmin.actions.approve.reason);

    // The other finance user may, and does.
    const other = await asSeenBy(finB);
    expect(other.actions.approve).toEqual({ allowed: true, reason: null });
    expect(other.actions.hold).toEqual({ allowed: true, reason: null });
    const approved = await call(finB, 'POST', `/v1/payout-runs/${runId}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    // Once decided, nobody may decide again, and the route says the same.
    expect(approved.body.actions.approve.allowed).toBe(false);
    const again = await call(finB, 'POST', `/v1/payout-runs/${runId}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(approved.body.actions.approve.reason);
  });

  it("a CS manager of another client sees the engagement's, cycle's and site keys' changes not allowed and is refused; its own CS manager is allowed", async () => {
    const [mine, other] = [await userWithToken(h.db, 'cs_manager'), await userWithToken(h.db, 'cs_manager')];
    const client = await makeClient(h.db);
    const created = await call(mine, 'POST', '/v1/engagements', { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 400_000 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: number = created.body.id;

    const seenByOther = (await call(other, 'GET', `/v1/engagements/${id}`)).body;
    expect(seenByOther.actions.change_settings.allowed).toBe(false);
    expect(seenByOther.actions.end.allowed).toBe(false);
    expect(seenByOther.actions.reassign).toEqual({ allowed: false, reason: 'role cs_manager may not call this route' });
    const settings = await call(other, 'PUT', `/v1/engagements/${id}/settings`, { planning_seconds: 60 });
    expect(settings.status).toBe(403);
    expect(settings.body.error.message).toBe(seenByOther.actions.change_settings.reason);
    const seenByMine = (await call(mine, 'GET', `/v1/engagements/${id}`)).body;
    expect(seenByMine.actions.change_settings).toEqual({ allowed: true, reason: null });
    expect((await call(mine, 'PUT', `/v1/engagements/${id}/settings`, { planning_seconds: 60 })).status).toBe(200);

    // The month's cycle: planning it is refused to the other CS manager with the reason the view gave.
    const cycle = await eventually(async () => h.db.selectFrom('cycles').select('id').where('engagement_id', '=', id).executeTakeFirst());
    const cycleByOther = (await call(other, 'GET', `/v1/cycles/${cycle.id}`)).body;
    expect(cycleByOther.actions.plan.allowed).toBe(false);
    const plan = await call(other, 'POST', `/v1/cycles/${cycle.id}/plan`, { hypotheses: [{ author: 'cs', problem: 'x', page_id: 1, metric: 'conversion' }] });
    expect(plan.status).toBe(403);
    expect(plan.body.error.message).toBe(cycleByOther.actions.plan.reason);
    expect((await call(mine, 'GET', `/v1/cycles/${cycle.id}`)).body.actions.plan).toEqual({ allowed: true, reason: null });

    // The client's site keys.
    const keysByOther = (await call(other, 'GET', `/v1/clients/${client.id}/site-keys`)).body;
    expect(keysByOther.actions.create.allowed).toBe(false);
    const key = await call(other, 'POST', `/v1/clients/${client.id}/site-keys`, { origins: ['https://shop.example'] });
    expect(key.status).toBe(403);
    expect(key.body.error.message).toBe(keysByOther.actions.create.reason);
    expect((await call(mine, 'GET', `/v1/clients/${client.id}/site-keys`)).body.actions.create).toEqual({ allowed: true, reason: null });
    expect((await call(mine, 'POST', `/v1/clients/${client.id}/site-keys`, { origins: ['https://shop.example'] })).status).toBe(201);
  });

  it("the clients list's manage_site_keys and the cycle's plan_authors are the rules the routes enforce", async () => {
    const [mine, other, admin] = [await userWithToken(h.db, 'cs_manager'), await userWithToken(h.db, 'cs_manager'), await userWithToken(h.db, 'admin')];
    const client = await makeClient(h.db);
    const created = await call(mine, 'POST', '/v1/engagements', { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 400_000, pages: [{ url: 'https://authors.example/', page_type: 'lp', baseline_rate: 0.1, daily_visitors: 5000, value_per_conversion_yen: 100 }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const listed = async (who: Auth) => {
      for (let after = 0; ; ) {
        const page = (await call(who, 'GET', `/v1/clients?limit=500&after_id=${after}`)).body;
        const found = page.items.find((c: { id: number }) => c.id === client.id);
        if (found || page.next_after_id === null) return found;
        after = page.next_after_id;
      }
    };
    const byOther = (await listed(other)).actions.manage_site_keys;
    expect(byOther.allowed).toBe(false);
    const refused = await call(other, 'POST', `/v1/clients/${client.id}/site-keys`, { origins: ['https://authors.example'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(byOther.reason);
    expect((await listed(mine)).actions.manage_site_keys).toEqual({ allowed: true, reason: null });
    expect((await listed(admin)).actions.manage_site_keys).toEqual({ allowed: true, reason: null });

    // A client user may write only the client's hypotheses; CS both.
    const clientUser = await userWithToken(h.db, 'client', { clientId: client.id });
    const cycle = await eventually(async () => h.db.selectFrom('cycles').select('id').where('engagement_id', '=', created.body.id).executeTakeFirst());
    const page = await h.db.selectFrom('pages').select('id').where('engagement_id', '=', created.body.id).executeTakeFirstOrThrow();
    expect((await call(clientUser, 'GET', `/v1/cycles/${cycle.id}`)).body.plan_authors).toEqual(['client']);
    expect((await call(mine, 'GET', `/v1/cycles/${cycle.id}`)).body.plan_authors).toEqual(['client', 'cs']);
    const csByClient = await call(clientUser, 'POST', `/v1/cycles/${cycle.id}/plan`, { hypotheses: [{ author: 'cs', problem: 'x', page_id: page.id, metric: 'conversion' }] });
    expect(csByClient.status).toBe(400);
    expect(csByClient.body.error.details[0].path).toBe('/body/hypotheses/0/author');
  });

  it("the session's `can` is each route's declared roles", async () => {
    const client = await makeClient(h.db);
    const hackerId = (await h.db.insertInto('hackers').values({ display_name: 'Can Hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
    for (const role of ['admin', 'cs_manager', 'finance', 'client', 'hacker'] as const) {
      const who = await userWithToken(h.db, role, { clientId: role === 'client' ? client.id : undefined, hackerId: role === 'hacker' ? hackerId : undefined });
      const can: Record<string, boolean> = (await call(who, 'GET', '/v1/session')).body.can;
      const declared = (method: string, url: string) => h.app.declaredRoutes.find((r) => r.method === method && r.url === url)!.roles!.includes(role);
      expect({ role, ...can }).toMatchObject({
        role,
        create_engagement: declared('POST', '/v1/engagements'),
        view_payouts: declared('GET', '/v1/payout-runs'),
        manage_users: declared('POST', '/v1/users'),
        manage_site_keys: declared('POST', '/v1/clients/:id/site-keys'),
        submit_proposal: declared('POST', '/v1/offers/:id/proposals'),
      });
      // Whether each is refused agrees with the route itself.
      const users = await call(who, 'GET', '/v1/users');
      expect(users.status === 403).toBe(!can.list_users);
      expect(can.view_own_statements).toBe(role === 'hacker');
    }
  });
});
