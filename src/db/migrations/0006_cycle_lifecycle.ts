import { sql, type Kysely } from 'kysely';

// Lifecycle of a cycle beyond the happy path: abandoned / failed / cancelled phases, who decided what
// (one decisions log for the timeline), learnings as separate entries, the page control a winner
// replaced (so an invalidated verdict can give it back), and when a deliverable was received.
export async function up(db: Kysely<any>): Promise<void> {
  // Abandoned cycles were stored as 'completed' with the reason in the report.
  await sql`update cycles set phase = 'abandoned' where phase = 'completed' and report ? 'abandoned'`.execute(db);
  await sql`alter table cycles add constraint cycles_phase_check check (phase in (
    'planning', 'offer_posting', 'proposals', 'selection', 'test_run', 'verdict', 'knowledge_capture', 'earnings',
    'completed', 'abandoned', 'failed'))`.execute(db);
  await db.schema.alterTable('cycles').addColumn('end_reason', 'text').execute();
  await sql`update cycles set end_reason = report->>'abandoned' where phase = 'abandoned'`.execute(db);

  await sql`alter table tests drop constraint if exists tests_status_check`.execute(db);
  await sql`alter table tests add constraint tests_status_check check (status in ('running', 'completed', 'invalid', 'cancelled'))`.execute(db);
  await db.schema
    .alterTable('tests')
    .addColumn('stopped_by', 'bigint', (c) => c.references('users.id'))
    // The page's control before this test's winner replaced it: {description, baseline_rate, since_test_id}.
    .addColumn('replaced_control', 'jsonb')
    .execute();

  await db.schema
    .alterTable('proposals')
    .addColumn('selected_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('selected_at', 'timestamptz')
    .execute();

  await db.schema.alterTable('verdicts').addColumn('invalidated_by', 'bigint', (c) => c.references('users.id')).execute();
  await db.schema
    .alterTable('knowledge_entries')
    .addColumn('invalidated_at', 'timestamptz')
    .addColumn('invalidation_reason', 'text')
    .execute();

  // Each learning is its own entry (who, when, text); knowledge_entries.learnings keeps their text
  // joined, only because the generated search vector cannot read another table.
  await db.schema
    .createTable('knowledge_learnings')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('test_id', 'bigint', (c) => c.notNull().references('tests.id'))
    .addColumn('author_user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`
    insert into knowledge_learnings (test_id, author_user_id, text, unique_key, created_at)
    select k.test_id, coalesce(c.cs_manager_id, (select min(id) from users where role = 'admin')), k.learnings,
           'migrated:' || k.test_id, k.created_at
    from knowledge_entries k join engagements c on c.id = k.engagement_id
    where k.learnings is not null and k.learnings not like 'Verdict invalidated:%'`.execute(db);

  // Every human decision of a cycle, with its actor: plan, selection, stop, learnings, invalidation.
  await db.schema
    .createTable('cycle_decisions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycles.id'))
    .addColumn('test_id', 'bigint', (c) => c.references('tests.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('plan', 'selection', 'stop', 'learnings', 'invalidation', 'end')`))
    .addColumn('actor_user_id', 'bigint', (c) => c.references('users.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cycle_decisions_cycle_idx').on('cycle_decisions').columns(['cycle_id', 'id']).execute();
  await db.schema.createIndex('cycles_phase_idx').on('cycles').columns(['phase', 'month']).execute();
  await db.schema.createIndex('tests_status_idx').on('tests').columns(['status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cycle_decisions').ifExists().execute();
  await db.schema.dropTable('knowledge_learnings').ifExists().execute();
  await db.schema.alterTable('knowledge_entries').dropColumn('invalidated_at').dropColumn('invalidation_reason').execute();
  await db.schema.alterTable('verdicts').dropColumn('invalidated_by').execute();
  await db.schema.alterTable('proposals').dropColumn('selected_by').dropColumn('selected_at').execute();
  await db.schema.alterTable('tests').dropColumn('stopped_by').dropColumn('replaced_control').execute();
  await sql`alter table tests drop constraint if exists tests_status_check`.execute(db);
  await sql`alter table tests add constraint tests_status_check check (status in ('running', 'completed', 'invalid'))`.execute(db);
  await db.schema.alterTable('cycles').dropColumn('end_reason').execute();
  await sql`alter table cycles drop constraint if exists cycles_phase_check`.execute(db);
  await sql`update cycles set phase = 'completed' where phase in ('abandoned', 'failed')`.execute(db);
}
