import { sql, type Kysely } from 'kysely';

// Screenshots of proposal versions (issue 23): one row per (proposal_version_id, device), inserted
// `pending` in the transaction that creates the version, then `rendered` (the control's and the
// variant's images, full and thumbnail, by sha256 in the blob store, and the automatic checks) or
// `failed` with a reason code, by the render workflow (src/workflows/render.ts).
// render_key: sha256 of the change set (jsonb's canonical text) + page URL + width: a version whose
// key was rendered before reuses that result instead of opening the page again.
// The image columns are indexed: GET /v1/images/:sha256 finds the renders (so the proposals) that
// show an image.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table renders (
      id bigint generated always as identity primary key,
      proposal_version_id bigint not null references proposal_versions (id),
      device text not null check (device in ('pc', 'phone')),
      render_key text not null check (render_key ~ '^[0-9a-f]{64}$'),
      status text not null default 'pending' check (status in ('pending', 'rendered', 'failed')),
      control_sha256 text,
      control_thumb_sha256 text,
      control_width integer,
      control_height integer,
      variant_sha256 text,
      variant_thumb_sha256 text,
      variant_width integer,
      variant_height integer,
      checks jsonb not null default '[]'::jsonb,
      reason text,
      attempts integer not null default 0,
      rendered_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (proposal_version_id, device),
      check (status <> 'rendered' or (control_sha256 is not null and variant_sha256 is not null and rendered_at is not null)),
      check (status <> 'failed' or reason is not null)
    )`.execute(db);
  await sql`create index renders_key_rendered on renders (render_key) where status = 'rendered'`.execute(db);
  await sql`create index renders_pending on renders (proposal_version_id) where status = 'pending'`.execute(db);
  for (const column of ['control_sha256', 'control_thumb_sha256', 'variant_sha256', 'variant_thumb_sha256']) {
    await sql`create index ${sql.raw(`renders_${column}`)} on renders (${sql.ref(column)})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists renders`.execute(db);
}
