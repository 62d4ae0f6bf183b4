// The A/B traffic path (data access, no HTTP): assignment of visitors and ingestion of their events,
// called by the client's website for every visitor, so each call is at most one SQL statement.
//
// Counting rules:
// - an event id counts once per test: raw events go to test_events (primary key (test_id, event_id))
//   with ON CONFLICT DO NOTHING, and only the rows that insert actually returned are folded into
//   visitor_facts, in the same statement. A retried batch, or two identical batches racing each other,
//   therefore never count twice (the second waits on the first's index entries, then skips them).
// - a visitor's variant is the deterministic assignment (domain/assignment.ts), computed here.
// - units are exposed visitors: a conversion from a never-exposed visitor is stored but not counted.
// - concurrent batches that share visitors queue on those visitor_facts rows until the other commits
//   (correct, and deadlock-free thanks to the sorted order, but it limits parallelism for one test).
// - per-arm aggregates (arm_stats) are folded in by the same statement, from each touched visitor's
//   facts before and after (RETURNING old/new, PostgreSQL 18): exact under retries and races, since a
//   visitor's row is updated by one batch at a time and each batch adds exactly its own change.
// - `value` is summed from conversion events only (the revenue of the conversion); a value on an
//   exposure is stored in test_events but ignored by the facts.
// - an `apply_failure` (the SDK could not apply the visitor's arm) is stored and deduplicated like any
//   event, marks the visitor's facts (apply_failed) and is counted per arm (arm_stats.apply_failed, and
//   failed_unexposed for those never exposed), never as an exposure or a conversion.
// - the client's holdout figures (client_visitors, holdout_stats) are folded in the same way, one row
//   per visitor across all the client's tests, so the holdout report reads a handful of rows too.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { assignmentPoint, orderVariants, pickVariant } from '../domain/assignment.ts';
import { ValidationError } from '../domain/errors.ts';
import { inHoldout } from '../domain/holdout.ts';
import type { MetricStatsRow } from '../domain/cycles/metric-data.ts';

const TRAFFIC_EVENT_TYPES = ['exposure', 'conversion', 'apply_failure'] as const;
export type TrafficEventType = (typeof TRAFFIC_EVENT_TYPES)[number];

/** A visitor's segment facts (issue 25), sent by the SDK with its exposure; the first value given is kept. */
export const DEVICES = ['phone', 'pc', 'tablet'] as const;
export const VISITOR_TYPES = ['new', 'returning'] as const;
export const SOURCES = ['search', 'social', 'ads', 'direct', 'other'] as const;
/** The segment dimensions, as metric_stats names them ('device:phone'). */
export const SEGMENT_DIMENSIONS = { device: DEVICES, visitor: VISITOR_TYPES, source: SOURCES } as const;
/** An event name: `order`, `signup`, … */
export const EVENT_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export interface TrafficEvent {
  event_id: string;
  visitor_id: string;
  type: TrafficEventType;
  value?: number;
  /** The conversion's name (mapped to the test's metrics); an unnamed conversion counts for conversion only. */
  event?: string;
  device?: (typeof DEVICES)[number];
  visitor_type?: (typeof VISITOR_TYPES)[number];
  source?: (typeof SOURCES)[number];
  /** ISO 8601 date-time; defaults to the time of ingestion. */
  occurred_at?: string;
}

export interface Assignment {
  test_id: number;
  visitor_id: string;
  variant_id: number;
  arm: string;
}

export interface ArmStats {
  variant_id: number;
  arm: string;
  /** Exposed visitors (units). */
  n: number;
  /** Exposed visitors with at least one conversion (binomial metric). */
  conversions: number;
  /** Σ over exposed visitors of their total value (mean metric). */
  sum: number;
  /** Σ over exposed visitors of their total value squared. */
  sum_squares: number;
}

export interface IngestResult {
  /** Events newly recorded by this call. */
  accepted: number;
  /** Events whose id had already been recorded for the test (or repeated within the batch). */
  duplicates: number;
}

export interface TestVariant {
  id: number;
  arm: string;
  position: number;
  weight: number;
}

