// Idempotency-Key on every creating POST (issue 20, item 4): N parallel identical requests with the
// same key create once and every answer is the first result; the same key with another body is
// refused naming the header; a failed attempt leaves the key free for a retry; a route added later is
// covered without code of its own.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { draftMonth } from '../../src/billing/invoicing.ts';
import { createLogger } from '../../src/logger.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

type Auth = Awaited<ReturnType<typeof userWithToken>>;
let h: Harness;
let cs: Auth;
let fin: Auth;
let admin: Auth;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  fin = await userWithToken(h.db, 'finance');
  admin = await userWithToken(h.db, 'admin');
});
afterAll(async () => h?.close());

type Answer = Awaited<ReturnType<FastifyInstance['inject']>>;
const burst = (n: number, send: () => Promise<Answer>) => Promise.all(Array.from({ length: n }, send));

/** Every answer is the first one: same status, same body. */
function allTheSame(answers: Answer[], status: number) {
  const first = answers[0]!;
  expect(first.statusCode, first.body).toBe(status);
  for (const a of answers) expect([a.statusCode, a.json()]).toEqual([status, first.json()]);
}

describe('POST /v1/tests/:id/learnings', () => {
  it('8 parallel identical learnings with one key add one entry, and every answer is the first', async () => {
    const d = cycleDriver(h, cs);
    const { test, cycleId, clientUser } = await d.runToTest({ learning_seconds: 300 });
    await d.sendTraffic(test.id, clientUser.auth, 1500, { control: 0.1, A: 0.2 }, `idem${test.id}`);
    await eventually(async () => (await d.phaseOf(cycleId)) === 'knowledge_capture', 60_000);
    const send = () =>
      h.app.inject({ method: 'POST', url: `/v1/tests/${test.id}/learnings`, headers: { ...cs.auth, 'idempotency-key': 'learning-1' }, payload: { learnings: 'Free shipping badge wins', tags: ['shipping'] } });
    const answers = await burst(8, send);
    allTheSame(answers, 200);
    expect(answers[0]!.json().learnings.map((l: { text: string }) => l.text)).toEqual(['Free shipping badge wins']);
    expect(await h.db.selectFrom('knowledge_learnings').select('id').where('test_id', '=', test.id).execute()).toHaveLength(1);
    // A later retry gets the stored answer too, marked as a replay.
    const later = await send();
    expect([later.statusCode, later.json()]).toEqual([200, answers[0]!.json()]);
    expect(later.headers['idempotent-replayed']).toBe('true');
    // The same key with another text is refused, naming the header; nothing is added.
    const other = await h.app.inject({ method: 'POST', url: `/v1/tests/${test.id}/learnings`, headers: { ...cs.auth, 'idempotency-key': 'learning-1' }, payload: { learnings: 'Something else' } });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().error.details[0].path).toBe('/headers/idempotency-key');
    expect(await h.db.selectFrom('knowledge_learnings').select('id').where('test_id', '=', test.id).execute()).toHaveLength(1);
  });
});

