// Billing routes: price plans, billing accounts, invoicing runs, invoices (review, issue, credit notes,
// PDF, export), the margin report and billing tasks. Thin: parse, authorise, call a use case, shape.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { getBillingAccount, pricePlanView, putBillingAccount, putPricePlan } from '../../billing/accounts.ts';
import { addLine, createCreditNote, editLine, issueInvoice, setHold } from '../../billing/invoicing.ts';
import { invoicePdf } from '../../billing/pdf.ts';
import { billingTasks, exportMonth, invoiceView, listInvoices, marginReport } from '../../billing/queries.ts';
import { startInvoicing } from '../../billing/start.ts';
import { assertManages } from '../access.ts';
import { assertClientAccess } from '../auth.ts';
import { notFound } from '../errors.ts';
import { FileAnswer, Idempotency, JsonOrCsv, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';
import { BillingAccount, BillingAlert, BillingTask, ExportJson, Invoice, InvoiceSummary, Margin, PricePlan } from './billing-schemas.ts';
import { BDate, BId, BIdParams, BMonth, billingErrors, FINANCE } from './billing-common.ts';

const YenAmount = Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'integer yen, tax-exclusive' });
const PricePlanBody = Type.Object(
  {
    platform_fee_yen: Type.Integer({ minimum: 1, maximum: 10_000_000_000, description: 'monthly platform fee, tax-exclusive yen' }),
    cs_support_yen: Type.Optional(YenAmount),
    growth_team_yen: Type.Optional(YenAmount),
    from_month: Type.Optional(BMonth),
  },
  { additionalProperties: false, examples: [{ platform_fee_yen: 300_000, cs_support_yen: 50_000, growth_team_yen: 0 }] },
);
const BillingAccountBody = Type.Object(
  {
    legal_name: Type.String({ minLength: 1, maxLength: 200, description: 'recipient name on invoices (Japanese legal name)' }),
    payer_kana: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10, description: 'payer names as on bank statements (kana)' })),
    due_rule: Type.Optional(Type.Union([Type.Literal('next_month_end'), Type.Literal('days_after_close')])),
    due_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    holiday_shift: Type.Optional(Type.Union([Type.Literal('previous'), Type.Literal('next')])),
  },
  { additionalProperties: false, examples: [{ legal_name: '株式会社カイゼン商事', payer_kana: ['ｶｲｾﾞﾝｼｮｳｼﾞ'], due_rule: 'next_month_end', holiday_shift: 'previous' }] },
);
const MonthBody = Type.Object({ month: BMonth }, { additionalProperties: false, examples: [{ month: '2026-04' }] });
const ListQuery = Type.Object(
  {
    month: Type.Optional(BMonth),
    status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('held'), Type.Literal('issued')])),
    kind: Type.Optional(Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')])),
    client_id: Type.Optional(BId),
    after_id: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
const LineParams = Type.Object({ id: BId, lineId: BId }, { additionalProperties: false });
const LineEdit = Type.Object(
  { amount_yen: Type.Optional(Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000 })), description: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false, minProperties: 1, examples: [{ amount_yen: 45_000, description: 'プラットフォーム利用料（値引き後）' }] },
);
const NewLine = Type.Object(
  { description: Type.String({ minLength: 1, maxLength: 500 }), amount_yen: Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000 }), engagement_id: Type.Optional(BId) },
  { additionalProperties: false, examples: [{ description: '初月値引き', amount_yen: -10_000, engagement_id: 1 }] },
);
const Reason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false, examples: [{ reason: '終了日を確認中' }] });
const CreditBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    lines: Type.Optional(Type.Array(Type.Object({ line_id: BId, amount_yen: Type.Integer({ minimum: 1, maximum: 10_000_000_000 }) }, { additionalProperties: false }), { minItems: 1 })),
  },
  { additionalProperties: false, examples: [{ reason: '契約解除による返金', lines: [{ line_id: 1, amount_yen: 50_000 }] }] },
);
const FormatQuery = Type.Object({ month: BMonth, format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }) }, { additionalProperties: false });
const MarginQuery = Type.Object(
  { month: Type.Optional(BMonth), client_id: Type.Optional(BId), partner_id: Type.Optional(BId), format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }) },
  { additionalProperties: false },
);