/** What never changes about a test once created: its tenant and its variants (in position order). */
export interface TestMeta {
  test_id: number;
  client_id: number;
  metric: 'conversion' | 'revenue';
  variants: TestVariant[];
  /** The client's persistent holdout when the test was created (domain/holdout.ts); fixed per test. */
  holdout_percent: number;
  /** The page's tests in the 14 days before this one (fixed at creation): the CUPED pre-period. */
  pre_test_ids: number[];
}

export class TrafficError extends Error {
  constructor(
    readonly reason: 'test_not_found' | 'test_not_running' | 'no_variants',
    message: string,
  ) {
    super(message);
    this.name = 'TrafficError';
  }
}

// Per database handle (so two databases in one process never mix ids), bounded. Only immutable facts
// are cached (tenant, variants); status is read by every ingest statement, and tenant checks are the
// caller's, on every request.
const CACHE_MAX = 10_000;
const caches = new WeakMap<Db, Map<number, TestMeta>>();

function cacheFor(db: Db): Map<number, TestMeta> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** The test's tenant and variants (cached after the first success); undefined when the test does not exist. */
export async function loadTestMeta(db: Db, testId: number): Promise<TestMeta | undefined> {
  const cache = cacheFor(db);
  const hit = cache.get(testId);
  if (hit) return hit;
  const test = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['tests.id', 'tests.metric', 'tests.holdout_percent', 'tests.pre_test_ids', 'engagements.client_id'])
    .where('tests.id', '=', testId)
    .executeTakeFirst();
  if (!test) return undefined;
  const rows = await db
    .selectFrom('variants')
    .select(['id', 'arm', 'position', 'weight'])
    .where('test_id', '=', testId)
    .orderBy('position')
    .execute();
  let variants: TestVariant[];
  try {
    variants = orderVariants(rows);
  } catch (err) {
    // Not cached: the variants may still be being written.
    throw new TrafficError('no_variants', `test ${testId} has no variant with a positive weight (${(err as Error).message})`);
  }
  const meta: TestMeta = { test_id: test.id, client_id: test.client_id, metric: test.metric, variants, holdout_percent: test.holdout_percent, pre_test_ids: test.pre_test_ids.map(Number) };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(testId, meta);
  return meta;
}

/** Held-out visitors always get the control (the variant at position 0), in every test of the client. */
const heldOut = (meta: TestMeta, visitorId: string) => inHoldout(meta.client_id, visitorId, meta.holdout_percent);

function variantOf(meta: TestMeta, visitorId: string): TestVariant {
  if (heldOut(meta, visitorId)) return meta.variants[0]!;
  return pickVariant(meta.variants, assignmentPoint(meta.test_id, visitorId));
}

/** The visitor's variant; throws TrafficError('test_not_found') for an unknown test. */
export async function assignVisitor(db: Db, testId: number, visitorId: string): Promise<Assignment> {
  const meta = await loadTestMeta(db, testId);
  if (!meta) throw new TrafficError('test_not_found', `test ${testId} not found`);
  const v = variantOf(meta, visitorId);
  return { test_id: testId, visitor_id: visitorId, variant_id: v.id, arm: v.arm };
}

function checkEvents(events: readonly TrafficEvent[]): void {
  const details: { path: string; message: string }[] = [];
  events.forEach((e, i) => {
    const at = `/events/${i}`;
    if (typeof e.event_id !== 'string' || e.event_id.length < 1 || e.event_id.length > 200) {
      details.push({ path: `${at}/event_id`, message: 'must be a string of 1 to 200 characters' });
    }
    if (typeof e.visitor_id !== 'string' || e.visitor_id.length < 1 || e.visitor_id.length > 200) {
      details.push({ path: `${at}/visitor_id`, message: 'must be a string of 1 to 200 characters' });
    }
    if (!TRAFFIC_EVENT_TYPES.includes(e.type)) details.push({ path: `${at}/type`, message: `must be one of: ${TRAFFIC_EVENT_TYPES.join(', ')}` });
    if (e.value !== undefined && e.value !== null && !(typeof e.value === 'number' && Number.isFinite(e.value) && e.value >= 0)) {
      details.push({ path: `${at}/value`, message: 'must be a finite number >= 0' });
    }
    if (e.occurred_at !== undefined && e.occurred_at !== null && Number.isNaN(Date.parse(e.occurred_at))) {
      details.push({ path: `${at}/occurred_at`, message: 'must be an ISO 8601 date-time' });
    }
    if (e.event !== undefined && e.event !== null && !(typeof e.event === 'string' && EVENT_NAME.test(e.event))) {
      details.push({ path: `${at}/event`, message: `must match ${EVENT_NAME.source}` });
    }
    const oneOf = (field: 'device' | 'visitor_type' | 'source', allowed: readonly string[]) => {
      const v = e[field];
      if (v !== undefined && v !== null && !allowed.includes(v)) details.push({ path: `${at}/${field}`, message: `must be one of: ${allowed.join(', ')}` });
    };
    oneOf('device', DEVICES);
    oneOf('visitor_type', VISITOR_TYPES);
    oneOf('source', SOURCES);
  });
  if (details.length) throw new ValidationError(`${details[0]!.path} ${details[0]!.message}`, details);
}

