// The audit trail's read (GET /v1/audit).
import { Type } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z_.]+$', description: 'an action or its prefix, e.g. `site_key.` for every site-key change' })),
    actor_user_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after (UTC)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'before (UTC)' })),
    before_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'cursor: `next_before_id` of the previous page (newest first)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
  },
  { additionalProperties: false },
);

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor_user_id: Nullable(Type.Integer()),
  actor_name: Nullable(Type.String()),
  actor_role: Nullable(Type.String()),
  action: Type.String(),
  method: Type.String(),
  route: Type.String(),
  subject: Type.Record(Type.String(), Type.Unknown()),
  changes: Type.Unknown({ description: 'the request fields, secrets masked as "***"' }),
  status: Type.Integer(),
  request_id: Type.String(),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
});

export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), next_before_id: Nullable(Type.Integer()) });
