import { sql, type Kysely } from 'kysely';

// Notifications (issue 27, items 1–3, 5):
// - users.email / locale / digest_hour: where a person's e-mail goes, in which language, and the local
//   hour (Asia/Tokyo) of their daily digest. No e-mail address: the delivery is recorded, never sent.
// - notification_events: one row per occurrence, keyed by the stable event id (a retried activity or a
//   replayed workflow inserts nothing twice). data: ids and names only, never secrets or bank details.
// - notification_deliveries: one per (event, person, channel): email (sent now) or digest (gathered
//   into that person's next daily digest). status pending → sent | failed (permanent; visible to admins).
// - notification_preferences: per person and category, immediately / daily digest / off.
// - mailbox_messages: what the embedded SMTP server received (dev, demo, tests), unique by Message-ID.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column email text`.execute(db);
  await sql`alter table users add column locale text not null default 'ja' check (locale in ('ja', 'en'))`.execute(db);
  await sql`alter table users add column digest_hour smallint not null default 8 check (digest_hour between 0 and 23)`.execute(db);
  await sql`
    create table notification_events (
      id text primary key,
      type text not null,
      client_id bigint references clients (id),
      occurred_at timestamptz not null,
      data jsonb not null default '{}',
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index notification_events_occurred_idx on notification_events (occurred_at)`.execute(db);
  await sql`
    create table notification_deliveries (
      id bigserial primary key,
      event_id text not null references notification_events (id),
      user_id bigint not null references users (id),
      channel text not null check (channel in ('email', 'digest')),
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'no_address')),
      attempts integer not null default 0,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      unique (event_id, user_id, channel)
    )`.execute(db);
  await sql`create index notification_deliveries_pending_idx on notification_deliveries (user_id, channel) where status = 'pending'`.execute(db);
  await sql`create index notification_deliveries_failed_idx on notification_deliveries (id) where status = 'failed'`.execute(db);
  await sql`
    create table notification_preferences (
      user_id bigint not null references users (id),
      category text not null,
      mode text not null check (mode in ('immediate', 'digest', 'off')),
      updated_at timestamptz not null default now(),
      primary key (user_id, category)
    )`.execute(db);
  await sql`
    create table mailbox_messages (
      id bigserial primary key,
      message_id text not null unique,
      mail_from text not null,
      rcpt_to text[] not null,
      subject text not null,
      text text not null,
      html text not null,
      headers jsonb not null default '{}',
      received_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table mailbox_messages`.execute(db);
  await sql`drop table notification_preferences`.execute(db);
  await sql`drop table notification_deliveries`.execute(db);
  await sql`drop table notification_events`.execute(db);
  await sql`alter table users drop column digest_hour, drop column locale, drop column email`.execute(db);
}
