// Records the audit trail (src/audit/log.ts) for routes that declare `config: { audit: '<action>' }`:
// after the route succeeded and before its answer leaves, one row with the caller, the route's ids
// (and a created subject's id), the request's fields with secrets masked, the request id, address
// and user agent. A failure to record is logged at error and does not undo the change (it was
// committed by the route's own transaction).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../audit/log.ts';
import type { Db } from '../db/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes access or money settings: its action name in the audit trail (e.g. `site_key.revoke`). */
    audit?: string;
  }
}

function createdId(payload: unknown): unknown {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return undefined;
  try {
    return (JSON.parse(payload) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

export const registerAudit = fp(async (app: FastifyInstance, { db }: { db: Db }) => {
  app.addHook('onSend', async (req, reply, payload) => {
    const action = req.routeOptions.config?.audit;
    // A replayed answer (the same Idempotency-Key again, src/api/idempotency.ts) changed nothing.
    if (!action || reply.statusCode >= 400 || reply.getHeader('idempotent-replayed')) return payload;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const id = 'id' in params ? undefined : createdId(payload);
    try {
      await recordAudit(db, {
        actorUserId: req.user?.id ?? null,
        actorRole: req.user?.role ?? null,
        action,
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0]!,
        subject: { ...params, ...(id !== undefined ? { id } : {}) },
        changes: req.body ?? {},
        status: reply.statusCode,
        requestId: String(req.id),
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
      });
    } catch (err) {
      req.log.error({ err: (err as Error).message, action }, 'the audit trail could not record a change');
    }
    return payload;
  });
});
