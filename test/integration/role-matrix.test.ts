// The role matrix: every route the running app declares, called by every kind of caller, compared
// with the expectation table below. A route without an entry fails the test, so a new route must say
// who may call it. Letters, in the order of PERSONAS: U = 401 (no or bad token), D = 403 (role or
// scope refused), H = 404 (not found for this caller: another tenant's data, an offer not offered to
// it), A = the request reached the handler (any other answer, e.g. 200, 400 for the empty test body,
// 409). Write routes get an empty body, so the table checks roles there; reads check tenants too.
// The CS scope of writes (cs_other on every write route with a valid body) is the CS_OTHER table.
// ROLE_MATRIX_PRINT=1 prints the observed table (to review a change, never to paste blindly).
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { blobStoreFor } from '../../src/blobs/store.ts';
import { briefFromTemplate } from '../../src/domain/cycles/brief.ts';

const PERSONAS = ['none', 'admin', 'cs', 'cs_other', 'finance', 'client', 'client_other', 'hacker', 'hacker_other', 'partner'] as const;
type Persona = (typeof PERSONAS)[number];

// prettier-ignore
const EXPECTED: Record<string, string> = {
  'GET /v1/session':                                                 'U A A A A A A A A A',
  'GET /healthz':                                                    'A A A A A A A A A A',
  'GET /readyz':                                                     'A A A A A A A A A A',
  'GET /metrics':                                                    'U A D D D D D D D D',
  'GET /v1/audit':                                                   'U A D D D D D D D D',
  'GET /v1/me':                                                      'U A A A A A A A A A',
  'GET /v1/users':                                                   'U A D D D D D D D D',
  'GET /v1/tokens':                                                  'U A A A A A A A A A',
  'GET /v1/clients':                                                 'U A A A A A A D D D',
  'GET /v1/clients/:id':                                             'U A A A A A D D D D',
  'GET /v1/hackers':                                                 'U A A A A D D D D D',
  // Issue 26: another hacker does not exist for a hacker (404), as its payee data.
  'GET /v1/hackers/:id':                                             'U A A A A D D A H D',
  'GET /v1/engagements':                                             'U A A A A A A D D D',
  'GET /v1/engagements/:id':                                         'U A A A A A D D D D',
  'GET /v1/engagements/:id/settings':                                'U A A A A A D D D D',
  'GET /v1/engagements/:id/pages':                                   'U A A A A A D D D D',
  'GET /v1/engagements/:id/timeline':                                'U A A A A A D D D D',
  'GET /v1/hackers/:id/payee':                                       'U A D D A D D A D D',
  // Issue 24: a payee's own changes (another hacker: 404) and finance's review queue and decisions.
  'GET /v1/hackers/:id/payee/changes':                               'U A D D A D D A H D',
  'GET /v1/payee-changes':                                           'U A D D A D D D D D',
  'GET /v1/hackers/:id/statements/:month':                           'U A D D A D D A D D',
  'GET /v1/hackers/:id/ledger':                                      'U A D D A D D A D D',
  'GET /v1/payout-runs':                                             'U A D D A D D D D D',
  'GET /v1/payout-runs/:id':                                         'U A D D A D D D D D',
  'GET /v1/payout-runs/:id/items':                                   'U A D D A D D D D D',
  'GET /v1/payout-runs/:id/audit':                                   'U A D D A D D D D D',
  'GET /v1/payout-runs/:id/withholding':                             'U A D D A D D D D D',
  'GET /v1/payout-runs/:id/zengin':                                  'U H D D H D D D D D',
  'GET /v1/payouts/annual-records':                                  'U A D D A D D D D D',
  // Issue 24: the My Number vault (the hacker's own, write-only; finance reads it only with the
  // permission an admin grants: the matrix's finance has none) and the 支払調書 (none due in 2032: 404).
  'GET /v1/hackers/:id/my-number':                                   'U A D D A D D A H D',
  'GET /v1/payouts/statutory-records/:year':                         'U A D D A D D D D D',
  'GET /v1/payouts/statutory-records/:year/tax-office.csv':          'U D D D D D D D D D',
  'GET /v1/hackers/:id/statutory-records/:year/pdf':                 'U H D D H D D H H D',
  'GET /v1/tests/:id/assignment':                                    'U A A A D A D D D D',
  // Site keys (issue 15): CS reads every client's keys, changes only its own clients' (cs_other: D);
  // a write with the empty body is a 400 before the scope check (A). Site-key routes take the public
  // key only: every user token is a 401. The SDK files are public.
  'GET /v1/clients/:id/site-keys':                                   'U A A A D A D D D D',
  'POST /v1/clients/:id/site-keys':                                  'U A A A D D D D D D',
  'POST /v1/site-keys/:id/rotate':                                   'U A A D D D D D D D',
  'DELETE /v1/site-keys/:id':                                        'U A A D D D D D D D',
  'GET /v1/site/config':                                             'U U U U U U U U U U',
  'POST /v1/site/events':                                            'U U U U U U U U U U',
  'GET /sdk/v1.mjs':                                                 'A A A A A A A A A A',
  'GET /sdk/v1.js':                                                  'A A A A A A A A A A',
  'GET /v1/cycles':                                                  'U A A A A A A D D D',
  'GET /v1/cycles/:id':                                              'U A A A A A D D D D',
  'GET /v1/offers':                                                  'U A A A D A A A A D',
  'GET /v1/offers/:id':                                              'U A A A D A H A H D',
  'GET /v1/offers/:id/proposals':                                    'U A A A D A H A H D',
  'GET /v1/tests':                                                   'U A A A A A A D D D',
  'GET /v1/tests/:id':                                               'U A A A A A D D D D',
  'GET /v1/tests/:id/verdicts':                                      'U A A A A A D D D D',
  'GET /v1/engagements/:id/price-plan':                              'U A A A A A H D D D',
  'GET /v1/clients/:id/billing':                                     'U H H H H H D D D D',
  'GET /v1/invoices':                                                'U A D D A A A D D A',
  'GET /v1/invoices/export':                                         'U A D D A D D D D D',
  'GET /v1/invoices/:id':                                            'U H D D H H H D D H',
  'GET /v1/invoices/:id/pdf':                                        'U H D D H H H D D H',
  'GET /v1/reports/margin':                                          'U A D D A D D D D D',
  'GET /v1/billing/tasks':                                           'U A A A A A A D D D',
  'GET /v1/billing/alerts':                                          'U A A A A D D D D D',
  'GET /v1/receipts':                                                'U A D D A D D D D D',
  'GET /v1/partners':                                                'U A D D A D D D D A',
  'GET /v1/partners/:id':                                            'U A D D A D D D D A',
  'GET /v1/partners/:id/engagements':                                'U A D D A D D D D A',
  'GET /v1/partners/:id/engagements/:engagementId':                  'U H D D H D D D D H',
  'GET /v1/partners/:id/statements/:month':                          'U A D D A D D D D A',
  'GET /v1/payees/:id/payment-statements/:month':                    'U H D D H D D H H H',
  'GET /v1/payees/:id/payment-statements/:month/pdf':                'U H D D H D D H H H',
  'GET /v1/reports/input-tax':                                       'U A D D A D D D D D',
  'GET /v1/knowledge':                                               'U A A A D A A A A D',
  'GET /v1/vocabularies':                                            'U A A A A A A A A D',
  'GET /v1/knowledge/export.csv':                                    'U A A A D A A A A D',
  'GET /v1/engagements/:id/related-knowledge':                       'U A A A D A D D D D',
  'GET /v1/hackers/:id/track-record':                                'U A A A D D D A H D',
  'GET /v1/offers/:id/invitations':                                  'U A A A D D D D D D',
  'GET /v1/engagements/:id/team':                                    'U A A A D A D D D D',
  'GET /v1/hackers/:id/managed-contracts':                           'U A A A A D D A H D',
  'GET /v1/impact':                                                  'U A A A A A A D D D',
  // Issue 26: the revenue dashboard (an engagement's, so another client's is refused), a hacker's
  // proposals with their fate and its accruing earnings (another hacker's: 404).
  'GET /v1/engagements/:id/impact':                                  'U A A A A A D D D D',
  'GET /v1/hackers/:id/proposals':                                   'U A A A D D D A H D',
  'GET /v1/hackers/:id/earnings':                                    'U A D D A D D A H D',
  'GET /v1/clients/:id/holdout':                                     'U A A A D A D D D D',
  'GET /v1/tasks':                                                   'U A A A A A A A A D',
  'POST /v1/session':                                                'U A A A A A A A A A',
  'POST /v1/users':                                                  'U A D D D D D D D D',
  'POST /v1/users/:id/tokens':                                       'U A D D D D D D D D',
  'POST /v1/clients':                                                'U A A A D D D D D D',
  'POST /v1/hackers':                                                'U A A A D D D D D D',
  'POST /v1/engagements':                                            'U A A A D D D D D D',
  'POST /v1/engagements/:id/end':                                    'U A A A D D D D D D',
  'PUT /v1/engagements/:id/settings':                                'U A A D D D D D D D',
  'POST /v1/engagements/:id/pages':                                  'U A A A D D D D D D',
  'PUT /v1/engagements/:id/team':                                    'U A A D D D D D D D',
  'PUT /v1/engagements/:id/cs-manager':                              'U A D D D D D D D D',
  'PUT /v1/hackers/:id/payee':                                       'U A D D A D D A D D',
  'POST /v1/hackers/:id/payee/changes':                              'U D D D D D D A H D',
  'POST /v1/payee-changes/:id/approve':                              'U D D D A D D D D D',
  'POST /v1/payee-changes/:id/reject':                               'U D D D A D D D D D',
  'POST /v1/payee-changes/:id/ask':                                  'U D D D A D D D D D',
  'PUT /v1/hackers/:id/my-number':                                   'U D D D D D D A A D',
  'POST /v1/payees/:id/my-number/read':                              'U D D D A D D D D D',
  'PUT /v1/users/:id/my-number-access':                              'U A D D D D D D D D',
  'POST /v1/payout-runs':                                            'U A D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/hold':                     'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/release':                  'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/retry':                    'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/move-to-next-run':         'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/cancel':                   'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/approve':                                'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/reject':                                 'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/remittance':                             'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/bank-results':                           'U D D D A D D D D D',
  'POST /v1/payout-runs/:id/items/:itemId/result':                   'U D D D A D D D D D',
  'POST /v1/tests/:id/events':                                       'U A A A D A A D D D',
  'POST /v1/stats/verdict':                                          'U A A A D A A D D D',
  'POST /v1/stats/srm':                                              'U A A A D A A D D D',
  'POST /v1/stats/adjust':                                           'U A A A D A A D D D',
  'POST /v1/stats/sample-size':                                      'U A A A D A A D D D',
  'POST /v1/stats/power':                                            'U A A A D A A D D D',
  'POST /v1/stats/mde':                                              'U A A A D A A D D D',
  'POST /v1/stats/test-verdict':                                     'U A A A D A A D D D',
  'POST /v1/stats/segment-srm':                                      'U A A A D A A D D D',
  'POST /v1/stats/cuped':                                            'U A A A D A A D D D',
  'POST /v1/cycles/:id/plan':                                        'U A A A D A A D D D',
  'POST /v1/cycles/:id/selection':                                   'U A A A D A A D D D',
  // Issue 28: the structured brief (another client's brief: 404; CS of another client: 403 on writes).
  'GET /v1/brief-templates':                                         'U A A A D A A D D D',
  'GET /v1/cycles/:id/briefs':                                       'U A A A D A D D D D',
  'GET /v1/briefs/:id':                                              'U A A A D A H D D D',
  'GET /v1/briefs/:id/assets/:sha256':                               'U A A A D A A D D D',
  'POST /v1/cycles/:id/briefs':                                      'U A A D D A D D D D',
  'PUT /v1/briefs/:id':                                              'U A A A D A A D D D',
  'POST /v1/briefs/:id/submit':                                      'U A A D D A H D D D',
  'POST /v1/briefs/:id/return':                                      'U A A A D D D D D D',
  'POST /v1/briefs/:id/approve':                                     'U A A D D D D D D D',
  'POST /v1/briefs/:id/override':                                    'U A A A D D D D D D',
  'POST /v1/briefs/:id/post':                                        'U A A D D A H D D D',
  'POST /v1/briefs/:id/assets':                                      'U A A A D A A D D D',
  'POST /v1/offers/:id/proposals':                                   'U D D D D D D A A D',
  'POST /v1/proposals/:id/withdraw':                                 'U D D D D D D A H D',
  // A proposal (issue 22): read by its author, its offer's client, CS and admin; revised by its author
  // only (hacker: A, the selected proposal's 409); a script approved by CS (the empty body's 400).
  'GET /v1/proposals/:id':                                           'U A A A D A H A H D',
  'POST /v1/proposals/:id/versions':                                 'U D D D D D D A H D',
  'POST /v1/proposals/:id/versions/:version/js-approval':            'U A A A D D D D D D',
  // Issue 23: a screenshot of the proposal (its author, CS, admin, the offer's client once passed); anyone else 404.
  'GET /v1/images/:sha256':                                          'U A A A D A H A H D',
  // Issue 23: CS's review (its engagement's CS manager, admin; the empty body's 400 reaches the handler).
  'POST /v1/proposals/:id/review':                                   'U A A A D D D D D D',
  'POST /v1/tests/:id/stop':                                         'U A A A D D D D D D',
  // Issue 25: a test's metrics (CS of its engagement, admin; the empty body's 400 reaches the handler).
  'POST /v1/tests/:id/metrics':                                      'U A A A D D D D D D',
  'POST /v1/tests/:id/invalidate':                                   'U A A A D D D D D D',
  // Issue 22: kill switches and shipping are the client's CS's (or an admin's); a preview link is for
  // the proposal's author, the engagement's CS and its client (anyone else: 404); /v1/site/preview takes a site key.
  'PUT /v1/tests/:id/kill-switch':                                   'U A A A D D D D D D',
  'POST /v1/tests/:id/shipped':                                      'U A A D D D D D D D',
  'PUT /v1/clients/:id/kill-switch':                                 'U A A A D D D D D D',
  'POST /v1/proposals/:id/preview-link':                             'U A A H D A H A H D',
  'GET /v1/site/preview':                                            'U U U U U U U U U U',
  'POST /v1/tests/:id/learnings':                                    'U A A A D D D D D D',
  'PUT /v1/engagements/:id/price-plan':                              'U A A A A D D D D D',
  'PUT /v1/clients/:id/billing':                                     'U A D D A D D D D D',
  'POST /v1/invoicing-runs':                                         'U A D D A D D D D D',
  'PATCH /v1/invoices/:id/lines/:lineId':                            'U A D D A D D D D D',
  'POST /v1/invoices/:id/lines':                                     'U A D D A D D D D D',
  'POST /v1/invoices/:id/hold':                                      'U A D D A D D D D D',
  'POST /v1/invoices/:id/release':                                   'U H D D H D D D D D',
  'POST /v1/invoices/:id/issue':                                     'U H D D H D D D D D',
  'POST /v1/invoices/:id/credit-notes':                              'U A D D A D D D D D',
  'POST /v1/receipts':                                               'U A D D A D D D D D',
  'POST /v1/receipts/import':                                        'U A D D A D D D D D',
  'POST /v1/receipts/:id/match':                                     'U A D D A D D D D D',
  'POST /v1/partners':                                               'U A D D A D D D D D',
  'POST /v1/partners/:id/users':                                     'U A D D D D D D D D',
  'PUT /v1/engagements/:id/partner':                                 'U A A A A D D D D D',
  'POST /v1/engagements/:id/team/form':                              'U A A D D D D D D D',
  'POST /v1/engagements/:id/team/suggestions/:suggestionId/decision':'U A A A D D D D D D',
  'POST /v1/hackers/:id/managed-contracts':                          'U A A A D D D D D D',
  'POST /v1/managed-contracts/:id/end':                              'U A A A D D D D D D',
  'PUT /v1/clients/:id/holdout':                                     'U A A A D D D D D D',
  'DELETE /v1/session':                                              'U A A A A A A A A A',
  'DELETE /v1/tokens/:id':                                           'U A H H H H H H H H',
  // Issue 28: Q&A on an offer (who sees the offer sees its questions: others 404; hackers ask; the
  // offer's client, CS and admin answer, the empty body's 400 reaching the handler) and the client's
  // ordering ability (an engagement's: another client's is refused, as the engagement).
  'GET /v1/offers/:id/questions':                                    'U A A A D A H A H D',
  'POST /v1/offers/:id/questions':                                   'U D D D D D D A A D',
  'POST /v1/questions/:id/answer':                                   'U A A A D A A D D D',
  'GET /v1/engagements/:id/ordering-ability':                        'U A A A D A D D D D',
  // Issue 27: e-mail notifications — everyone's own preferences; the signed unsubscribe link is public
  // (no token: 400); the dev mailbox and the failed deliveries are admins'.
  'GET /v1/me/notification-preferences':                             'U A A A A A A A A A',
  'PUT /v1/me/notification-preferences':                             'U A A A A A A A A A',
  'GET /mail/unsubscribe':                                           'A A A A A A A A A A',
  'POST /mail/unsubscribe':                                          'A A A A A A A A A A',
  'GET /v1/dev/mailbox':                                             'U A D D D D D D D D',
  'GET /v1/notifications/failures':                                  'U A D D D D D D D D',
  // Issue 27: webhook endpoints — admins write; the client's users and its CS read the client's (others: 404).
  'GET /v1/webhooks':                                                'U A A A D A A D D D',
  'GET /v1/webhooks/:id':                                            'U A A H D A H D D D',
  'GET /v1/webhooks/:id/deliveries':                                 'U A A H D A H D D D',
  'POST /v1/webhooks':                                               'U A D D D D D D D D',
  'PATCH /v1/webhooks/:id':                                          'U A D D D D D D D D',
  'POST /v1/webhooks/:id/rotate':                                    'U A D D D D D D D D',
  'DELETE /v1/webhooks/:id':                                         'U A D D D D D D D D',
};

