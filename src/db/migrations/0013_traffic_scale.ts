import { sql, type Kysely } from 'kysely';

// Traffic at a real site's scale (issue 15).
// - arm_stats: per-arm aggregates (exposed units, converted units, Σ value, Σ value²) kept up to date
//   by the ingest statement itself (cycles/traffic.ts), so reading a test's arms never scans its
//   visitors. A few slots per arm spread concurrent batches over several rows (a read sums at most
//   SLOTS rows per arm, whatever the traffic). Backfilled here from visitor_facts.
// - site_keys: public per-site keys (browser SDK): one client, allowed origins, rate limits,
//   revocation and rotation. Only the key's sha256 is stored, plus a short prefix to recognise it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table arm_stats (
      test_id bigint not null,
      variant_id bigint not null references variants (id),
      slot smallint not null,
      n bigint not null default 0,
      conversions bigint not null default 0,
      sum double precision not null default 0,
      sum_squares double precision not null default 0,
      primary key (test_id, variant_id, slot)
    ) with (fillfactor = 50)`.execute(db);
  await sql`
    insert into arm_stats (test_id, variant_id, slot, n, conversions, sum, sum_squares)
    select test_id, variant_id, 0,
           count(*) filter (where exposed),
           count(*) filter (where exposed and conversions > 0),
           coalesce(sum(value_sum) filter (where exposed), 0),
           coalesce(sum(value_sum * value_sum) filter (where exposed), 0)
    from visitor_facts
    group by test_id, variant_id`.execute(db);

  await sql`
    create table site_keys (
      id bigint generated always as identity primary key,
      client_id bigint not null references clients (id),
      label text,
      key_hash text not null unique,
      key_prefix text not null,
      origins text[] not null,
      rate_per_minute integer not null default 6000 check (rate_per_minute > 0),
      visitor_events_per_minute integer not null default 300 check (visitor_events_per_minute > 0),
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      revoked_by bigint,
      replaced_by bigint references site_keys (id)
    )`.execute(db);
  await sql`create index site_keys_client_idx on site_keys (client_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists site_keys`.execute(db);
  await sql`drop table if exists arm_stats`.execute(db);
}
