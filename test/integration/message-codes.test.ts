// The API says what it means as codes and parameters beside its English (issue 26.2–26.5): field
// errors name the field with a code a page words ("slug", "max_length" with its limit), a rule's
// error carries the rule's code; a test with no exposures hours after it started carries the
// no-traffic warning (gone with the first visitor); tags in any script are accepted, stored in one
// spelling and found by any spelling; engagements carry their client's name; vocabularies offer what
// the data holds.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLearning } from '../../src/cycles/knowledge.ts';
import { knowledgeSearchFields } from '../../src/domain/cycles/knowledge-search.ts';
import { ERROR_CODES, FIELD_ERROR_CODES } from '../../src/domain/messages.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('message codes', () => {
  it('field errors carry a code and parameters a page words, naming the field', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const bad = await h.app.inject({ method: 'POST', url: '/v1/clients', headers: admin.auth, payload: { name: 'x'.repeat(201), industry: 'EC サイト' } });
    expect(bad.statusCode, bad.body).toBe(400);
    const error = bad.json().error;
    expect(error).toMatchObject({ code: 'validation_error', params: {} });
    expect(ERROR_CODES).toContain(error.code);
    const byPath = Object.fromEntries(error.details.map((d: { path: string }) => [d.path, d]));
    expect(byPath['/body/industry']).toMatchObject({ code: 'slug', params: {} });
    const name = (await h.app.inject({ method: 'POST', url: '/v1/clients', headers: admin.auth, payload: { name: 'x'.repeat(201), industry: 'retail' } })).json().error.details[0];
    expect(name).toMatchObject({ path: '/body/name', code: 'max_length', params: { limit: 200 } });
    const missing = (await h.app.inject({ method: 'POST', url: '/v1/clients', headers: admin.auth, payload: { industry: 'retail' } })).json().error.details[0];
    expect(missing).toMatchObject({ path: '/body/name', code: 'required' });
    for (const d of [...error.details, name, missing]) expect(FIELD_ERROR_CODES).toContain(d.code);
    const none = await h.app.inject({ url: '/v1/engagements/999999999', headers: admin.auth });
    expect(none.json().error).toMatchObject({ code: 'not_found', params: {} });
  });

  it('a running test with no exposures after the configured hours carries the no-traffic warning, gone with the first visitor', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const f = await runningTest(h.db, cs.user.id, [1, 1]);
    const view = async () => (await h.app.inject({ url: `/v1/tests/${f.testId}`, headers: cs.auth })).json();
    expect(await view()).toMatchObject({ warnings: [], hypothesis: 'the buy button is below the fold' });
    const hours = h.config.noTrafficHours;
    await h.db.updateTable('tests').set({ started_at: sql`now() - make_interval(hours => ${hours + 1})` }).where('id', '=', f.testId).execute();
    expect((await view()).warnings).toEqual([{ code: 'test.no_traffic', params: { hours } }]);
    const arm = (await h.app.inject({ url: `/v1/tests/${f.testId}/assignment?visitor=v1`, headers: cs.auth })).json();
    expect(arm.arm).toBeTruthy();
    const sent = await h.app.inject({ method: 'POST', url: `/v1/tests/${f.testId}/events`, headers: cs.auth, payload: { events: [{ event_id: 'v1-x', visitor_id: 'v1', type: 'exposure' }] } });
    expect(sent.statusCode, sent.body).toBe(200);
    expect((await view()).warnings).toEqual([]);
  });

  it('learning tags in any script are stored in one spelling and found by any spelling; engagements and vocabularies name things', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const client = await makeClient(h.db, `計測ショップ ${randomUUID().slice(0, 6)}`);
    const f = await runningTest(h.db, cs.user.id, [1, 1], client.id);
    const entry = { hypothesis: 'カートの導線を短くする', change: 'ボタンを上へ', learnings: null, tags: ['product'], page_type: 'product', outcome: 'winner', industry: 'ecommerce', month: '2026-12' };
    const row = await h.db
      .insertInto('knowledge_entries')
      .values({ ...entry, ...knowledgeSearchFields(entry), test_id: f.testId, client_id: client.id, engagement_id: f.engagementId, page_id: (await h.db.selectFrom('tests').select('page_id').where('id', '=', f.testId).executeTakeFirstOrThrow()).page_id, lift: 0.1, ci_low: 0.02, ci_high: 0.2, status: 'draft' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The schema accepts Japanese and upper case (it refused both: ^[a-z0-9][a-z0-9_-]*$).
    const search = (tags: string[]) => h.app.inject({ url: `/v1/knowledge?${tags.map((t) => `tags=${encodeURIComponent(t)}`).join('&')}`, headers: cs.auth });
    expect((await search(['計測'])).statusCode).toBe(200);
    await addLearning(h.db, { testId: f.testId, learnings: '計測タグの確認', tags: ['計測', ' ＣＴＡ '], actor: { userId: cs.user.id, role: 'cs_manager' }, key: randomUUID() });
    const stored = await h.db.selectFrom('knowledge_entries').select('tags').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect([...stored.tags].sort()).toEqual(['cta', 'product', '計測']);
    for (const spelling of [['計測'], ['CTA'], ['cta', '計測']]) {
      const found = await search(spelling);
      expect(found.statusCode, found.body).toBe(200);
      expect(found.json().items.map((i: { id: number }) => i.id), spelling.join()).toContain(row.id);
    }

    const list = await h.app.inject({ url: `/v1/engagements?client_id=${client.id}`, headers: cs.auth });
    expect(list.json().items).toMatchObject([{ id: f.engagementId, client_name: client.name }]);
    const one = await h.app.inject({ url: `/v1/engagements/${f.engagementId}`, headers: cs.auth });
    expect(one.json()).toMatchObject({ client_name: client.name });

    const vocab = (await h.app.inject({ url: '/v1/vocabularies', headers: cs.auth })).json();
    expect(vocab.tags).toEqual(expect.arrayContaining(['計測', 'cta']));
    expect(vocab.page_types).toContain('product');
    expect(vocab.skills).toContain('forms');
  });
});
