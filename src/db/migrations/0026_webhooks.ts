import { sql, type Kysely } from 'kysely';

// Webhooks (issue 27 item 4): endpoints an admin registers per client (or platform-wide: client_id
// null) with the event types they receive, and one delivery per endpoint and event id (the dedupe
// key: a retried emit finds the row). The secret signs (Standard Webhooks); after a rotation the
// previous one keeps signing until previous_secret_until. Consecutive failed deliveries disable it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table webhook_endpoints (
      id bigint generated always as identity primary key,
      client_id bigint references clients (id),
      url text not null check (url ~ '^https?://'),
      description text,
      event_types text[] not null,
      format text not null default 'standard' check (format in ('standard', 'slack')),
      secret text not null,
      previous_secret text,
      previous_secret_until timestamptz,
      consecutive_failures integer not null default 0,
      disabled_at timestamptz,
      disabled_reason text,
      created_by bigint references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`create index webhook_endpoints_client on webhook_endpoints (client_id) where deleted_at is null`.execute(db);
  await sql`
    create table webhook_deliveries (
      id bigint generated always as identity primary key,
      endpoint_id bigint not null references webhook_endpoints (id),
      event_id text not null,
      event_type text not null,
      message_id text not null unique,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'skipped')),
      attempts integer not null default 0,
      last_status_code integer,
      last_error text,
      last_latency_ms integer,
      last_attempt_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz not null default now(),
      unique (endpoint_id, event_id)
    )`.execute(db);
  await sql`create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists webhook_deliveries`.execute(db);
  await sql`drop table if exists webhook_endpoints`.execute(db);
}
