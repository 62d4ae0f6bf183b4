import { sql, type Kysely } from 'kysely';

// Verdicts you can bill on, data side (issue 25):
// - test_metrics: per test, one primary metric and any secondary and guardrail metrics. kind binomial
//   (visitors with at least one `event`), mean (per-visitor Σ of the event's values, or of its count
//   when `per` = 'count') or ratio (Σ values / Σ count of the same event: average order value). A test
//   without rows here measures conversion as before. Guardrails have their own one-sided α; a revenue
//   metric may be capped per visitor at a pooled percentile (cap_percentile).
// - tests.events: the named events the test's metrics read (at most 3, in slot order), so the ingest
//   statement folds each into visitor_facts.c1..c3 / v1..v3 without reading test_metrics.
// - tests.decision_segment: the pre-registered decision population ('device:phone'); null = everyone.
// - tests.pre_test_ids: tests of the same page that ran in the 14 days before this one started; a
//   visitor's facts there are their CUPED pre-period covariate (visitor_facts.pre_conv / pre_value).
// - visitor_facts: the visitor's segment facts (device, visitor type, source), set once.
// - metric_stats: per arm × segment ('all', 'device:phone', …) × event slot (0 = any conversion, as
//   arm_stats) × value bucket (quarter octaves of the visitor's value, bucket_of below), a few slots
//   like arm_stats: units, converted units, Σ count, Σ count², Σ value, Σ value², Σ count·value and the
//   pre-period sums. The buckets make the pooled cap percentile readable from at most a few hundred
//   rows, and the capped sums exact (the cap is the upper edge of the percentile's bucket). A test
//   without named events keeps only its segments here: everyone's figures are arm_stats' (no backfill).
// - engagement_settings.correction: the multiple-comparison correction of the decision rule.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table engagement_settings
    add column correction text not null default 'holm' check (correction in ('holm', 'benjamini-hochberg', 'none'))`.execute(db);
  await sql`alter table tests
    add column events text[] not null default '{}' check (cardinality(events) <= 3),
    add column decision_segment text,
    add column pre_test_ids bigint[] not null default '{}'`.execute(db);
  await sql`
    create table test_metrics (
      test_id bigint not null references tests (id),
      position smallint not null,
      name text not null,
      role text not null check (role in ('primary', 'secondary', 'guardrail')),
      kind text not null check (kind in ('binomial', 'mean', 'ratio')),
      event text not null,
      per text not null default 'value' check (per in ('value', 'count')),
      inverse boolean not null default false,
      alpha double precision check (alpha > 0 and alpha < 0.5),
      cap_percentile double precision check (cap_percentile > 0.5 and cap_percentile < 1),
      primary key (test_id, position),
      unique (test_id, name)
    )`.execute(db);
  await sql`alter table test_events add column event text`.execute(db);
  await sql`alter table visitor_facts
    add column device text,
    add column visitor_type text,
    add column source text,
    add column c1 integer not null default 0, add column v1 double precision not null default 0,
    add column c2 integer not null default 0, add column v2 double precision not null default 0,
    add column c3 integer not null default 0, add column v3 double precision not null default 0,
    add column pre_conv boolean,
    add column pre_value double precision`.execute(db);
  await sql`
    create table metric_stats (
      test_id bigint not null,
      variant_id bigint not null references variants (id),
      segment text not null,
      ev smallint not null,
      bucket smallint not null,
      slot smallint not null,
      n bigint not null default 0,
      conversions bigint not null default 0,
      sc double precision not null default 0,
      sc2 double precision not null default 0,
      sv double precision not null default 0,
      sv2 double precision not null default 0,
      scv double precision not null default 0,
      npre bigint not null default 0,
      sxb double precision not null default 0,
      sxby double precision not null default 0,
      sxv double precision not null default 0,
      sxv2 double precision not null default 0,
      sxvv double precision not null default 0,
      primary key (test_id, variant_id, segment, ev, bucket, slot)
    ) with (fillfactor = 50)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists metric_stats`.execute(db);
  await sql`alter table visitor_facts
    drop column if exists device, drop column if exists visitor_type, drop column if exists source,
    drop column if exists c1, drop column if exists v1, drop column if exists c2, drop column if exists v2,
    drop column if exists c3, drop column if exists v3, drop column if exists pre_conv, drop column if exists pre_value`.execute(db);
  await sql`alter table test_events drop column if exists event`.execute(db);
  await sql`drop table if exists test_metrics`.execute(db);
  await sql`alter table tests drop column if exists events, drop column if exists decision_segment, drop column if exists pre_test_ids`.execute(db);
  await sql`alter table engagement_settings drop column if exists correction`.execute(db);
}