/**
 * Records a batch of events for a running test in one SQL statement and folds the newly recorded
 * ones into visitor_facts, the arm aggregates and the client's holdout figures. Throws TrafficError('test_not_found' | 'test_not_running') and
 * ValidationError for a malformed event.
 */
export async function ingestEvents(db: Db, testId: number, events: readonly TrafficEvent[]): Promise<IngestResult> {
  checkEvents(events);
  const meta = await loadTestMeta(db, testId);
  if (!meta) throw new TrafficError('test_not_found', `test ${testId} not found`);
  if (events.length === 0) return { accepted: 0, duplicates: 0 };

  // First occurrence of each event id wins; the batch is sorted by event id so that concurrent
  // overlapping batches take their index locks in the same order (no deadlocks).
  const unique = new Map<string, TrafficEvent>();
  for (const e of events) if (!unique.has(e.event_id)) unique.set(e.event_id, e);
  const sorted = [...unique.values()].sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
  const n = sorted.length;
  const eventIds = new Array<string>(n);
  const visitorIds = new Array<string>(n);
  const types = new Array<string>(n);
  const names = new Array<string | null>(n);
  const values = new Array<number | null>(n);
  const occurred = new Array<string | null>(n);
  const variantByVisitor = new Map<string, number>();
  const heldOutByVisitor = new Map<string, boolean>();
  // Each visitor's segment facts, the first given in the batch (the stored ones win over them).
  const factsByVisitor = new Map<string, [string | null, string | null, string | null]>();
  for (let i = 0; i < n; i++) {
    const e = sorted[i]!;
    eventIds[i] = e.event_id;
    visitorIds[i] = e.visitor_id;
    types[i] = e.type;
    names[i] = e.event ?? null;
    values[i] = e.value ?? null;
    occurred[i] = e.occurred_at ?? null;
    // Held-out visitors are outside the experiment: their events are stored (the holdout report reads
    // them) but never counted in the arms, so the split the verdict checks for SRM stays as designed.
    if (!heldOutByVisitor.has(e.visitor_id)) {
      const held = heldOut(meta, e.visitor_id);
      heldOutByVisitor.set(e.visitor_id, held);
      if (!held) variantByVisitor.set(e.visitor_id, variantOf(meta, e.visitor_id).id);
    }
    const f = factsByVisitor.get(e.visitor_id);
    if (!f) factsByVisitor.set(e.visitor_id, [e.device ?? null, e.visitor_type ?? null, e.source ?? null]);
    else {
      f[0] ??= e.device ?? null;
      f[1] ??= e.visitor_type ?? null;
      f[2] ??= e.source ?? null;
    }
  }

  // A random slot of the arm's aggregate rows: concurrent batches of one test mostly update different
  // rows, and a read sums at most ARM_SLOTS rows per arm.
  const slot = Math.floor(Math.random() * ARM_SLOTS);
  // `t` locks the test row FOR SHARE: a concurrent status change waits for in-flight batches, and a
  // batch that starts after it sees the new status, so nothing is counted after a test stops.
  // visitor_facts rows are upserted in visitor order, again so concurrent batches never deadlock.
  const { rows } = await sql<{ status: string | null; accepted: number }>`
    with t as (
      select status, events from tests where id = ${testId}::bigint for share
    ),
    ins as (
      insert into test_events (test_id, event_id, visitor_id, type, value, occurred_at, event)
      select ${testId}::bigint, e.event_id, e.visitor_id, e.type, e.value, coalesce(e.occurred_at, now()), e.event
      from unnest(${eventIds}::text[], ${visitorIds}::text[], ${types}::text[], ${values}::float8[], ${occurred}::timestamptz[], ${names}::text[])
        as e(event_id, visitor_id, type, value, occurred_at, event)
      where exists (select 1 from t where t.status = 'running')
      on conflict (test_id, event_id) do nothing
      returning visitor_id, type, value, event
    ),
    -- A named conversion also counts in its event slot (tests.events: the events the test's metrics read).
    facts as (
      insert into visitor_facts as f (test_id, visitor_id, variant_id, exposed, conversions, value_sum, apply_failed,
                                      device, visitor_type, source, c1, v1, c2, v2, c3, v3, pre_conv, pre_value)
      select ${testId}::bigint, ins.visitor_id, a.variant_id,
             bool_or(ins.type = 'exposure'),
             count(*) filter (where ins.type = 'conversion'),
             coalesce(sum(ins.value) filter (where ins.type = 'conversion'), 0),
             bool_or(ins.type = 'apply_failure'),
             a.device, a.visitor_type, a.source,
             count(*) filter (where ins.type = 'conversion' and ins.event = t.events[1]),
             coalesce(sum(ins.value) filter (where ins.type = 'conversion' and ins.event = t.events[1]), 0),
             count(*) filter (where ins.type = 'conversion' and ins.event = t.events[2]),
             coalesce(sum(ins.value) filter (where ins.type = 'conversion' and ins.event = t.events[2]), 0),
             count(*) filter (where ins.type = 'conversion' and ins.event = t.events[3]),
             coalesce(sum(ins.value) filter (where ins.type = 'conversion' and ins.event = t.events[3]), 0),
             ${meta.pre_test_ids.length ? sql`pre.conv, pre.value` : sql`null::boolean, null::float8`}
      from ins
      cross join t
      join unnest(${[...variantByVisitor.keys()]}::text[], ${[...variantByVisitor.values()]}::bigint[],
                  ${[...variantByVisitor.keys()].map((v) => factsByVisitor.get(v)![0])}::text[],
                  ${[...variantByVisitor.keys()].map((v) => factsByVisitor.get(v)![1])}::text[],
                  ${[...variantByVisitor.keys()].map((v) => factsByVisitor.get(v)![2])}::text[])
        as a(visitor_id, variant_id, device, visitor_type, source)
        on a.visitor_id = ins.visitor_id
      -- CUPED's covariate: the visitor's facts in the page's tests of the 14 days before (an index lookup each)
      ${meta.pre_test_ids.length
        ? sql`left join lateral (
                select bool_or(p.conversions > 0) as conv, case when count(*) > 0 then sum(p.value_sum) end as value
                from visitor_facts p where p.test_id = any(${meta.pre_test_ids}::bigint[]) and p.visitor_id = ins.visitor_id and p.exposed
              ) pre on true`
        : sql``}
      group by ins.visitor_id, a.variant_id, a.device, a.visitor_type, a.source, t.events${meta.pre_test_ids.length ? sql`, pre.conv, pre.value` : sql``}
      order by ins.visitor_id
      on conflict (test_id, visitor_id) do update set
        exposed = f.exposed or excluded.exposed,
        conversions = f.conversions + excluded.conversions,
        value_sum = f.value_sum + excluded.value_sum,
        apply_failed = f.apply_failed or excluded.apply_failed,
        device = coalesce(f.device, excluded.device),
        visitor_type = coalesce(f.visitor_type, excluded.visitor_type),
        source = coalesce(f.source, excluded.source),
        c1 = f.c1 + excluded.c1, v1 = f.v1 + excluded.v1,
        c2 = f.c2 + excluded.c2, v2 = f.v2 + excluded.v2,
        c3 = f.c3 + excluded.c3, v3 = f.v3 + excluded.v3
      -- a repeat exposure of an exposed visitor changes nothing: skip writing a new row version
      where excluded.conversions > 0 or (excluded.exposed and not f.exposed) or (excluded.apply_failed and not f.apply_failed)
         or (f.device is null and excluded.device is not null) or (f.visitor_type is null and excluded.visitor_type is not null)
         or (f.source is null and excluded.source is not null)
      returning old.exposed as old_exposed, old.conversions as old_conversions, old.value_sum as old_value, old.apply_failed as old_failed,
                new.variant_id, new.exposed, new.conversions, new.value_sum, new.apply_failed,
                old.device as old_device, old.visitor_type as old_visitor_type, old.source as old_source,
                old.c1 as old_c1, old.v1 as old_v1, old.c2 as old_c2, old.v2 as old_v2, old.c3 as old_c3, old.v3 as old_v3,
                new.device, new.visitor_type, new.source, new.c1, new.v1, new.c2, new.v2, new.c3, new.v3, new.pre_conv, new.pre_value
    ),
    -- metric_stats: each changed exposed visitor's contribution (after, minus before) per segment it is
    -- in ('all' and one per known fact), event slot (0 = any conversion) and value bucket (quarter octaves).
    contrib as (
      select x.variant_id, g.segment, m.ev,
             case when m.v < 1 then 0 else least(200, 1 + floor(4 * ln(m.v) / ln(2)))::int end as bucket,
             x.sign as n, x.sign * (m.c > 0)::int as conversions, x.sign * m.c as sc, x.sign * m.c * m.c as sc2,
             x.sign * m.v as sv, x.sign * m.v * m.v as sv2, x.sign * m.c * m.v as scv,
             x.sign * (x.pre_value is not null)::int as npre,
             x.sign * coalesce(x.pre_conv::int, 0) as sxb, x.sign * coalesce(x.pre_conv::int, 0) * (m.c > 0)::int as sxby,
             x.sign * coalesce(x.pre_value, 0) as sxv, x.sign * coalesce(x.pre_value * x.pre_value, 0) as sxv2,
             x.sign * coalesce(x.pre_value, 0) * m.v as sxvv
      from (
        select variant_id, 1 as sign, device, visitor_type, source, conversions, value_sum, c1, v1, c2, v2, c3, v3, pre_conv, pre_value
          from facts where exposed
        union all
        select variant_id, -1, old_device, old_visitor_type, old_source, old_conversions, old_value, old_c1, old_v1, old_c2, old_v2, old_c3, old_v3, pre_conv, pre_value
          from facts where old_exposed
      ) x
      cross join lateral (values (0, x.conversions, x.value_sum), (1, x.c1, x.v1), (2, x.c2, x.v2), (3, x.c3, x.v3)) as m(ev, c, v)
      cross join lateral (values ('all'), ('device:' || x.device), ('visitor:' || x.visitor_type), ('source:' || x.source)) as g(segment)
      -- a test without named events reads its 'all' figures from arm_stats (metricStats): only its segments here
      where g.segment is not null and m.ev <= (select cardinality(events) from t) and (g.segment <> 'all' or (select cardinality(events) from t) > 0)
        -- (on x alone, so applied before the fan-out: a visitor with no segment fact in a test without named events adds nothing)
        and (x.device is not null or x.visitor_type is not null or x.source is not null or (select cardinality(events) from t) > 0)
    ),
    metrics as (
      insert into metric_stats as s (test_id, variant_id, segment, ev, bucket, slot, n, conversions, sc, sc2, sv, sv2, scv, npre, sxb, sxby, sxv, sxv2, sxvv)
      select ${testId}::bigint, variant_id, segment, ev, bucket, ${slot}::smallint, sum(n), sum(conversions), sum(sc), sum(sc2), sum(sv), sum(sv2), sum(scv),
             sum(npre), sum(sxb), sum(sxby), sum(sxv), sum(sxv2), sum(sxvv)
      from contrib
      group by variant_id, segment, ev, bucket
      having sum(n) <> 0 or sum(conversions) <> 0 or sum(sc) <> 0 or sum(sv) <> 0 or sum(sv2) <> 0 or sum(npre) <> 0
      order by variant_id, segment, ev, bucket
      on conflict (test_id, variant_id, segment, ev, bucket, slot) do update set
        n = s.n + excluded.n, conversions = s.conversions + excluded.conversions,
        sc = s.sc + excluded.sc, sc2 = s.sc2 + excluded.sc2, sv = s.sv + excluded.sv, sv2 = s.sv2 + excluded.sv2, scv = s.scv + excluded.scv,
        npre = s.npre + excluded.npre, sxb = s.sxb + excluded.sxb, sxby = s.sxby + excluded.sxby,
        sxv = s.sxv + excluded.sxv, sxv2 = s.sxv2 + excluded.sxv2, sxvv = s.sxvv + excluded.sxvv
    ),
    -- Each visitor's contribution to its arm, after minus before (before is null for a new visitor):
    -- exposed visitors are units; converted units; Σ and Σ² of their total value.
    delta as (
      select variant_id,
             sum(exposed::int - coalesce(old_exposed, false)::int) as n,
             sum((exposed and conversions > 0)::int - coalesce(old_exposed and old_conversions > 0, false)::int) as conversions,
             sum(case when exposed then value_sum else 0 end - case when old_exposed then old_value else 0 end) as sum,
             sum(case when exposed then value_sum * value_sum else 0 end - case when old_exposed then old_value * old_value else 0 end) as sum_squares,
             sum(apply_failed::int - coalesce(old_failed, false)::int) as apply_failed,
             sum((apply_failed and not exposed)::int - coalesce(old_failed and not old_exposed, false)::int) as failed_unexposed
      from facts
      group by variant_id
    ),
    arms as (
      insert into arm_stats as s (test_id, variant_id, slot, n, conversions, sum, sum_squares, apply_failed, failed_unexposed)
      select ${testId}::bigint, d.variant_id, ${slot}::smallint, d.n, d.conversions, d.sum, d.sum_squares, d.apply_failed, d.failed_unexposed
      from delta d
      where d.n <> 0 or d.conversions <> 0 or d.sum <> 0 or d.sum_squares <> 0 or d.apply_failed <> 0 or d.failed_unexposed <> 0
      order by d.variant_id
      on conflict (test_id, variant_id, slot) do update set
        n = s.n + excluded.n,
        conversions = s.conversions + excluded.conversions,
        sum = s.sum + excluded.sum,
        sum_squares = s.sum_squares + excluded.sum_squares,
        apply_failed = s.apply_failed + excluded.apply_failed,
        failed_unexposed = s.failed_unexposed + excluded.failed_unexposed
    ),
    -- The client's visitors across all its tests (held out, exposed, converted in any), for the holdout
    -- report: a row is written only when one of its flags turns on.
    cv as (
      insert into client_visitors as c (client_id, visitor_id, holdout, exposed, converted)
      select ${meta.client_id}::bigint, ins.visitor_id, h.holdout, bool_or(ins.type = 'exposure'), bool_or(ins.type = 'conversion')
      from ins
      join unnest(${[...heldOutByVisitor.keys()]}::text[], ${[...heldOutByVisitor.values()]}::bool[]) as h(visitor_id, holdout)
        on h.visitor_id = ins.visitor_id
      where ins.type <> 'apply_failure' -- not a visit the holdout report counts
      group by ins.visitor_id, h.holdout
      order by ins.visitor_id
      on conflict (client_id, visitor_id) do update set
        holdout = c.holdout or excluded.holdout,
        exposed = c.exposed or excluded.exposed,
        converted = c.converted or excluded.converted
      where (excluded.holdout and not c.holdout) or (excluded.exposed and not c.exposed) or (excluded.converted and not c.converted)
      returning old.holdout as old_holdout, old.exposed as old_exposed, old.converted as old_converted, new.holdout, new.exposed, new.converted
    ),
    -- Each changed visitor's contribution to its group (exposed units, converted units), after minus before.
    groups as (
      select holdout, sum(n) as n, sum(conversions) as conversions
      from (
        select holdout, exposed::int as n, (exposed and converted)::int as conversions from cv
        union all
        select old_holdout, -(old_exposed::int), -((old_exposed and old_converted)::int) from cv where old_holdout is not null
      ) x
      group by holdout
    ),
    held as (
      insert into holdout_stats as s (client_id, holdout, slot, n, conversions)
      select ${meta.client_id}::bigint, g.holdout, ${slot}::smallint, g.n, g.conversions
      from groups g
      where g.n <> 0 or g.conversions <> 0
      order by g.holdout
      on conflict (client_id, holdout, slot) do update set n = s.n + excluded.n, conversions = s.conversions + excluded.conversions
    )
    select (select status from t) as status, (select count(*) from ins)::int as accepted
  `.execute(db);
  const row = rows[0]!;
  if (row.status === null) throw new TrafficError('test_not_found', `test ${testId} not found`);
  if (row.status !== 'running') throw new TrafficError('test_not_running', `test ${testId} is ${row.status}, not running`);
  return { accepted: row.accepted, duplicates: events.length - row.accepted };
}

