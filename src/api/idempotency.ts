// Idempotency-Key on every authenticated POST (issue 20): the first request with a key claims it
// (a row in idempotency_keys, per caller, route and key), runs, and its answer is stored; a retry gets
// that answer again (`Idempotent-Replayed: true`), a concurrent duplicate waits for it, the same key
// with another request is a 422 naming the header. A failure (5xx, a thrown error, an answer that
// asks to retry) releases the key so a retry runs.
//
// The claim is its own statement, not part of the handler's transaction: handlers write through their
// own transactions and Temporal updates, which no outer transaction can span. Each handler is atomic,
// so the one gap is a process dying between the handler's commit and the stored answer: the claim
// then stays "in progress" (409 with Retry-After) until its lease ends, after which a retry runs again.
//
// Routes that implement the key in their own tables (replaying with 200: engagements, proposals,
// credit notes, receipts, payout runs) declare `idempotency: 'own'`; routes whose answer carries a
// secret shown once declare `idempotency: 'secret'`: their 2xx answer is not stored, a retry is a 409.
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Database } from '../db/schema.ts';
import { HttpError } from './errors.ts';
import { ErrorResponse, Idempotency } from './schemas/common.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'own': the route stores the Idempotency-Key itself; 'secret': its 2xx answer is never stored. */
    idempotency?: 'own' | 'secret';
  }
}

const HEADER = 'idempotency-key';
const HEADER_PATH = `/headers/${HEADER}`;
/** How long a duplicate waits for the first request's answer before a 409 "in progress". */
const WAIT_MS = 20_000;
/** A claim older than this whose request never answered (its process died) may be taken over. */
const LEASE_MS = 120_000;
/** Client errors that a retry of the same request would get again; others (401/403/409/429…) are not stored. */
const FINAL_4XX = new Set([400, 404, 405, 410, 413, 415, 422]);

interface Claim {
  userId: number;
  route: string;
  key: string;
  claim: string;
  secret: boolean;
}

const claims = new WeakMap<FastifyRequest, Claim>();
type KeysEb = ExpressionBuilder<Database, 'idempotency_keys'>;

function covered(method: string | string[], config: { roles?: unknown; idempotency?: string } | undefined): boolean {
  return [method].flat().includes('POST') && !!config?.roles && config.idempotency !== 'own';
}

