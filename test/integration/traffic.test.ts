import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/index.ts';
import { assignVariant } from '../../src/domain/assignment.ts';
import { armStats, armStatsFromFacts, ingestEvents, type TrafficEvent } from '../../src/cycles/traffic.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(() => h.close());

interface Fixture {
  clientId: number;
  testId: number;
  variants: { id: number; arm: string; position: number; weight: number }[];
}

/** client → engagement → page → cycle → hypothesis → offer → running test with variants of `weights`. */
async function makeTest(weights: number[], clientId?: number): Promise<Fixture> {
  const db = h.db;
  const tag = randomUUID().slice(0, 8);
  const client = clientId ?? (await makeClient(db)).id;
  const engagement = await db
    .insertInto('engagements')
    .values({
      client_id: client,
      cs_manager_id: cs.user.id,
      offer_mode: 'open',
      monthly_fee_yen: 500_000,
      start_month: '2026-12',
      status: 'active',
      workflow_id: `engagement-traffic-${tag}`,
      created_by: cs.user.id,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const page = await db
    .insertInto('pages')
    .values({
      engagement_id: engagement.id,
      url: `https://shop.example/${tag}`,
      page_type: 'product',
      baseline_rate: 0.05,
      daily_visitors: 1000,
      value_per_conversion_yen: 3000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cycle = await db
    .insertInto('cycles')
    .values({ engagement_id: engagement.id, month: '2026-12', workflow_id: `cycle-traffic-${tag}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const hypothesis = await db
    .insertInto('hypotheses')
    .values({
      cycle_id: cycle.id,
      ordinal: 1,
      author: 'cs',
      author_user_id: cs.user.id,
      problem: 'the buy button is below the fold',
      page_id: page.id,
      metric: 'conversion',
      skills: [],
      offer_kind: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const offer = await db
    .insertInto('offers')
    .values({
      cycle_id: cycle.id,
      hypothesis_id: hypothesis.id,
      kind: 'open',
      brief: 'move the button up',
      adoption_fee_yen: 150_000,
      win_bonus_yen: 100_000,
      submission_fee_yen: 0,
      deadline: new Date(Date.now() + 86400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const test = await db
    .insertInto('tests')
    .values({
      offer_id: offer.id,
      cycle_id: cycle.id,
      page_id: page.id,
      metric: 'conversion',
      planned_sample_total: 10_000,
      workflow_id: `test-traffic-${tag}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const variants = await db
    .insertInto('variants')
    .values(weights.map((weight, i) => ({ test_id: test.id, arm: i === 0 ? 'control' : String.fromCharCode(64 + i), position: i, weight })))
    .returning(['id', 'arm', 'position', 'weight'])
    .execute();
  return { clientId: client, testId: test.id, variants };
}

/** Visitor ids whose deterministic arm is `arm` (found by trying names in order). */
function visitorsIn(f: Fixture, arm: string, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const id = `${prefix}-${i}`;
    if (assignVariant(f.testId, id, f.variants).arm === arm) out.push(id);
  }
  return out;
}

function post(f: Fixture, events: unknown[], auth = cs.auth) {
  return h.app.inject({ method: 'POST', url: `/v1/tests/${f.testId}/events`, headers: auth, payload: { events } });
}

async function factTotals(testId: number) {
  return h.db
    .selectFrom('visitor_facts')
    .select((eb) => [
      eb.fn.countAll<number>().as('visitors'),
      eb.fn.sum<number>('conversions').as('conversions'),
      eb.fn.sum<number>('value_sum').as('value_sum'),
    ])
    .where('test_id', '=', testId)
    .executeTakeFirstOrThrow();
}

function batch(prefix: string, size: number): TrafficEvent[] {
  return Array.from({ length: size }, (_, i) => ({
    event_id: `${prefix}-e${i}`,
    visitor_id: `${prefix}-v${i % 40}`,
    type: i % 5 === 0 ? ('conversion' as const) : ('exposure' as const),
    ...(i % 5 === 0 ? { value: 10 } : {}),
  }));
}

describe('assignment', () => {
  it('gives the same visitor the same arm every time, as computed by the domain function', async () => {
    const f = await makeTest([1, 1, 1]);
    const own = await userWithToken(h.db, 'client', { clientId: f.clientId });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const visitor = `visitor-${i}`;
      const expected = assignVariant(f.testId, visitor, f.variants);
      for (const auth of [cs.auth, own.auth, cs.auth]) {
        const res = await h.app.inject({ url: `/v1/tests/${f.testId}/assignment?visitor=${visitor}`, headers: auth });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ test_id: f.testId, visitor_id: visitor, variant_id: expected.id, arm: expected.arm });
      }
      seen.add(expected.arm);
    }
    expect(seen.size).toBe(3);
  });

  it('400 without a visitor, 404 for an unknown test', async () => {
    const f = await makeTest([1, 1]);
    const missing = await h.app.inject({ url: `/v1/tests/${f.testId}/assignment`, headers: cs.auth });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('/querystring/visitor');
    const unknown = await h.app.inject({ url: '/v1/tests/999999999/assignment?visitor=x', headers: cs.auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});

describe('events', () => {
  it('counts a batch posted twice once: accepted, then duplicates', async () => {
    const f = await makeTest([1, 1]);
    const events = batch('retry', 200);
    const first = await post(f, events);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ accepted: 200, duplicates: 0 });
    const before = await factTotals(f.testId);
    const again = await post(f, events);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 200 });
    expect(await factTotals(f.testId)).toEqual(before);
    expect(before).toEqual({ visitors: 40, conversions: 40, value_sum: 400 });
    // A batch repeating an event id within itself counts it once too.
    const repeated = await post(f, [
      { event_id: 'same', visitor_id: 'retry-v1', type: 'conversion', value: 5 },
      { event_id: 'same', visitor_id: 'retry-v1', type: 'conversion', value: 5 },
    ]);
    expect(repeated.json()).toEqual({ accepted: 1, duplicates: 1 });
    expect(await factTotals(f.testId)).toEqual({ visitors: 40, conversions: 41, value_sum: 405 });
  });

  it('counts identical batches sent in parallel once', async () => {
    const f = await makeTest([1, 1]);
    const events = batch('race', 1000);
    const results = await Promise.all([post(f, events), post(f, events), post(f, events), post(f, events)]);
    const bodies = results.map((r) => {
      expect(r.statusCode).toBe(200);
      return r.json() as { accepted: number; duplicates: number };
    });
    expect(bodies.reduce((s, b) => s + b.accepted, 0)).toBe(1000);
    expect(bodies.reduce((s, b) => s + b.duplicates, 0)).toBe(3000);
    expect(await factTotals(f.testId)).toEqual({ visitors: 40, conversions: 200, value_sum: 2000 });
    // Straight through the data layer and two pools (as two API processes would): overlapping
    // batches, in different orders, race in Postgres, still count once and do not deadlock.
    const g = await makeTest([1, 1]);
    const other = createDb(h.config.databaseUrl!, 2);
    try {
      const raced = await Promise.all([
        ingestEvents(h.db, g.testId, events),
        ingestEvents(other, g.testId, [...events].reverse()),
        ingestEvents(other, g.testId, events.slice(500)),
        ingestEvents(h.db, g.testId, batch('race2', 1000)),
      ]);
      expect(raced.reduce((s, r) => s + r.accepted, 0)).toBe(2000);
      expect(raced.reduce((s, r) => s + r.duplicates, 0)).toBe(1500);
    } finally {
      await other.destroy();
    }
    expect(await factTotals(g.testId)).toEqual({ visitors: 80, conversions: 400, value_sum: 4000 });
    // The per-arm aggregates folded in at ingest equal a full recomputation from the visitors' facts.
    expect(await armStats(h.db, g.testId)).toEqual(await armStatsFromFacts(h.db, g.testId));
    expect(await armStats(h.db, f.testId)).toEqual(await armStatsFromFacts(h.db, f.testId));
    // Every 5th event is a conversion: visitors v0, v5, …, v35 of each batch only convert (no unit).
    expect((await armStats(h.db, g.testId)).reduce((s, a) => s + a.n, 0)).toBe(64);
  });

  it('keeps per-arm aggregates exact when exposures arrive after conversions, across many racing batches', async () => {
    const f = await makeTest([2, 1, 1]);
    const other = createDb(h.config.databaseUrl!, 3);
    const exposedVisitors = new Set<string>();
    try {
      // 12 batches over the same 60 visitors, each posted twice, alternating pools; conversions (with
      // values) of a visitor often land before its exposure.
      const batches = Array.from({ length: 12 }, (_, b) =>
        Array.from({ length: 90 }, (_, i): TrafficEvent => {
          const visitor = `agg-v${(i * 7 + b * 11) % 60}`;
          return (i + b) % 3 === 0
            ? { event_id: `agg-${b}-${i}`, visitor_id: visitor, type: 'conversion', value: (i % 7) * 25 }
            : { event_id: `agg-${b}-${i}`, visitor_id: visitor, type: 'exposure' };
        }),
      );
      for (const e of batches.flat()) if (e.type === 'exposure') exposedVisitors.add(e.visitor_id);
      await Promise.all(batches.flatMap((events, b) => [ingestEvents(b % 2 ? h.db : other, f.testId, events), ingestEvents(b % 2 ? other : h.db, f.testId, [...events].reverse())]));
    } finally {
      await other.destroy();
    }
    const kept = await armStats(h.db, f.testId);
    expect(kept).toEqual(await armStatsFromFacts(h.db, f.testId));
    expect(kept.reduce((s, a) => s + a.n, 0)).toBe(exposedVisitors.size);
    expect(kept.reduce((s, a) => s + a.conversions, 0)).toBeGreaterThan(0);
    // A read sums a bounded number of aggregate rows, never the visitors.
    const rows = await h.db.selectFrom('arm_stats' as never).select((eb) => eb.fn.countAll<number>().as('n')).where('test_id' as never, '=', f.testId as never).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBeLessThanOrEqual(3 * 8);
  });

  it('armStats gives the exact counts and sums of a hand-computed data set', async () => {
    // control 1 : A 1 : B 0 (B is never assigned, but listed with zeros).
    const f = await makeTest([1, 1, 0]);
    const [c1, c2, c3, c4] = visitorsIn(f, 'control', 4, 'hand-c');
    const [a1, a2, a3] = visitorsIn(f, 'A', 3, 'hand-a');
    const exposure = (id: string, v: string) => ({ event_id: id, visitor_id: v, type: 'exposure' });
    const conversion = (id: string, v: string, value?: number) => ({
      event_id: id,
      visitor_id: v,
      type: 'conversion',
      ...(value === undefined ? {} : { value }),
    });
    // Batch 1. control: c1 converts twice (100 + 50), c2 only looks, c3 converts without a value,
    // c4 converts but was never exposed (not a unit). A: a1's conversion arrives before its exposure.
    const first = await post(f, [
      exposure('1', c1!),
      conversion('2', c1!, 100),
      exposure('3', c2!),
      exposure('4', c3!),
      conversion('5', c3!),
      conversion('6', c4!, 999),
      conversion('7', a1!, 200),
      exposure('8', a2!),
      { ...exposure('9', a2!), occurred_at: '2026-12-01T09:00:00Z' },
    ]);
    expect(first.json()).toEqual({ accepted: 9, duplicates: 0 });
    // Batch 2 (with a retried event 2). a1's exposure, c1's second conversion, a2 converts 30, a3 looks.
    const second = await post(f, [
      conversion('2', c1!, 100),
      exposure('10', a1!),
      conversion('11', c1!, 50),
      conversion('12', a2!, 30),
      exposure('13', a3!),
    ]);
    expect(second.json()).toEqual({ accepted: 4, duplicates: 1 });

    const stats = await armStats(h.db, f.testId);
    const [control, a, b] = f.variants;
    expect(stats).toEqual([
      // n = c1, c2, c3; conversions = c1, c3; sum = 150 + 0 + 0; squares = 150².
      { variant_id: control!.id, arm: 'control', n: 3, conversions: 2, sum: 150, sum_squares: 22_500 },
      // n = a1, a2, a3; conversions = a1, a2; sum = 200 + 30; squares = 200² + 30².
      { variant_id: a!.id, arm: 'A', n: 3, conversions: 2, sum: 230, sum_squares: 40_900 },
      { variant_id: b!.id, arm: 'B', n: 0, conversions: 0, sum: 0, sum_squares: 0 },
    ]);
    // c4's event is stored, its facts too, but it is no unit.
    const c4Facts = await h.db.selectFrom('visitor_facts').selectAll().where('test_id', '=', f.testId).where('visitor_id', '=', c4!).executeTakeFirstOrThrow();
    expect(c4Facts).toMatchObject({ exposed: false, conversions: 1, value_sum: 999, variant_id: control!.id });
    const stored = await h.db.selectFrom('test_events').select(['occurred_at']).where('test_id', '=', f.testId).where('event_id', '=', '9').executeTakeFirstOrThrow();
    expect(stored.occurred_at.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});

describe('access and errors', () => {
  it("403 for another client's user, on both routes; its own client's user may post", async () => {
    const f = await makeTest([1, 1]);
    const stranger = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    const events = batch('tenant', 3);
    const denied = await post(f, events, stranger.auth);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    expect((await h.app.inject({ url: `/v1/tests/${f.testId}/assignment?visitor=x`, headers: stranger.auth })).statusCode).toBe(403);
    expect(await factTotals(f.testId)).toEqual({ visitors: 0, conversions: null, value_sum: null });

    const own = await userWithToken(h.db, 'client', { clientId: f.clientId });
    expect((await post(f, events, own.auth)).json()).toEqual({ accepted: 3, duplicates: 0 });
    const admin = await userWithToken(h.db, 'admin');
    expect((await post(f, batch('admin', 2), admin.auth)).statusCode).toBe(200);
    const finance = await userWithToken(h.db, 'finance');
    expect((await post(f, events, finance.auth)).statusCode).toBe(403);
  });

  it('404 for an unknown test', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/tests/999999999/events',
      headers: cs.auth,
      payload: { events: batch('nowhere', 1) },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('400 naming the field of a bad event', async () => {
    const f = await makeTest([1, 1]);
    const bad = await post(f, [{ event_id: 'x', visitor_id: 'v', type: 'click' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_error');
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/events/0/type');

    const more = await post(f, [
      { event_id: 'ok', visitor_id: 'v', type: 'exposure' },
      { event_id: '', visitor_id: 'v', type: 'conversion', value: -1, occurred_at: 'yesterday', extra: true },
    ]);
    expect(more.statusCode).toBe(400);
    expect(more.json().error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['/body/events/1/event_id', '/body/events/1/value', '/body/events/1/occurred_at', '/body/events/1/extra']),
    );
    expect((await post(f, [])).json().error.details[0].path).toBe('/body/events');
    expect(await factTotals(f.testId)).toEqual({ visitors: 0, conversions: null, value_sum: null });
  });

  it('409 when the test is not running (and nothing is recorded)', async () => {
    const f = await makeTest([1, 1]);
    expect((await post(f, batch('before', 5))).statusCode).toBe(200);
    await h.db.updateTable('tests').set({ status: 'completed', stopped_at: new Date() }).where('id', '=', f.testId).execute();
    const res = await post(f, batch('after', 5));
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
    expect(await h.db.selectFrom('test_events').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', f.testId).executeTakeFirstOrThrow()).toEqual({ n: 5 });
  });
});
