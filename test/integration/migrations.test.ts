import { sql } from 'kysely';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createDb } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

describe('migrations', () => {
  const db = createDb(inject('emptyDatabaseUrl'), 1);
  afterAll(() => db.destroy());

  it('bring an empty database to the latest schema, then have nothing left to do', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(db);
    expect(before.rows[0]!.n).toBe(0);

    const applied = await migrateToLatest(db);
    expect(applied[0]).toBe('0001_foundation');

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['api_tokens', 'clients', 'engagements', 'hackers', 'users']),
    );
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it('enforce the data rules in the database itself', async () => {
    // A client user must be bound to a client; yen amounts must be positive.
    await expect(sql`insert into users (name, role) values ('x', 'client')`.execute(db)).rejects.toThrow(/users_client_binding/);
    const c = await db.insertInto('clients').values({ name: 'c', industry: 'retail' }).returning('id').executeTakeFirstOrThrow();
    const u = await db.insertInto('users').values({ name: 'cs', role: 'cs_manager', client_id: null, hacker_id: null }).returning('id').executeTakeFirstOrThrow();
    await expect(
      sql`insert into engagements (client_id, cs_manager_id, offer_mode, monthly_fee_yen, start_month, workflow_id, created_by)
          values (${c.id}, ${u.id}, 'open', 0, '2026-12', 'w', ${u.id})`.execute(db),
    ).rejects.toThrow(/monthly_fee_yen/);
  });
});
