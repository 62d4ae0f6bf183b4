import { sql, type Kysely } from 'kysely';

// Issue 20: a browser session remembers the API token it was signed in with and ends with it
// (revoked or expired). Sessions from before this migration do not know their token: they are ended
// (their users sign in again) rather than left to outlive a revocation for up to 12 hours.
// And failed authentications are counted here, one row per client address or credential prefix, so
// every API process applies the same limit (src/api/auth-limit.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('token_id', 'bigint', (c) => c.references('api_tokens.id').onDelete('cascade')).execute();
  await db.schema.createIndex('sessions_token_idx').on('sessions').column('token_id').execute();
  await sql`update sessions set revoked_at = now() where token_id is null and revoked_at is null`.execute(db);
  await db.schema
    .createTable('auth_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('auth_failures').execute();
  await db.schema.alterTable('sessions').dropColumn('token_id').execute();
}
