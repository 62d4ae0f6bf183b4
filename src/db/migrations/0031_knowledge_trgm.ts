import { sql, type Kysely } from 'kysely';

// Knowledge search (issue 30.1): a pg_trgm GIN index on the normalised text the phrase recheck reads.
// A long phrase has many trigrams, so this index narrows it to a few candidates where the uni/bigram
// token arrays (kept: relevance tiers, 2-character Japanese terms, filters) hand over thousands.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index if not exists knowledge_text_trgm_idx on knowledge_entries using gin (search_text gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists knowledge_text_trgm_idx`.execute(db);
}
