// The payee master (who is paid, how, and how tax is withheld) and each hacker's payout reads: the
// month's statement and the earnings ledger. Finance and admin see everyone; a hacker only itself.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { hackerExists } from '../../network/hackers.ts';
import { resolveBankKey } from '../../payouts/crypto.ts';
import { getPayee, upsertPayee } from '../../payouts/payees.ts';
import { hackerLedger, statement } from '../../payouts/queries.ts';
import { forbidden, HttpError } from '../errors.ts';
import { authErrors, IdParams } from '../schemas/common.ts';
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

  app.put(
    '/v1/hackers/:id/payee',
    {
      config: { roles: READERS },
      schema: {
        tags: ['payouts'],
        summary: "Create or change a hacker's payee record",
        description:
          'Creates or changes the payee record (omitted fields keep their value; `bank: null` removes the account). Bank details are validated (Zengin kana name, bank and branch codes), encrypted at rest and only ever returned masked. A hacker may set its own record but not its kind or residency.',
        params: IdParams,
        body: PayeeBody,
        response: { 200: Payee, ...authErrors },
      },
    },
    async (req) => {
      assertSelfOr(req, req.params.id);
      if (req.user.role === 'hacker' && (req.body.kind !== undefined || req.body.residency !== undefined)) {
        const current = await getPayee(db, req.params.id);
        if (current && ((req.body.kind && req.body.kind !== current.kind) || (req.body.residency && req.body.residency !== current.residency))) {
          throw forbidden('only finance may change kind or residency');
        }
      }
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