/** Keys sorted at every level: the same JSON sent with another key order is the same request. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

const requestHash = (req: FastifyRequest) =>
  createHash('sha256').update(JSON.stringify(canonical({ params: req.params, query: req.query, body: req.body ?? null }))).digest('hex');

function reused(): HttpError {
  return new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request to this route; send a new key for a new request.', [
    { path: HEADER_PATH, message: 'already used with another body or path' },
  ]);
}

export function registerIdempotency(app: FastifyInstance, db: Db): void {
  // Every authenticated POST declares the header (and the answers the mechanism may give).
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('POST') || !route.config?.roles) return;
    route.schema ??= {};
    const headers = route.schema.headers as { properties?: Record<string, unknown> } | undefined;
    if (!headers) route.schema.headers = Idempotency;
    else if (!headers.properties?.[HEADER]) throw new Error(`route POST ${route.url} declares headers without ${HEADER} (use Idempotency from schemas/common.ts)`);
    const response = route.schema.response as Record<string, unknown> | undefined;
    if (response && covered(route.method, route.config)) {
      response[409] ??= ErrorResponse;
      response[422] ??= ErrorResponse;
    }
  });

  async function replay(reply: FastifyReply, row: { status: number | null; content_type: string | null; body: Buffer | null }, secret: boolean) {
    if (secret && row.status! < 300) {
      throw new HttpError(409, 'idempotency_key_used', `The first request with this Idempotency-Key was answered ${row.status}; what it created holds a secret shown only once, so the answer is not repeated.`, [
        { path: HEADER_PATH, message: 'already used; send a new key for a new request' },
      ]);
    }
    reply.status(row.status!).header('idempotent-replayed', 'true');
    if (row.content_type) reply.header('content-type', row.content_type);
    return reply.send(row.body ?? undefined);
  }

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers[HEADER];
    if (typeof key !== 'string' || !req.user || !covered(req.method, req.routeOptions.config)) return;
    const base = { userId: req.user.id, route: `${req.method} ${req.routeOptions.url}`, key };
    const hash = requestHash(req);
    const secret = req.routeOptions.config.idempotency === 'secret';
    const pk = (eb: KeysEb) => eb.and({ user_id: base.userId, route: base.route, key });
    const deadline = Date.now() + WAIT_MS;
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      const claim = randomUUID();
      const mine = await db
        .insertInto('idempotency_keys')
        .values({ user_id: base.userId, route: base.route, key, request_hash: hash, claim })
        .onConflict((oc) => oc.doNothing())
        .returning('claim')
        .executeTakeFirst();
      if (mine) {
        claims.set(req, { ...base, claim, secret });
        return;
      }
      const row = await db
        .selectFrom('idempotency_keys')
        .where(pk)
        .select(['request_hash', 'status', 'content_type', 'body', 'claim', sql<boolean>`claimed_at < now() - make_interval(secs => ${LEASE_MS / 1000})`.as('stale')])
        .executeTakeFirst();
      if (!row) continue; // released in between: claim again
      if (row.request_hash !== hash) throw reused();
      if (row.status !== null) return replay(reply, row, secret);
      if (row.stale) {
        // The first request's process died mid-way: take the claim over (one taker wins).
        const took = await db
          .updateTable('idempotency_keys')
          .set({ claim, claimed_at: sql`now()` })
          .where(pk)
          .where('claim', '=', row.claim)
          .where('status', 'is', null)
          .returning('claim')
          .executeTakeFirst();
        if (took) {
          claims.set(req, { ...base, claim, secret });
          return;
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new HttpError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still in progress; retry in a moment for its answer.', [
          { path: HEADER_PATH, message: 'in progress' },
        ], 2);
      }
      await sleep(pause);
    }
  });

  /** Stores a final answer under the caller's claim, or releases the claim so a retry runs. */
  const settle = async (req: FastifyRequest, answer: { status: number; final: boolean; contentType: string | null; payload: unknown }) => {
    const c = claims.get(req);
    if (!c) return;
    claims.delete(req);
    const { status } = answer;
    const body = typeof answer.payload === 'string' ? Buffer.from(answer.payload) : Buffer.isBuffer(answer.payload) ? answer.payload : answer.payload == null ? Buffer.alloc(0) : null;
    const stored = answer.final && body !== null && ((status >= 200 && status < 300) || FINAL_4XX.has(status));
    const keepBody = !(c.secret && status < 300);
    const mine = (eb: KeysEb) => eb.and({ user_id: c.userId, route: c.route, key: c.key, claim: c.claim });
    try {
      if (stored) {
        await db.updateTable('idempotency_keys').set({ status, content_type: keepBody ? answer.contentType : null, body: keepBody ? body : null, completed_at: new Date() }).where(mine).execute();
      } else {
        await db.deleteFrom('idempotency_keys').where(mine).where('status', 'is', null).execute();
      }
    } catch (err) {
      // The answer still goes out; the claim ends with its lease.
      req.log.warn({ err: String(err), route: c.route }, 'idempotency key not settled');
    }
  };

  // Callback hooks, so a request without a claim passes through without an extra tick (a handler that
  // sends without returning the reply, like the site routes' CORS answer, would otherwise send twice).
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!claims.has(req)) return done(null, payload);
    const contentType = reply.getHeader('content-type');
    // An answer that asks to be retried (Retry-After) is not final, whatever its status.
    settle(req, { status: reply.statusCode, final: !reply.hasHeader('retry-after'), contentType: contentType === undefined ? null : String(contentType), payload }).then(
      () => done(null, payload),
      done,
    );
  });
  // A request that never reached onSend (the connection went away): release its claim.
  app.addHook('onResponse', (req, _reply, done) => {
    if (!claims.has(req)) return done();
    settle(req, { status: 500, final: false, contentType: null, payload: null }).then(() => done(), done);
  });
}
