import { sql, type Kysely } from 'kysely';

// Q&A on an offer (issue 28.4): hackers who can see an offer ask; a question stays between its asker
// and the offer's owners until answered; the answer becomes a numbered addendum to the brief (the
// brief itself is append-only once a proposal exists). One addendum in the last `qa_extension_seconds`
// (default a day) before the deadline moves it by as much, once per offer (`offers.qa_extended`).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table offer_questions (
      id bigint generated always as identity primary key,
      offer_id bigint not null references offers (id),
      hacker_id bigint not null references hackers (id),
      asked_by bigint not null references users (id),
      body text not null check (length(body) between 1 and 2000),
      answer text check (length(answer) between 1 and 4000),
      answered_by bigint references users (id),
      answered_at timestamptz,
      created_at timestamptz not null default now(),
      check ((answer is null) = (answered_at is null))
    )`.execute(db);
  await sql`create index offer_questions_offer on offer_questions (offer_id, id)`.execute(db);
  await sql`
    create table offer_addenda (
      id bigint generated always as identity primary key,
      offer_id bigint not null references offers (id),
      number integer not null check (number >= 1),
      question_id bigint not null unique references offer_questions (id),
      text text not null,
      deadline_extended_to timestamptz,
      created_at timestamptz not null default now(),
      unique (offer_id, number)
    )`.execute(db);
  await sql`alter table offers add column qa_extended boolean not null default false`.execute(db);
  await sql`alter table engagement_settings add column qa_extension_seconds integer not null default 86400 check (qa_extension_seconds between 1 and 31622400)`.execute(db);
  await sql`alter table knowledge_entries add column addenda text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table knowledge_entries drop column if exists addenda`.execute(db);
  await sql`alter table engagement_settings drop column if exists qa_extension_seconds`.execute(db);
  await sql`alter table offers drop column if exists qa_extended`.execute(db);
  await sql`drop table if exists offer_addenda`.execute(db);
  await sql`drop table if exists offer_questions`.execute(db);
}
