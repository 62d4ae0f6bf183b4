import { sql, type Kysely } from 'kysely';

// CS's look before the client's (issue 23): a proposal's review state of its current version
// (pending on submit and again on every revision, passed, or returned with a comment), the last
// review's comment, who and when, and a log of every pass and return with the version it was about.
// Existing rows: selected and rejected proposals count as passed (the client already chose among
// them, and other hackers may now see the selected ones); submitted ones start pending, as a
// proposal still waiting for its selection now needs CS's look first (CS gets a task for each
// offer); withdrawn ones stay pending (nobody but their author sees them).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table proposals
      add column review_status text not null default 'pending' check (review_status in ('pending', 'passed', 'returned')),
      add column review_comment text,
      add column reviewed_by bigint references users (id),
      add column reviewed_at timestamptz,
      add constraint proposals_returned_with_comment check (review_status <> 'returned' or review_comment is not null)`.execute(db);
  await sql`update proposals set review_status = 'passed' where status in ('selected', 'rejected')`.execute(db);
  await sql`
    create table proposal_reviews (
      id bigint generated always as identity primary key,
      proposal_id bigint not null references proposals (id),
      version integer not null check (version >= 1),
      decision text not null check (decision in ('pass', 'return')),
      comment text,
      actor_user_id bigint not null references users (id),
      created_at timestamptz not null default now(),
      check (decision <> 'return' or comment is not null)
    )`.execute(db);
  await sql`create index proposal_reviews_proposal on proposal_reviews (proposal_id, id)`.execute(db);
  // CS's list of what awaits review: submitted and pending.
  await sql`create index proposals_awaiting_review on proposals (offer_id) where status = 'submitted' and review_status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists proposal_reviews`.execute(db);
  await sql`drop index if exists proposals_awaiting_review`.execute(db);
  await sql`
    alter table proposals
      drop constraint if exists proposals_returned_with_comment,
      drop column if exists review_status,
      drop column if exists review_comment,
      drop column if exists reviewed_by,
      drop column if exists reviewed_at`.execute(db);
}
