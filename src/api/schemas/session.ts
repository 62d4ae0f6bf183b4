// Request and response shapes of the browser session, and the names of what a caller may do.
import { Type } from 'typebox';
import { ROLES, type Role } from '../../shared/actor.ts';
import { Id, Nullable } from './common.ts';

/**
 * What the caller may do, named for the pages and buttons that offer it: each is the role check of
 * the route that does it (app.declaredRoutes, as auth.ts enforces it), so navigation cannot drift
 * from the API. Statements also need a hacker identity to be one's own.
 */
export const CAN = {
  view_tasks: ['GET', '/v1/tasks'],
  view_engagements: ['GET', '/v1/engagements'],
  create_engagement: ['POST', '/v1/engagements'],
  view_cycles: ['GET', '/v1/cycles/:id'],
  view_tests: ['GET', '/v1/tests/:id'],
  view_offers: ['GET', '/v1/offers'],
  submit_proposal: ['POST', '/v1/offers/:id/proposals'],
  view_knowledge: ['GET', '/v1/knowledge'],
  view_own_statements: ['GET', '/v1/hackers/:id/statements/:month'],
  view_payouts: ['GET', '/v1/payout-runs'],
  open_payout_run: ['POST', '/v1/payout-runs'],
  manage_site_keys: ['POST', '/v1/clients/:id/site-keys'],
  manage_users: ['POST', '/v1/users'],
  list_users: ['GET', '/v1/users'],
  // Issue 26 (people pages): the revenue dashboard, hacker profiles, one's own work, earnings and
  // payee details (OWN: also need a hacker identity), finance's payee-change queue.
  view_revenue: ['GET', '/v1/engagements/:id/impact'],
  view_hacker_profiles: ['GET', '/v1/hackers/:id/proposals'],
  view_own_profile: ['GET', '/v1/hackers/:id/proposals'],
  view_own_earnings: ['GET', '/v1/hackers/:id/earnings'],
  manage_own_payee: ['POST', '/v1/hackers/:id/payee/changes'],
  review_payee_changes: ['POST', '/v1/payee-changes/:id/approve'],
  view_team: ['GET', '/v1/engagements/:id/team'],
  view_invoices: ['GET', '/v1/invoices'],
  export_invoices: ['GET', '/v1/invoices/export'],
  view_receipts: ['GET', '/v1/receipts'],
  view_partners: ['GET', '/v1/partners'],
  // Issue 27: webhook endpoints and their delivery log (admins manage; a client and its CS read).
  view_webhooks: ['GET', '/v1/webhooks'],
  // Issue 28: the client's ordering ability on the engagement page (the client, CS, admin).
  view_ordering_ability: ['GET', '/v1/engagements/:id/ordering-ability'],
  // Issue 28: the brief editor and CS's review (the client, CS, admin).
  view_briefs: ['GET', '/v1/briefs/:id'],
  // Issue 27: one's own notification settings (everyone) and the embedded SMTP server's mailbox (admins).
  manage_own_notifications: ['PUT', '/v1/me/notification-preferences'],
  view_mailbox: ['GET', '/v1/dev/mailbox'],
  // Issue 29: the audit trail of access and money settings (admins).
  view_audit: ['GET', '/v1/audit'],
} as const satisfies Record<string, readonly [string, string]>;
export type Can = keyof typeof CAN;
/** Names about the caller's own hacker record: a user without one may not. */
export const OWN: ReadonlySet<Can> = new Set<Can>(['view_own_statements', 'view_own_profile', 'view_own_earnings', 'manage_own_payee']);
export const CAN_NAMES = Object.keys(CAN) as Can[];

export const Session = Type.Object({
  user: Type.Object({ id: Id, name: Type.String(), role: Type.Unsafe<Role>(Type.Union(ROLES.map((r) => Type.Literal(r)))), client_id: Nullable(Id), hacker_id: Nullable(Id) }),
  via: Type.Union([Type.Literal('session'), Type.Literal('bearer')], { description: 'how this request was authenticated' }),
  expires_at: Nullable(Type.String({ format: 'date-time', description: 'when the browser session ends (null for a bearer token)' })),
  temporal_ui_url: Nullable(Type.String({ description: 'admins: base URL of the Temporal Web UI (namespace included)' })),
  can: Type.Object(Object.fromEntries(CAN_NAMES.map((n) => [n, Type.Boolean()])) as Record<Can, ReturnType<typeof Type.Boolean>>, {
    description: "what the caller may do (pages, navigation): each the role check of the route that does it",
  }),
});
export const SignedOut = Type.Object({ signed_out: Type.Boolean() });
