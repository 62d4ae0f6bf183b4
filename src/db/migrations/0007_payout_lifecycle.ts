import { sql, type Kysely } from 'kysely';

// Payout lifecycle (issue 8): a run can be `blocked` (a rule stops it; the reason is in waiting_for);
// an item records when its transfer was handed to the bank (`submitted_at`, was `paid_at`: the bank
// executes it on the run's payment_date) and the deductions netted into it; a run records the payees
// it carried forward with a negative (or zero) balance.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table payout_runs drop constraint payout_runs_status_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_status_check
    check (status in ('drafting', 'review', 'paying', 'remitting', 'completed', 'rejected', 'blocked'))`.execute(db);
  await sql`alter table payout_items rename column paid_at to submitted_at`.execute(db);
  await db.schema
    .alterTable('payout_items')
    .addColumn('deductions_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`deductions_yen >= 0`))
    .execute();
  await db.schema
    .createTable('payout_carry_forwards')
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('payout_runs.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('balance_yen', 'bigint', (c) => c.notNull().check(sql`balance_yen <= 0`))
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('payout_carry_forwards_pk', ['run_id', 'hacker_id'])
    .execute();
  await db.schema.createIndex('payout_carry_forwards_hacker_idx').on('payout_carry_forwards').columns(['hacker_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payout_carry_forwards').ifExists().execute();
  await db.schema.alterTable('payout_items').dropColumn('deductions_yen').execute();
  await sql`alter table payout_items rename column submitted_at to paid_at`.execute(db);
  await sql`update payout_runs set status = 'drafting' where status = 'blocked'`.execute(db);
  await sql`alter table payout_runs drop constraint payout_runs_status_check`.execute(db);
  await sql`alter table payout_runs add constraint payout_runs_status_check
    check (status in ('drafting', 'review', 'paying', 'remitting', 'completed', 'rejected'))`.execute(db);
}
