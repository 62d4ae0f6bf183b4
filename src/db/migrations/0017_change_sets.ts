import { sql, type Kysely } from 'kysely';

// A variant is data (issue 22): a proposal is a list of versions, each with its change set (see
// src/shared/changes.ts); a revision adds a version, never edits one. proposals.version names the
// current one (its title, description and design_url stay mirrored on proposals for old readers).
// js_sha256: the sha256 of the version's custom script, which a CS manager's approval must name.
// variants.proposal_version_id: the frozen version a test runs. Existing proposals become version 1.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table proposals add column version integer not null default 1`.execute(db);
  await sql`
    create table proposal_versions (
      id bigint generated always as identity primary key,
      proposal_id bigint not null references proposals (id),
      version integer not null check (version >= 1),
      title text not null,
      description text not null,
      design_url text not null,
      changes jsonb not null default '{}'::jsonb,
      js_sha256 text,
      js_approved_by bigint references users (id),
      js_approved_at timestamptz,
      created_at timestamptz not null default now(),
      unique (proposal_id, version),
      check ((js_approved_at is null) = (js_approved_by is null)),
      check (js_approved_at is null or js_sha256 is not null)
    )`.execute(db);
  await sql`
    insert into proposal_versions (proposal_id, version, title, description, design_url, created_at)
    select id, 1, title, description, design_url, created_at from proposals`.execute(db);
  await sql`alter table variants add column proposal_version_id bigint references proposal_versions (id)`.execute(db);
  await sql`
    update variants set proposal_version_id = pv.id
    from proposal_versions pv where pv.proposal_id = variants.proposal_id and pv.version = 1`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table variants drop column if exists proposal_version_id`.execute(db);
  await sql`drop table if exists proposal_versions`.execute(db);
  await sql`alter table proposals drop column if exists version`.execute(db);
}