describe('POST /v1/invoices/:id/lines', () => {
  it('8 parallel identical adjustment lines with one key add one line (¥4,000 once), and every answer is the first', async () => {
    const month = '2023-05';
    const client = await makeClient(h.db, `Idem ${randomUUID().slice(0, 8)}`);
    const billing = await h.app.inject({ method: 'PUT', url: `/v1/clients/${client.id}/billing`, headers: fin.auth, payload: { legal_name: '株式会社冪等' } });
    expect(billing.statusCode, billing.body).toBe(200);
    const e = await h.db
      .insertInto('engagements')
      .values({ client_id: client.id, cs_manager_id: cs.user.id, offer_mode: 'open', monthly_fee_yen: 100_000, start_month: month, status: 'ended', ended_at: '2023-05-20T00:00:00Z', end_reason: 'immediately: test', workflow_id: `engagement-idem-${randomUUID()}`, created_by: cs.user.id } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await h.app.inject({ method: 'PUT', url: `/v1/engagements/${e.id}/price-plan`, headers: cs.auth, payload: { platform_fee_yen: 100_000 } });
    expect(plan.statusCode, plan.body).toBe(200);
    await draftMonth(h.db, h.config.billing, month, null);
    const inv = await h.db.selectFrom('invoices').selectAll().where('client_id', '=', client.id).where('month', '=', month).executeTakeFirstOrThrow();
    const lines = () => h.db.selectFrom('invoice_lines').select(['description', 'amount_yen']).where('invoice_id', '=', inv.id).where('item', '=', 'adjustment').execute();

    const answers = await burst(8, () =>
      h.app.inject({ method: 'POST', url: `/v1/invoices/${inv.id}/lines`, headers: { ...fin.auth, 'idempotency-key': 'adjust-1' }, payload: { description: '出張費', amount_yen: 4_000 } }),
    );
    allTheSame(answers, 200);
    expect(await lines()).toEqual([{ description: '出張費', amount_yen: 4_000 }]);
    expect(answers[0]!.json().subtotal_yen).toBe(inv.subtotal_yen + 4_000);
  });
});

describe('every other creating POST', () => {
  it('POST /v1/hackers: 10 parallel with one key create one hacker; another caller’s same key is its own', async () => {
    const name = `idem ${randomUUID().slice(0, 8)}`;
    const send = (who: Auth) => h.app.inject({ method: 'POST', url: '/v1/hackers', headers: { ...who.auth, 'idempotency-key': 'hacker-1' }, payload: { display_name: name, kind: 'individual', residency: 'resident' } });
    const answers = await burst(10, () => send(cs));
    allTheSame(answers, 201);
    const mine = await send(admin);
    expect(mine.statusCode).toBe(201);
    expect(mine.json().id).not.toBe(answers[0]!.json().id);
    expect(await h.db.selectFrom('hackers').select('id').where('display_name', '=', name).execute()).toHaveLength(2);
  });

  it('a token is created once and its secret never replayed: the retry is a 409 naming the header', async () => {
    const first = await h.app.inject({ method: 'POST', url: `/v1/users/${cs.user.id}/tokens`, headers: { ...admin.auth, 'idempotency-key': 'token-1' }, payload: { label: 'idem' } });
    expect(first.statusCode, first.body).toBe(201);
    const again = await h.app.inject({ method: 'POST', url: `/v1/users/${cs.user.id}/tokens`, headers: { ...admin.auth, 'idempotency-key': 'token-1' }, payload: { label: 'idem' } });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.details[0].path).toBe('/headers/idempotency-key');
    expect(again.body).not.toContain(first.json().token);
    const stored = await h.db.selectFrom('api_tokens').select('id').where('user_id', '=', cs.user.id).where('label', '=', 'idem').execute();
    expect(stored).toHaveLength(1);
  });

  it('a route added later is covered with no code of its own: declared header, replay, release after a failure', async () => {
    const log = createLogger({ logLevel: 'silent', logPretty: false } as never, 'test');
    const app = await buildApp({ db: h.db, temporal: h.temporal, config: h.config, log });
    let created = 0;
    let failNext = true;
    app.post('/v1/idempotency-probe', { config: { roles: ['admin'] }, schema: { summary: 'probe' } }, async (_req, reply) => {
      if (failNext) {
        failNext = false;
        throw new Error('boom');
      }
      return reply.status(201).send({ n: ++created });
    });
    await app.ready();
    try {
      const doc = (await app.inject({ url: '/openapi.json' })).json();
      expect(doc.paths['/v1/idempotency-probe'].post.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
      const send = (payload: object) => app.inject({ method: 'POST', url: '/v1/idempotency-probe', headers: { ...admin.auth, 'idempotency-key': 'probe-1' }, payload });
      expect((await send({ a: 1 })).statusCode).toBe(500);
      // The failure released the key: the retry runs, later ones get its answer.
      const answers = await burst(6, () => send({ a: 1 }));
      allTheSame(answers, 201);
      expect(answers[0]!.json()).toEqual({ n: 1 });
      expect(created).toBe(1);
      const mismatch = await send({ a: 2 });
      expect(mismatch.statusCode).toBe(422);
      expect(mismatch.json().error.message).toMatch(/Idempotency-Key/);
      // Without a key, every request is its own.
      expect((await app.inject({ method: 'POST', url: '/v1/idempotency-probe', headers: admin.auth, payload: { a: 1 } })).json()).toEqual({ n: 2 });
    } finally {
      await app.close();
    }
  });
});

describe('a decision Temporal took whose answer was lost', () => {
  it('a selection retried with its key answers as the first time, not "selected, not submitted"', async () => {
    const d = cycleDriver(h, cs);
    const author = await d.hacker(['design']);
    const { cycleId, clientUser, pages } = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 2, selection_seconds: 60, min_proposals: 1 });
    await d.api('POST', `/v1/cycles/${cycleId}/plan`, clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'p', page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst()) ?? undefined);
    const p = await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 't', description: 'd', design_url: 'https://figma.example/t' });
    await eventually(async () => (await d.phaseOf(cycleId)) === 'selection', 20_000);
    const key = randomUUID();
    const selections = [{ offer_id: offer.id, proposal_ids: [p.id] }];
    // The first attempt reached the workflow under the route's update id, and its answer never came
    // back (e.g. a 503 from a proxy): the key was released, the decision stands.
    const cycle = await h.db.selectFrom('cycles').select('workflow_id').where('id', '=', cycleId).executeTakeFirstOrThrow();
    const { selectProposalsUpdate } = await import('../../src/workflows/cycle.ts');
    const first = await h.temporal.workflow.getHandle(cycle.workflow_id).executeUpdate(selectProposalsUpdate, {
      args: [{ selections, actor: { userId: cs.user.id, role: 'cs_manager' } }],
      updateId: `select-${cycleId}-${key}`,
    });
    const retry = await h.app.inject({ method: 'POST', url: `/v1/cycles/${cycleId}/selection`, headers: { ...cs.auth, 'idempotency-key': key }, payload: { selections } });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual({ cycle_id: cycleId, pending_offers: first.pendingOffers });
    // Without the key it is a new decision, refused as before.
    const fresh = await h.app.inject({ method: 'POST', url: `/v1/cycles/${cycleId}/selection`, headers: cs.auth, payload: { selections } });
    expect(fresh.statusCode).toBe(400);
  });
});
