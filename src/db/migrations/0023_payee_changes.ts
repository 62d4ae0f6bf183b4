import { sql, type Kysely } from 'kysely';

// Payee self-onboarding (issue 24, item 3):
// - payee_change_requests: what a hacker entered about themselves (legal name, address, residency,
//   invoice registration, treaty form, bank account), waiting for finance. Nothing here is read by a
//   payout run: only an approval copies it into `payees`. The bank account is the same AES-GCM
//   envelope as payees.bank_encrypted (the hacker's id as AAD), so approving copies it unopened.
//   status: pending → approved | rejected | needs_info (finance asked for more; the hacker answers
//   with a new request) | superseded (a newer request replaced it). One open request per hacker.
// - payout_items.hold_code: why a held item is not paid, as a code (payouts/payability).
// - payout_runs.redrafts: how often an empty completed run was drafted again (a run opened before its
//   month's lines accrued completed with nothing; it may be drafted again instead of never running).
// - adoption fees are keyed per selected proposal: existing lines get the proposal in their key, so a
//   re-accrual adds only the fees that were missing (two selected proposals on one offer, one fee).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table payee_change_requests (
      id bigserial primary key,
      hacker_id bigint not null references hackers (id),
      status text not null default 'pending' check (status in ('pending', 'needs_info', 'approved', 'rejected', 'superseded')),
      fields text[] not null check (cardinality(fields) > 0),
      changes jsonb not null default '{}',
      bank_encrypted text,
      bank_masked jsonb,
      submitted_by bigint not null references users (id),
      decided_by bigint references users (id),
      decided_at timestamptz,
      comment text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index payee_change_requests_open_idx on payee_change_requests (hacker_id) where status in ('pending', 'needs_info')`.execute(db);
  await sql`create index payee_change_requests_status_idx on payee_change_requests (status, id)`.execute(db);
  await sql`create index payout_audit_hacker_idx on payout_audit_log (hacker_id, id) where hacker_id is not null`.execute(db);
  await sql`alter table payout_items add column hold_code text`.execute(db);
  await sql`update payout_items set hold_code = 'no_bank_details' where status = 'held' and hold_reason = 'missing bank details'`.execute(db);
  await sql`alter table payout_runs add column redrafts integer not null default 0 check (redrafts >= 0)`.execute(db);
  // The ledger is append-only for money; this renames an idempotency key only (amounts untouched).
  await sql`alter table earnings_ledger disable trigger earnings_ledger_append_only`.execute(db);
  await sql`update earnings_ledger set unique_key = unique_key || ':' || proposal_id
    where kind = 'adoption_fee' and proposal_id is not null and cycle_id is not null
      and unique_key = 'adoption_fee:' || hacker_id || ':' || cycle_id || ':' || coalesce(offer_id::text, '-')`.execute(db);
  await sql`alter table earnings_ledger enable trigger earnings_ledger_append_only`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_runs drop column redrafts`.execute(db);
  await sql`alter table payout_items drop column hold_code`.execute(db);
  await sql`drop index if exists payout_audit_hacker_idx`.execute(db);
  await sql`drop table payee_change_requests`.execute(db);
}
