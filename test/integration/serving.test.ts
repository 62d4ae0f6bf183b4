// The winner becomes the page, kill switches, preview links and apply failures (issue 22, items 4, 5
// and the server side of 2): through the API on real Postgres and Temporal, the site's side through its
// site key exactly as the browser SDK calls it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignVisitor } from '../../src/cycles/traffic.ts';
import { signPreview } from '../../src/site/preview.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let otherCs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  otherCs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(() => h.close());

const SHOP = 'https://shop.example';
const W1 = { css: '.shipping { font-weight: bold }', mutations: [{ selector: '#shipping-note', action: 'set_text', value: 'Free shipping' }] };
const W2 = { css: '.buy { color: red }', mutations: [{ selector: '.buy', action: 'add_class', value: 'big' }] };
/** W2 on top of W1: what test 2's variant shows while W1 is the page's control. */
const W1_W2 = { css: `${W1.css}\n${W2.css}`, mutations: [...W1.mutations, ...W2.mutations] };

async function siteKey(clientId: number) {
  const res = await h.app.inject({ method: 'POST', url: `/v1/clients/${clientId}/site-keys`, headers: cs.auth, payload: { origins: [SHOP] } });
  expect(res.statusCode).toBe(201);
  return res.json().key as string;
}
const siteConfig = async (key: string) => {
  const res = await h.app.inject({ url: `/v1/site/config?key=${key}`, headers: { origin: SHOP } });
  expect(res.statusCode).toBe(200);
  return res.json();
};
const preview = (key: string, token: string) => h.app.inject({ url: `/v1/site/preview?key=${key}&token=${encodeURIComponent(token)}`, headers: { origin: SHOP } });

// One engagement, two tests on the same page (two offers), shared by the serving and preview cases.
let world: Awaited<ReturnType<typeof twoTestsOnOnePage>>;
async function twoTestsOnOnePage() {
  const author = await d.hacker(['design']);
  const ctx = await d.startEngagement({
    planning_seconds: 60,
    offer_window_seconds: 3,
    selection_seconds: 60,
    test_max_seconds: 900,
    interim_check_seconds: 2,
    learning_seconds: 1,
    min_proposals: 1,
    mde_relative: 0.3,
  });
  await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
    hypotheses: [
      { author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' },
      { author: 'client', problem: 'The buy button is hard to find', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' },
    ],
  });
  const offers = await eventually(async () => {
    const rows = await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).orderBy('id').execute();
    return rows.length === 2 ? rows : undefined;
  });
  const submit = (offerId: number, title: string, changes: object) =>
    d.api('POST', `/v1/offers/${offerId}/proposals`, author.auth, { title, description: 'd', design_url: 'https://figma.example/s', changes });
  const p1 = await submit(offers[0]!.id, 'Bold free shipping', W1);
  const p2 = await submit(offers[1]!.id, 'A bigger buy button', W2);
  await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 30_000);
  await d.select(ctx.cycleId, [
    { offer_id: offers[0]!.id, proposal_ids: [p1.id] },
    { offer_id: offers[1]!.id, proposal_ids: [p2.id] },
  ]);
  const tests = await eventually(async () => {
    const rows = await h.db.selectFrom('tests').selectAll().where('cycle_id', '=', ctx.cycleId).orderBy('id').execute();
    return rows.length === 2 ? rows : undefined;
  });
  const t1 = tests.find((t) => t.offer_id === offers[0]!.id)!;
  const t2 = tests.find((t) => t.offer_id === offers[1]!.id)!;
  return { ...ctx, author, p1, p2, t1, t2, key: await siteKey(ctx.client.id) };
}

const ended = (testId: number) =>
  eventually(async () => (await h.db.selectFrom('tests').select('status').where('id', '=', testId).executeTakeFirst())?.status !== 'running', 60_000);

