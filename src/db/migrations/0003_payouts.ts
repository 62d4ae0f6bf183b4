import { sql, type Kysely } from 'kysely';

// Payouts: the payee master (one row per hacker, bank details encrypted), monthly payout runs, one item
// per payee and run, the link from items to the earnings-ledger lines they pay, the payment guard rows
// (one per idempotency key), the run's Zengin file lines, the simulated bank's ledger, and the
// append-only audit log.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payees')
    .addColumn('hacker_id', 'bigint', (c) => c.primaryKey().references('hackers.id'))
    .addColumn('legal_name', 'text')
    .addColumn('address', 'text')
    .addColumn('treaty_form_filed', 'boolean', (c) => c.notNull().defaultTo(false))
    /** Treaty limit rate in basis points (1000 = 10%); 0 = exemption. */
    .addColumn('treaty_limit_rate_bp', 'integer', (c) => c.check(sql`treaty_limit_rate_bp between 0 and 10000`))
    .addColumn('income_source', 'text', (c) =>
      c.notNull().defaultTo('domestic').check(sql`income_source in ('domestic', 'domestic_royalty', 'foreign_service')`),
    )
    .addColumn('invoice_registration_number', 'text', (c) => c.check(sql`invoice_registration_number ~ '^T[0-9]{13}$'`))
    .addColumn('invoice_registered_on', 'date')
    .addColumn('invoice_expires_on', 'date')
    .addColumn('default_category', 'text', (c) => c.notNull().defaultTo('design').check(sql`default_category in ('design', 'none')`))
    /** AES-256-GCM envelope of the bank account JSON (see payouts/crypto.ts); null = no bank details. */
    .addColumn('bank_encrypted', 'text')
    /** What may be shown: bank/branch names, account type, masked number. Never the number itself. */
    .addColumn('bank_masked', 'jsonb')
    .addColumn('updated_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('payees_bank_pair', sql`(bank_encrypted is null) = (bank_masked is null)`)
    .execute();

  await db.schema
    .createTable('payout_runs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('month', 'text', (c) => c.notNull().unique().check(sql`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('drafting')
        .check(sql`status in ('drafting', 'review', 'paying', 'remitting', 'completed', 'rejected')`),
    )
    .addColumn('payment_date', 'date')
    /** Null when the schedule prepared the run. */
    .addColumn('prepared_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('last_changed_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('decided_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_reason', 'text')
    .addColumn('remitted_on', 'date')
    .addColumn('remitted_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('remittance_note', 'text')
    .addColumn('waiting_for', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('payout_items')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('payout_runs.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'held', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn('payee_type', 'text', (c) =>
      c.notNull().check(sql`payee_type in ('resident_individual', 'corporation', 'nonresident_individual')`),
    )
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('fee_total', 'bigint', (c) => c.notNull())
    .addColumn('withholding_base', 'bigint', (c) => c.notNull())
    .addColumn('withholding', 'bigint', (c) => c.notNull())
    .addColumn('gross_payable', 'bigint', (c) => c.notNull())
    .addColumn('net_transfer', 'bigint', (c) => c.notNull().check(sql`net_transfer > 0`))
    .addColumn('flags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('hold_reason', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('bank_reference', 'text')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payout_items_run_hacker', ['run_id', 'hacker_id'])
    .execute();
  await db.schema.createIndex('payout_items_run_status_idx').on('payout_items').columns(['run_id', 'status', 'id']).execute();
  await db.schema.createIndex('payout_items_hacker_idx').on('payout_items').columns(['hacker_id', 'status']).execute();

  // Every ledger line an item pays. A line belongs to at most one live item: `released` turns true when
  // the item ends unpaid (held at the end of the run, failed, run rejected), so a later run picks it up.
  await db.schema
    .createTable('payout_item_lines')
    .addColumn('item_id', 'bigint', (c) => c.notNull().references('payout_items.id'))
    .addColumn('ledger_id', 'bigint', (c) => c.notNull().references('earnings_ledger.id'))
    .addColumn('released', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('payout_item_lines_pk', ['item_id', 'ledger_id'])
    .execute();
  await sql`create unique index payout_item_lines_live on payout_item_lines (ledger_id) where not released`.execute(db);

  // The payment guard: one row per idempotency key (`${runId}:${payeeId}`), written before the bank
  // call and completed after it. A retried or replayed activity finds it and never pays twice.
  await db.schema
    .createTable('payout_payments')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('payout_runs.id'))
    .addColumn('item_id', 'bigint', (c) => c.notNull().unique().references('payout_items.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed')`))
    .addColumn('reference', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** Lease of the activity attempt calling the bank: a concurrent attempt skips the payee meanwhile. */
    .addColumn('claim_token', 'text')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();

  // The default bank adapter's output: one encrypted transfer per key; the file is built on demand.
  await db.schema
    .createTable('payout_zengin_lines')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('payout_runs.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.notNull().references('hackers.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('transfer_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('payout_zengin_lines_run_idx').on('payout_zengin_lines').columns(['run_id']).execute();

  // The simulated bank (dev/tests): what it executed, once per idempotency key; `calls` counts requests.
  await db.schema
    .createTable('simulated_bank_transfers')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('calls', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Append-only: who did what, when and why. unique_key makes a retried activity write its entry once.
  await db.schema
    .createTable('payout_audit_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('run_id', 'bigint', (c) => c.references('payout_runs.id'))
    .addColumn('item_id', 'bigint', (c) => c.references('payout_items.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.references('hackers.id'))
    /** `user:<id>`, `system` or `schedule`. */
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('unique_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('payout_audit_run_idx').on('payout_audit_log').columns(['run_id', 'id']).execute();
  // A trigger, not rules: rules would forbid INSERT … ON CONFLICT, and an attempted edit should fail loudly.
  await sql`create function payout_audit_log_append_only() returns trigger language plpgsql as $$
    begin raise exception 'payout_audit_log is append-only'; end $$`.execute(db);
  await sql`create trigger payout_audit_log_append_only before update or delete on payout_audit_log
    for each statement execute function payout_audit_log_append_only()`.execute(db);

  await db.schema.createIndex('earnings_ledger_month_idx').on('earnings_ledger').columns(['month', 'hacker_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('earnings_ledger_month_idx').ifExists().execute();
  for (const t of [
    'payout_audit_log', 'simulated_bank_transfers', 'payout_zengin_lines', 'payout_payments', 'payout_item_lines',
    'payout_items', 'payout_runs', 'payees',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop function if exists payout_audit_log_append_only()`.execute(db);
}
