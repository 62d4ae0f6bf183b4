// `npm run bench:notify [-- --mails 400 --concurrency 8 --events 200]`: what notifications cost.
// 1. E-mails per second against the embedded SMTP server (src/notify/mail-catcher.ts, the one dev and
//    the tests use, storing every message in Postgres): the notification sender (src/notify/mail.ts
//    sendDelivery: the row, the message in the recipient's language, nodemailer, the row again) and,
//    in the same run, raw nodemailer sends of the same size without the sender around them (the baseline).
// 2. One webhook delivery per event id under a worker kill: a throwaway stack of real processes
//    (src/sim/stack.ts: embedded Postgres, the Temporal CLI dev server, `kaizen worker`), N events
//    delivered to a local receiver, the worker SIGKILLed while deliveries are in flight and started
//    again; counted: delivery rows per event id, distinct webhook-ids received, raw requests (a request
//    whose answer the killed worker never recorded is sent again with the same webhook-id, which is
//    what receivers deduplicate on).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { untilSignal } from '../src/cli/processes.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createDb, type Db } from '../src/db/index.ts';
import { dataConverterFor, parsePayloadKeys } from '../src/infra/payload-codec.ts';
import { startMailCatcher } from '../src/notify/mail-catcher.ts';
import { sendDelivery } from '../src/notify/mail.ts';
import { createEndpoint, deliverToWebhooks } from '../src/notify/webhooks.ts';
import { Stack } from '../src/sim/stack.ts';

const { values } = parseArgs({
  options: {
    mails: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
    events: { type: 'string', default: '200' },
  },
});
const MAILS = Number(values.mails);
const CONCURRENCY = Number(values.concurrency);
const EVENTS = Number(values.events);
const print = (l: string) => process.stdout.write(`${l}\n`);

/** Runs `n` jobs, `concurrency` at a time; the rate per second. */
async function rate(n: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<{ perSecond: number; seconds: number }> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await job(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: n / seconds, seconds };
}

