// Tenant-aware loaders shared by routes: each returns the row or throws 404/403 so a handler never
// forgets the check. Offers are loaded through cycles/offers.ts, where who may see one is decided.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { assertClientAccess } from './auth.ts';
import { forbidden, notFound } from './errors.ts';

/**
 * CS scope: every CS manager may read every engagement (they cover for each other's clients), but
 * changes one only if they manage it; admins change any (and reassign with PUT …/cs-manager).
 */
export function assertManages(req: FastifyRequest, e: { id?: number; engagement_id?: number; cs_manager_id: number }): void {
  if (req.user.role === 'cs_manager' && e.cs_manager_id !== req.user.id) {
    throw forbidden(`You do not manage engagement ${e.engagement_id ?? e.id}; its CS manager or an admin can change it.`);
  }
}

export async function engagementFor(db: Db, req: FastifyRequest, engagementId: number) {
  const e = await db.selectFrom('engagements').selectAll().where('id', '=', engagementId).executeTakeFirst();
  if (!e) throw notFound('engagement');
  assertClientAccess(req, e.client_id);
  return e;
}

export async function cycleFor(db: Db, req: FastifyRequest, cycleId: number) {
  const c = await db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('cycles')
    .select(['engagements.client_id', 'engagements.cs_manager_id', 'engagements.status as engagement_status', 'engagements.end_reason as engagement_end_reason'])
    .where('cycles.id', '=', cycleId)
    .executeTakeFirst();
  if (!c) throw notFound('cycle');
  assertClientAccess(req, c.client_id);
  return c;
}

export async function testFor(db: Db, req: FastifyRequest, testId: number) {
  const t = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('tests')
    .select(['engagements.client_id', 'engagements.id as engagement_id', 'engagements.cs_manager_id', 'cycles.workflow_id as cycle_workflow_id'])
    .where('tests.id', '=', testId)
    .executeTakeFirst();
  if (!t) throw notFound('test');
  assertClientAccess(req, t.client_id);
  return t;
}