/**
 * The CS of another client (`cs_other`, who manages only an engagement of "Other KK") on every write
 * route a CS manager may call, with a body that passes validation so the answer is the CS scope's,
 * not the schema's: a scoped route answers 403 ("You do not manage …") and the rows it would change
 * read the same before and after; an unscoped route states why it is not about one client's or
 * engagement's things (it is not called). A write route a CS manager may call without an entry here
 * fails the test, so a new route must decide its CS scope (docs/security.md, "The role matrix and the CS scope").
 */
type CsOtherEntry = { body?: () => object; unchanged: () => Promise<unknown> } | { unscoped: string };
const idOf = (k: string) => () => ids[k]!;
/** Every row of `table` whose `column` is the fixture's id: what a refused write must leave as it was. */
const rowsOf = (table: string, column: string, value: () => number | string) => async () =>
  (await sql`select * from ${sql.table(table)} where ${sql.ref(column)} = ${value()} order by 1`.execute(h.db)).rows;
const CALCULATION = 'a statistics calculation: reads and writes no one\'s data';
const CONTRACT = "a hacker's retainer with the platform: no client's or engagement's";
const CS_OTHER: Record<string, CsOtherEntry> = {
  'POST /v1/session':                          { unscoped: 'signs the caller in: their own session' },
  'DELETE /v1/session':                        { unscoped: 'signs the caller out: their own session' },
  'PUT /v1/me/notification-preferences':       { unscoped: "changes the caller's own notification preferences" },
  'DELETE /v1/tokens/:id':                     { unscoped: "revokes one of the caller's own tokens (anyone else's is a 404)" },
  'POST /v1/clients':                          { unscoped: 'creates a client, which nobody manages yet' },
  'POST /v1/hackers':                          { unscoped: 'adds a hacker to the network that serves every client' },
  'POST /v1/hackers/:id/managed-contracts':    { unscoped: CONTRACT },
  'POST /v1/managed-contracts/:id/end':        { unscoped: CONTRACT },
  'POST /v1/stats/verdict':                    { unscoped: CALCULATION },
  'POST /v1/stats/srm':                        { unscoped: CALCULATION },
  'POST /v1/stats/adjust':                     { unscoped: CALCULATION },
  'POST /v1/stats/sample-size':                { unscoped: CALCULATION },
  'POST /v1/stats/power':                      { unscoped: CALCULATION },
  'POST /v1/stats/mde':                        { unscoped: CALCULATION },
  'POST /v1/stats/test-verdict':               { unscoped: CALCULATION },
  'POST /v1/stats/segment-srm':                { unscoped: CALCULATION },
  'POST /v1/stats/cuped':                      { unscoped: CALCULATION },
  'POST /v1/engagements': {
    body: () => ({ client_id: ids.clients, offer_mode: 'open', monthly_fee_yen: 400_000 }),
    unchanged: rowsOf('engagements', 'client_id', idOf('clients')),
  },
  'POST /v1/engagements/:id/end': { body: () => ({ mode: 'immediately', reason: 'not my client' }), unchanged: rowsOf('engagements', 'id', idOf('engagements')) },
  'PUT /v1/engagements/:id/settings': { body: () => ({ planning_seconds: 61 }), unchanged: rowsOf('engagement_settings', 'engagement_id', idOf('engagements')) },
  'POST /v1/engagements/:id/pages': {
    body: () => ({ url: 'https://other.example/lp', page_type: 'lp', baseline_rate: 0.1, daily_visitors: 10, value_per_conversion_yen: 100 }),
    unchanged: rowsOf('pages', 'engagement_id', idOf('engagements')),
  },
  'PUT /v1/engagements/:id/team': { body: () => ({ hacker_ids: [ids.hackers] }), unchanged: rowsOf('growth_team_members', 'engagement_id', idOf('engagements')) },
  'POST /v1/engagements/:id/team/form': { body: () => ({ size: 1 }), unchanged: rowsOf('growth_team_members', 'engagement_id', idOf('engagements')) },
  'POST /v1/engagements/:id/team/suggestions/:suggestionId/decision': {
    body: () => ({ decision: 'dismiss', reason: 'not my client' }),
    unchanged: rowsOf('team_suggestions', 'engagement_id', idOf('engagements')),
  },
  'PUT /v1/engagements/:id/price-plan': { body: () => ({ platform_fee_yen: 1 }), unchanged: rowsOf('price_plans', 'engagement_id', idOf('engagements')) },
  'PUT /v1/engagements/:id/partner': {
    body: () => ({ partner_id: ids.partners, mode: 'resale', wholesale_bp: 1 }),
    unchanged: rowsOf('partner_attributions', 'engagement_id', idOf('engagements')),
  },
  'PUT /v1/clients/:id/holdout': { body: () => ({ holdout_percent: 50 }), unchanged: rowsOf('clients', 'id', idOf('clients')) },
  'POST /v1/clients/:id/site-keys': { body: () => ({ origins: ['https://other.example'] }), unchanged: rowsOf('site_keys', 'client_id', idOf('clients')) },
  'POST /v1/site-keys/:id/rotate': { body: () => ({ overlap_minutes: 0 }), unchanged: rowsOf('site_keys', 'client_id', idOf('clients')) },
  'DELETE /v1/site-keys/:id': { unchanged: rowsOf('site_keys', 'client_id', idOf('clients')) },
  'POST /v1/cycles/:id/plan': {
    body: () => ({ hypotheses: [{ author: 'cs', problem: 'not my client', page_id: ids.pages, metric: 'conversion' }] }),
    unchanged: rowsOf('hypotheses', 'cycle_id', idOf('cycles')),
  },
  'POST /v1/cycles/:id/selection': {
    body: () => ({ selections: [{ offer_id: ids.offers, proposal_ids: [ids.proposals] }] }),
    unchanged: rowsOf('proposals', 'offer_id', idOf('offers')),
  },
  'POST /v1/proposals/:id/versions/:version/js-approval': {
    body: () => ({ js_sha256: '0'.repeat(64) }),
    unchanged: rowsOf('proposal_versions', 'proposal_id', idOf('proposals')),
  },
  'POST /v1/tests/:id/stop': { body: () => ({ reason: 'not my client' }), unchanged: rowsOf('tests', 'id', idOf('tests')) },
  'POST /v1/tests/:id/metrics': { body: () => ({ metrics: [{ name: 'conversion', role: 'primary', kind: 'binomial', event: 'order' }] }), unchanged: rowsOf('tests', 'id', idOf('tests')) },
  'PUT /v1/tests/:id/kill-switch': { body: () => ({ on: true }), unchanged: rowsOf('tests', 'id', idOf('tests')) },
  'POST /v1/tests/:id/shipped': { unchanged: rowsOf('tests', 'id', idOf('tests')) },
  'PUT /v1/clients/:id/kill-switch': { body: () => ({ on: true }), unchanged: rowsOf('clients', 'id', idOf('clients')) },
  'POST /v1/proposals/:id/review': { body: () => ({ decision: 'return', comment: 'not my client' }), unchanged: rowsOf('proposals', 'id', idOf('proposals')) },
  'POST /v1/questions/:id/answer': { body: () => ({ answer: 'not my client' }), unchanged: rowsOf('offer_questions', 'id', idOf('questions')) },
  'POST /v1/proposals/:id/preview-link': { unscoped: 'mints a signed preview token and writes nothing; another CS manager gets 404 (the matrix\'s H)' },
  'POST /v1/tests/:id/invalidate': { body: () => ({ reason: 'not my client' }), unchanged: rowsOf('tests', 'id', idOf('tests')) },
  'POST /v1/tests/:id/learnings': { body: () => ({ learnings: 'not my client' }), unchanged: rowsOf('knowledge_learnings', 'test_id', idOf('tests')) },
  'POST /v1/tests/:id/events': {
    body: () => ({ events: [{ event_id: 'cs-other-1', visitor_id: 'v-cs-other', type: 'exposure' }] }),
    unchanged: rowsOf('test_events', 'test_id', idOf('tests')),
  },
  'POST /v1/cycles/:id/briefs': { body: () => ({ template: 'finance' }), unchanged: rowsOf('briefs', 'cycle_id', idOf('cycles')) },
  'PUT /v1/briefs/:id': { body: () => ({ content: briefFromTemplate(null) }), unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
  'POST /v1/briefs/:id/submit': { unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
  'POST /v1/briefs/:id/return': { body: () => ({ comments: [{ field: 'goal', body: 'not my client' }] }), unchanged: rowsOf('brief_comments', 'brief_id', idOf('briefs')) },
  'POST /v1/briefs/:id/approve': { unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
  'POST /v1/briefs/:id/override': { body: () => ({ reason: 'not my client' }), unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
  'POST /v1/briefs/:id/post': { unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
  'POST /v1/briefs/:id/assets': { body: () => ({ name: 'a.png', content_type: 'image/png', data_base64: 'AAAA', licence: 'owned' }), unchanged: rowsOf('briefs', 'id', idOf('briefs')) },
};

let h: Harness;
const auth: Partial<Record<Persona, Record<string, string>>> = {};
const ids: Record<string, number | string> = {};

beforeAll(async () => {
  h = await createHarness();
  const cs = await userWithToken(h.db, 'cs_manager');
  const d = cycleDriver(h, cs);
  // The world: an engagement of `client` run by `cs`, a targeted offer `hacker` is invited to (with
  // its proposal), the other client, CS manager and hacker, finance, a partner.
  const run = await d.runToTest({ test_max_seconds: 600 });
  await h.db.updateTable('offers').set({ kind: 'targeted' }).where('id', '=', run.offer.id).execute();
  await h.db.insertInto('offer_invitations').values({ offer_id: run.offer.id, hacker_id: run.author.id, reason: 'targeted_rank', rank: 1, score: 1 }).execute();
  const otherClient = await makeClient(h.db, 'Other KK');
  const otherHacker = await d.hacker(['design']);
  const admin = await userWithToken(h.db, 'admin');
  const finance = await userWithToken(h.db, 'finance');
  const partner = (await d.api('POST', '/v1/partners', admin.auth, { name: 'Matrix Partner', legal_name: 'マトリクス株式会社' })) as { id?: number };
  const partnerUser = partner.id
    ? ((await d.api('POST', `/v1/partners/${partner.id}/users`, admin.auth, { name: 'Partner user' })) as { token?: string })
    : {};
  // A month older than any ledger line (payout-lifecycle uses 2000-01): the run completes at once, empty.
  const paymentRun = await d.api('POST', '/v1/payout-runs', admin.auth, { month: '2001-01' });
  // An item of that run, so the item routes find it (an item of no run is a 404, the matrix's H) and
  // answer by role: a confirmed transfer of a bystander payee (no persona's statement or ledger shows it).
  await eventually(async () => (await h.db.selectFrom('payout_runs').select('status').where('id', '=', paymentRun.id).executeTakeFirst())?.status === 'completed');
  const payee = await h.db.insertInto('hackers').values({ display_name: 'Matrix payee', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  const paymentItem = await h.db
    .insertInto('payout_items')
    .values({ run_id: paymentRun.id, hacker_id: payee.id, status: 'confirmed', payee_type: 'resident_individual', line_count: 1, fee_total: 10_000, withholding_base: 10_000, withholding: 1_021, gross_payable: 10_000, net_transfer: 8_979 })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A payee change of the hacker, waiting for finance (the decision routes act on it).
  const payeeChange = await d.api('POST', `/v1/hackers/${run.author.id}/payee/changes`, run.author.auth, { address: 'Matrix address 1' });
  // A token of a bystander: revoking it changes nobody's access during the walk.
  const bystander = await userWithToken(h.db, 'cs_manager');
  const token = await h.db.selectFrom('api_tokens').select('id').where('user_id', '=', bystander.user.id).executeTakeFirstOrThrow();
  // The CS of another client: manages an engagement of "Other KK" only.
  const csOther = await userWithToken(h.db, 'cs_manager');
  await d.api('POST', '/v1/engagements', csOther.auth, { client_id: otherClient.id, offer_mode: 'open', monthly_fee_yen: 400_000 });
  Object.assign(auth, {
    admin: admin.auth,
    cs: cs.auth,
    cs_other: csOther.auth,
    finance: finance.auth,
    client: run.clientUser.auth,
    client_other: (await userWithToken(h.db, 'client', { clientId: otherClient.id })).auth,
    hacker: run.author.auth,
    hacker_other: otherHacker.auth,
    ...(partnerUser.token ? { partner: { authorization: `Bearer ${partnerUser.token}` } } : {}),
  });
  // A site key of the client (site-key routes refuse every user token: they take the public key only).
  const siteKey = await createSiteKey(h.db, { clientId: run.client.id, origins: ['https://shop.example'], createdBy: cs.user.id });
  // A screenshot of the proposal's version (the render worker's row and blob, written directly here).
  const image = await blobStoreFor(h.config).put(Buffer.from('role matrix screenshot'), 'image/png');
  await sql`update renders set status = 'rendered', control_sha256 = ${image}, control_thumb_sha256 = ${image}, variant_sha256 = ${image},
      variant_thumb_sha256 = ${image}, control_width = 1, control_height = 1, variant_width = 1, variant_height = 1, rendered_at = now()
    where proposal_version_id = (select id from proposal_versions where proposal_id = ${run.proposal.id} and version = 1)`.execute(h.db);
  // A webhook endpoint of the client (issue 27).
  const webhook = await h.db
    .insertInto('webhook_endpoints')
    .values({ client_id: run.client.id, url: 'https://hooks.example/kaizen', event_types: ['test.verdict'], secret: 'whsec_cm9sZS1tYXRyaXgtd2ViaG9vay1zZWNyZXQ=' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A pending question of the hacker on the offer (issue 28; the offer closed, so it is written directly).
  const question = await h.db.insertInto('offer_questions').values({ offer_id: run.offer.id, hacker_id: run.author.id, asked_by: run.author.user.id, body: 'Matrix question' }).returning('id').executeTakeFirstOrThrow();
  // A brief of the world's cycle (its plan was posted without one; the brief routes answer by role).
  const brief = await h.db
    .insertInto('briefs')
    .values({ cycle_id: run.cycleId, author: 'client', author_user_id: run.clientUser.user.id, template: null, content: JSON.stringify(briefFromTemplate(null)) })
    .returning('id')
    .executeTakeFirstOrThrow();
  Object.assign(ids, {
    briefs: brief.id,
    questions: question.id,
    webhooks: webhook.id,
    images: image,
    'site-keys': siteKey.id,
    engagements: run.e.id,
    pages: run.pages[0].id,
    cycles: run.cycleId,
    tests: run.test.id,
    offers: run.offer.id,
    proposals: run.proposal.id,
    hackers: run.author.id,
    payees: run.author.id,
    'payee-changes': payeeChange.id,
    clients: run.client.id,
    'payout-runs': paymentRun.id,
    items: paymentItem.id,
    'statutory-records': 2032,
    partners: partner.id ?? 1,
    users: cs.user.id,
    tokens: token.id,
    // Rows no test creates (another file's invoice 1 may or may not exist when this runs): the
    // answers are then the same whatever runs beside this file.
    invoices: 999_999_999,
    receipts: 999_999_999,
    'managed-contracts': 999_999_999,
  });
});
afterAll(() => h.close());

/** Required query parameters, so reads get past validation to their tenant checks. */
const QUERY: Record<string, string> = {
  '/v1/tests/:id/assignment': '?visitor=v1',
  '/v1/engagements/:id/related-knowledge': '?text=checkout',
  '/v1/payouts/annual-records': '?year=2032',
  '/v1/invoices/export': '?month=2001-01',
  '/v1/reports/input-tax': '?month=2001-01',
};

/** A concrete URL for a declared route: ids of the world above for each parameter. */
function concrete(url: string): string {
  const parts = url.split('/');
  return parts
    .map((p, i) => {
      if (!p.startsWith(':')) return p;
      if (p === ':month') return '2001-01';
      if (p === ':itemId') return String(ids.items);
      if (p === ':engagementId') return String(ids.engagements);
      return String(ids[parts[i - 1]!] ?? 1);
    })
    .join('/') + (QUERY[url] ?? '');
}

async function observe(method: string, url: string): Promise<string> {
  const letters: string[] = [];
  for (const persona of PERSONAS) {
    const headers = persona === 'none' ? {} : (auth[persona] ?? { authorization: 'Bearer missing-persona' });
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const res = await h.app.inject({ method: method as 'GET', url: concrete(url), headers, ...(withBody ? { payload: {} } : {}) });
    letters.push(res.statusCode === 401 ? 'U' : res.statusCode === 403 ? 'D' : res.statusCode === 404 ? 'H' : 'A');
  }
  return letters.join(' ');
}

describe('role matrix', () => {
  it('every route answers every kind of caller as the table says', async () => {
    const routes = h.app.declaredRoutes.filter((r) => !r.url.includes('*') && !r.url.startsWith('/codec') && r.method !== 'OPTIONS');
    // Destructive calls last, so they do not change what the reads see.
    const order = (m: string) => (m === 'GET' ? 0 : m === 'DELETE' ? 2 : 1);
    routes.sort((a, b) => order(a.method) - order(b.method));
    const observed: Record<string, string> = {};
    for (const r of routes) observed[`${r.method} ${r.url}`] = await observe(r.method, r.url);
    if (process.env.ROLE_MATRIX_PRINT) {
      const width = Math.max(...Object.keys(observed).map((k) => k.length)) + 3;
      process.stdout.write(Object.entries(observed).map(([k, v]) => `  ${`'${k}':`.padEnd(width)}'${v}',`).join('\n') + '\n');
    }
    const missing = Object.keys(observed).filter((k) => !(k in EXPECTED));
    expect(missing, 'routes without an entry in the role matrix').toEqual([]);
    const differing = Object.entries(observed).filter(([k, v]) => EXPECTED[k] !== v).map(([k, v]) => `${k}: expected ${EXPECTED[k]}, got ${v}`);
    expect(differing).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !(k in observed)), 'entries for routes that no longer exist').toEqual([]);
  });

  it("the CS of another client changes nothing of the client's: every write route a CS manager may call says so", async () => {
    const writes = h.app.declaredRoutes
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS' && r.roles?.includes('cs_manager'))
      .map((r) => `${r.method} ${r.url}`);
    expect(writes.filter((k) => !(k in CS_OTHER)), 'write routes without a "CS of another client" entry').toEqual([]);
    expect(Object.keys(CS_OTHER).filter((k) => !writes.includes(k)), 'entries for routes a CS manager cannot write').toEqual([]);
    const answers: string[] = [];
    const expected: string[] = [];
    for (const key of writes) {
      const entry = CS_OTHER[key]!;
      if ('unscoped' in entry) continue;
      const [method, url] = key.split(' ') as [string, string];
      const before = await entry.unchanged();
      const res = await h.app.inject({ method: method as 'POST', url: concrete(url), headers: auth.cs_other!, ...(entry.body ? { payload: entry.body() } : {}) });
      // The refusal must be the CS scope's (assertManages in src/api/access.ts), not some other 403.
      const byScope = res.statusCode === 403 && /^You do not manage (engagement|client) \d+;/.test(res.json().error.message);
      const changed = !isDeepStrictEqual(await entry.unchanged(), before);
      answers.push(`${key} → ${res.statusCode}${byScope ? ' (CS scope)' : `: ${res.body.slice(0, 200)}`}${changed ? ', and it WROTE' : ''}`);
      expected.push(`${key} → 403 (CS scope)`);
    }
    expect(answers).toEqual(expected);
  });
});
