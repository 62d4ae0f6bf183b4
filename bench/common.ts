// Shared by the traffic benches: src/stack.ts with an embedded Postgres of their own (temp folder, free
// port) and the real Fastify app on 127.0.0.1 (Temporal never dialled: these routes do not use it), and seeding.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfigWith, type Config } from '../src/config.ts';
import { createUserWithToken } from '../src/db/users.ts';
import type { Db } from '../src/db/index.ts';
import { freePort } from '../src/infra/ports.ts';
import { createLogger } from '../src/logger.ts';
import { startStack as startKaizenStack } from '../src/stack.ts';

export interface BenchStack {
  db: Db;
  dbUrl: string;
  dataDir: string;
  app: FastifyInstance;
  address: string;
  close(): Promise<void>;
}

export async function startBenchStack(opts: { logLevel?: 'info' | 'warn'; poolSize?: number; webRoot?: string } = {}): Promise<BenchStack> {
  const log = createLogger({ logLevel: 'warn', logPretty: false }, 'bench');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kaizen-bench-'));
  try {
    const config: Config = {
      ...loadConfigWith({ overrides: { KAIZEN_DATA_DIR: dataDir, LOG_PRETTY: 'false', LOG_LEVEL: 'warn' }, unset: ['DATABASE_URL'] }),
      embeddedPgPort: await freePort(),
      host: '127.0.0.1',
      port: 0,
      bankKey: randomBytes(32),
      payloadKeys: `bench:${randomBytes(32).toString('base64')}`,
    };
    // The API logs as in production (info: a line per request) to /dev/null unless told otherwise.
    const apiLog = pino({ level: opts.logLevel ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
    // Temporal is never dialled: these routes do not use it.
    const stack = await startKaizenStack({ config, log, temporal: false, api: { log: apiLog, ...(opts.webRoot ? { webRoot: opts.webRoot } : {}) }, ...(opts.poolSize ? { poolSize: opts.poolSize } : {}) });
    return {
      db: stack.db,
      dbUrl: stack.databaseUrl,
      dataDir,
      app: stack.app!,
      address: stack.apiUrl!,
      async close() {
        await stack.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface Seeded {
  clientId: number;
  csToken: string;
  clientToken: string;
}

export async function seedClient(db: Db, name = 'Bench shop'): Promise<Seeded & { csId: number }> {
  const client = await db.insertInto('clients').values({ name, industry: 'ecommerce' }).returning('id').executeTakeFirstOrThrow();
  const { token: clientToken } = await createUserWithToken(db, { name: `${name} client`, role: 'client', clientId: client.id });
  const { user: cs, token: csToken } = await createUserWithToken(db, { name: `${name} cs`, role: 'cs_manager' });
  return { clientId: client.id, csToken, clientToken, csId: cs.id };
}

let seq = 0;
/** A running test of the client with variants of `weights` (control first). */
export async function seedTest(db: Db, s: { clientId: number; csId: number }, weights = [0.5, 0.25, 0.25]) {
  const tag = `${process.pid}-${++seq}`;
  const engagement = await db
    .insertInto('engagements')
    .values({ client_id: s.clientId, cs_manager_id: s.csId, offer_mode: 'open', monthly_fee_yen: 500_000, start_month: '2026-12', status: 'active', workflow_id: `engagement-bench-${tag}`, created_by: s.csId } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  // Every engagement has its settings row (createEngagement writes it): the test page reads the
  // correction and engine from it (without it every GET /v1/tests/:id was a 500 in bench:traffic).
  await db.insertInto('engagement_settings').values({ engagement_id: engagement.id }).execute();
  const page = await db
    .insertInto('pages')
    .values({ engagement_id: engagement.id, url: `https://shop.example/${tag}`, page_type: 'product', baseline_rate: 0.05, daily_visitors: 10_000, value_per_conversion_yen: 3000 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cycle = await db.insertInto('cycles').values({ engagement_id: engagement.id, month: '2026-12', workflow_id: `cycle-bench-${tag}` }).returning('id').executeTakeFirstOrThrow();
  const hypothesis = await db
    .insertInto('hypotheses')
    .values({ cycle_id: cycle.id, ordinal: 1, author: 'cs', author_user_id: s.csId, problem: 'bench', page_id: page.id, metric: 'revenue', skills: [], offer_kind: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const offer = await db
    .insertInto('offers')
    .values({ cycle_id: cycle.id, hypothesis_id: hypothesis.id, kind: 'open', brief: 'bench', adoption_fee_yen: 0, win_bonus_yen: 0, submission_fee_yen: 0, deadline: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const test = await db
    .insertInto('tests')
    .values({ offer_id: offer.id, cycle_id: cycle.id, page_id: page.id, metric: 'revenue', planned_sample_total: 100_000, workflow_id: `test-bench-${tag}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const variants = await db
    .insertInto('variants')
    .values(weights.map((weight, i) => ({ test_id: test.id, arm: i === 0 ? 'control' : String.fromCharCode(64 + i), position: i, weight })))
    .returning(['id', 'arm', 'position', 'weight'])
    .execute();
  return { testId: test.id, variants };
}

/** The seeded PRNG of the simulations, so every run sends the same data. */
export { rng as prng } from '../src/sim/random.ts';

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