/** Rows per arm in arm_stats (see ingestEvents); a read sums at most this many per arm. */
export const ARM_SLOTS = 8;

/**
 * Per variant, in position order: units, binomial conversions and the sums of the mean metric. Reads
 * the per-arm aggregates kept by ingestEvents (at most ARM_SLOTS rows per arm): the same cost at a
 * thousand visitors or ten million.
 */
export async function armStats(db: Db, testId: number): Promise<ArmStats[]> {
  const { rows } = await sql<ArmStats>`
    select v.id as variant_id, v.arm,
           coalesce(sum(s.n), 0)::int as n,
           coalesce(sum(s.conversions), 0)::int as conversions,
           coalesce(sum(s.sum), 0)::float8 as sum,
           coalesce(sum(s.sum_squares), 0)::float8 as sum_squares
    from variants v
    left join arm_stats s on s.test_id = v.test_id and s.variant_id = v.id
    where v.test_id = ${testId}::bigint
    group by v.id, v.arm, v.position
    order by v.position
  `.execute(db);
  return rows;
}

/** Per variant, in position order: visitors whose arm failed to apply, and the arm's visitors (exposed or failed). */
export async function applyFailureStats(db: Db, testId: number): Promise<{ variant_id: number; arm: string; failed: number; visitors: number }[]> {
  const { rows } = await sql<{ variant_id: number; arm: string; failed: number; visitors: number }>`
    select v.id as variant_id, v.arm,
           coalesce(sum(s.apply_failed), 0)::int as failed,
           coalesce(sum(s.n + s.failed_unexposed), 0)::int as visitors
    from variants v
    left join arm_stats s on s.test_id = v.test_id and s.variant_id = v.id
    where v.test_id = ${testId}::bigint
    group by v.id, v.arm, v.position
    order by v.position
  `.execute(db);
  return rows;
}

