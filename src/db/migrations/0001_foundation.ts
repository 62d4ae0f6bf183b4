import { sql, type Kysely } from 'kysely';

// Foundation: tenants (clients), growth hackers, users with hashed API tokens, engagements.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('industry', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('hackers')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('individual', 'corporation')`))
    .addColumn('residency', 'text', (c) => c.notNull().check(sql`residency in ('resident', 'non_resident')`))
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('industries', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'inactive')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('admin', 'cs_manager', 'finance', 'client', 'hacker')`),
    )
    .addColumn('client_id', 'bigint', (c) => c.references('clients.id'))
    .addColumn('hacker_id', 'bigint', (c) => c.references('hackers.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A client user belongs to exactly one tenant; a hacker user to exactly one hacker.
    .addCheckConstraint('users_client_binding', sql`(role = 'client') = (client_id is not null)`)
    .addCheckConstraint('users_hacker_binding', sql`(role = 'hacker') = (hacker_id is not null)`)
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('engagements')
    // By default (not always): the id is drawn first so the workflow id can be written with the row.
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('client_id', 'bigint', (c) => c.notNull().references('clients.id'))
    .addColumn('cs_manager_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('offer_mode', 'text', (c) => c.notNull().check(sql`offer_mode in ('open', 'targeted', 'team')`))
    .addColumn('monthly_fee_yen', 'bigint', (c) => c.notNull().check(sql`monthly_fee_yen > 0`))
    .addColumn('start_month', 'text', (c) => c.notNull().check(sql`start_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('current_month', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status in ('active', 'ending', 'ended')`),
    )
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('month_length_seconds', 'integer', (c) => c.check(sql`month_length_seconds > 0`))
    .addColumn('end_reason', 'text')
    .addColumn('ends_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('idempotency_key', 'text')
    .addColumn('created_by', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('engagements_idempotency', ['created_by', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('engagements_client_idx').on('engagements').column('client_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['engagements', 'api_tokens', 'users', 'hackers', 'clients']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
