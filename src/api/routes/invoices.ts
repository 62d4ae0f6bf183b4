// Invoices and credit notes: the month's invoicing run, the list and one invoice (JSON or PDF), the
// month's export for accounting, and finance's review — edit and add lines, hold, release, issue —
// and credit notes. Thin: parse, authorise, call a use case, shape.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { addLine, createCreditNote, editLine, issueInvoice, setHold } from '../../billing/invoicing.ts';
import { invoicePdf } from '../../billing/pdf.ts';
import { exportMonth, invoiceView, listInvoices, type InvoiceView } from '../../billing/queries.ts';
import { startInvoicing } from '../../billing/start.ts';
import { addLineRefusal, creditRefusal, editRefusal, holdRefusal, issueRefusal, releaseRefusal } from '../../domain/billing/review.ts';
import { action, routeRefusal } from '../access.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { billingErrors } from '../schemas/billing.ts';
import { emitEvent } from '../../notify/start.ts';
import { FileAnswer, Idempotency, IdParams, JsonOrCsv } from '../schemas/common.ts';
import { CreditBody, ExportJson, ExportQuery, HoldReason, Invoice, InvoiceListQuery, InvoicePage, InvoicingRun, LineEdit, LineParams, MonthBody, NewLine } from '../schemas/invoices.ts';

/** The invoice's actions for the caller: each review route's role check, then the state rule its use case enforces. */
function withActions(req: FastifyRequest, v: InvoiceView) {
  const may = (url: string, state: string | undefined) => action(routeRefusal(req, url.endsWith('/:lineId') ? 'PATCH' : 'POST', url), state);
  return {
    ...v,
    actions: {
      edit_lines: may('/v1/invoices/:id/lines/:lineId', editRefusal(v)),
      add_line: may('/v1/invoices/:id/lines', addLineRefusal(v)),
      hold: may('/v1/invoices/:id/hold', holdRefusal(v)),
      release: may('/v1/invoices/:id/release', releaseRefusal(v)),
      issue: may('/v1/invoices/:id/issue', issueRefusal(v, v.lines.length)),
      credit_note: may('/v1/invoices/:id/credit-notes', creditRefusal(v)),
    },
  };
}

