import { sql, type Kysely } from 'kysely';

// The network and the memory (issue 11): grades per hacker and month, explained invitations and the
// hackers left out near the cut, growth teams with shares and monthly reviews, managed contracts (a
// ledger kind of their own), a knowledge search that finds Japanese substrings (uni/bigram tokens in
// GIN-indexed arrays, replacing the `simple` tsvector), entries imported without a test, and a
// persistent holdout per client (snapshotted on each test so a running test never changes).
export async function up(db: Kysely<any>): Promise<void> {
  // Teams: a cap per engagement on one member's share (a hacker is never locked at 100% by one client).
  await sql`alter table growth_team_members add column joined_at timestamptz not null default now()`.execute(db);
  await sql`alter table engagement_settings add column team_share_cap_percent integer not null default 50 check (team_share_cap_percent between 1 and 100)`.execute(db);

  // Explainable targeting: the parts of each invitee's score, and who was left out near the cut, why.
  await sql`alter table offer_invitations add column explanation jsonb`.execute(db);
  await db.schema
    .createTable('offer_exclusions')
    .addColumn('offer_id', 'bigint', (c) => c.notNull().references('offers.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('below_cut', 'at_capacity', 'inactive', 'no_required_skill')`))
    .addColumn('score', 'double precision')
    .addColumn('explanation', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('offer_exclusions_pk', ['offer_id', 'hacker_id'])
    .execute();

  // Grades, one row per hacker and Tokyo month (the history), computed once per month.
  await db.schema
    .createTable('hacker_grades')
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull().check(sql`grade in ('gold', 'silver', 'bronze', 'none')`))
    .addColumn('shrunk_win_rate', 'double precision', (c) => c.notNull())
    .addColumn('decided_tests', 'integer', (c) => c.notNull())
    .addColumn('wins', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('hacker_grades_pk', ['hacker_id', 'month'])
    .execute();

  // Monthly team reviews and CS's decisions on their suggestions (who, when, why).
  await db.schema
    .createTable('team_reviews')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('members', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('team_reviews_month', ['engagement_id', 'month'])
    .execute();
  await db.schema
    .createTable('team_suggestions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('review_id', 'bigint', (c) => c.notNull().references('team_reviews.id'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('out_hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('in_hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('share_percent', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'accepted', 'dismissed')`))
    .addColumn('decided_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('team_suggestions_once', ['review_id', 'out_hacker_id'])
    .execute();

  // Managed growth hackers: a monthly retainer paid in advance, from start_month to end_month.
  await db.schema
    .createTable('managed_contracts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('monthly_retainer_yen', 'bigint', (c) => c.notNull().check(sql`monthly_retainer_yen > 0`))
    .addColumn('start_month', 'text', (c) => c.notNull())
    .addColumn('end_month', 'text')
    .addColumn('created_by', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('ended_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('managed_contracts_months', sql`end_month is null or end_month >= start_month`)
    .execute();

  // A managed retainer belongs to no engagement; widen the ledger kinds whatever earlier migrations added.
  await sql`alter table earnings_ledger alter column engagement_id drop not null`.execute(db);
  const { rows } = await sql<{ conname: string; def: string }>`
    select conname, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = 'earnings_ledger'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%adoption_fee%'`.execute(db);
  const kinds = new Set(['adoption_fee', 'win_bonus', 'submission_fee', 'team_retainer', 'bonus_reversal']);
  for (const r of rows) {
    for (const m of r.def.matchAll(/'([a-z_]+)'/g)) kinds.add(m[1]!);
    await sql`alter table earnings_ledger drop constraint ${sql.id(r.conname)}`.execute(db);
  }
  kinds.add('managed_retainer');
  await sql`alter table earnings_ledger add constraint earnings_ledger_kind_check check (kind in (${sql.join([...kinds].map((k) => sql.lit(k)))}))`.execute(db);

  // Knowledge search: normalised text + uni/bigram tokens (domain/cycles/knowledge-search.ts) in
  // GIN-indexed arrays: `search_head_tokens` (hypothesis, tags: the first relevance tier) and
  // `search_tokens` (change, learnings, page type, outcome), both with the exact-filter tokens.
  await sql`alter table knowledge_entries alter column test_id drop not null`.execute(db);
  await sql`drop index if exists knowledge_search_idx`.execute(db);
  await sql`alter table knowledge_entries drop column if exists search`.execute(db);
  await sql`alter table knowledge_entries
    add column search_text text not null default '',
    add column search_tokens text[] not null default '{}',
    add column search_head_tokens text[] not null default '{}'`.execute(db);
  const entries = await sql<{ id: number; hypothesis: string; change: string; learnings: string | null; tags: string[]; page_type: string; outcome: string; industry: string; month: string }>`
    select id, hypothesis, change, learnings, tags, page_type, outcome, industry, month from knowledge_entries`.execute(db);
  for (const e of entries.rows) {
    const f = knowledgeSearchFields(e);
    await sql`update knowledge_entries set search_text = ${f.search_text}, search_tokens = ${f.search_tokens}::text[], search_head_tokens = ${f.search_head_tokens}::text[] where id = ${e.id}`.execute(db);
  }
  await sql`create index knowledge_tokens_idx on knowledge_entries using gin (search_tokens)`.execute(db);
  await sql`create index knowledge_head_tokens_idx on knowledge_entries using gin (search_head_tokens)`.execute(db);
  await sql`create index knowledge_client_idx on knowledge_entries (client_id, id)`.execute(db);

  // Persistent holdout per client site: a share of visitors always gets the original page.
  await sql`alter table clients add column holdout_percent double precision not null default 0 check (holdout_percent >= 0 and holdout_percent <= 50)`.execute(db);
  await sql`alter table tests add column holdout_percent double precision not null default 0`.execute(db);
  await sql`
    create function tests_holdout_snapshot() returns trigger language plpgsql as $$
    begin
      select c.holdout_percent into new.holdout_percent
        from cycles cy join engagements e on e.id = cy.engagement_id join clients c on c.id = e.client_id
       where cy.id = new.cycle_id;
      new.holdout_percent := coalesce(new.holdout_percent, 0);
      return new;
    end $$`.execute(db);
  await sql`create trigger tests_holdout_snapshot before insert on tests for each row execute function tests_holdout_snapshot()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists tests_holdout_snapshot on tests`.execute(db);
  await sql`drop function if exists tests_holdout_snapshot()`.execute(db);
  await sql`alter table tests drop column if exists holdout_percent`.execute(db);
  await sql`alter table clients drop column if exists holdout_percent`.execute(db);
  for (const t of ['managed_contracts', 'team_suggestions', 'team_reviews', 'hacker_grades', 'offer_exclusions']) await db.schema.dropTable(t).ifExists().execute();
  await sql`alter table offer_invitations drop column if exists explanation`.execute(db);
  await sql`alter table engagement_settings drop column if exists team_share_cap_percent`.execute(db);
  await sql`alter table growth_team_members drop column if exists joined_at`.execute(db);
  await sql`alter table knowledge_entries drop column if exists search_text, drop column if exists search_tokens, drop column if exists search_head_tokens`.execute(db);
}

// Frozen copy of the search fields as this migration wrote them (domain/cycles/knowledge-search.ts
// when 0011 was written): a migration never changes when the live rule does.
const CJK = /[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const WORD = /[\p{L}\p{N}]/u;

function normalizeSearchText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

function documentTokens(text: string): string[] {
  const out = new Set<string>();
  const runs: { kind: 'cjk' | 'word'; text: string }[] = [];
  let current: { kind: 'cjk' | 'word'; text: string } | null = null;
  for (const ch of normalizeSearchText(text)) {
    const kind = CJK.test(ch) ? 'cjk' : WORD.test(ch) ? 'word' : null;
    if (kind === null) {
      current = null;
      continue;
    }
    if (current && current.kind === kind) current.text += ch;
    else runs.push((current = { kind, text: ch }));
  }
  for (const run of runs) {
    if (run.kind === 'word') {
      out.add(run.text);
      continue;
    }
    const chars = [...run.text];
    for (let i = 0; i < chars.length; i++) {
      out.add(chars[i]!);
      if (i + 1 < chars.length) out.add(chars[i]! + chars[i + 1]!);
    }
  }
  return [...out].sort();
}

function knowledgeSearchFields(e: { hypothesis: string; change: string; learnings: string | null; tags: string[]; page_type: string; outcome: string; industry: string; month: string }) {
  const filters: string[] = [];
  if (e.industry) filters.push(`industry:${e.industry}`);
  if (e.page_type) filters.push(`page:${e.page_type}`);
  if (e.outcome) filters.push(`outcome:${e.outcome}`);
  if (e.month) filters.push(`month:${e.month}`);
  for (const t of e.tags ?? []) filters.push(`tag:${t}`);
  const head = [e.hypothesis, ...e.tags].join('\n');
  const body = [e.change, e.learnings ?? '', e.page_type, e.outcome].join('\n');
  const all = [e.hypothesis, e.tags.join(' '), e.change, e.learnings ?? '', e.page_type, e.outcome].join('\n');
  return {
    search_text: normalizeSearchText(all),
    search_tokens: [...documentTokens(body), ...filters].sort(),
    search_head_tokens: [...documentTokens(head), ...filters].sort(),
  };
}