describe('the winner becomes the page', () => {
  beforeAll(async () => {
    world = await twoTestsOnOnePage();
  }, 120_000);

  it('serves a winner to everyone, under a new test as its control, until replaced, invalidated or shipped; kill switches take everything out', async () => {
    const { t1, t2, key, client, clientUser, pages } = world;
    const page = pages[0].url as string;
    const byId = (cfg: { tests: { id: number }[] }, id: number) => cfg.tests.find((t) => t.id === id) as { variants: { arm: string; changes: unknown }[] } | undefined;

    // Before any verdict: both tests run on the original page.
    let cfg = await siteConfig(key);
    expect(cfg.served).toEqual([]);
    expect(byId(cfg, t2.id)!.variants.map((v) => v.changes)).toEqual([null, W2]);

    // Test 1's variant wins.
    await d.sendTraffic(t1.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, 'w1');
    await ended(t1.id);
    expect((await d.api('GET', `/v1/tests/${t1.id}`, cs.auth)).final_verdict.outcome).toBe('winner');

    // The page is under test 2: its control shows the winner, its variant its change on top of it.
    cfg = await siteConfig(key);
    expect(byId(cfg, t2.id)!.variants.map((v) => v.changes)).toEqual([W1, W1_W2]);
    expect(cfg.served).toEqual([]);
    let view = await d.api('GET', `/v1/tests/${t1.id}`, cs.auth);
    expect(view).toMatchObject({ serving: true, kill_switch: false, actions: { mark_shipped: { allowed: true }, kill_switch: { allowed: true } } });

    // Test 2's kill switch: only its engagement's CS; the page then shows the served winner to everyone.
    expect((await d.call('PUT', `/v1/tests/${t2.id}/kill-switch`, otherCs.auth, { on: true })).status).toBe(403);
    expect((await d.call('PUT', `/v1/tests/${t2.id}/kill-switch`, clientUser.auth, { on: true })).status).toBe(403);
    expect(await d.api('PUT', `/v1/tests/${t2.id}/kill-switch`, cs.auth, { on: true })).toEqual({ test_id: t2.id, kill_switch: true });
    cfg = await siteConfig(key);
    expect(byId(cfg, t2.id)).toBeUndefined();
    expect(cfg.served).toEqual([{ test_id: t1.id, page_url: page, changes: W1 }]);
    expect((await d.api('GET', `/v1/tests/${t2.id}`, cs.auth)).kill_switch).toBe(true);

    // The client's kill switch: nothing at all reaches the site; refused to another client's CS.
    expect((await d.call('PUT', `/v1/clients/${client.id}/kill-switch`, otherCs.auth, { on: true })).status).toBe(403);
    expect(await d.api('PUT', `/v1/clients/${client.id}/kill-switch`, cs.auth, { on: true })).toEqual({ client_id: client.id, kill_switch: true });
    expect(await siteConfig(key)).toEqual({ client_id: client.id, tests: [], served: [] });
    expect(await d.api('GET', `/v1/clients/${client.id}`, cs.auth)).toMatchObject({ kill_switch: true, actions: { kill_switch: { allowed: true } } });
    expect((await d.api('GET', `/v1/clients/${client.id}`, otherCs.auth)).actions.kill_switch.allowed).toBe(false);
    expect((await d.api('GET', `/v1/tests/${t1.id}`, cs.auth)).serving).toBe(false);
    await d.api('PUT', `/v1/clients/${client.id}/kill-switch`, cs.auth, { on: false });
    await d.api('PUT', `/v1/tests/${t2.id}/kill-switch`, cs.auth, { on: false });
    expect(byId(await siteConfig(key), t2.id)!.variants.map((v) => v.changes)).toEqual([W1, W1_W2]);

    // Test 2's variant wins too: it replaces test 1 as the page's served winner, with what its visitors saw.
    await d.sendTraffic(t2.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, 'w2');
    await ended(t2.id);
    expect((await d.api('GET', `/v1/tests/${t2.id}`, cs.auth)).final_verdict.outcome).toBe('winner');
    expect((await siteConfig(key)).served).toEqual([{ test_id: t2.id, page_url: page, changes: W1_W2 }]);
    expect((await d.api('GET', `/v1/tests/${t1.id}`, cs.auth)).serving).toBe(false);
    expect((await d.call('POST', `/v1/tests/${t1.id}/shipped`, cs.auth)).status).toBe(409);

    // Test 2's verdict invalidated: it stops being served, the page's control (test 1's winner) is back.
    await d.api('POST', `/v1/tests/${t2.id}/invalidate`, cs.auth, { reason: 'the tracking tag fired twice' });
    expect((await siteConfig(key)).served).toEqual([{ test_id: t1.id, page_url: page, changes: W1 }]);
    expect((await d.api('GET', `/v1/tests/${t2.id}`, cs.auth)).serving).toBe(false);

    // Shipped natively: nothing is served any more; only the engagement's CS may say so.
    expect((await d.call('POST', `/v1/tests/${t2.id}/shipped`, cs.auth)).status).toBe(409);
    expect((await d.call('POST', `/v1/tests/${t1.id}/shipped`, otherCs.auth)).status).toBe(403);
    expect(await d.api('POST', `/v1/tests/${t1.id}/shipped`, cs.auth)).toMatchObject({ test_id: t1.id, serving: false });
    expect((await siteConfig(key)).served).toEqual([]);
    view = await d.api('GET', `/v1/tests/${t1.id}`, cs.auth);
    expect(view).toMatchObject({ serving: false, actions: { mark_shipped: { allowed: false } } });
    expect(view.shipped_at).not.toBeNull();
  }, 180_000);

  it('gives preview links to the author, the CS manager and the client only; the site sees the version with its own key only', async () => {
    const { p1, author, clientUser, key, client, pages } = world;
    const link = await d.api('POST', `/v1/proposals/${p1.id}/preview-link`, author.auth, {});
    expect(link.url).toBe(`${pages[0].url}?kz_preview=${link.token}`);
    expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(25 * 60_000);
    expect(Date.parse(link.expires_at) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    for (const who of [cs, clientUser]) expect((await d.call('POST', `/v1/proposals/${p1.id}/preview-link`, who.auth, { version: 1 })).status).toBe(200);
    const stranger = await d.hacker(['design']);
    expect((await d.call('POST', `/v1/proposals/${p1.id}/preview-link`, stranger.auth, {})).status).toBe(404);
    expect((await d.call('POST', `/v1/proposals/${p1.id}/preview-link`, otherCs.auth, {})).status).toBe(404);
    expect((await d.call('POST', `/v1/proposals/${p1.id}/preview-link`, author.auth, { version: 9 })).status).toBe(404);

    const shown = await preview(key, link.token);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ proposal_id: p1.id, version: 1, title: 'Bold free shipping', page_url: pages[0].url, changes: W1 });

    // Another client's site key, a tampered token, an expired one: 404.
    const other = await runningTest(h.db, cs.user.id, [0.5, 0.5]);
    expect((await preview(await siteKey(other.clientId), link.token)).statusCode).toBe(404);
    const [payload, sig] = link.token.split('.');
    const widened = Buffer.from(JSON.stringify([JSON.parse(Buffer.from(payload, 'base64url').toString())[0] + 1, client.id, 4_000_000_000])).toString('base64url');
    expect((await preview(key, `${widened}.${sig}`)).statusCode).toBe(404);
    const versionId = JSON.parse(Buffer.from(payload, 'base64url').toString())[0];
    const expired = signPreview(h.config.preview.key!, { version_id: versionId, client_id: client.id, exp: Math.floor(Date.now() / 1000) - 1 });
    expect((await preview(key, expired)).statusCode).toBe(404);
    const fresh = signPreview(h.config.preview.key!, { version_id: versionId, client_id: client.id, exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await preview(key, fresh)).statusCode).toBe(200);
  });
});

