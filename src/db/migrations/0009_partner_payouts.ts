import { sql, type Kysely } from 'kysely';

// Partners are paid through the monthly payout run: each partner has a payee record (a `hackers` row
// of kind corporation, inactive so it never receives offers, with its payee master), and each
// commission is an earnings-ledger line of kind `partner_commission` (category none: no withholding).
// Payout items record the consumption tax added for payees registered as qualified-invoice issuers.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table partners add column payee_hacker_id bigint unique references hackers(id)`.execute(db);
  const { rows } = await sql<{ conname: string }>`
    select conname from pg_constraint
    where conrelid = 'earnings_ledger'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%adoption_fee%'`.execute(db);
  for (const r of rows) await sql`alter table earnings_ledger drop constraint ${sql.id(r.conname)}`.execute(db);
  await sql`alter table earnings_ledger add constraint earnings_ledger_kind_check
    check (kind in ('adoption_fee', 'win_bonus', 'submission_fee', 'team_retainer', 'bonus_reversal', 'partner_commission'))`.execute(db);
  await sql`alter table payout_items add column consumption_tax_yen bigint not null default 0 check (consumption_tax_yen >= 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_items drop column if exists consumption_tax_yen`.execute(db);
  await sql`alter table earnings_ledger drop constraint if exists earnings_ledger_kind_check`.execute(db);
  await sql`alter table earnings_ledger add constraint earnings_ledger_kind_check
    check (kind in ('adoption_fee', 'win_bonus', 'submission_fee', 'team_retainer', 'bonus_reversal'))`.execute(db);
  await sql`alter table partners drop column if exists payee_hacker_id`.execute(db);
}
