import { sql, type Kysely } from 'kysely';

// Idempotency-Key on creating POSTs (src/api/idempotency.ts): one row per caller, route and key. A row
// without a status is a claim in progress (claimed_at: when; a stale one may be taken over); with a
// status it holds the first answer, replayed to every retry. request_hash: the request it answered;
// claim: the claimant's random id, so only it stores or releases (after a takeover, the new one).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table idempotency_keys (
      user_id bigint not null references users (id) on delete cascade,
      route text not null,
      key text not null,
      request_hash text not null,
      claim text not null,
      claimed_at timestamptz not null default now(),
      status smallint,
      content_type text,
      body bytea,
      completed_at timestamptz,
      primary key (user_id, route, key)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists idempotency_keys`.execute(db);
}
