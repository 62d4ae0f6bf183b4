// The audit trail for admins (src/audit/log.ts): newest first, filtered by action (prefix), person and
// time, as JSON pages or one CSV export.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit } from '../../audit/log.ts';
import { writeCsv } from '../../domain/csv.ts';
import type { ApiDeps } from '../deps.ts';
import { AuditPage, AuditQuery } from '../schemas/audit.ts';
import { authErrors, JsonOrCsv } from '../schemas/common.ts';

const COLUMNS = [
  ['id', 'number'],
  ['at', 'text'],
  ['actor_user_id', 'number'],
  ['actor_name', 'text'],
  ['actor_role', 'text'],
  ['action', 'text'],
  ['method', 'text'],
  ['route', 'text'],
  ['subject', 'text'],
  ['changes', 'text'],
  ['status', 'number'],
  ['request_id', 'text'],
  ['ip', 'text'],
  ['user_agent', 'text'],
] as const;

export const auditRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  app.get(
    '/v1/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'The audit trail of access and money settings (admin): who changed what, when, from which request',
        description: 'Users, tokens, sessions, site keys, price plans, billing accounts, payee details, My Number access and kill switches. Newest first; `format=csv` exports the filtered trail (up to `limit` rows).',
        querystring: AuditQuery,
        response: { 200: JsonOrCsv(AuditPage, 'JSON by default, CSV with format=csv'), ...authErrors },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const limit = q.limit ?? 100;
      const items = await listAudit(db, {
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor_user_id ? { actorUserId: q.actor_user_id } : {}),
        ...(q.before_id ? { beforeId: q.before_id } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        limit,
      });
      if (q.format === 'csv') {
        const csv = writeCsv(
          COLUMNS,
          items.map((r) => COLUMNS.map(([c]) => {
            const v = r[c];
            return v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as string | number | null);
          })),
          { bom: true },
        );
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"').send(csv);
      }
      return { items, next_before_id: items.length === limit ? items[items.length - 1]!.id : null };
    },
  );
};
