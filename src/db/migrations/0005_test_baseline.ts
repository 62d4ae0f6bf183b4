import { sql, type Kysely } from 'kysely';

// A test remembers the page's baseline conversion rate it was planned from: a winner later becomes
// the page's new baseline, but this test's revenue report must still use the rate it beat.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tests').addColumn('baseline_rate', 'double precision').execute();
  await sql`update tests set baseline_rate = pages.baseline_rate from pages where pages.id = tests.page_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tests').dropColumn('baseline_rate').execute();
}
