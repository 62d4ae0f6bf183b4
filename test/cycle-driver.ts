// Drives improvement cycles through the HTTP API as people would: engagements with pages, hackers
// with tokens, plans, proposals, selections and a client site's traffic. Shared by the cycle tests.
import { expect } from 'vitest';
import { eventually, makeClient, userWithToken, type Harness } from './helpers.ts';

export type Auth = { authorization: string };

export function cycleDriver(h: Harness, cs: { auth: Auth }) {
  async function api<T = any>(method: 'GET' | 'POST' | 'PUT', url: string, auth: Auth, payload?: unknown, expected = [200, 201]): Promise<T> {
    const send = () => h.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
    let res = await send();
    // "Not yet" (a 409 or 503 with Retry-After, e.g. a plan while the cycle is still starting): the
    // API asks to send the same request again, as a client would (bounded).
    for (let i = 0; i < 20 && !expected.includes(res.statusCode) && res.headers['retry-after']; i++) {
      await new Promise((r) => setTimeout(r, Math.min(Number(res.headers['retry-after']) || 1, 2) * 500));
      res = await send();
    }
    if (!expected.includes(res.statusCode)) throw new Error(`${method} ${url} → ${res.statusCode}: ${res.body}`);
    return res.json() as T;
  }

  async function hacker(skills: string[], industries: string[] = []) {
    const row = await h.db
      .insertInto('hackers')
      .values({ display_name: `hacker-${Math.random().toString(36).slice(2, 8)}`, kind: 'individual', residency: 'resident', skills, industries })
      .returningAll()
      .executeTakeFirstOrThrow();
    const u = await userWithToken(h.db, 'hacker', { hackerId: row.id });
    return { id: row.id, auth: u.auth, user: u.user };
  }

  async function startEngagement(settings: Record<string, unknown>, industry = 'ecommerce', existing?: { id: number }) {
    const client = existing ?? (await makeClient(h.db, `Shop ${Math.random().toString(36).slice(2, 7)}`, industry));
    const clientUser = await userWithToken(h.db, 'client', { clientId: client.id });
    const e = await api('POST', '/v1/engagements', cs.auth, {
      client_id: client.id,
      offer_mode: 'targeted',
      monthly_fee_yen: 900_000,
      month_length_seconds: 3600,
      settings,
      pages: [
        { url: 'https://shop.example/checkout', page_type: 'checkout', baseline_rate: 0.1, daily_visitors: 5000, value_per_conversion_yen: 8000 },
        { url: 'https://shop.example/lp', page_type: 'landing', baseline_rate: 0.1, daily_visitors: 8000, value_per_conversion_yen: 5000 },
      ],
    });
    const pages = (await api('GET', `/v1/engagements/${e.id}/pages`, cs.auth)).items;
    const cycle = await eventually(async () => (await api('GET', `/v1/engagements/${e.id}/timeline`, cs.auth)).cycles[0]);
    return { e, client, clientUser, pages, cycleId: cycle.id as number };
  }

  async function phaseOf(cycleId: number) {
    return (await api('GET', `/v1/cycles/${cycleId}`, cs.auth)).phase as string;
  }

  /** Exposures for `n` visitors per arm and conversions at the given rate per arm (deterministic). */
  async function sendTraffic(testId: number, auth: Auth, perArm: number, rates: Record<string, number>, tag: string) {
    const counts: Record<string, number> = {};
    const events: object[] = [];
    for (let v = 0; Object.values(counts).reduce((a, b) => a + b, 0) < perArm * Object.keys(rates).length && v < perArm * 10; v++) {
      const visitor = `${tag}-${v}`;
      const a = await api('GET', `/v1/tests/${testId}/assignment?visitor=${visitor}`, auth);
      if ((counts[a.arm] ?? 0) >= perArm) continue;
      counts[a.arm] = (counts[a.arm] ?? 0) + 1;
      events.push({ event_id: `${visitor}-x`, visitor_id: visitor, type: 'exposure' });
      if (counts[a.arm]! <= Math.round(perArm * rates[a.arm]!)) events.push({ event_id: `${visitor}-c`, visitor_id: visitor, type: 'conversion', value: 8000 });
    }
    for (let i = 0; i < events.length; i += 1000) {
      // A test that already reached its decision (or planned sample) stops taking events, as it would
      // for a real site: after the first batch a 409 "not running" ends the traffic.
      const res = await api<{ error?: { message: string } }>('POST', `/v1/tests/${testId}/events`, auth, { events: events.slice(i, i + 1000) }, i === 0 ? [200] : [200, 409]);
      if (res.error) break;
    }
    return counts;
  }

  /** CS passes each proposal (issue 23: the client sees and may select only what CS passed). */
  async function pass(proposalIds: number[], auth: Auth = cs.auth) {
    for (const id of proposalIds) await api('POST', `/v1/proposals/${id}/review`, auth, { decision: 'pass' });
  }

  /** A selection as people make one: CS passes the proposals named, then `who` (CS by default) selects them. */
  async function select(cycleId: number, selections: { offer_id: number; proposal_ids: number[] }[], who: Auth = cs.auth) {
    await pass(selections.flatMap((s) => s.proposal_ids));
    return api('POST', `/v1/cycles/${cycleId}/selection`, who, { selections });
  }

  /** Drives a one-offer cycle (one hacker, one proposal) up to its running A/B test. */
  async function runToTest(extra: Record<string, unknown> = {}) {
    const author = await hacker(['design']);
    const ctx = await startEngagement({
      planning_seconds: 60,
      offer_window_seconds: 2,
      selection_seconds: 60,
      test_max_seconds: 60,
      interim_check_seconds: 2,
      learning_seconds: 1,
      min_proposals: 1,
      adoption_fee_yen: 120_000,
      win_bonus_yen: 80_000,
      mde_relative: 0.3,
      ...extra,
    });
    await api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    const proposal = await api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Show shipping on the cart', description: 'd', design_url: 'https://figma.example/s' });
    await eventually(async () => (await phaseOf(ctx.cycleId)) === 'selection', 20_000);
    await select(ctx.cycleId, [{ offer_id: offer.id, proposal_ids: [proposal.id] }]);
    const test = await eventually(async () => (await h.db.selectFrom('tests').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    return { ...ctx, author, offer, proposal, test };
  }

  /** A HTTP answer with its status, for asserting refusals. */
  async function call(method: 'GET' | 'POST' | 'PUT', url: string, auth: Auth, payload?: unknown) {
    const res = await h.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() as any };
  }

  return { api, call, hacker, startEngagement, phaseOf, sendTraffic, runToTest, pass, select, expectStatus: (r: { status: number }, s: number) => expect(r.status).toBe(s) };
}
