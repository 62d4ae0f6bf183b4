// Tenant-aware loaders shared by routes: each returns the row or throws 404/403 so a handler never
// forgets the check. Offers are loaded through cycles/offers.ts, where who may see one is decided.
import type { FastifyRequest } from 'fastify';
import { clientExists } from '../clients/clients.ts';
import { reviewRefused, type OfferWindow } from '../domain/cycles/proposals.ts';
import type { Db } from '../db/index.ts';
import { assertClientAccess, roleRefusal } from './auth.ts';
import { forbidden, notFound } from './errors.ts';

/**
 * What a view tells the caller about one action: whether they may take it now and, if not, why (the
 * sentence the refusal would carry). Views build it from the predicates below — the ones the routes
 * enforce — so a button the page shows is a request the server accepts.
 */
export interface Action {
  allowed: boolean;
  reason: string | null;
}

/** An action refused by the first of `refusals` that is set (checked in order: role, scope, state). */
export function action(...refusals: (string | undefined)[]): Action {
  const reason = refusals.find((r) => r !== undefined);
  return { allowed: reason === undefined, reason: reason ?? null };
}

/** The role check of a declared route (auth.ts enforces it) for the caller: why they may not call it. */
export function routeRefusal(req: FastifyRequest, method: string, url: string): string | undefined {
  const route = req.server.declaredRoutes.find((r) => r.method === method && r.url === url);
  if (!route?.roles) throw new Error(`no route ${method} ${url} declares roles`);
  return roleRefusal(req.user.role, route.roles);
}

/**
 * Whether the caller may pass / return a proposal now: the review route's own checks (role, CS scope,
 * state). One place for the proposal's detail and the offer's proposal list.
 */
export function reviewActions(
  req: FastifyRequest,
  proposal: { status: string; version: number; review_status: string },
  ctx: { window: OfferWindow; engagement: { id: number; cs_manager_id: number } },
  now = new Date(),
) {
  const review = (decision: 'pass' | 'return') =>
    action(
      routeRefusal(req, 'POST', '/v1/proposals/:id/review'),
      manageRefusal(req, ctx.engagement),
      reviewRefused(proposal, ctx.window, decision, now) ?? undefined,
      decision === 'pass' && proposal.review_status === 'passed' ? `version ${proposal.version} already passed review` : undefined,
    );
  return { review: review('pass'), return: review('return') };
}

/**
 * CS scope: every CS manager may read every engagement (they cover for each other's clients), but
 * changes one only if they manage it; admins change any (and reassign with PUT …/cs-manager).
 */
export function assertManages(req: FastifyRequest, e: { id?: number; engagement_id?: number; cs_manager_id: number }): void {
  refuseUnlessManager(manageRefusal(req, e));
}

/** Why the caller may not change engagement `e` (CS scope), or undefined when they may. */
export function manageRefusal(req: FastifyRequest, e: { id?: number; engagement_id?: number; cs_manager_id: number }): string | undefined {
  return managerRefusal(req, [e.cs_manager_id], `engagement ${e.engagement_id ?? e.id}`);
}

/** The one rule: a CS manager who is not among the thing's managers is refused (admins and finance pass). */
function managerRefusal(req: FastifyRequest, managerIds: readonly number[], what: string): string | undefined {
  if (req.user.role === 'cs_manager' && !managerIds.includes(req.user.id)) {
    return `You do not manage ${what}; its CS manager or an admin can change it.`;
  }
  return undefined;
}

function refuseUnlessManager(refusal: string | undefined): void {
  if (refusal) throw forbidden(refusal);
}

/** Each client's CS managers: the CS manager of each of its engagements (any status); one query. */
async function clientsManagedBy(db: Db, clientIds: readonly number[]): Promise<Map<number, number[]>> {
  const managers = new Map(clientIds.map((id) => [id, [] as number[]]));
  if (clientIds.length === 0) return managers;
  const rows = await db.selectFrom('engagements').select(['client_id', 'cs_manager_id']).distinct().where('client_id', 'in', [...clientIds]).execute();
  for (const r of rows) managers.get(r.client_id)!.push(r.cs_manager_id);
  return managers;
}

/**
 * CS scope of a client's own things (holdout, site keys, new engagements): 404 for an unknown client,
 * else only a CS manager of one of its engagements (or an admin/finance). `unmanagedOk`: a client
 * without any engagement yet may be taken on by any CS manager (its first engagement).
 */
export async function assertManagesClient(db: Db, req: FastifyRequest, clientId: number, opts: { unmanagedOk?: boolean } = {}): Promise<void> {
  refuseUnlessManager(await manageClientRefusal(db, req, clientId, opts));
}

/** Why the caller may not change client `clientId`'s own things (CS scope, as above); 404 for an unknown client. */
export async function manageClientRefusal(db: Db, req: FastifyRequest, clientId: number, opts: { unmanagedOk?: boolean } = {}): Promise<string | undefined> {
  const managers = (await clientsManagedBy(db, [clientId])).get(clientId)!;
  if (managers.length === 0) {
    // Creating the first engagement validates the client itself (400 naming /body/client_id).
    if (opts.unmanagedOk) return undefined;
    if (!(await clientExists(db, clientId))) throw notFound('client');
  }
  return managerRefusal(req, managers, `client ${clientId}`);
}

/** manageClientRefusal for a page of clients at once (a list's actions): one query, the same rule. */
export async function manageClientsRefusals(db: Db, req: FastifyRequest, clientIds: readonly number[]): Promise<Map<number, string | undefined>> {
  const managers = await clientsManagedBy(db, clientIds);
  return new Map(clientIds.map((id) => [id, managerRefusal(req, managers.get(id)!, `client ${id}`)]));
}

/** The partner a partner user is bound to; 404 (not 403) for any other partner, so none leaks. */
export function assertPartnerAccess(req: FastifyRequest, partnerId: number): void {
  if (req.user.role === 'partner' && req.user.partner_id !== partnerId) throw notFound('partner');
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
