import { sql, type Kysely } from 'kysely';

// API tokens expire (null: never, e.g. the dev bootstrap admin's) and can be revoked one by one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').addColumn('revoked_by', 'bigint').execute();
  await sql`create index if not exists api_tokens_user_idx on api_tokens (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists api_tokens_user_idx`.execute(db);
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').dropColumn('revoked_by').execute();
}
