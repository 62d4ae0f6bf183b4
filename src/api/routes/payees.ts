// The payee master (who is paid, how, and how tax is withheld) and each hacker's payout reads: the
// month's statement and the earnings ledger. Finance and admin see everyone; a hacker only itself.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { hackerExists } from '../../network/hackers.ts';
import { resolveBankKey } from '../../payouts/crypto.ts';
import { changeViews, decidePayeeChange, getPayee, payeeChangeLog, submitPayeeChange, upsertPayee, type PayeeChangeView, type PayeeInput } from '../../payouts/payees.ts';
import { payeeChangeDecisionRefusal, type PayeeChangeDecision } from '../../domain/payouts/payee-changes.ts';
import { action, routeRefusal } from '../access.ts';
import { PayeeChangeDecisionBody, PayeeChangeQueueQuery, PayeeChangeReasonBody, PayeeChange, PayeeChanges } from '../schemas/payees.ts';
import { hackerLedger, statement } from '../../payouts/queries.ts';
import { forbidden, HttpError } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, PageOf } from '../schemas/common.ts';
import { Ledger, LedgerQuery, Payee, PayeeBody, Statement, StatementParams } from '../schemas/payouts.ts';
import type { ApiDeps } from '../deps.ts';

const READERS = ['admin', 'finance', 'hacker'] as const;
/** A 404 whose message is a whole sentence. */
const missing = (message: string) => new HttpError(404, 'not_found', message);

function assertSelfOr(req: FastifyRequest, hackerId: number) {
  if (req.user.role === 'hacker' && req.user.hacker_id !== hackerId) throw forbidden('hackers see only their own payee data');
}

