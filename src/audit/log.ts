// The audit trail (migration 0030): recording a change and reading the trail. A route opts in with
// `config: { audit: '<subject>.<verb>' }` (src/api/audit.ts records it after the change succeeded);
// what a person sent is kept with every secret masked (maskSecrets), never a token, key, password,
// bank detail or My Number.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** Field names whose values never reach the trail (matched anywhere in the name, case-insensitive). */
const SECRET = /token|secret|password|^key$|_key$|bank|account_(number|holder|name|type)|my_?number|holder|kana|iban/i;

/** A copy of `value` with the values of secret-looking fields replaced by "***" (at any depth). */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => maskSecrets(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET.test(k) ? '***' : maskSecrets(v, depth + 1)]));
}

export interface AuditEntry {
  actorUserId: number | null;
  actorRole: string | null;
  action: string;
  method: string;
  route: string;
  subject: Record<string, unknown>;
  changes: unknown;
  status: number;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await sql`
    insert into audit_log (actor_user_id, actor_role, action, method, route, subject, changes, status, request_id, ip, user_agent)
    values (${e.actorUserId}, ${e.actorRole}, ${e.action}, ${e.method}, ${e.route}, ${JSON.stringify(e.subject)}::jsonb,
            ${JSON.stringify(maskSecrets(e.changes) ?? {})}::jsonb, ${e.status}, ${e.requestId}, ${e.ip}, ${e.userAgent?.slice(0, 300) ?? null})`.execute(db);
}

export interface AuditRow {
  id: number;
  at: Date;
  actor_user_id: number | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  method: string;
  route: string;
  subject: Record<string, unknown>;
  changes: unknown;
  status: number;
  request_id: string;
  ip: string | null;
  user_agent: string | null;
}

/** Newest first; `action` matches a prefix (`site_key.` for every site-key change). */
export async function listAudit(db: Db, f: { action?: string; actorUserId?: number; beforeId?: number; from?: Date; to?: Date; limit: number }): Promise<AuditRow[]> {
  const { rows } = await sql<AuditRow>`
    select a.id, a.at, a.actor_user_id, u.name as actor_name, a.actor_role, a.action, a.method, a.route, a.subject, a.changes,
           a.status, a.request_id, a.ip, a.user_agent
    from audit_log a left join users u on u.id = a.actor_user_id
    where true
      ${f.action ? sql`and a.action like ${`${f.action.replace(/[%_\\]/g, (c) => `\\${c}`)}%`}` : sql``}
      ${f.actorUserId ? sql`and a.actor_user_id = ${f.actorUserId}` : sql``}
      ${f.beforeId ? sql`and a.id < ${f.beforeId}` : sql``}
      ${f.from ? sql`and a.at >= ${f.from}` : sql``}
      ${f.to ? sql`and a.at < ${f.to}` : sql``}
    order by a.id desc
    limit ${f.limit}`.execute(db);
  return rows;
}