async function mailThroughput(stack: Stack, db: Db): Promise<void> {
  const catcher = await startMailCatcher(db, pino({ level: 'warn' }));
  try {
    const base = loadConfig(stack.env());
    // The unsubscribe links are signed with the preview key (required with DATABASE_URL): a throwaway one.
    const config: Config = { ...base, mail: { ...base.mail, smtpUrl: catcher.url }, preview: { ...base.preview, key: randomBytes(32) } };
    // The sender's transport as createTransport makes it (one connection per message), and the same for the baseline.
    const transport = nodemailer.createTransport(catcher.url);
    const client = await db.insertInto('clients').values({ name: 'Bench mail shop', industry: 'ecommerce' }).returning('id').executeTakeFirstOrThrow();
    const users = await db
      .insertInto('users')
      .values(Array.from({ length: MAILS }, (_, i) => ({ name: `Bench reader ${i}`, role: 'client' as const, client_id: client.id, email: `reader${i}@bench.example`, locale: i % 2 ? ('en' as const) : ('ja' as const) })))
      .returning('id')
      .execute();
    const eventId = `invoice.issued:bench-${Date.now()}`;
    await db.insertInto('notification_events').values({ id: eventId, type: 'invoice.issued', client_id: client.id, occurred_at: new Date().toISOString(), data: JSON.stringify({ clientId: client.id, invoiceId: 1, number: 'INV-BENCH', totalYen: 110_000 }) }).execute();
    const deliveries = await db
      .insertInto('notification_deliveries')
      .values(users.map((u) => ({ event_id: eventId, user_id: u.id, channel: 'email' as const })))
      .returning('id')
      .execute();
    const sample = await (async () => {
      await sendDelivery(db, transport, config, deliveries[0]!.id);
      return db.selectFrom('mailbox_messages').select(['subject', 'text', 'html']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    })();
    // Interleaved, twice each (raw, sender, raw, sender): a loaded machine shifts both alike.
    const half = Math.floor((MAILS - 1) / 2);
    const rawRuns: { perSecond: number; seconds: number }[] = [];
    const senderRuns: { perSecond: number; seconds: number }[] = [];
    for (const round of [0, 1]) {
      rawRuns.push(await rate(half, CONCURRENCY, (i) =>
        transport.sendMail({ from: config.mail.from, to: `raw${i}@bench.example`, subject: sample.subject, text: sample.text, html: sample.html, messageId: `<raw-${eventId}-${round}-${i}@bench>` }),
      ));
      senderRuns.push(await rate(half, CONCURRENCY, (i) => sendDelivery(db, transport, config, deliveries[1 + round * half + i]!.id)));
    }
    const mean = (runs: { perSecond: number }[]) => runs.reduce((s, r) => s + r.perSecond, 0) / runs.length;
    const raw = { perSecond: mean(rawRuns), each: rawRuns.map((r) => r.perSecond.toFixed(1)).join(', ') };
    const sender = { perSecond: mean(senderRuns), each: senderRuns.map((r) => r.perSecond.toFixed(1)).join(', ') };
    const sent = await db.selectFrom('notification_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('event_id', '=', eventId).where('status', '=', 'sent').executeTakeFirstOrThrow();
    const kept = await db.selectFrom('mailbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('message_id', 'like', '<notification-%').executeTakeFirstOrThrow();
    print(`e-mail, ${MAILS} messages, ${CONCURRENCY} at a time, into the embedded SMTP server (parsed and stored in Postgres):`);
    print(`  raw nodemailer sends (baseline): ${raw.perSecond.toFixed(1)} /s (rounds: ${raw.each})`);
    print(`  notification sender (sendDelivery): ${sender.perSecond.toFixed(1)} /s (rounds: ${sender.each}) = ${((sender.perSecond / raw.perSecond) * 100).toFixed(0)} % of the baseline`);
    print(`  deliveries marked sent: ${sent.n} of ${1 + 2 * half}; messages the server kept: ${kept.n}`);
    transport.close();
  } finally {
    await catcher.close();
  }
}

async function webhooksUnderKill(stack: Stack, db: Db): Promise<void> {
  const seen = new Map<string, number>();
  let requests = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      // A slow receiver, so that deliveries are in flight when the worker dies.
      setTimeout(() => res.writeHead(200).end('ok'), 50);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(parsePayloadKeys(stack.payloadKeys)) });
  try {
    const config = loadConfig(stack.env());
    const client = await db.insertInto('clients').values({ name: 'Bench hook shop', industry: 'ecommerce' }).returning('id').executeTakeFirstOrThrow();
    const { endpoint } = await createEndpoint(db, config.webhooks, { clientId: client.id, url, description: 'bench', eventTypes: ['test.verdict'], format: 'standard', createdBy: (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id });
    const started = performance.now();
    const ids = Array.from({ length: EVENTS }, (_, i) => `test.verdict:bench-${Date.now()}-${i}`);
    const emit = (id: string) => deliverToWebhooks({ db, temporal, config }, { id, type: 'test.verdict', occurredAt: new Date().toISOString(), clientId: client.id, data: { test_id: 1 } });
    // Emitting goes on while the worker is killed (the emit is the caller's, not the worker's); the
    // first 20 events are emitted twice (a retried emit): still one delivery each.
    const emitting = (async () => {
      for (const id of ids) await emit(id);
      for (const id of ids.slice(0, 20)) await emit(id);
    })();
    while (seen.size < EVENTS / 4) await new Promise((r) => setTimeout(r, 10));
    const atKill = seen.size;
    await stack.killWorker();
    await stack.startWorker();
    await emitting;
    for (;;) {
      const pending = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('endpoint_id', '=', endpoint.id).where('status', '=', 'pending').executeTakeFirstOrThrow();
      if (Number(pending.n) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = await db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'status', 'attempts'])
      .where('endpoint_id', '=', endpoint.id)
      .execute();
    const perEvent = new Map<string, number>();
    for (const r of rows) perEvent.set(r.event_id, (perEvent.get(r.event_id) ?? 0) + 1);
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    print(`webhooks, ${EVENTS} events (20 emitted twice), worker SIGKILLed after ${atKill} were received, then started again (${seconds.toFixed(1)} s in all):`);
    print(`  delivery rows: ${rows.length}; event ids with more than one row: ${[...perEvent.values()].filter((n) => n > 1).length}; succeeded: ${rows.filter((r) => r.status === 'succeeded').length}`);
    print(`  distinct webhook-ids received: ${seen.size} of ${EVENTS}; requests: ${requests} (webhook-ids received more than once: ${duplicates}, each with the same id: a receiver deduplicates on webhook-id)`);
    print(`  attempts recorded: ${rows.reduce((s, r) => s + r.attempts, 0)}`);
  } finally {
    await connection.close();
    await new Promise((r) => receiver.close(r));
  }
}

let stopCurrent: (() => Promise<void>) | undefined;
void untilSignal().then(async (signal) => {
  process.stdout.write(`\n${signal}: stopping the stack\n`);
  await stopCurrent?.();
  process.exit(130);
});

async function main() {
  const stack = new Stack({ tools: loadConfig().tools, env: { KAIZEN_WEBHOOK_RETRY_INITIAL_MS: '500', KAIZEN_WEBHOOK_RETRY_MAX_INTERVAL_MS: '2000' } });
  stopCurrent = () => stack.stop();
  try {
    await stack.startServices();
    await stack.kaizen(['migrate']);
    await stack.startWorker();
    const db = createDb(stack.databaseUrl, 12);
    try {
      await mailThroughput(stack, db);
      await webhooksUnderKill(stack, db);
    } finally {
      await db.destroy();
    }
  } finally {
    await stack.stop();
  }
}

await main();
process.exit(0);
