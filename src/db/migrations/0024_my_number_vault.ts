import { sql, type Kysely } from 'kysely';

// The My Number vault (issue 24): individuals' 個人番号 in a table of their own, encrypted with the
// vault's own key (the row's hacker id as additional data), kept until `retain_until` (7 years after
// the last year a 支払調書 carrying it was filed) and then deleted by the retention schedule. Who may
// read: finance users an admin granted `my_number_access`; every read is logged (who, when, why).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column my_number_access boolean not null default false`.execute(db);
  await sql`
    create table my_numbers (
      hacker_id bigint primary key references hackers (id),
      number_encrypted text not null,
      submitted_at timestamptz not null default now(),
      last_filed_year integer,
      retain_until date not null
    )`.execute(db);
  await sql`
    create table my_number_reads (
      id bigint generated always as identity primary key,
      hacker_id bigint not null,
      reader_user_id bigint references users (id),
      purpose text not null check (length(purpose) between 1 and 500),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index my_number_reads_hacker on my_number_reads (hacker_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists my_number_reads`.execute(db);
  await sql`drop table if exists my_numbers`.execute(db);
  await sql`alter table users drop column if exists my_number_access`.execute(db);
}
