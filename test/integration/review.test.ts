// CS's review before the client's look, and blind proposals (issue 23, item 3): the client sees and
// selects only what CS passed; a returned proposal comes back after a revision and a new pass; a
// hacker sees only their own proposals until the offer's selection, then the selected ones (never
// the rejected ones of others); the CS of another client reviews nothing. Through the API on real
// Postgres and Temporal.
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

const design = { description: 'd', design_url: 'https://figma.example/r' };

/** An engagement whose cycle has one open offer (window `windowSeconds`). */
async function openOffer(windowSeconds: number) {
  const ctx = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: windowSeconds, selection_seconds: 600, test_max_seconds: 600, min_proposals: 1 });
  await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
    hypotheses: [{ author: 'client', problem: 'Shipping cost shown too late', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' }],
  });
  const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
  return { ...ctx, offer };
}

const idsOf = (page: { items: { id: number }[] }) => page.items.map((p) => p.id);

describe('proposal review', () => {
  it('a returned proposal is invisible to the client until revised and passed; the author reads why; CS is asked', async () => {
    const author = await d.hacker(['design']);
    const { offer, clientUser } = await openOffer(600);
    const p = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Shipping on the cart', ...design });
    expect(p.review).toEqual({ status: 'pending', comment: null, reviewed_by: null, reviewed_at: null });

    // Pending: CS sees it and is asked to review it; the client sees nothing.
    const tasks = (await d.api('GET', '/v1/tasks', cs.auth)).items;
    expect(tasks).toContainEqual(expect.objectContaining({ kind: 'review_proposals', offer_id: offer.id }));
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, cs.auth))).toEqual([p.id]);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, clientUser.auth))).toEqual([]);
    expect((await d.call('GET', `/v1/proposals/${p.id}`, clientUser.auth)).status).toBe(404);
    expect((await d.call('POST', `/v1/proposals/${p.id}/preview-link`, clientUser.auth, {})).status).toBe(404);
    const asCs = await d.api('GET', `/v1/proposals/${p.id}`, cs.auth);
    expect(asCs.actions.review).toEqual({ allowed: true, reason: null });
    expect(asCs.actions.return).toEqual({ allowed: true, reason: null });
    // The list carries the same review actions (the gallery asks once per offer, not once per card).
    const listed = (await d.api('GET', `/v1/offers/${offer.id}/proposals`, cs.auth)).items[0];
    expect(listed.actions).toEqual({ review: asCs.actions.review, return: asCs.actions.return });

    // Returning needs a comment, which is stored as plain text.
    const bare = await d.call('POST', `/v1/proposals/${p.id}/review`, cs.auth, { decision: 'return', comment: ' \u0007 ' });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details[0].path).toBe('/body/comment');
    const tooLong = await d.call('POST', `/v1/proposals/${p.id}/review`, cs.auth, { decision: 'return', comment: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details[0].path).toBe('/body/comment');
    const returned = await d.api('POST', `/v1/proposals/${p.id}/review`, cs.auth, { decision: 'return', comment: '  The banner covers the price\u0008\u200b at phone width.\r\n' });
    expect(returned.review).toEqual({ status: 'returned', comment: 'The banner covers the price at phone width.', reviewed_by: cs.user.id, reviewed_at: expect.any(String) });
    expect(returned.actions.return.allowed).toBe(true);

    // The author reads why; the client still sees nothing.
    const mine = await d.api('GET', `/v1/proposals/${p.id}`, author.auth);
    expect(mine.review.comment).toBe('The banner covers the price at phone width.');
    expect(mine.reviews).toEqual([expect.objectContaining({ version: 1, decision: 'return', comment: 'The banner covers the price at phone width.', actor_user_id: cs.user.id })]);
    expect(mine.actions.review.allowed).toBe(false);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, clientUser.auth))).toEqual([]);
    expect((await d.call('GET', `/v1/proposals/${p.id}`, clientUser.auth)).status).toBe(404);

    // A revision is a new version: pending again, still invisible to the client.
    const v2 = await d.api('POST', `/v1/proposals/${p.id}/versions`, author.auth, { title: 'Shipping on the cart, smaller' }, [201]);
    expect(v2.version).toBe(2);
    expect(v2.review.status).toBe('pending');
    expect((await d.call('GET', `/v1/proposals/${p.id}`, clientUser.auth)).status).toBe(404);

    // Passed: the client sees it (without CS's note to the author); passing again changes nothing.
    const passed = await d.api('POST', `/v1/proposals/${p.id}/review`, cs.auth, { decision: 'pass' });
    expect(passed.review.status).toBe('passed');
    expect(passed.actions.review).toEqual({ allowed: false, reason: 'version 2 already passed review' });
    expect((await d.api('GET', `/v1/offers/${offer.id}/proposals`, cs.auth)).items[0].actions.review).toEqual(passed.actions.review);
    expect((await d.api('GET', `/v1/offers/${offer.id}/proposals`, clientUser.auth)).items[0].actions.review.allowed).toBe(false);
    const again = await d.api('POST', `/v1/proposals/${p.id}/review`, cs.auth, { decision: 'pass', comment: 'looks good' });
    expect(again.review).toEqual(passed.review);
    const log = await h.db.selectFrom('proposal_reviews').select(['version', 'decision']).where('proposal_id', '=', p.id).orderBy('id').execute();
    expect(log).toEqual([
      { version: 1, decision: 'return' },
      { version: 2, decision: 'pass' },
    ]);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, clientUser.auth))).toEqual([p.id]);
    const seen = await d.api('GET', `/v1/proposals/${p.id}`, clientUser.auth);
    expect(seen.review).toEqual({ status: 'passed', comment: null, reviewed_by: cs.user.id, reviewed_at: expect.any(String) });
    expect(seen.reviews).toEqual([]);
    expect((await d.call('POST', `/v1/proposals/${p.id}/preview-link`, clientUser.auth, {})).status).toBe(200);
    // Not an earlier version CS never passed.
    expect((await d.call('POST', `/v1/proposals/${p.id}/preview-link`, clientUser.auth, { version: 1 })).status).toBe(404);
    expect((await d.api('GET', '/v1/tasks', cs.auth)).items).not.toContainEqual(expect.objectContaining({ kind: 'review_proposals', offer_id: offer.id }));
  });

  it("the CS of another client reviews nothing (403, the CS scope); an admin may", async () => {
    const author = await d.hacker(['design']);
    const { offer } = await openOffer(600);
    const p = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Guest checkout', ...design });
    const other = await userWithToken(h.db, 'cs_manager');
    const refused = await d.call('POST', `/v1/proposals/${p.id}/review`, other.auth, { decision: 'pass' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^You do not manage engagement \d+;/);
    expect((await d.api('GET', `/v1/proposals/${p.id}`, other.auth)).actions.review.allowed).toBe(false);
    expect((await h.db.selectFrom('proposals').select('review_status').where('id', '=', p.id).executeTakeFirstOrThrow()).review_status).toBe('pending');
    expect((await h.db.selectFrom('proposal_reviews').select('id').where('proposal_id', '=', p.id).execute()).length).toBe(0);
    expect((await d.call('POST', `/v1/proposals/${p.id}/review`, author.auth, { decision: 'pass' })).status).toBe(403);
    const admin = await userWithToken(h.db, 'admin');
    expect((await d.api('POST', `/v1/proposals/${p.id}/review`, admin.auth, { decision: 'pass' })).review.status).toBe('passed');
  });

  it('blind: competitors are 404 until the selection; then the selected ones are visible to other hackers, never the rejected ones; a proposal CS did not pass cannot be selected', async () => {
    const [a, b, c] = [await d.hacker(['design']), await d.hacker(['design']), await d.hacker(['design'])];
    const { offer, cycleId, clientUser } = await openOffer(6);
    const submit = (who: { auth: { authorization: string } }, title: string, changes?: object) =>
      d.api('POST', `/v1/offers/${offer.id}/proposals`, who.auth, { title, ...design, ...(changes ? { changes } : {}) });
    const pa = await submit(a, 'A: free shipping first', { css: '.ship { font-weight: bold }', js: 'window.kzA = 1;' });
    const pb = await submit(b, 'B: bigger button');
    const pc = await submit(c, 'C: never passed');

    // Before the selection: each hacker sees only their own.
    expect((await d.call('GET', `/v1/proposals/${pa.id}`, b.auth)).status).toBe(404);
    expect((await d.call('GET', `/v1/proposals/${pb.id}`, a.auth)).status).toBe(404);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, a.auth))).toEqual([pa.id]);

    await eventually(async () => (await d.phaseOf(cycleId)) === 'selection', 30_000);
    // Returning needs the window open (the author could no longer revise); passing does not.
    const late = await d.call('POST', `/v1/proposals/${pc.id}/review`, cs.auth, { decision: 'return', comment: 'too late' });
    expect(late.status).toBe(409);
    await d.pass([pa.id, pb.id]);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, clientUser.auth))).toEqual([pa.id, pb.id]);
    expect((await d.call('GET', `/v1/proposals/${pc.id}`, clientUser.auth)).status).toBe(404);
    expect((await d.call('GET', `/v1/proposals/${pa.id}`, b.auth)).status).toBe(404);

    // Selecting one CS did not pass is refused, naming it.
    const wrong = await d.call('POST', `/v1/cycles/${cycleId}/selection`, cs.auth, { selections: [{ offer_id: offer.id, proposal_ids: [pa.id, pc.id] }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([expect.objectContaining({ path: '/body/selections/0/proposal_ids/1', message: `proposal ${pc.id} has not passed CS's review (pending)` })]);

    await d.api('POST', `/v1/cycles/${cycleId}/selection`, clientUser.auth, { selections: [{ offer_id: offer.id, proposal_ids: [pa.id] }] });
    // After it: the selected one to every hacker who sees the offer (without its script), never the rejected ones.
    for (const other of [b, c]) {
      const seen = await d.api('GET', `/v1/proposals/${pa.id}`, other.auth);
      expect(seen).toMatchObject({ id: pa.id, status: 'selected', changes: { css: '.ship { font-weight: bold }' } });
      expect(seen.changes.js).toBeUndefined();
      expect(seen.reviews).toEqual([]);
      expect(seen.actions.revise.allowed).toBe(false);
      expect((await d.call('POST', `/v1/proposals/${pa.id}/preview-link`, other.auth, {})).status).toBe(404);
    }
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, b.auth))).toEqual([pa.id, pb.id]);
    expect(idsOf(await d.api('GET', `/v1/offers/${offer.id}/proposals`, c.auth))).toEqual([pa.id, pc.id]);
    expect((await d.call('GET', `/v1/proposals/${pb.id}`, a.auth)).status).toBe(404);
    expect((await d.call('GET', `/v1/proposals/${pb.id}`, c.auth)).status).toBe(404);
    expect((await d.api('GET', `/v1/proposals/${pa.id}`, a.auth)).changes.js).toBe('window.kzA = 1;');
  });
});
