// Caps that hold under concurrency (issue 20, item 3): a burst of parallel requests by one caller
// creates no more than the cap allows; the rest are refused with a 409 naming the cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => h?.close());

const burst = <T>(n: number, send: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => send(i)));

describe('the proposal cap per hacker', () => {
  it('20 parallel submissions without an Idempotency-Key on an offer capped at 3 create exactly 3', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const fx = await runningTest(h.db, cs.user.id, [50, 50]);
    const offer = await h.db.selectFrom('tests').select('offer_id').where('id', '=', fx.testId).executeTakeFirstOrThrow();
    await h.db.insertInto('engagement_settings').values({ engagement_id: fx.engagementId, max_proposals_per_hacker: 3 }).onConflict((oc) => oc.column('engagement_id').doUpdateSet({ max_proposals_per_hacker: 3 })).execute();
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: 'burst hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const hacker = await userWithToken(h.db, 'hacker', { hackerId: hackerRow.id });

    const answers = await burst(20, (i) =>
      h.app.inject({ method: 'POST', url: `/v1/offers/${offer.offer_id}/proposals`, headers: hacker.auth, payload: { title: `idea ${i}`, description: 'd', design_url: 'https://figma.example/x' } }),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json().error.message).toMatch(/already have 3 proposals on this offer \(the maximum\)/);
    const rows = await h.db.selectFrom('proposals').select('id').where('offer_id', '=', offer.offer_id).where('hacker_id', '=', hackerRow.id).execute();
    expect(rows).toHaveLength(3);
  });
});

describe('one overlapping managed contract per hacker', () => {
  it('20 parallel contracts for the same hacker and month create exactly one', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const hackerRow = await h.db.insertInto('hackers').values({ display_name: 'managed burst', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    const answers = await burst(20, () =>
      h.app.inject({ method: 'POST', url: `/v1/hackers/${hackerRow.id}/managed-contracts`, headers: cs.auth, payload: { monthly_retainer_yen: 300_000, start_month: '2031-04' } }),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json().error.message).toMatch(/already has managed contract \d+ .* overlapping 2031-04/);
    expect(await h.db.selectFrom('managed_contracts').select('id').where('hacker_id', '=', hackerRow.id).execute()).toHaveLength(1);
  });
});
