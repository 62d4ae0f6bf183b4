import { sql, type Kysely } from 'kysely';

// Transfer states that tell the truth (issue 24, item 1):
// - payout_items.status: pending → handed_to_bank (in a Zengin file / accepted by an adapter) →
//   confirmed | failed | returned; held and cancelled as before. `sent` becomes `handed_to_bank`:
//   `sent` only ever meant "the file row was written" — nothing recorded that the bank executed it, so
//   calling those rows confirmed would repeat the lie this migration ends; finance confirms them with
//   the bank's result file (or by hand).
// - attempt: a failed or returned item retried in a later file is paid again under a new idempotency
//   key (`<run>:<payee>:<attempt>`); its payment row and Zengin line carry the attempt (file number).
// - resolution of a failed or returned item: `moved` (lines released: the next run pays them) or
//   `cancelled` (four eyes: requested by one finance user, confirmed by another; the lines stay with the
//   cancelled item so no run pays them); a retry sets the item back to pending.
// - downloaded_by/at: who first downloaded the file holding the item's current attempt, and when.
// - payout_transfer_results: every result recorded (import, manual mark, adapter), once per key.
// - payout_runs.status gains needs_attention (a failed or returned item without a resolution);
//   resume_status is where the run goes back to once every such item is resolved (paying while its
//   workflow still settles; remitting or completed when a transfer is returned after that).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_items drop constraint payout_items_status_check`.execute(db);
  await sql`update payout_items set status = 'handed_to_bank' where status = 'sent'`.execute(db);
  await sql`alter table payout_items add constraint payout_items_status_check
    check (status in ('pending', 'held', 'handed_to_bank', 'confirmed', 'failed', 'returned', 'cancelled'))`.execute(db);
  await sql`alter table payout_items
    add column attempt integer not null default 1 check (attempt >= 1),
    add column downloaded_by bigint references users (id),
    add column downloaded_at timestamptz,
    add column result_at timestamptz,
    add column resolution text check (resolution in ('moved', 'cancelled')),
    add column resolution_reason text,
    add column resolved_by bigint references users (id),
    add column resolved_at timestamptz,
    add column cancel_requested_by bigint references users (id),
    add column cancel_requested_at timestamptz,
    add column cancel_reason text`.execute(db);

  await sql`alter table payout_payments drop constraint payout_payments_status_check`.execute(db);
  await sql`update payout_payments set status = 'handed_to_bank' where status = 'sent'`.execute(db);
  await sql`alter table payout_payments add constraint payout_payments_status_check
    check (status in ('pending', 'handed_to_bank', 'failed'))`.execute(db);
  await sql`alter table payout_payments drop constraint payout_payments_item_id_key`.execute(db);
  await sql`alter table payout_payments add column attempt integer not null default 1`.execute(db);
  await sql`alter table payout_payments add constraint payout_payments_item_attempt_key unique (item_id, attempt)`.execute(db);
  await sql`alter table payout_zengin_lines add column file_no integer not null default 1`.execute(db);

  await sql`alter table payout_runs drop constraint payout_runs_status_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_status_check
    check (status in ('drafting', 'review', 'paying', 'needs_attention', 'remitting', 'completed', 'rejected', 'blocked'))`.execute(db);
  await sql`alter table payout_runs add column resume_status text check (resume_status in ('paying', 'remitting', 'completed'))`.execute(db);

  await sql`
    create table payout_transfer_results (
      id bigint generated always as identity primary key,
      run_id bigint not null references payout_runs (id),
      item_id bigint not null references payout_items (id),
      hacker_id bigint not null references hackers (id),
      attempt integer not null,
      outcome text not null check (outcome in ('confirmed', 'failed', 'returned')),
      reason text,
      source text not null check (source in ('import', 'manual', 'adapter')),
      actor_user_id bigint references users (id),
      key text not null unique,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index payout_transfer_results_item_idx on payout_transfer_results (item_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table payout_transfer_results`.execute(db);
  await sql`update payout_runs set status = coalesce(resume_status, 'paying') where status = 'needs_attention'`.execute(db);
  await sql`alter table payout_runs drop column resume_status`.execute(db);
  await sql`alter table payout_runs drop constraint payout_runs_status_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_status_check
    check (status in ('drafting', 'review', 'paying', 'remitting', 'completed', 'rejected', 'blocked'))`.execute(db);
  await sql`alter table payout_zengin_lines drop column file_no`.execute(db);
  await sql`delete from payout_payments where attempt > 1`.execute(db);
  await sql`alter table payout_payments drop constraint payout_payments_item_attempt_key`.execute(db);
  await sql`alter table payout_payments drop column attempt`.execute(db);
  await sql`alter table payout_payments add constraint payout_payments_item_id_key unique (item_id)`.execute(db);
  await sql`alter table payout_payments drop constraint payout_payments_status_check`.execute(db);
  await sql`update payout_payments set status = 'sent' where status = 'handed_to_bank'`.execute(db);
  await sql`alter table payout_payments add constraint payout_payments_status_check check (status in ('pending', 'sent', 'failed'))`.execute(db);
  await sql`alter table payout_items drop constraint payout_items_status_check`.execute(db);
  await sql`update payout_items set status = 'sent' where status in ('handed_to_bank', 'confirmed')`.execute(db);
  await sql`update payout_items set status = 'failed' where status = 'returned'`.execute(db);
  await sql`alter table payout_items add constraint payout_items_status_check
    check (status in ('pending', 'held', 'sent', 'failed', 'cancelled'))`.execute(db);
  await sql`alter table payout_items
    drop column attempt, drop column downloaded_by, drop column downloaded_at, drop column result_at,
    drop column resolution, drop column resolution_reason, drop column resolved_by, drop column resolved_at,
    drop column cancel_requested_by, drop column cancel_requested_at, drop column cancel_reason`.execute(db);
}
