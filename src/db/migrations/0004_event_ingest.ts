import { sql, type Kysely } from 'kysely';

// Event ingestion is the hot path (batches of 1,000 from clients' sites). Measured with
// `npm run bench:events`, Postgres spends most of its time on these tables, so:
// - ids are compared bytewise (collation "C"): they are opaque tokens, never sorted for people;
// - visitor_facts leaves room on each page so the counter updates stay HOT (no index rewrite);
// - test_events drops its foreign key: every insert is already gated, in the same statement, on the
//   test row existing and running (locked FOR SHARE), and tests are never deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table test_events alter column event_id type text collate "C", alter column visitor_id type text collate "C"`.execute(db);
  await sql`alter table visitor_facts alter column visitor_id type text collate "C"`.execute(db);
  await sql`alter table visitor_facts set (fillfactor = 80)`.execute(db);
  await sql`alter table test_events drop constraint if exists test_events_test_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table test_events add constraint test_events_test_id_fkey foreign key (test_id) references tests (id)`.execute(db);
  await sql`alter table visitor_facts reset (fillfactor)`.execute(db);
  await sql`alter table visitor_facts alter column visitor_id type text collate "default"`.execute(db);
  await sql`alter table test_events alter column event_id type text collate "default", alter column visitor_id type text collate "default"`.execute(db);
}
