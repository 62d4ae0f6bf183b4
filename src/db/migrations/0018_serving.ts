import { sql, type Kysely } from 'kysely';

// The winner becomes the page; kill switches; apply failures (issue 22):
// - tests.served_changes: the change set the winning arm's visitors saw, frozen by the final verdict.
//   It is served to every visitor of the page while the page's control is this test's winner (the
//   promotion rule, pages.control_since_test_id) and it is not shipped (shipped_at: CS says the site's
//   own code has it now).
// - kill switches per test and per client: a killed test or client is absent from the site config.
// - apply failures: test_events may hold 'apply_failure' events (deduplicated by event id like every
//   event); visitor_facts.apply_failed marks the visitor, and arm_stats keeps per arm the visitors whose
//   changes failed (apply_failed) and those of them never exposed (failed_unexposed), so the share is
//   apply_failed / (n + failed_unexposed) without scanning visitors.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tests
    add column served_changes jsonb,
    add column shipped_at timestamptz,
    add column shipped_by bigint references users (id),
    add column kill_switch boolean not null default false`.execute(db);
  await sql`alter table clients add column kill_switch boolean not null default false`.execute(db);
  await sql`alter table test_events drop constraint if exists test_events_type_check`.execute(db);
  await sql`alter table test_events add constraint test_events_type_check check (type in ('exposure', 'conversion', 'apply_failure'))`.execute(db);
  await sql`alter table visitor_facts add column apply_failed boolean not null default false`.execute(db);
  await sql`alter table arm_stats
    add column apply_failed bigint not null default 0,
    add column failed_unexposed bigint not null default 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table arm_stats drop column if exists apply_failed, drop column if exists failed_unexposed`.execute(db);
  await sql`alter table visitor_facts drop column if exists apply_failed`.execute(db);
  await sql`delete from test_events where type = 'apply_failure'`.execute(db);
  await sql`alter table test_events drop constraint if exists test_events_type_check`.execute(db);
  await sql`alter table test_events add constraint test_events_type_check check (type in ('exposure', 'conversion'))`.execute(db);
  await sql`alter table clients drop column if exists kill_switch`.execute(db);
  await sql`alter table tests drop column if exists served_changes, drop column if exists shipped_at, drop column if exists shipped_by, drop column if exists kill_switch`.execute(db);
}
