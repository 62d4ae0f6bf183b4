import { sql, type Kysely } from 'kysely';

// The audit trail of changes to access and money settings (issue 29): users, roles, tokens, sessions,
// site keys, price plans, billing accounts, payee details, kill switches. One row per change that
// succeeded: who (user, role), when, what (the action, the route's subject ids, the request's fields
// with secrets masked), from which request (id, address, user agent). Append-only: nothing updates
// or deletes it. Payout runs keep their own log (payout_audit_log).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_user_id bigint references users (id),
      actor_role text,
      action text not null,
      method text not null,
      route text not null,
      subject jsonb not null default '{}',
      changes jsonb not null default '{}',
      status integer not null,
      request_id text not null,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`create index audit_log_at_idx on audit_log (id desc)`.execute(db);
  await sql`create index audit_log_action_idx on audit_log (action, id desc)`.execute(db);
  await sql`create index audit_log_actor_idx on audit_log (actor_user_id, id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table audit_log`.execute(db);
}
