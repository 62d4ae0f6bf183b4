import { sql, type Kysely } from 'kysely';

// Billing: partners (and the `partner` role), billing accounts (invoice name, payer kana, payment terms)
// per client, dated price plans per engagement, partner attributions, invoices and credit notes with
// their lines (issued ones are immutable: triggers refuse any change), receipts, partner commissions
// (one per invoice line) and billing alerts.
const MONTH = sql`~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partners')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('legal_name', 'text', (c) => c.notNull())
    .addColumn('invoice_registration_number', 'text', (c) => c.check(sql`invoice_registration_number ~ '^T[0-9]{13}$'`))
    .addColumn('invoice_registered_on', 'date')
    .addColumn('invoice_expires_on', 'date')
    .addColumn('payer_kana', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The partner role: tenant-bound like clients.
  await sql`alter table users drop constraint if exists users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check
    check (role in ('admin', 'cs_manager', 'finance', 'client', 'hacker', 'partner'))`.execute(db);
  await sql`alter table users add column partner_id bigint references partners(id)`.execute(db);
  await sql`alter table users add constraint users_partner_binding check ((role = 'partner') = (partner_id is not null))`.execute(db);

  await db.schema
    .createTable('billing_accounts')
    .addColumn('client_id', 'bigint', (c) => c.primaryKey().references('clients.id'))
    .addColumn('legal_name', 'text', (c) => c.notNull())
    .addColumn('payer_kana', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('due_rule', 'text', (c) => c.notNull().defaultTo('next_month_end').check(sql`due_rule in ('next_month_end', 'days_after_close')`))
    .addColumn('due_days', 'integer', (c) => c.notNull().defaultTo(30).check(sql`due_days between 1 and 120`))
    .addColumn('holiday_shift', 'text', (c) => c.notNull().defaultTo('previous').check(sql`holiday_shift in ('previous', 'next')`))
    .addColumn('updated_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('price_plans')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('effective_month', 'text', (c) => c.notNull().check(sql`effective_month ${MONTH}`))
    .addColumn('platform_fee_yen', 'bigint', (c) => c.notNull().check(sql`platform_fee_yen >= 0`))
    .addColumn('cs_support_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`cs_support_yen >= 0`))
    .addColumn('growth_team_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`growth_team_yen >= 0`))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('price_plans_version', ['engagement_id', 'effective_month'])
    .execute();

  await db.schema
    .createTable('partner_attributions')
    .addColumn('engagement_id', 'bigint', (c) => c.primaryKey().references('engagements.id'))
    .addColumn('partner_id', 'bigint', (c) => c.notNull().references('partners.id'))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('referral', 'resale')`))
    .addColumn('commission_bp', 'integer', (c) => c.notNull().defaultTo(0).check(sql`commission_bp between 0 and 10000`))
    .addColumn('commission_from_month', 'text', (c) => c.notNull().check(sql`commission_from_month ${MONTH}`))
    .addColumn('commission_to_month', 'text', (c) => c.check(sql`commission_to_month ${MONTH}`))
    .addColumn('wholesale_bp', 'integer', (c) => c.notNull().defaultTo(10000).check(sql`wholesale_bp between 0 and 10000`))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('partner_attributions_partner_idx').on('partner_attributions').column('partner_id').execute();

  await sql`create sequence invoice_number_seq`.execute(db);
  await db.schema
    .createTable('invoices')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('invoice', 'credit_note')`))
    .addColumn('draft_key', 'text', (c) => c.notNull().unique())
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ${MONTH}`))
    .addColumn('bill_to_kind', 'text', (c) => c.notNull().check(sql`bill_to_kind in ('client', 'partner')`))
    .addColumn('client_id', 'bigint', (c) => c.references('clients.id'))
    .addColumn('partner_id', 'bigint', (c) => c.references('partners.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'held', 'issued')`))
    .addColumn('number', 'text', (c) => c.unique())
    .addColumn('original_invoice_id', 'bigint', (c) => c.references('invoices.id'))
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('issuer_name', 'text', (c) => c.notNull())
    .addColumn('issuer_registration_number', 'text', (c) => c.notNull().check(sql`issuer_registration_number ~ '^T[0-9]{13}$'`))
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('issue_date', 'date')
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('terms_label', 'text', (c) => c.notNull())
    .addColumn('rounding', 'text', (c) => c.notNull().check(sql`rounding in ('floor', 'half_up', 'ceil')`))
    .addColumn('subtotal_yen', 'bigint', (c) => c.notNull())
    .addColumn('tax_yen', 'bigint', (c) => c.notNull())
    .addColumn('total_yen', 'bigint', (c) => c.notNull())
    .addColumn('tax_summary', 'jsonb', (c) => c.notNull())
    .addColumn('hold_reason', 'text')
    .addColumn('note', 'text')
    .addColumn('issued_at', 'timestamptz')
    .addColumn('issued_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('invoices_bill_to', sql`(bill_to_kind = 'client') = (client_id is not null) and (bill_to_kind = 'partner') = (partner_id is not null)`)
    .addCheckConstraint('invoices_number_when_issued', sql`(status = 'issued') = (number is not null and issue_date is not null)`)
    .addCheckConstraint('invoices_credit_note_original', sql`(kind = 'credit_note') = (original_invoice_id is not null)`)
    .execute();
  await db.schema.createIndex('invoices_month_idx').on('invoices').columns(['month', 'id']).execute();
  await db.schema.createIndex('invoices_client_idx').on('invoices').columns(['client_id', 'month']).execute();

  await db.schema
    .createTable('invoice_lines')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('invoice_id', 'bigint', (c) => c.notNull().references('invoices.id'))
    .addColumn('line_key', 'text', (c) => c.notNull().unique())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('engagement_id', 'bigint', (c) => c.references('engagements.id'))
    .addColumn('item', 'text', (c) => c.notNull().check(sql`item in ('platform_fee', 'cs_support', 'growth_team', 'adjustment')`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('amount_yen', 'bigint', (c) => c.notNull())
    .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().check(sql`tax_rate_bp between 0 and 10000`))
    .addColumn('list_amount_yen', 'bigint')
    .addColumn('days_billed', 'integer')
    .addColumn('days_in_month', 'integer')
    .addColumn('original_line_id', 'bigint', (c) => c.references('invoice_lines.id'))
    .execute();
  await db.schema.createIndex('invoice_lines_invoice_idx').on('invoice_lines').columns(['invoice_id', 'position']).execute();
  await db.schema.createIndex('invoice_lines_engagement_idx').on('invoice_lines').column('engagement_id').execute();

  // Issued documents never change (電子帳簿保存法): corrections are credit notes.
  await sql`create function invoices_immutable() returns trigger language plpgsql as $$
    begin
      if OLD.status = 'issued' then
        raise exception 'invoice % is issued and immutable; issue a credit note instead', OLD.id using errcode = 'P0001';
      end if;
      if TG_OP = 'DELETE' then return OLD; end if;
      return NEW;
    end $$`.execute(db);
  await sql`create trigger invoices_immutable before update or delete on invoices
    for each row execute function invoices_immutable()`.execute(db);
  await sql`create function invoice_lines_immutable() returns trigger language plpgsql as $$
    declare s text;
    begin
      select status into s from invoices where id = coalesce(NEW.invoice_id, OLD.invoice_id);
      if s = 'issued' then
        raise exception 'lines of issued invoice % are immutable', coalesce(NEW.invoice_id, OLD.invoice_id) using errcode = 'P0001';
      end if;
      if TG_OP = 'UPDATE' and OLD.invoice_id <> NEW.invoice_id then
        select status into s from invoices where id = OLD.invoice_id;
        if s = 'issued' then raise exception 'lines of issued invoice % are immutable', OLD.invoice_id; end if;
      end if;
      if TG_OP = 'DELETE' then return OLD; end if;
      return NEW;
    end $$`.execute(db);
  await sql`create trigger invoice_lines_immutable before insert or update or delete on invoice_lines
    for each row execute function invoice_lines_immutable()`.execute(db);

  await db.schema
    .createTable('receipts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('manual', 'bank_csv')`))
    .addColumn('import_key', 'text', (c) => c.notNull().unique())
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('payer_name', 'text', (c) => c.notNull())
    .addColumn('amount_yen', 'bigint', (c) => c.notNull().check(sql`amount_yen > 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('unmatched').check(sql`status in ('unmatched', 'matched')`))
    .addColumn('invoice_id', 'bigint', (c) => c.references('invoices.id'))
    .addColumn('fee_yen', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`fee_yen >= 0`))
    .addColumn('matched_how', 'text')
    .addColumn('unmatched_reason', 'text')
    .addColumn('matched_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('matched_at', 'timestamptz')
    .addCheckConstraint('receipts_match', sql`(status = 'matched') = (invoice_id is not null)`)
    .execute();
  await db.schema.createIndex('receipts_invoice_idx').on('receipts').column('invoice_id').execute();
  await db.schema.createIndex('receipts_status_idx').on('receipts').columns(['status', 'id']).execute();

  await db.schema
    .createTable('partner_commissions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('partner_id', 'bigint', (c) => c.notNull().references('partners.id'))
    .addColumn('engagement_id', 'bigint', (c) => c.notNull().references('engagements.id'))
    .addColumn('invoice_line_id', 'bigint', (c) => c.notNull().unique().references('invoice_lines.id'))
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ${MONTH}`))
    .addColumn('base_yen', 'bigint', (c) => c.notNull())
    .addColumn('rate_bp', 'integer', (c) => c.notNull())
    .addColumn('amount_yen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('partner_commissions_partner_idx').on('partner_commissions').columns(['partner_id', 'month']).execute();

  await db.schema
    .createTable('billing_alerts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('unique_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'bigint', (c) => c.references('invoices.id'))
    .addColumn('engagement_id', 'bigint', (c) => c.references('engagements.id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['billing_alerts', 'partner_commissions', 'receipts', 'invoice_lines', 'invoices', 'partner_attributions', 'price_plans', 'billing_accounts']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop function if exists invoice_lines_immutable()`.execute(db);
  await sql`drop function if exists invoices_immutable()`.execute(db);
  await sql`drop sequence if exists invoice_number_seq`.execute(db);
  await sql`alter table users drop constraint if exists users_partner_binding`.execute(db);
  await sql`delete from users where role = 'partner'`.execute(db);
  await sql`alter table users drop column if exists partner_id`.execute(db);
  await sql`alter table users drop constraint if exists users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('admin', 'cs_manager', 'finance', 'client', 'hacker'))`.execute(db);
  await db.schema.dropTable('partners').ifExists().execute();
}
