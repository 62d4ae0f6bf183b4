// A variant is data (issue 22, item 1): a proposal carries a change set, validated and sanitised on
// submission, versioned by revisions, frozen once selected; its test's variant serves the frozen
// version in the site config, custom script only once the engagement's CS approved that exact text.
// Through the API on real Postgres and Temporal.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(() => h.close());

const SHOP = 'https://shop.example';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const V1 = {
  css: '.shipping { font-weight: bold }',
  mutations: [
    { selector: '#shipping-note', action: 'set_text', value: 'Free shipping over ¥5,000' },
    { selector: '.cart h2', action: 'insert_html', position: 'after', value: '<p class="note">Ships today <img src=x onerror=alert(1)><script>alert(2)</script></p>' },
  ],
  js: 'window.kzShipping = 1;',
};
const V2 = { css: '.shipping { color: green }', mutations: [{ selector: '#shipping-note', action: 'set_text', value: 'Shipping: free' }], js: 'window.kzShipping = 2;' };

describe('change sets', () => {
  it('submits, sanitises, refuses script URLs by path, versions, freezes at selection and serves the frozen version', async () => {
    const author = await d.hacker(['design']);
    const ctx = await d.startEngagement({
      planning_seconds: 60,
      offer_window_seconds: 8,
      selection_seconds: 60,
      test_max_seconds: 60,
      interim_check_seconds: 30,
      learning_seconds: 1,
      min_proposals: 1,
      mde_relative: 0.3,
    });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    const submit = (body: Record<string, unknown>) => d.call('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Show shipping on the cart', description: 'd', design_url: 'https://figma.example/s', ...body });

    // Submitted with a change set: the hostile HTML is stored sanitised, the rest as written.
    const created = await submit({ changes: V1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const p = created.body;
    expect(p.version).toBe(1);
    expect(p.changes.mutations[1].value).toBe('<p class="note">Ships today <img src="x" /></p>');
    expect(p.changes.mutations[0]).toEqual(V1.mutations[0]);
    expect(p.changes.js).toBe(V1.js);

    // Script URLs are refused everywhere, naming the field and the mutation's index.
    const refusals: [Record<string, unknown>, string][] = [
      [{ changes: { redirect: 'javascript:alert(1)' } }, '/body/changes/redirect'],
      [{ changes: { redirect: 'https://evil.example/checkout' } }, '/body/changes/redirect'],
      [{ changes: { mutations: [V1.mutations[0], { selector: 'a.cta', action: 'set_attribute', attribute: 'href', value: ' JaVaScRiPt:alert(1)' }] } }, '/body/changes/mutations/1/value'],
      [{ changes: { css: '.cta { background: url( "java\\09script:alert(1)" ) }' } }, '/body/changes/css'],
      [{ changes: { mutations: [V1.mutations[0], V1.mutations[0], V1.mutations[0], { selector: 'div[', action: 'remove' }] } }, '/body/changes/mutations/3/selector'],
      [{ design_url: 'javascript:alert(1)' }, '/body/design_url'],
    ];
    for (const [body, path] of refusals) {
      const res = await submit(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0].path).toBe(path);
    }
    const revisedBadly = await d.call('POST', `/v1/proposals/${p.id}/versions`, author.auth, { design_url: 'data:text/html,x' });
    expect(revisedBadly.status).toBe(400);
    expect(revisedBadly.body.error.details[0].path).toBe('/body/design_url');
    expect((await h.db.selectFrom('proposals').select('id').where('offer_id', '=', offer.id).execute()).map((r) => r.id)).toEqual([p.id]);

    // A revision is a new version; version 1 is kept as it was; another hacker sees nothing.
    const revised = await d.call('POST', `/v1/proposals/${p.id}/versions`, author.auth, { changes: V2 });
    expect(revised.status, JSON.stringify(revised.body)).toBe(201);
    expect(revised.body).toMatchObject({ version: 2, title: 'Show shipping on the cart', changes: V2 });
    expect(revised.body.versions.map((v: { version: number; js_hash: string }) => [v.version, v.js_hash])).toEqual([
      [1, sha256(V1.js)],
      [2, sha256(V2.js)],
    ]);
    const kept = await h.db.selectFrom('proposal_versions').selectAll().where('proposal_id', '=', p.id).where('version', '=', 1).executeTakeFirstOrThrow();
    expect(kept.changes).toEqual(p.changes);
    const stranger = await d.hacker(['design']);
    expect((await d.call('GET', `/v1/proposals/${p.id}`, stranger.auth)).status).toBe(404);
    expect((await d.call('POST', `/v1/proposals/${p.id}/versions`, stranger.auth, { title: 'mine' })).status).toBe(404);
    // The client reads it once CS passed it (issue 23).
    await d.pass([p.id]);
    const listed = await d.api('GET', `/v1/offers/${offer.id}/proposals`, ctx.clientUser.auth);
    expect(listed.items).toEqual([expect.objectContaining({ id: p.id, version: 2, changes: V2 })]);

    // Selected: the version is frozen.
    await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 30_000);
    await d.select(ctx.cycleId, [{ offer_id: offer.id, proposal_ids: [p.id] }]);
    const frozen = await d.call('POST', `/v1/proposals/${p.id}/versions`, author.auth, { changes: V1 });
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.message).toMatch(/frozen/);
    const test = await eventually(async () => (await h.db.selectFrom('tests').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);

    // The site config serves the frozen version (the control: none), its script not until approved.
    const key = (await d.api('POST', `/v1/clients/${ctx.client.id}/site-keys`, cs.auth, { origins: [SHOP] })).key as string;
    const variantsServed = async () => {
      const res = await h.app.inject({ url: `/v1/site/config?key=${key}`, headers: { origin: SHOP } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().tests.find((t: { id: number }) => t.id === test.id).variants as { arm: string; changes: Record<string, unknown> | null }[];
    };
    const { js: _, ...v2WithoutJs } = V2;
    expect((await variantsServed()).map((v) => [v.arm, v.changes])).toEqual([
      ['control', null],
      ['A', v2WithoutJs],
    ]);

    // Only the engagement's CS manager (or an admin) approves, and only that version's exact text.
    const approve = (auth: { authorization: string }, version: number, hash: string) => d.call('POST', `/v1/proposals/${p.id}/versions/${version}/js-approval`, auth, { js_sha256: hash });
    const before = await d.api('GET', `/v1/proposals/${p.id}`, cs.auth);
    expect(before.actions.approve_js).toEqual({ allowed: true, reason: null });
    expect(before.actions.revise.allowed).toBe(false);
    const otherCs = await userWithToken(h.db, 'cs_manager');
    expect((await d.api('GET', `/v1/proposals/${p.id}`, otherCs.auth)).actions.approve_js.allowed).toBe(false);
    expect((await approve(otherCs.auth, 2, sha256(V2.js))).status).toBe(403);
    expect((await approve(author.auth, 2, sha256(V2.js))).status).toBe(403);
    expect((await approve(cs.auth, 2, sha256(V1.js))).status).toBe(409);
    expect((await approve(cs.auth, 9, sha256(V2.js))).status).toBe(404);
    expect((await variantsServed())[1]!.changes).toEqual(v2WithoutJs);
    const approved = await approve(cs.auth, 2, sha256(V2.js));
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ proposal_id: p.id, version: 2, js_hash: sha256(V2.js), js_approved_by: cs.user.id });
    expect((await variantsServed())[1]!.changes).toEqual(V2);
    const after = await d.api('GET', `/v1/proposals/${p.id}`, ctx.clientUser.auth);
    expect(after.versions[1]).toMatchObject({ version: 2, js_approved_by: cs.user.id });
    expect(after.versions[0].js_approved_at).toBeNull();
  });
});