export const payeeRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  let key: Buffer | undefined;
  const bankKey = () => (key ??= resolveBankKey(config));

  async function assertHacker(id: number) {
    if (!(await hackerExists(db, id))) throw missing(`Hacker ${id} does not exist.`);
  }

  /** A hacker sees only its own changes; another's do not exist for it (404). */
  function assertOwnOr404(req: FastifyRequest, hackerId: number) {
    if (req.user.role === 'hacker' && req.user.hacker_id !== hackerId) throw missing(`Hacker ${hackerId} does not exist.`);
  }

  /** A change as the caller may act on it: the decision routes' role check and state rule. */
  function changeView(req: FastifyRequest, c: PayeeChangeView) {
    const act = (d: PayeeChangeDecision) => action(routeRefusal(req, 'POST', `/v1/payee-changes/:id/${d}`), payeeChangeDecisionRefusal(c.id, c.status, d));
    return { ...c, actions: { approve: act('approve'), reject: act('reject'), ask: act('ask') } };
  }

  async function submitChange(req: FastifyRequest, hackerId: number, body: PayeeInput) {
    const change = await submitPayeeChange(db, bankKey(), req.user, hackerId, body);
    if (!change) throw missing(`Hacker ${hackerId} does not exist.`);
    req.log.info({ hackerId, changeId: change.id, fields: change.fields }, 'payee change submitted');
    return changeView(req, change);
  }

  app.get(
    '/v1/hackers/:id/payee/changes',
    {
      config: { roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "A payee's own changes and change log",
        description:
          "The payee's change requests (oldest first, bank details masked) and its change log: every direct edit by finance or admin, every change submitted and every decision, with who, when and which fields. A hacker reads only its own (another's is a 404).",
        params: IdParams,
        response: { 200: PayeeChanges, ...authErrors },
      },
    },
    async (req) => {
      assertOwnOr404(req, req.params.id);
      await assertHacker(req.params.id);
      const items = await changeViews(db, { hackerId: req.params.id, limit: 500 });
      return { items: items.map((c) => changeView(req, c)), log: await payeeChangeLog(db, req.params.id) };
    },
  );

  app.post(
    '/v1/hackers/:id/payee/changes',
    {
      config: { audit: 'payee.change_requested', roles: ['hacker'] },
      schema: {
        tags: ['payouts'],
        summary: 'Submit a change to my payee record (waits for finance)',
        description:
          "A hacker's change of its own legal name, address, residency, invoice registration (T + 13 digits, check digit verified; registration date), treaty form (filed or not) and bank account (Zengin kana holder name, bank and branch codes): validated, bank details sealed, queued `pending` for finance. It replaces the hacker's open change. Nothing is paid on it until finance approves. kind, income_source, default_category and a treaty's limit rate are finance's only (403). Another hacker's record is a 404.",
        params: IdParams,
        body: PayeeBody,
        response: { 201: PayeeChange, ...authErrors },
      },
    },
    async (req, reply) => {
      assertOwnOr404(req, req.params.id);
      return reply.status(201).send(await submitChange(req, req.params.id, req.body));
    },
  );

  app.get(
    '/v1/payee-changes',
    {
      config: { roles: ['admin', 'finance'] },
      schema: {
        tags: ['payouts'],
        summary: "Payee changes by status: finance's review queue",
        description: 'Oldest first; `status=pending` is the queue. Page with `after_id`.',
        querystring: PayeeChangeQueueQuery,
        response: { 200: PageOf(PayeeChange), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await changeViews(db, { status: req.query.status, afterId: req.query.after_id, limit });
      return { items: items.map((c) => changeView(req, c)), next_after_id: items.length === limit ? items[items.length - 1]!.id : null };
    },
  );

  const DECISIONS: { decision: PayeeChangeDecision; summary: string; body: typeof PayeeChangeDecisionBody | typeof PayeeChangeReasonBody }[] = [
    { decision: 'approve', summary: "Approve a payee's change: it is written to the payee record (finance)", body: PayeeChangeDecisionBody },
    { decision: 'reject', summary: "Reject a payee's change with a reason (finance)", body: PayeeChangeReasonBody },
    { decision: 'ask', summary: 'Ask the payee for more about a change (a question; finance)', body: PayeeChangeReasonBody },
  ];
  for (const d of DECISIONS) {
    app.post(
      `/v1/payee-changes/:id/${d.decision}`,
      {
        config: { audit: `payee.change_${d.decision}`, roles: ['finance'] },
        schema: {
          tags: ['payouts'],
          summary: d.summary,
          description: 'Only a pending change is decided (409 otherwise). The decision, its reason and the fields go to the payee\'s change log.',
          params: IdParams,
          body: d.body,
          response: { 200: PayeeChange, 409: ErrorResponse, ...authErrors },
        },
      },
      async (req) => {
        const change = await decidePayeeChange(db, req.user, req.params.id, d.decision, (req.body as { reason?: string }).reason ?? null);
        req.log.info({ changeId: change.id, hackerId: change.hacker_id, decision: d.decision }, 'payee change decided');
        return changeView(req, change);
      },
    );
  }

  app.put(
    '/v1/hackers/:id/payee',
    {
      config: { audit: 'payee.update', roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "Create or change a hacker's payee record",
        description:
          "Finance and admin: creates or changes the payee record directly (omitted fields keep their value; `bank: null` removes the account), logged in the payee's change log. Bank details are validated (Zengin kana name, bank and branch codes), encrypted at rest and only ever returned masked. A hacker's own call is a change request (202, as `POST /v1/hackers/:id/payee/changes`): it waits for finance; kind, income_source, default_category and a treaty's limit rate are finance's only (403).",
        params: IdParams,
        body: PayeeBody,
        response: { 200: Payee, 202: PayeeChange, ...authErrors },
      },
    },
    async (req, reply) => {
      assertSelfOr(req, req.params.id);
      // A payee's own edit is a change request: nothing it enters is paid on until finance approves.
      if (req.user.role === 'hacker') return reply.status(202).send(await submitChange(req, req.params.id, req.body));
      const view = await upsertPayee(db, bankKey(), req.user, req.params.id, req.body);
      if (!view) throw missing(`Hacker ${req.params.id} does not exist.`);
      req.log.info({ hackerId: req.params.id }, 'payee record updated');
      return view;
    },
  );

  app.get(
    '/v1/hackers/:id/payee',
    {
      config: { roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "A hacker's payee record (bank details masked)",
        params: IdParams,
        response: { 200: Payee, ...authErrors },
      },
    },
    async (req) => {
      assertSelfOr(req, req.params.id);
      const view = await getPayee(db, req.params.id);
      if (!view) throw missing(`Hacker ${req.params.id} does not exist.`);
      return view;
    },
  );

  app.get(
    '/v1/hackers/:id/statements/:month',
    {
      config: { roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "A hacker's payment statement for a month",
        description:
          "The hacker's payment statement for the payout run(s) of a month: gross, deductions, tax, net (of sent payments) and every ledger line (reversals negative); the negative balance the month's run carried forward, and the unpaid balance now.",
        params: StatementParams,
        response: { 200: Statement, ...authErrors },
      },
    },
    async (req) => {
      assertSelfOr(req, req.params.id);
      await assertHacker(req.params.id);
      return statement(db, req.params.id, req.params.month);
    },
  );

  app.get(
    '/v1/hackers/:id/ledger',
    {
      config: { roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "A hacker's earnings ledger with its balance (paged)",
        description:
          "The hacker's earnings ledger, oldest first, each line paid, in a run, or unpaid, with the balance over all lines (unpaid may be negative: a reversal carried forward). Page with `after_id`.",
        params: IdParams,
        querystring: LedgerQuery,
        response: { 200: Ledger, ...authErrors },
      },
    },
    async (req) => {
      assertSelfOr(req, req.params.id);
      await assertHacker(req.params.id);
      return hackerLedger(db, req.params.id, { limit: req.query.limit ?? 100, afterId: req.query.after_id });
    },
  );
};
