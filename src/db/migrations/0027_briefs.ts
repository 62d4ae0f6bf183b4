import { sql, type Kysely } from 'kysely';

// The structured brief (issue 28 items 1–3): one per planned offer, drafted during planning by the
// client or CS, reviewed by CS (draft → in_review → approved → posted), with field comments and a
// recorded checklist override. The offer is posted from it; `hypothesis_id` links the posted brief to
// the plan's hypothesis (and so to its offer). B2's addenda live in their own table referencing it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table briefs (
      id bigint generated always as identity primary key,
      cycle_id bigint not null references cycles (id),
      author text not null check (author in ('client', 'cs')),
      author_user_id bigint not null references users (id),
      template text,
      state text not null default 'draft' check (state in ('draft', 'in_review', 'approved', 'posted')),
      content jsonb not null,
      override_reason text check (length(override_reason) between 1 and 2000),
      override_by bigint references users (id),
      override_at timestamptz,
      approved_by bigint references users (id),
      approved_at timestamptz,
      hypothesis_id bigint unique references hypotheses (id),
      unreviewed_at_deadline timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index briefs_cycle on briefs (cycle_id, id)`.execute(db);
  await sql`
    create table brief_comments (
      id bigint generated always as identity primary key,
      brief_id bigint not null references briefs (id),
      field text not null,
      body text not null check (length(body) between 1 and 2000),
      author_user_id bigint not null references users (id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index brief_comments_brief on brief_comments (brief_id, id)`.execute(db);
  // Every state change with who and why (submit, return, approve, override, post): the review's history.
  await sql`
    create table brief_events (
      id bigint generated always as identity primary key,
      brief_id bigint not null references briefs (id),
      kind text not null,
      actor_user_id bigint references users (id),
      note text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index brief_events_brief on brief_events (brief_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists brief_events`.execute(db);
  await sql`drop table if exists brief_comments`.execute(db);
  await sql`drop table if exists briefs`.execute(db);
}