export const invoiceRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  app.post(
    '/v1/invoicing-runs',
    {
      config: { roles: FINANCE },
      schema: {
        summary: "Draft a month's invoices (starts invoicing-<month>)", tags: ['billing'],
        description: 'Starts (or finds) `invoicing-<month>`: drafts one invoice per client for the month. Idempotent.',
        body: MonthBody,
        response: { 202: InvoicingRun, ...billingErrors },
      },
    },
    async (req, reply) => {
      const r = await startInvoicing(temporal, config.taskQueue, { month: req.body.month, requestedBy: req.user.id });
      return reply.status(202).send({ month: req.body.month, workflow_id: r.workflowId, started: r.started });
    },
  );

  app.get(
    '/v1/invoices',
    {
      config: { roles: [...FINANCE, 'client', 'partner'] },
      schema: { summary: 'List invoices and credit notes', tags: ['billing'], description: 'Invoices and credit notes; a client or partner sees only its own issued documents.', querystring: InvoiceListQuery, response: { 200: InvoicePage, ...billingErrors } },
    },
    async (req) => {
      const items = await listInvoices(db, req.user, req.query);
      return { items, next_after_id: items.length === req.query.limit ? items[items.length - 1]!.id : null };
    },
  );

  app.get(
    '/v1/invoices/export',
    { config: { roles: FINANCE }, schema: { summary: "Export a month's issued invoices (CSV or JSON)", tags: ['billing'], description: 'Every issued invoice and credit note of a month for accounting import: CSV (one row per line, `format=csv`, the default) or JSON.', querystring: ExportQuery, response: { 200: JsonOrCsv(ExportJson, 'CSV by default, JSON with format=json'), ...billingErrors } } },
    async (req, reply) => {
      const x = await exportMonth(db, req.query.month);
      if (req.query.format === 'json') return { month: x.month, totals: x.totals, invoices: x.invoices };
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="invoices-${x.month}.csv"`).send(x.csv);
    },
  );

  app.get(
    '/v1/invoices/:id',
    { config: { roles: [...FINANCE, 'client', 'partner'] }, schema: { summary: 'One invoice with lines, payments and credit notes', tags: ['billing'], params: IdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      const v = await invoiceView(db, req.user, req.params.id);
      if (!v) throw notFound('invoice');
      return withActions(req, v);
    },
  );

  app.get(
    '/v1/invoices/:id/pdf',
    { config: { roles: [...FINANCE, 'client', 'partner'] }, schema: { summary: 'Download an invoice as PDF', tags: ['billing'], description: 'The invoice as a PDF (A4, Japanese).', params: IdParams, response: { 200: FileAnswer('application/pdf', 'the invoice, A4, Japanese'), ...billingErrors } } },
    async (req, reply) => {
      const v = await invoiceView(db, req.user, req.params.id);
      if (!v) throw notFound('invoice');
      const pdf = await invoicePdf(v);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${v.number ?? `draft-${v.id}`}.pdf"`).send(pdf);
    },
  );

  /** The invoice as the caller sees it after a change they made (it exists: the change found it). */
  const view = async (id: number, req: FastifyRequest) => withActions(req, (await invoiceView(db, req.user, id))!);

  app.patch(
    '/v1/invoices/:id/lines/:lineId',
    { config: { roles: FINANCE }, schema: { summary: 'Edit a line of a draft invoice', tags: ['billing'], description: 'Edits a line of a draft (409 once issued).', params: LineParams, body: LineEdit, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await editLine(db, req.params.id, req.params.lineId, req.body);
      return view(req.params.id, req);
    },
  );

  app.post(
    '/v1/invoices/:id/lines',
    { config: { roles: FINANCE }, schema: { summary: 'Add an adjustment line to a draft invoice', tags: ['billing'], description: 'Adds an adjustment line to a draft.', params: IdParams, body: NewLine, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await addLine(db, req.params.id, req.body);
      return view(req.params.id, req);
    },
  );

  app.post(
    '/v1/invoices/:id/hold',
    { config: { roles: FINANCE }, schema: { summary: 'Hold a draft invoice', tags: ['billing'], params: IdParams, body: HoldReason, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await setHold(db, req.params.id, true, req.body.reason);
      return view(req.params.id, req);
    },
  );

  app.post(
    '/v1/invoices/:id/release',
    { config: { roles: FINANCE }, schema: { summary: 'Release a held draft invoice', tags: ['billing'], params: IdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await setHold(db, req.params.id, false, null);
      return view(req.params.id, req);
    },
  );

  app.post(
    '/v1/invoices/:id/issue',
    { config: { roles: FINANCE }, schema: { summary: 'Issue a draft invoice', tags: ['billing'], description: 'Issues a draft: unique number, issue date; immutable from then on.', params: IdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      const number = await issueInvoice(db, req.params.id, req.user.id);
      req.log.info({ invoiceId: req.params.id, number }, 'invoice issued');
      const v = await view(req.params.id, req);
      // The client (or the partner billed) is told; the invoice is issued either way.
      await emitEvent(temporal, config.taskQueue, {
        id: `invoice.issued:${v.id}`,
        type: 'invoice.issued',
        occurredAt: new Date().toISOString(),
        clientId: v.client_id,
        data: { invoiceId: v.id, clientId: v.client_id, partnerId: v.partner_id, number: v.number, month: v.month, dueOn: v.due_date },
      }).catch((err) => req.log.error({ err: (err as Error).message, invoiceId: v.id }, 'the invoice.issued notification could not be started'));
      return v;
    },
  );

  app.post(
    '/v1/invoices/:id/credit-notes',
    {
      config: { roles: FINANCE, idempotency: 'own' },
      schema: { summary: 'Issue a credit note against an invoice', tags: ['billing'], description: 'Issues a credit note (返還インボイス) against an issued invoice: every line, or the given ones.', params: IdParams, body: CreditBody, headers: Idempotency, response: { 201: Invoice, ...billingErrors } },
    },
    async (req, reply) => {
      const id = await createCreditNote(db, req.params.id, { reason: req.body.reason, ...(req.body.lines ? { lines: req.body.lines } : {}), ...(req.headers['idempotency-key'] ? { key: `${req.user.id}:${req.headers['idempotency-key']}` } : {}) }, req.user.id);
      return reply.status(201).send(await view(id, req));
    },
  );
};
