// Time to draft and pay a payout run of 10,000 and of 100,000 payees: `npm run bench:payouts`.
// Calls the drafting and paying functions directly (what the workflow's activities call) against an
// embedded Postgres this script starts in a temporary folder — no Temporal server involved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, ensureDatabase, type Db } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadConfigWith } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startStack } from '../src/stack.ts';
import { ZenginFileBankAdapter } from '../src/payouts/bank.ts';
import { encryptJson } from '../src/payouts/crypto.ts';
import { zenginFile } from '../src/payouts/queries.ts';
import { decideRun, draftRun, finishPayments, openRun, payBatch } from '../src/payouts/runs.ts';
import { freePort } from '../src/infra/ports.ts';

const SIZES = (process.env.BENCH_PAYEES ?? '10000,100000').split(',').map(Number);
const MONTH = '2031-06';
const BATCH = 1000;


const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function seed(db: Db, key: Buffer, n: number) {
  const { rows: users } = await sql<{ id: number }>`
    insert into users (name, role) values ('bench preparer', 'finance'), ('bench approver', 'finance') returning id`.execute(db);
  const client = await db.insertInto('clients').values({ name: 'Bench', industry: 'retail' }).returning('id').executeTakeFirstOrThrow();
  const cs = await db.insertInto('users').values({ name: 'bench cs', role: 'cs_manager', client_id: null, hacker_id: null }).returning('id').executeTakeFirstOrThrow();
  const eng = await db
    .insertInto('engagements')
    .values({ client_id: client.id, cs_manager_id: cs.id, offer_mode: 'open', monthly_fee_yen: 1_000_000, start_month: '2031-01', status: 'active', workflow_id: 'bench', created_by: cs.id } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  // Hackers: every 10th a corporation, every 7th a non-resident; every 50th without bank details.
  const { rows: hackers } = await sql<{ id: number }>`
    insert into hackers (display_name, kind, residency)
    select 'Bench ' || g, case when g % 10 = 0 then 'corporation' else 'individual' end,
           case when g % 7 = 0 then 'non_resident' else 'resident' end
    from generate_series(1, ${n}) g order by g returning id`.execute(db);
  for (let i = 0; i < hackers.length; i += 10_000) {
    const chunk = hackers.slice(i, i + 10_000).filter((h) => h.id % 50 !== 0);
    const enc = chunk.map((h) =>
      encryptJson(key, `payee:${h.id}:bank`, {
        bank_code: '0001',
        branch_code: '001',
        account_type: '1',
        account_number: String(1_000_000 + h.id).slice(-7),
        holder_name: 'ﾍﾞﾝﾁ ﾀﾛｳ',
      }),
    );
    await sql`
      insert into payees (hacker_id, bank_encrypted, bank_masked)
      select h, e, jsonb_build_object('bank_name', 'みずほ', 'branch_name', '東京営業部', 'account_type', '1',
                                      'account_number', '****' || right(h::text, 3), 'holder_name', 'ﾍﾞ****')
      from unnest(${chunk.map((h) => h.id)}::bigint[], ${enc}::text[]) as u(h, e)`.execute(db);
  }
  // Two ledger lines per hacker (design + other), one of them delivered long ago (Freelance Act flag).
  await sql`
    insert into earnings_ledger (unique_key, hacker_id, engagement_id, kind, amount_yen, category, month, delivered_at, description)
    select 'adoption_fee:' || h.id || ':' || k, h.id, ${eng.id}, 'adoption_fee', 50000 + (h.id % 100) * 1000,
           case when k = 1 then 'design' else 'none' end, ${MONTH},
           case when h.id % 97 = 0 then timestamptz '2031-01-05 10:00+09' else timestamptz '2031-06-05 10:00+09' end, 'bench line'
    from hackers h cross join generate_series(1, 2) k`.execute(db);
  await sql`analyze`.execute(db);
  return { preparer: users[0]!.id, approver: users[1]!.id };
}

async function benchSize(baseUrl: string, n: number) {
  const url = new URL(baseUrl);
  url.pathname = `/bench_payouts_${n}`;
  await ensureDatabase(url.toString());
  const db = createDb(url.toString(), 20);
  try {
    await migrateToLatest(db);
    const key = randomBytes(32);
    let t0 = process.hrtime.bigint();
    const { preparer, approver } = await seed(db, key, n);
    const seedS = seconds(t0);

    const { run } = await openRun(db, MONTH, preparer);
    t0 = process.hrtime.bigint();
    const draft = await draftRun(db, run.id, 25);
    const draftS = seconds(t0);

    await decideRun(db, { runId: run.id, approve: true, by: approver, updateId: 'bench-approve' });
    const deps = { db, key, bank: new ZenginFileBankAdapter(db, key), concurrency: 8 };
    t0 = process.hrtime.bigint();
    let after = 0;
    let batches = 0;
    for (;;) {
      const r = await payBatch(deps, run.id, after, BATCH);
      batches++;
      if (r.processed === 0) break;
      after = r.lastItemId;
    }
    const paid = await finishPayments(db, run.id);
    const payS = seconds(t0);

    t0 = process.hrtime.bigint();
    const file = await zenginFile(db, key, run.id);
    const fileS = seconds(t0);
    return { n, seedS, draftS, payS, fileS, draft, paid, batches, fileBytes: file?.length ?? 0 };
  } finally {
    await db.destroy();
  }
}

/** The project's one bring-up with Postgres alone (its own data folder and port; no Temporal, no migrations). */
async function postgresOnly(dataDir: string) {
  const config = loadConfigWith({ overrides: { KAIZEN_DATA_DIR: dataDir, KAIZEN_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn', LOG_PRETTY: '0' }, unset: ['DATABASE_URL'] });
  const stack = await startStack({ config, log: createLogger(config, 'bench'), temporal: false, migrate: false, poolSize: 1 });
  return { url: stack.databaseUrl, stop: () => stack.stop() };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kaizen-bench-payouts-'));
  const pg = await postgresOnly(dir);
  try {
    process.stdout.write(
      'Payout run bench: drafting and paying called directly (the functions the activities call) on an embedded\n' +
        `Postgres started for this run — no Temporal server. Pay uses the Zengin-file bank adapter, ${BATCH} payees per batch.\n\n`,
    );
    const results = [];
    for (const n of SIZES) {
      const r = await benchSize(pg.url, n);
      results.push(r);
      process.stdout.write(
        `${n.toLocaleString('en')} payees: draft ${r.draftS.toFixed(2)} s (${r.draft.items} items, ${r.draft.held} held, ${r.draft.flagged} flagged) · ` +
          `pay ${r.payS.toFixed(2)} s (${r.paid.sent} sent, ${r.batches} batches, ${Math.round(r.paid.sent / r.payS)} payees/s) · ` +
          `Zengin file ${r.fileS.toFixed(2)} s (${r.fileBytes.toLocaleString('en')} bytes) · seeding ${r.seedS.toFixed(1)} s\n`,
      );
    }
    if (results.length >= 2) {
      const [a, b] = [results[0]!, results[results.length - 1]!];
      const k = b.n / a.n;
      process.stdout.write(
        `\nscaling ×${k}: draft ×${(b.draftS / a.draftS).toFixed(1)}, pay ×${(b.payS / a.payS).toFixed(1)} ` +
          `(target: 100,000 drafted in < 30 s: ${b.n >= 100_000 ? (b.draftS < 30 ? 'met' : 'NOT met') : 'n/a'}; ≤ ~${k}× time)\n`,
      );
    }
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
