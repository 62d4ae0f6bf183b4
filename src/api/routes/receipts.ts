// Receipts (入金消込): manual entry, bank-statement CSV import, the waiting list, manual matching.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { importStatement, listReceipts, matchByHand, recordReceipt } from '../../billing/receipts.ts';
import { ValidationError } from '../../domain/errors.ts';
import { matchRefusal } from '../../domain/billing/review.ts';
import { action, routeRefusal } from '../access.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { billingErrors } from '../schemas/billing.ts';
import { Idempotency, IdParams, nextAfter, PageOf } from '../schemas/common.ts';
import { ImportResult, MatchBody, Receipt, ReceiptBody, ReceiptsQuery, StatementCsv } from '../schemas/receipts.ts';

/** A receipt with the caller's actions: the match route's role check, then its state rule. */
function withActions<R extends { id: number; status: string; invoice_id: number | null }>(req: FastifyRequest, r: R) {
  return { ...r, actions: { match: action(routeRefusal(req, 'POST', '/v1/receipts/:id/match'), matchRefusal(r)) } };
}

export const receiptRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  const tolerance = config.billing.feeToleranceYen;

  app.post(
    '/v1/receipts',
    {
      config: { roles: FINANCE, idempotency: 'own' },
      schema: { summary: 'Record a receipt (matched automatically when possible)', tags: ['billing'], description: 'Records a receipt and matches it automatically when it can (amount and payer name, fee tolerance).', body: ReceiptBody, headers: Idempotency, response: { 201: Receipt, 200: Receipt, ...billingErrors } },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'] ? `manual:${req.user.id}:${req.headers['idempotency-key']}` : `manual:${crypto.randomUUID()}`;
      const r = await recordReceipt(db, { ...req.body, source: 'manual', import_key: key }, req.user.id, tolerance);
      return reply.status(r.created ? 201 : 200).send(withActions(req, r.receipt));
    },
  );

  app.post(
    '/v1/receipts/import',
    {
      config: { roles: FINANCE },
      schema: {
        summary: 'Import a bank statement CSV', tags: ['billing'],
        description: 'Bank statement import, `Content-Type: text/csv`: header `date,payer_name,amount`, then one receipt a line (a real calendar date YYYY-MM-DD or YYYY/MM/DD, kana, integer yen). All or nothing: every line is checked before anything is stored, and a bad file is a 400 whose details name `/body/line/<n>/<column>` (`/body/line/<n>` for a line that is not CSV), n being the line in the file as an editor numbers it (the header is line 1, blank lines count). Importing the same lines again adds nothing.',
        consumes: ['text/csv'],
        body: StatementCsv,
        response: { 200: ImportResult, ...billingErrors },
      },
    },
    async (req) => {
      try {
        return await importStatement(db, req.body, req.user.id, tolerance);
      } catch (err) {
        if (err instanceof ValidationError) throw new HttpError(400, 'validation_error', err.message, err.details.map((d) => ({ path: `/body${d.path}`, message: d.message })));
        throw err;
      }
    },
  );

  app.get(
    '/v1/receipts',
    { config: { roles: FINANCE }, schema: { summary: 'List receipts', tags: ['billing'], description: '`?status=unmatched`: receipts waiting for finance.', querystring: ReceiptsQuery, response: { 200: PageOf(Receipt), ...billingErrors } } },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listReceipts(db, req.query.status, { afterId: req.query.after_id, limit });
      return { items: items.map((r) => withActions(req, r)), next_after_id: nextAfter(items, limit) };
    },
  );

  app.post(
    '/v1/receipts/:id/match',
    { config: { roles: FINANCE }, schema: { summary: 'Match a waiting receipt by hand', tags: ['billing'], description: 'Matches a waiting receipt to an invoice by hand (optional fee booked).', params: IdParams, body: MatchBody, response: { 200: Receipt, ...billingErrors } } },
    async (req) => withActions(req, await matchByHand(db, req.params.id, req.body.invoice_id, req.user.id, req.body.fee_yen ?? 0)),
  );
};
