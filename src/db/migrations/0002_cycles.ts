import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

// The monthly improvement cycle: settings, pages, cycles, hypotheses, offers (+ invitations, growth
// teams), proposals, A/B tests (variants, events, per-visitor facts), verdicts, knowledge, earnings.
export async function up(db: Kysely<any>): Promise<void> {
  const id = <T extends string>(t: CreateTableBuilder<T, never>) =>
    t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity());
  const created = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) =>
    t.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`));

  await db.schema
    .createTable('engagement_settings')
    .addColumn('engagement_id', 'bigint', (c) => c.primaryKey().references('engagements.id'))
    .addColumn('adoption_fee_yen', 'bigint', (c) => c.notNull().defaultTo(150_000).check(sql`adoption_fee_yen >= 0`))
    .addColumn('win_bonus_yen', 'bigint', (c) => c.notNull().defaultTo(100_000).check(sql`win_bonus_yen >= 0`))
    .addColumn('submission_fee_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`submission_fee_yen >= 0`))
    .addColumn('team_retainer_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`team_retainer_yen >= 0`))
    .addColumn('planning_seconds', 'integer', (c) => c.notNull().defaultTo(5 * 86400))
    .addColumn('offer_window_seconds', 'integer', (c) => c.notNull().defaultTo(7 * 86400))
    .addColumn('selection_seconds', 'integer', (c) => c.notNull().defaultTo(3 * 86400))
    .addColumn('test_max_seconds', 'integer', (c) => c.notNull().defaultTo(28 * 86400))
    .addColumn('interim_check_seconds', 'integer', (c) => c.notNull().defaultTo(86400))
    .addColumn('learning_seconds', 'integer', (c) => c.notNull().defaultTo(3 * 86400))
    .addColumn('min_proposals', 'integer', (c) => c.notNull().defaultTo(20))
    .addColumn('max_proposals_per_hacker', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('targeted_top_n', 'integer', (c) => c.notNull().defaultTo(50))
    .addColumn('verdict_engine', 'text', (c) => c.notNull().defaultTo('sequential'))
    .addColumn('alpha', 'double precision', (c) => c.notNull().defaultTo(0.05))
    .addColumn('mde_relative', 'double precision', (c) => c.notNull().defaultTo(0.1))
    .addColumn('tuning_parameter', 'integer', (c) => c.notNull().defaultTo(5000))
    .addColumn('risk_threshold', 'double precision', (c) => c.notNull().defaultTo(0.0025))
    .execute();

  await id(db.schema.createTable('pages'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('page_type', 'text', (c) => c.notNull())
    .addColumn('baseline_rate', 'double precision', (c) => c.notNull().check(sql`baseline_rate > 0 and baseline_rate < 1`))
    .addColumn('daily_visitors', 'integer', (c) => c.notNull().check(sql`daily_visitors > 0`))
    .addColumn('value_per_conversion_yen', 'bigint', (c) => c.notNull().check(sql`value_per_conversion_yen >= 0`))
    .addColumn('control_description', 'text', (c) => c.notNull().defaultTo('current page'))
    .addColumn('control_since_test_id', 'bigint')
    .addUniqueConstraint('pages_engagement_url', ['engagement_id', 'url'])
    .$call(created)
    .execute();

  await db.schema
    .createTable('growth_team_members')
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('share_percent', 'integer', (c) => c.notNull().defaultTo(10).check(sql`share_percent between 1 and 100`))
    .addPrimaryKeyConstraint('growth_team_members_pk', ['engagement_id', 'hacker_id'])
    .execute();

  await id(db.schema.createTable('cycles'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('planning'))
    .addColumn('overdue', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('waiting_for', 'text')
    .addColumn('due_at', 'timestamptz')
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('report', 'jsonb')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('cycles_engagement_month', ['engagement_id', 'month'])
    .$call(created)
    .execute();

  await id(db.schema.createTable('hypotheses'))
    .addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycles.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull().check(sql`author in ('client', 'cs')`))
    .addColumn('author_user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('pages.id'))
    .addColumn('metric', 'text', (c) => c.notNull().check(sql`metric in ('conversion', 'revenue')`))
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('offer_kind', 'text', (c) => c.check(sql`offer_kind in ('open', 'targeted', 'team')`))
    .addUniqueConstraint('hypotheses_cycle_ordinal', ['cycle_id', 'ordinal'])
    .$call(created)
    .execute();

  await id(db.schema.createTable('offers'))
    .addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycles.id'))
    .addColumn('hypothesis_id', 'bigint', (c) => c.notNull().unique().references('hypotheses.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('open', 'targeted', 'team')`))
    .addColumn('brief', 'text', (c) => c.notNull())
    .addColumn('adoption_fee_yen', 'bigint', (c) => c.notNull())
    .addColumn('win_bonus_yen', 'bigint', (c) => c.notNull())
    .addColumn('submission_fee_yen', 'bigint', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'closed')`))
    .addColumn('extended', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('widen_reason', 'text')
    .$call(created)
    .execute();

  await db.schema
    .createTable('offer_invitations')
    .addColumn('offer_id', 'bigint', (c) => c.notNull().references('offers.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer')
    .addColumn('score', 'double precision')
    .addPrimaryKeyConstraint('offer_invitations_pk', ['offer_id', 'hacker_id'])
    .$call(created)
    .execute();

  await id(db.schema.createTable('proposals'))
    .addColumn('offer_id', 'bigint', (c) => c.notNull().references('offers.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('design_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('submitted').check(sql`status in ('submitted', 'selected', 'rejected', 'withdrawn')`),
    )
    .addColumn('idempotency_key', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('proposals_idempotency', ['hacker_id', 'idempotency_key'])
    .$call(created)
    .execute();
  await db.schema.createIndex('proposals_offer_idx').on('proposals').columns(['offer_id', 'status']).execute();

  await id(db.schema.createTable('tests'))
    .addColumn('offer_id', 'bigint', (c) => c.notNull().unique().references('offers.id'))
    .addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycles.id'))
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('pages.id'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('running').check(sql`status in ('running', 'completed', 'invalid')`),
    )
    .addColumn('planned_sample_total', 'integer', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('stop_reason', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('stopped_at', 'timestamptz')
    .execute();

  await id(db.schema.createTable('variants'))
    .addColumn('test_id', 'bigint', (c) => c.notNull().references('tests.id'))
    .addColumn('arm', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('proposal_id', 'bigint', (c) => c.references('proposals.id'))
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addUniqueConstraint('variants_test_arm', ['test_id', 'arm'])
    .execute();

  // Raw events, deduplicated by (test, event id); per-visitor facts are what the engine reads.
  await db.schema
    .createTable('test_events')
    .addColumn('test_id', 'bigint', (c) => c.notNull().references('tests.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('exposure', 'conversion')`))
    .addColumn('value', 'double precision')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_events_pk', ['test_id', 'event_id'])
    .execute();
  await db.schema
    .createTable('visitor_facts')
    .addColumn('test_id', 'bigint', (c) => c.notNull().references('tests.id'))
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'bigint', (c) => c.notNull().references('variants.id'))
    .addColumn('exposed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('conversions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('value_sum', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('visitor_facts_pk', ['test_id', 'visitor_id'])
    .execute();

  await id(db.schema.createTable('verdicts'))
    .addColumn('test_id', 'bigint', (c) => c.notNull().references('tests.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('interim', 'final')`))
    .addColumn('check_no', 'integer', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('winner_variant_id', 'bigint', (c) => c.references('variants.id'))
    .addColumn('request', 'jsonb', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('invalidated_at', 'timestamptz')
    .addColumn('invalidation_reason', 'text')
    .addUniqueConstraint('verdicts_test_check', ['test_id', 'kind', 'check_no'])
    .$call(created)
    .execute();

  await id(db.schema.createTable('knowledge_entries'))
    .addColumn('test_id', 'bigint', (c) => c.notNull().unique().references('tests.id'))
    .addColumn('client_id', 'bigint', (c) => c.notNull().references('clients.id'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('pages.id'))
    .addColumn('page_type', 'text', (c) => c.notNull())
    .addColumn('industry', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('hypothesis', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('lift', 'double precision')
    .addColumn('ci_low', 'double precision')
    .addColumn('ci_high', 'double precision')
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('learnings', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'final')`))
    .addColumn('search', sql`tsvector`, (c) =>
      c.generatedAlwaysAs(
        sql`to_tsvector('simple', coalesce(hypothesis, '') || ' ' || coalesce(change, '') || ' ' || coalesce(learnings, '') || ' ' || page_type || ' ' || outcome)`,
      ).stored(),
    )
    .$call(created)
    .execute();
  await sql`create index knowledge_search_idx on knowledge_entries using gin (search)`.execute(db);

  // Append-only: a correction is a new line (e.g. a bonus reversal), never an edit. unique_key is the
  // business key (kind, hacker, cycle, offer) so retries and replays never accrue twice.
  await id(db.schema.createTable('earnings_ledger'))
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('cycle_id', 'bigint', (c) => c.references('cycles.id'))
    .addColumn('offer_id', 'bigint', (c) => c.references('offers.id'))
    .addColumn('proposal_id', 'bigint', (c) => c.references('proposals.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('adoption_fee', 'win_bonus', 'submission_fee', 'team_retainer', 'bonus_reversal')`),
    )
    .addColumn('amount_yen', 'bigint', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().defaultTo('design').check(sql`category in ('design', 'none')`))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reverses_id', 'bigint', (c) => c.references('earnings_ledger.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .$call(created)
    .execute();
  await db.schema.createIndex('earnings_ledger_hacker_idx').on('earnings_ledger').columns(['hacker_id', 'month']).execute();
  // A trigger, not a rule: rules would forbid INSERT ... ON CONFLICT, which idempotent accrual needs.
  await sql`
    create function earnings_ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'earnings_ledger is append-only: add a reversing line instead of %', tg_op;
    end $$`.execute(db);
  await sql`
    create trigger earnings_ledger_append_only before update or delete on earnings_ledger
    for each row execute function earnings_ledger_append_only()`.execute(db);

  await id(db.schema.createTable('alerts'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('cycle_id', 'bigint', (c) => c.references('cycles.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .$call(created)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'alerts', 'earnings_ledger', 'knowledge_entries', 'verdicts', 'visitor_facts', 'test_events', 'variants', 'tests',
    'proposals', 'offer_invitations', 'offers', 'hypotheses', 'cycles', 'growth_team_members', 'pages', 'engagement_settings',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop function if exists earnings_ledger_append_only()`.execute(db);
}