/** The same figures recomputed from every visitor's facts (a scan: for checks and tests, never a read path). */
export async function armStatsFromFacts(db: Db, testId: number): Promise<ArmStats[]> {
  const { rows } = await sql<ArmStats>`
    select v.id as variant_id, v.arm,
           count(f.visitor_id) filter (where f.exposed)::int as n,
           count(f.visitor_id) filter (where f.exposed and f.conversions > 0)::int as conversions,
           coalesce(sum(f.value_sum) filter (where f.exposed), 0)::float8 as sum,
           coalesce(sum(f.value_sum * f.value_sum) filter (where f.exposed), 0)::float8 as sum_squares
    from variants v
    left join visitor_facts f on f.test_id = v.test_id and f.variant_id = v.id
    where v.test_id = ${testId}::bigint
    group by v.id, v.arm, v.position
    order by v.position
  `.execute(db);
  return rows;
}

/**
 * The test's metric aggregates (metric_stats, slots summed): per arm × segment × event slot × value
 * bucket. At most arms × (1 + 10 segments) × 4 slots × the buckets in use: bounded, whatever the traffic.
 */
export async function metricStats(db: Db, testId: number): Promise<MetricStatsRow[]> {
  const { rows } = await sql<MetricStatsRow>`
    select variant_id::int as variant_id, segment, ev, bucket,
           sum(n)::float8 as n, sum(conversions)::float8 as conversions, sum(sc) as sc, sum(sc2) as sc2, sum(sv) as sv, sum(sv2) as sv2,
           sum(scv) as scv, sum(npre)::float8 as npre, sum(sxb) as sxb, sum(sxby) as sxby, sum(sxv) as sxv, sum(sxv2) as sxv2, sum(sxvv) as sxvv
    from metric_stats
    where test_id = ${testId}::bigint
    group by variant_id, segment, ev, bucket
    union all
    -- a test without named events: everyone's any-conversion figures are arm_stats' (uncapped, no covariate)
    select variant_id::int, 'all', 0, 0, sum(n)::float8, sum(conversions)::float8, 0, 0, sum(sum), sum(sum_squares), 0, 0, 0, 0, 0, 0, 0
    from arm_stats
    where test_id = ${testId}::bigint and (select cardinality(events) = 0 from tests where id = ${testId}::bigint)
    group by variant_id
  `.execute(db);
  return rows;
}