export function invoiceRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps) {
  const engagementClient = async (id: number) => {
    const e = await db.selectFrom('engagements').select(['id', 'client_id', 'cs_manager_id']).where('id', '=', id).executeTakeFirst();
    if (!e) throw notFound('engagement');
    return e;
  };

  app.put<{ Params: Static<typeof BIdParams>; Body: Static<typeof PricePlanBody> }>(
    '/v1/engagements/:id/price-plan',
    {
      config: { roles: ['admin', 'cs_manager', 'finance'] },
      schema: {
        summary: "Set an engagement's price plan (from the next month)", tags: ['billing'],
        description: 'Stores a price-plan version (tax-exclusive yen). The first applies from the engagement\'s start month; a change from the next Tokyo month.',
        params: BIdParams,
        body: PricePlanBody,
        response: { 200: PricePlan, ...billingErrors },
      },
    },
    async (req) => {
      assertManages(req, await engagementClient(req.params.id));
      const b = req.body;
      return putPricePlan(db, req.params.id, { platform_fee_yen: b.platform_fee_yen, cs_support_yen: b.cs_support_yen ?? 0, growth_team_yen: b.growth_team_yen ?? 0, ...(b.from_month ? { from_month: b.from_month } : {}) }, req.user.id);
    },
  );

  app.get<{ Params: Static<typeof BIdParams> }>(
    '/v1/engagements/:id/price-plan',
    { config: { roles: ['admin', 'cs_manager', 'finance', 'client'] }, schema: { summary: "An engagement's price plan: current, upcoming, versions", tags: ['billing'], params: BIdParams, response: { 200: PricePlan, ...billingErrors } } },
    async (req) => {
      const e = await engagementClient(req.params.id);
      if (req.user.role === 'client' && req.user.client_id !== e.client_id) throw notFound('engagement');
      return pricePlanView(db, e.id);
    },
  );

  app.put<{ Params: Static<typeof BIdParams>; Body: Static<typeof BillingAccountBody> }>(
    '/v1/clients/:id/billing',
    { config: { roles: FINANCE }, schema: { summary: "Set a client's billing account and payment terms", tags: ['billing'], description: 'Invoice name, payer kana and payment terms of a client.', params: BIdParams, body: BillingAccountBody, response: { 200: BillingAccount, ...billingErrors } } },
    async (req) => putBillingAccount(db, req.params.id, req.body, req.user.id),
  );

  app.get<{ Params: Static<typeof BIdParams> }>(
    '/v1/clients/:id/billing',
    { config: { roles: [...FINANCE, 'cs_manager', 'client'] }, schema: { summary: "A client's billing account", tags: ['billing'], params: BIdParams, response: { 200: BillingAccount, ...billingErrors } } },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const a = await getBillingAccount(db, req.params.id);
      if (!a) throw notFound('billing account');
      return a;
    },
  );

  app.post<{ Body: Static<typeof MonthBody> }>(
    '/v1/invoicing-runs',
    {
      config: { roles: FINANCE },
      schema: {
        summary: "Draft a month's invoices (starts invoicing-<month>)", tags: ['billing'],
        description: 'Starts (or finds) `invoicing-<month>`: drafts one invoice per client for the month. Idempotent.',
        body: MonthBody,
        response: { 202: Type.Object({ month: BMonth, workflow_id: Type.String(), started: Type.Boolean() }), ...billingErrors },
      },
    },
    async (req, reply) => {
      const r = await startInvoicing(temporal, config.taskQueue, { month: req.body.month, requestedBy: req.user.id });
      return reply.status(202).send({ month: req.body.month, workflow_id: r.workflowId, started: r.started });
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/invoices',
    {
      config: { roles: [...FINANCE, 'client', 'partner'] },
      schema: { summary: 'List invoices and credit notes', tags: ['billing'], description: 'Invoices and credit notes; a client or partner sees only its own issued documents.', querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(InvoiceSummary), next_after_id: Type.Union([BId, Type.Null()]) }), ...billingErrors } },
    },
    async (req) => {
      const items = await listInvoices(db, req.user, req.query);
      return { items, next_after_id: items.length === req.query.limit ? items[items.length - 1]!.id : null };
    },
  );

  app.get<{ Querystring: Static<typeof FormatQuery> }>(
    '/v1/invoices/export',
    { config: { roles: FINANCE }, schema: { summary: "Export a month's issued invoices (CSV or JSON)", tags: ['billing'], description: 'Every issued invoice and credit note of a month for accounting import: CSV (one row per line, `format=csv`, the default) or JSON.', querystring: FormatQuery, response: { 200: JsonOrCsv(ExportJson, 'CSV by default, JSON with format=json'), ...billingErrors } } },
    async (req, reply) => {
      const x = await exportMonth(db, req.query.month);
      if (req.query.format === 'json') return { month: x.month, totals: x.totals, invoices: x.invoices };
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="invoices-${x.month}.csv"`).send(x.csv);
    },
  );

  app.get<{ Params: Static<typeof BIdParams> }>(
    '/v1/invoices/:id',
    { config: { roles: [...FINANCE, 'client', 'partner'] }, schema: { summary: 'One invoice with lines, payments and credit notes', tags: ['billing'], params: BIdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      const v = await invoiceView(db, req.user, req.params.id);
      if (!v) throw notFound('invoice');
      return v;
    },
  );

  app.get<{ Params: Static<typeof BIdParams> }>(
    '/v1/invoices/:id/pdf',
    { config: { roles: [...FINANCE, 'client', 'partner'] }, schema: { summary: 'Download an invoice as PDF', tags: ['billing'], description: 'The invoice as a PDF (A4, Japanese).', params: BIdParams, response: { 200: FileAnswer('application/pdf', 'the invoice, A4, Japanese'), ...billingErrors } } },
    async (req, reply) => {
      const v = await invoiceView(db, req.user, req.params.id);
      if (!v) throw notFound('invoice');
      const pdf = await invoicePdf(v);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${v.number ?? `draft-${v.id}`}.pdf"`).send(pdf);
    },
  );

  const view = async (id: number, user: Parameters<typeof invoiceView>[1]) => (await invoiceView(db, user, id))!;

  app.patch<{ Params: Static<typeof LineParams>; Body: Static<typeof LineEdit> }>(
    '/v1/invoices/:id/lines/:lineId',
    { config: { roles: FINANCE }, schema: { summary: 'Edit a line of a draft invoice', tags: ['billing'], description: 'Edits a line of a draft (409 once issued).', params: LineParams, body: LineEdit, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await editLine(db, req.params.id, req.params.lineId, req.body);
      return view(req.params.id, req.user);
    },
  );

  app.post<{ Params: Static<typeof BIdParams>; Body: Static<typeof NewLine> }>(
    '/v1/invoices/:id/lines',
    { config: { roles: FINANCE }, schema: { summary: 'Add an adjustment line to a draft invoice', tags: ['billing'], description: 'Adds an adjustment line to a draft.', params: BIdParams, body: NewLine, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await addLine(db, req.params.id, req.body);
      return view(req.params.id, req.user);
    },
  );

  app.post<{ Params: Static<typeof BIdParams>; Body: Static<typeof Reason> }>(
    '/v1/invoices/:id/hold',
    { config: { roles: FINANCE }, schema: { summary: 'Hold a draft invoice', tags: ['billing'], params: BIdParams, body: Reason, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await setHold(db, req.params.id, true, req.body.reason);
      return view(req.params.id, req.user);
    },
  );

  app.post<{ Params: Static<typeof BIdParams> }>(
    '/v1/invoices/:id/release',
    { config: { roles: FINANCE }, schema: { summary: 'Release a held draft invoice', tags: ['billing'], params: BIdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      await setHold(db, req.params.id, false, null);
      return view(req.params.id, req.user);
    },
  );

  app.post<{ Params: Static<typeof BIdParams> }>(
    '/v1/invoices/:id/issue',
    { config: { roles: FINANCE }, schema: { summary: 'Issue a draft invoice', tags: ['billing'], description: 'Issues a draft: unique number, issue date; immutable from then on.', params: BIdParams, response: { 200: Invoice, ...billingErrors } } },
    async (req) => {
      const number = await issueInvoice(db, req.params.id, req.user.id);
      req.log.info({ invoiceId: req.params.id, number }, 'invoice issued');
      return view(req.params.id, req.user);
    },
  );

  app.post<{ Params: Static<typeof BIdParams>; Body: Static<typeof CreditBody>; Headers: Static<typeof Idempotency> }>(
    '/v1/invoices/:id/credit-notes',
    {
      config: { roles: FINANCE, idempotency: 'own' },
      schema: { summary: 'Issue a credit note against an invoice', tags: ['billing'], description: 'Issues a credit note (返還インボイス) against an issued invoice: every line, or the given ones.', params: BIdParams, body: CreditBody, headers: Idempotency, response: { 201: Invoice, ...billingErrors } },
    },
    async (req, reply) => {
      const id = await createCreditNote(db, req.params.id, { reason: req.body.reason, ...(req.body.lines ? { lines: req.body.lines } : {}), ...(req.headers['idempotency-key'] ? { key: `${req.user.id}:${req.headers['idempotency-key']}` } : {}) }, req.user.id);
      return reply.status(201).send(await view(id, req.user));
    },
  );

  app.get<{ Querystring: Static<typeof MarginQuery> }>(
    '/v1/reports/margin',
    { config: { roles: FINANCE }, schema: { summary: 'Margin report', tags: ['billing'], description: 'Per engagement and month (filter by month, client, partner): billed, received, paid to hackers, withheld, commissions, margin.', querystring: MarginQuery, response: { 200: JsonOrCsv(Margin, 'JSON by default, CSV with format=csv'), ...billingErrors } } },
    async (req, reply) => {
      const r = await marginReport(db, req.query);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="margin.csv"').send(r.csv);
      return { items: r.items, totals: r.totals };
    },
  );

  app.get(
    '/v1/billing/tasks',
    { config: { roles: ['admin', 'finance', 'cs_manager', 'client'] }, schema: { summary: 'Billing tasks for the caller', tags: ['billing'], description: 'Billing part of the tasks list: drafts to review, overdue invoices, receipts to match.', response: { 200: Type.Object({ items: Type.Array(BillingTask) }), ...billingErrors } } },
    async (req) => ({ items: await billingTasks(db, req.user) }),
  );

  app.get(
    '/v1/billing/alerts',
    { config: { roles: [...FINANCE, 'cs_manager'] }, schema: { summary: 'Billing alerts (overdue invoices), newest first, paged', tags: ['billing'], querystring: PagedQuery({}), response: { 200: PageOf(BillingAlert), ...billingErrors } } },
    async (req) => {
      const { limit = 100, after_id } = req.query as { limit?: number; after_id?: number };
      let q = db.selectFrom('billing_alerts').selectAll().orderBy('id', 'desc').limit(limit);
      if (after_id) q = q.where('id', '<', after_id);
      q = req.user.role === 'cs_manager' ? q.where('recipient', '=', `user:${req.user.id}`) : q.where('recipient', '=', 'finance');
      const items = await q.execute();
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );
}
