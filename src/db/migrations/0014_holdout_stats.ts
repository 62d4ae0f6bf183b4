import { sql, type Kysely } from 'kysely';

// The holdout report without scanning visitors (issue 15's "reads that do not grow with traffic",
// applied to issue 11's holdout):
// - client_visitors: one row per visitor of a client's tests (across all its tests): held out of them,
//   exposed in any, converted in any. Written by the ingest statement only when a flag changes.
// - holdout_stats: per client, held out or not, a few slots (like arm_stats), the number of exposed
//   visitors and how many of them converted, folded in by the same statement from each visitor's
//   change. A report sums at most 2 × slots rows.
// Backfilled from the stored events; the holdout rule is applied in JS (a frozen copy of
// domain/holdout.ts at the end of this file), not rewritten in SQL.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table client_visitors (
      client_id bigint not null references clients (id),
      visitor_id text not null,
      holdout boolean not null,
      exposed boolean not null,
      converted boolean not null,
      primary key (client_id, visitor_id)
    )`.execute(db);
  await sql`
    create table holdout_stats (
      client_id bigint not null references clients (id),
      holdout boolean not null,
      slot smallint not null,
      n bigint not null default 0,
      conversions bigint not null default 0,
      primary key (client_id, holdout, slot)
    ) with (fillfactor = 50)`.execute(db);

  // Backfill in pages of visitors (keyset on client, visitor).
  let after: { client_id: number; visitor_id: string } | null = null;
  for (;;) {
    const { rows }: { rows: { client_id: number; visitor_id: string; percents: number[]; exposed: boolean; converted: boolean }[] } = await sql<{
      client_id: number;
      visitor_id: string;
      percents: number[];
      exposed: boolean;
      converted: boolean;
    }>`
      select e.client_id::int as client_id, ev.visitor_id, array_agg(distinct t.holdout_percent) as percents,
             bool_or(ev.type = 'exposure') as exposed, bool_or(ev.type = 'conversion') as converted
        from test_events ev
        join tests t on t.id = ev.test_id
        join cycles c on c.id = t.cycle_id
        join engagements e on e.id = c.engagement_id
       where ${after ? sql`(e.client_id, ev.visitor_id) > (${after.client_id}::bigint, ${after.visitor_id})` : sql`true`}
       group by e.client_id, ev.visitor_id
       order by e.client_id, ev.visitor_id
       limit 10000`.execute(db);
    if (rows.length === 0) break;
    const holdout = await Promise.all(rows.map(async (r) => {
      for (const p of r.percents) if (await inHoldout(r.client_id, r.visitor_id, Number(p))) return true;
      return false;
    }));
    await sql`
      insert into client_visitors (client_id, visitor_id, holdout, exposed, converted)
      select * from unnest(${rows.map((r) => r.client_id)}::bigint[], ${rows.map((r) => r.visitor_id)}::text[], ${holdout}::bool[],
                           ${rows.map((r) => r.exposed)}::bool[], ${rows.map((r) => r.converted)}::bool[])`.execute(db);
    after = rows[rows.length - 1]!;
  }
  await sql`
    insert into holdout_stats (client_id, holdout, slot, n, conversions)
    select client_id, holdout, 0, count(*) filter (where exposed), count(*) filter (where exposed and converted)
      from client_visitors group by client_id, holdout`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists holdout_stats`.execute(db);
  await sql`drop table if exists client_visitors`.execute(db);
}

// Frozen copy of the holdout rule as this migration applied it (domain/holdout.ts when 0014 was
// written: SHA-256 of `holdout:${clientId}:${visitorId}`, top 53 bits / 2^53 < percent / 100). Web
// Crypto (a global) so that the migration imports nothing but kysely.
async function inHoldout(clientId: number, visitorId: string, percent: number): Promise<boolean> {
  if (!(percent > 0)) return false;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`holdout:${clientId}:${visitorId}`)));
  const high = ((digest[0]! << 24) >>> 0) + (digest[1]! << 16) + (digest[2]! << 8) + digest[3]!;
  const low = ((digest[4]! << 16) + (digest[5]! << 8) + digest[6]!) >>> 3;
  return (high * 2 ** 21 + low) / 2 ** 53 < percent / 100;
}
