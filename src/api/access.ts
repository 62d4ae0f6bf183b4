// Tenant-aware loaders shared by routes: each returns the row or throws 404/403 so a handler never
// forgets the check. A hacker asking for an offer that is not offered to it gets 404, never 403, so a
// closed or targeted offer's existence does not leak.
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { assertClientAccess } from './auth.ts';
import { notFound } from './errors.ts';

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
    .select(['engagements.client_id'])
    .where('cycles.id', '=', cycleId)
    .executeTakeFirst();
  if (!c) throw notFound('cycle');
  assertClientAccess(req, c.client_id);
  return c;
}

/**
 * Offers the caller may see: hackers only open-to-all or invited ones. In listings a hacker sees a
 * closed offer only if it took part; an audience member asking for one directly learns it closed (409).
 */
export function visibleOffers(db: Db, req: FastifyRequest, listing = true) {
  let q = db
    .selectFrom('offers')
    .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('offers')
    .select(['engagements.client_id', 'engagements.id as engagement_id']);
  const u = req.user;
  if (u.role === 'client') q = q.where('engagements.client_id', '=', u.client_id!);
  if (u.role === 'hacker') {
    const hackerId = u.hacker_id!;
    q = q
      .where((eb) =>
        eb.or([
          eb('offers.kind', '=', 'open'),
          eb.exists(eb.selectFrom('offer_invitations').select(sql`1`.as('x')).whereRef('offer_invitations.offer_id', '=', 'offers.id').where('offer_invitations.hacker_id', '=', hackerId)),
        ]),
      );
    if (listing) {
      q = q.where((eb) =>
        eb.or([
          eb('offers.status', '=', 'open'),
          eb.exists(eb.selectFrom('proposals').select(sql`1`.as('x')).whereRef('proposals.offer_id', '=', 'offers.id').where('proposals.hacker_id', '=', hackerId)),
        ]),
      );
    }
  }
  return q;
}

export async function offerFor(db: Db, req: FastifyRequest, offerId: number) {
  const offer = await visibleOffers(db, req, false).where('offers.id', '=', offerId).executeTakeFirst();
  if (!offer) throw notFound('offer');
  return offer;
}

export async function testFor(db: Db, req: FastifyRequest, testId: number) {
  const t = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('tests')
    .select(['engagements.client_id', 'engagements.id as engagement_id', 'cycles.workflow_id as cycle_workflow_id'])
    .where('tests.id', '=', testId)
    .executeTakeFirst();
  if (!t) throw notFound('test');
  assertClientAccess(req, t.client_id);
  return t;
}
