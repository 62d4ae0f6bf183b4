import { sql, type Kysely } from 'kysely';

// Rate-limit counts shared by every API process (src/site/limits.ts): per key and UTC epoch minute. Unlogged: a crash may lose a minute of counts, never data; rows older than the
// previous minute are swept by the processes that write.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table rate_counters (
      key text not null,
      minute bigint not null,
      count integer not null,
      primary key (key, minute)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_counters`.execute(db);
}
