// Revocations reach every API process at once: the code that revokes a token or a site key sends a
// Postgres NOTIFY on one channel, and each API process LISTENs on a connection of its own
// (listenForRevocations, started by startStack) and drops what it had cached — the token cache
// (token-cache.ts) and the site-key caches (src/site/keys.ts). The revoking process also drops its own
// entries at once without waiting for the round trip. A listener that lost its connection cannot know
// what it missed: it clears every cache when it is back (the next lookups read Postgres).
import pg from 'pg';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from './index.ts';

export const REVOCATION_CHANNEL = 'kaizen_revocations';

export type Revocation =
  | { kind: 'token'; tokenId?: number; userId?: number }
  | { kind: 'site_key'; id: number }
  /** Anything may have been revoked (a listener reconnected): drop every cached credential. */
  | { kind: 'all' };

type Handler = (r: Revocation) => void;
const handlers = new Set<Handler>();

/** Runs `h` for each revocation this process learns of (its own and other processes'); returns the unsubscribe. */
export function onRevocation(h: Handler): () => void {
  handlers.add(h);
  return () => handlers.delete(h);
}

/** Applies a revocation to this process's caches. */
export function applyRevocation(r: Revocation): void {
  for (const h of handlers) h(r);
}

/** Applies it here at once and tells every other process (delivered when the caller's work is committed). */
export async function broadcastRevocation(db: Db, r: Revocation): Promise<void> {
  applyRevocation(r);
  await sql`select pg_notify(${REVOCATION_CHANNEL}, ${JSON.stringify(r)})`.execute(db);
}

function parse(payload: string | undefined): Revocation | undefined {
  try {
    const r = JSON.parse(payload ?? '') as Revocation;
    return r && (r.kind === 'token' || r.kind === 'site_key' || r.kind === 'all') ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Listens until stopped, reconnecting with backoff; resolves once the first LISTEN is in place. */
export async function listenForRevocations(databaseUrl: string, log: Pick<Logger, 'warn' | 'info'>): Promise<{ stop(): Promise<void> }> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (first: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('notification', (n) => {
      const r = n.channel === REVOCATION_CHANNEL ? parse(n.payload) : undefined;
      if (r) applyRevocation(r);
    });
    c.on('error', (err) => log.warn({ err: err.message }, 'revocation listener lost its connection'));
    c.on('end', () => {
      if (stopped || client !== c) return;
      client = undefined;
      timer = setTimeout(() => void reconnect(), retryMs);
    });
    await c.connect();
    await c.query(`LISTEN ${REVOCATION_CHANNEL}`);
    client = c;
    retryMs = 250;
    // Whatever was revoked while no connection listened is unknown: forget every cached credential.
    if (!first) applyRevocation({ kind: 'all' });
  };
  const reconnect = async () => {
    if (stopped) return;
    try {
      await connect(false);
      log.info('revocation listener reconnected');
    } catch (err) {
      retryMs = Math.min(retryMs * 2, 10_000);
      log.warn({ err: (err as Error).message, retryMs }, 'revocation listener cannot reconnect yet');
      timer = setTimeout(() => void reconnect(), retryMs);
    }
  };
  await connect(true);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