describe('apply failures', () => {
  it('are counted per arm, once per event id and visitor, never as exposures; an arm at 5% or more carries a warning', async () => {
    const f = await runningTest(h.db, cs.user.id, [0.5, 0.5]);
    const key = await siteKey(f.clientId);
    const events: object[] = [];
    const expected = { control: { exposed: 0, failed: 0, unexposed: 0 }, A: { exposed: 0, failed: 0, unexposed: 0 } } as Record<string, { exposed: number; failed: number; unexposed: number }>;
    for (let v = 0; v < 400; v++) {
      const visitor = `af-${v}`;
      const { arm } = await assignVisitor(h.db, f.testId, visitor);
      const e = expected[arm]!;
      // A: every 8th visitor's change fails (no exposure); control: one visitor fails but was exposed.
      const fails = arm === 'A' ? v % 8 === 0 : e.failed === 0 && e.exposed === 10;
      const exposed = arm === 'control' || !fails;
      if (exposed) (events.push({ test_id: f.testId, event_id: `x:${visitor}`, visitor_id: visitor, type: 'exposure' }), e.exposed++);
      if (fails) (events.push({ test_id: f.testId, event_id: `af:${visitor}`, visitor_id: visitor, type: 'apply_failure' }), e.failed++, exposed || e.unexposed++);
    }
    const post = () => h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP }, payload: { events } });
    expect((await post()).json()).toMatchObject({ accepted: events.length, duplicates: 0, rejected: 0 });
    // The same batch again (a retry), plus a second failure event of an already failed visitor: counted once.
    expect((await post()).json()).toMatchObject({ accepted: 0, duplicates: events.length });
    const firstFailed = events.find((e) => (e as { type: string }).type === 'apply_failure') as { visitor_id: string };
    const again = await h.app.inject({ method: 'POST', url: `/v1/site/events?key=${key}`, headers: { origin: SHOP }, payload: { events: [{ test_id: f.testId, event_id: 'af2', visitor_id: firstFailed.visitor_id, type: 'apply_failure' }] } });
    expect(again.json()).toMatchObject({ accepted: 1 });

    const view = await d.api('GET', `/v1/tests/${f.testId}`, cs.auth);
    const n = Object.fromEntries(view.arms.map((a: { arm: string; n: number }) => [a.arm, a.n]));
    expect(n).toEqual({ control: expected.control!.exposed, A: expected.A!.exposed });
    for (const arm of ['control', 'A']) {
      const e = expected[arm]!;
      expect(view.apply_failures[arm]).toEqual({ visitors: e.failed, share: e.failed / (e.exposed + e.unexposed) });
    }
    expect(expected.A!.failed / (expected.A!.exposed + expected.A!.unexposed)).toBeGreaterThanOrEqual(0.05);
    expect(expected.control!.failed / expected.control!.exposed).toBeLessThan(0.05);
    expect(view.health_warnings).toHaveLength(1);
    expect(view.health_warnings[0]).toMatch(/^apply failure: variant A failed to apply for \d+(\.\d+)?% of its visitors/);
  });
});
