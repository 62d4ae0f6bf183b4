import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { resolveBankKey } from '../../payouts/crypto.ts';
import { getPayee, upsertPayee, type PayeeInput } from '../../payouts/payees.ts';
import { payoutMonthProblem } from '../../domain/payouts/calendar.ts';
import { FOUR_EYES_FAILURE } from '../../domain/payouts/four-eyes.ts';
import { calendarDateProblem } from '../../domain/payouts/validate.ts';
import { tokyoDateOf } from '../../domain/months.ts';
import { annualRecordsCsv, auditLog, getRun, hackerLedger, listItems, listRuns, statement, zenginFile } from '../../payouts/queries.ts';
import { PayoutRuleError, withholdingSummary } from '../../payouts/runs.ts';
import { startPayoutRun } from '../../payouts/start.ts';
import {
  approveRunUpdate,
  holdItemUpdate,
  recordRemittanceUpdate,
  rejectRunUpdate,
  releaseItemUpdate,
} from '../../workflows/payout-run.ts';
import { badRequest, conflict, forbidden, HttpError } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Month, Nullable, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

/**
 * Who may do what: finance and admin read everything and may open a run; money decisions (hold,
 * release, approve, reject, record the remittance) are finance's alone. A hacker reads its own data.
 */
const FINANCE = ['admin', 'finance'] as const;
const MONEY = ['finance'] as const;
const DEFAULT_PAGE = 100;
/** A 404 whose message is a whole sentence. */
const missing = (message: string) => new HttpError(404, 'not_found', message);
const Yen = Type.Integer();
const DateStr = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' });
const Reason = Type.String({ minLength: 1, maxLength: 1000 });
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

const MaskedBank = Type.Object({
  bank_name: Type.String(),
  branch_name: Type.String(),
  account_type: Type.String(),
  account_number: Type.String({ description: 'masked: ****567' }),
  holder_name: Type.String({ description: 'masked' }),
});

const Payee = Type.Object({
  hacker_id: Id,
  display_name: Type.String(),
  kind: Type.String(),
  residency: Type.String(),
  payee_type: Type.String(),
  legal_name: Nullable(Type.String()),
  address: Nullable(Type.String()),
  treaty: Nullable(Type.Object({ form_filed: Type.Boolean(), limit_rate_percent: Nullable(Type.Number()) })),
  income_source: Type.String(),
  invoice: Nullable(
    Type.Object({ registration_number: Type.String(), registered_on: Nullable(Type.String()), expires_on: Nullable(Type.String()) }),
  ),
  default_category: Type.String(),
  bank: Nullable(MaskedBank),
  updated_at: Nullable(Type.String()),
});

const PayeeBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('corporation')])),
    residency: Type.Optional(Type.Union([Type.Literal('resident'), Type.Literal('non_resident')])),
    legal_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500 }))),
    treaty: Type.Optional(
      Nullable(
        Type.Object(
          { form_filed: Type.Boolean(), limit_rate_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })) },
          { additionalProperties: false },
        ),
      ),
    ),
    income_source: Type.Optional(
      Type.Union([Type.Literal('domestic'), Type.Literal('domestic_royalty'), Type.Literal('foreign_service')]),
    ),
    invoice: Type.Optional(
      Nullable(
        Type.Object(
          {
            registration_number: Type.String({ pattern: '^T[0-9]{13}$', description: '"T" + 13 digits' }),
            registered_on: DateStr,
            expires_on: Type.Optional(Nullable(DateStr)),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    default_category: Type.Optional(Type.Union([Type.Literal('design'), Type.Literal('none')])),
    bank: Type.Optional(
      Nullable(
        Type.Object(
          {
            bank_code: Type.String({ pattern: '^[0-9]{4}$', description: '4 digits' }),
            branch_code: Type.String({ pattern: '^[0-9]{3}$', description: '3 digits' }),
            account_type: Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('4'), Type.Literal('9')], {
              description: '1 普通, 2 当座, 4 貯蓄, 9 その他',
            }),
            account_number: Type.String({ pattern: '^[0-9]{7}$', description: '7 digits' }),
            holder_name: Type.String({ minLength: 1, maxLength: 100, description: 'account holder in kana, as the bank has it' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

const Totals = Type.Object({
  items: Type.Integer({ description: 'items (one per payee paid by this run)' }),
  pending: Type.Integer({ description: 'items to pay (count)' }),
  held: Type.Integer(),
  sent: Type.Integer({ description: 'items whose transfer was handed to the bank' }),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
  flagged: Type.Integer(),
  gross_yen: Type.Integer({ description: 'gross of every item that is not cancelled, held ones included' }),
  held_gross_yen: Type.Integer({ description: 'gross of the held items (not paid by this run unless released)' }),
  to_pay_gross_yen: Type.Integer({ description: 'gross of the items still to hand to the bank' }),
  to_pay_net_yen: Type.Integer({ description: 'net transfers still to hand to the bank' }),
  sent_gross_yen: Type.Integer(),
  sent_net_yen: Type.Integer({ description: 'net transfers handed to the bank; the bank executes them on payment_date' }),
  failed_net_yen: Type.Integer(),
  withholding_yen: Type.Integer({ description: 'tax withheld on the items to pay and sent (not on held or failed ones)' }),
  deductions_yen: Type.Integer({ description: 'reversals netted into the payments' }),
  carried_forward_payees: Type.Integer({ description: 'payees not paid because their balance is zero or negative' }),
  carried_forward_yen: Type.Integer({ description: 'their balance, carried to the next run (≤ 0)' }),
});
const CarriedForward = Type.Object({ hacker_id: Id, balance_yen: Type.Integer(), line_count: Type.Integer() });

const Run = Type.Object({
  id: Id,
  month: Type.String(),
  workflow_id: Type.String(),
  status: Type.String({ description: 'drafting, review, paying, remitting, completed, rejected or blocked (the reason in waiting_for)' }),
  payment_date: Nullable(Type.String({ description: 'the transfer date: the bank executes the transfers on this day' })),
  prepared_by: Nullable(Id),
  last_changed_by: Nullable(Id),
  decided_by: Nullable(Id),
  decided_at: Nullable(Timestamp),
  decision_reason: Nullable(Type.String()),
  remitted_on: Nullable(Type.String()),
  remitted_by: Nullable(Id),
  remittance_note: Nullable(Type.String()),
  waiting_for: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  totals: Totals,
  carried_forward: Type.Array(CarriedForward),
});

const Item = Type.Object({
  id: Id,
  run_id: Id,
  hacker_id: Id,
  display_name: Type.String(),
  status: Type.String(),
  payee_type: Type.String(),
  line_count: Type.Integer(),
  fee_total: Type.Integer({ description: 'fees of the lines paid, net of deductions' }),
  deductions_yen: Type.Integer({ description: 'negative lines (e.g. a reversed bonus) netted into this payment' }),
  withholding_base: Yen,
  withholding: Yen,
  gross_payable: Yen,
  net_transfer: Yen,
  flags: Type.Array(Type.String()),
  hold_reason: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  bank_reference: Nullable(Type.String()),
  submitted_at: Nullable(Type.String({ format: 'date-time', description: 'when the transfer was handed to the bank' })),
  payment_date: Nullable(Type.String({ description: 'when the bank executes it (the money is due that day)' })),
  bank_masked: Nullable(MaskedBank),
});

const Slip = Type.Object({ payees: Type.Integer(), base_total: Yen, tax_total: Yen });
const Withholding = Type.Object({
  run_id: Id,
  month: Type.String({ description: 'month of payment (tax withheld)' }),
  due_date: Type.String(),
  residents: Slip,
  nonresidents: Slip,
  remitted_on: Nullable(Type.String()),
});

const StatementLine = Type.Object({
  ledger_id: Id,
  kind: Type.String(),
  category: Type.String(),
  amount_yen: Type.Integer({ description: 'integer yen; negative for a reversal' }),
  month: Type.String(),
  delivered_at: Timestamp,
  engagement_id: Id,
  cycle_id: Nullable(Id),
  offer_id: Nullable(Id),
  proposal_id: Nullable(Id),
  description: Type.String(),
});
const Statement = Type.Object({
  hacker_id: Id,
  month: Type.String(),
  gross_payable: Yen,
  deductions_yen: Type.Integer(),
  withholding: Yen,
  net_transfer: Yen,
  carried_forward_yen: Type.Integer({ description: "negative balance this month's run carried forward (0 if none)" }),
  unpaid_balance_yen: Type.Integer({ description: 'lines up to this month in no live payment, now (may be negative)' }),
  payments: Type.Array(
    Type.Object({
      id: Id,
      run_id: Id,
      payment_date: Nullable(Type.String()),
      status: Type.String(),
      payee_type: Type.String(),
      gross_payable: Yen,
      deductions_yen: Type.Integer(),
      withholding_base: Yen,
      withholding: Yen,
      net_transfer: Yen,
      flags: Type.Array(Type.String()),
      submitted_at: Nullable(Timestamp),
      lines: Type.Array(StatementLine),
    }),
  ),
});

const AuditEntry = Type.Object({
  id: Id,
  run_id: Nullable(Id),
  item_id: Nullable(Id),
  hacker_id: Nullable(Id),
  actor: Type.String(),
  action: Type.String(),
  reason: Nullable(Type.String()),
  details: Type.Unknown(),
  created_at: Timestamp,
});

const NewRun = Type.Object(
  {
    month: Month,
    reminder_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86400, description: 'reminder interval (default 1 day)' })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'payees per pay activity (default 500)' })),
  },
  { additionalProperties: false },
);
const ItemParams = Type.Object({ id: Id, itemId: Id }, { additionalProperties: false });
const PageFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: DEFAULT_PAGE, description: `page size (default ${DEFAULT_PAGE})` })),
  after_id: Type.Optional(Type.Integer({ minimum: 0, description: 'the last id of the previous page' })),
};
const ItemsQuery = Type.Object(
  {
    ...PageFields,
    status: Type.Optional(Type.Union(['pending', 'held', 'sent', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);
const LedgerQuery = Type.Object(PageFields, { additionalProperties: false });
const LedgerLine = Type.Object({
  id: Id,
  kind: Type.String(),
  category: Type.String(),
  amount_yen: Type.Integer({ description: 'integer yen; negative for a reversal' }),
  month: Type.String(),
  description: Type.String(),
  delivered_at: Timestamp,
  reverses_id: Nullable(Id),
  created_at: Timestamp,
  status: Type.Union([Type.Literal('paid'), Type.Literal('in_run'), Type.Literal('unpaid')], {
    description: 'paid: handed to the bank and the payment date has come; in_run: in a live payment not yet paid; unpaid: waiting for a run',
  }),
  run_id: Nullable(Id),
  item_id: Nullable(Id),
  payment_date: Nullable(Type.String()),
});
const Ledger = Type.Object({
  hacker_id: Id,
  balance: Type.Object({
    unpaid_yen: Type.Integer({ description: 'Σ unpaid lines; negative when reversals exceed the earnings not yet paid (carried forward)' }),
    in_run_yen: Type.Integer(),
    paid_yen: Type.Integer(),
  }),
  items: Type.Array(LedgerLine),
  next_after_id: Nullable(Id),
});
const StatementParams = Type.Object({ id: Id, month: Month }, { additionalProperties: false });

function assertSelfOr(req: FastifyRequest, hackerId: number) {
  if (req.user.role === 'hacker' && req.user.hacker_id !== hackerId) throw forbidden('hackers see only their own payee data');
}

export function payoutRoutes(app: FastifyInstance, deps: ApiDeps) {
  const { db, temporal, config } = deps;
  let key: Buffer | undefined;
  const bankKey = () => (key ??= resolveBankKey(config));

  async function loadRun(id: number) {
    const run = await getRun(db, id);
    if (!run) throw missing(`Payout run ${id} does not exist.`);
    return run;
  }
  async function assertHacker(id: number) {
    const hacker = await db.selectFrom('hackers').select('id').where('id', '=', id).executeTakeFirst();
    if (!hacker) throw missing(`Hacker ${id} does not exist.`);
  }

  /** Runs an update on the run's workflow; rule failures become 403/404/409 in the project's shape. */
  async function update<A>(req: FastifyRequest, runId: number, action: string, fn: (h: WorkflowHandle, updateId?: string) => Promise<A>) {
    const run = await loadRun(runId);
    const idem = req.headers['idempotency-key'];
    const updateId = typeof idem === 'string' && idem ? `${action}-${run.id}-${req.user.id}-${idem}` : undefined;
    try {
      await fn(temporal.workflow.getHandle(run.workflow_id), updateId);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        const type = cause instanceof ApplicationFailure ? cause.type : undefined;
        const message = cause?.message ?? err.message;
        if (type === FOUR_EYES_FAILURE || type === 'PayoutRule.forbidden') throw forbidden(message);
        if (type === 'PayoutRule.not_found') throw missing(message);
        throw conflict(message);
      }
      if (err instanceof WorkflowNotFoundError) throw conflict(`Payout run ${run.id} has no running workflow; it is ${run.status}.`);
      throw err;
    }
    req.log.info({ runId: run.id, action }, 'payout run updated');
    return loadRun(run.id);
  }

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PayeeBody> }>(
    '/v1/hackers/:id/payee',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: {
        tags: ['payouts'],
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
      const view = await upsertPayee(db, bankKey(), req.user, req.params.id, req.body as PayeeInput);
      if (!view) throw missing(`Hacker ${req.params.id} does not exist.`);
      req.log.info({ hackerId: req.params.id }, 'payee record updated');
      return view;
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/hackers/:id/payee',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: { tags: ['payouts'], params: IdParams, response: { 200: Payee, ...authErrors } },
    },
    async (req) => {
      assertSelfOr(req, req.params.id);
      const view = await getPayee(db, req.params.id);
      if (!view) throw missing(`Hacker ${req.params.id} does not exist.`);
      return view;
    },
  );

  app.get<{ Params: Static<typeof StatementParams> }>(
    '/v1/hackers/:id/statements/:month',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: {
        tags: ['payouts'],
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

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LedgerQuery> }>(
    '/v1/hackers/:id/ledger',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: {
        tags: ['payouts'],
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
      return hackerLedger(db, req.params.id, { limit: req.query.limit ?? DEFAULT_PAGE, afterId: req.query.after_id });
    },
  );

  app.post<{ Body: Static<typeof NewRun> }>(
    '/v1/payout-runs',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: 'Opens the payout run of a month and starts its workflow (`payout-<YYYY-MM>`). Idempotent: an existing run is returned with 200.',
        body: NewRun,
        response: { 200: Run, 201: Run, ...authErrors, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const monthProblem = payoutMonthProblem(req.body.month);
      if (monthProblem) throw badRequest(monthProblem, [{ path: '/body/month', message: monthProblem }]);
      let created: boolean;
      let runId: number;
      try {
        const r = await startPayoutRun(db, temporal, {
          month: req.body.month,
          preparedBy: req.user.id,
          taskQueue: config.taskQueue,
          payDay: config.payout.day,
          reminderMs: req.body.reminder_seconds ? req.body.reminder_seconds * 1000 : undefined,
          batchSize: req.body.batch_size,
        });
        created = r.created;
        runId = r.run.id;
      } catch (err) {
        req.log.error({ err }, 'payout run saved but its workflow did not start');
        throw new HttpError(503, 'workflow_unavailable', 'The payout run could not start its workflow; retry the same request.');
      }
      req.log.info({ runId, month: req.body.month, created }, created ? 'payout run opened' : 'payout run already open');
      return reply.status(created ? 201 : 200).send(await loadRun(runId));
    },
  );

  app.get<{ Querystring: Static<typeof LedgerQuery> }>(
    '/v1/payout-runs',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: 'Newest first; page with `after_id` (the `next_after_id` of the previous page).',
        querystring: LedgerQuery,
        response: { 200: Type.Object({ items: Type.Array(Run), next_after_id: Nullable(Id) }), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? DEFAULT_PAGE;
      const items = await listRuns(db, { limit, beforeId: req.query.after_id });
      return { items, next_after_id: items.length === limit ? items[items.length - 1]!.id : null };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/payout-runs/:id',
    { config: { roles: FINANCE }, schema: { tags: ['payouts'], params: IdParams, response: { 200: Run, ...authErrors } } },
    async (req) => loadRun(req.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ItemsQuery> }>(
    '/v1/payout-runs/:id/items',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: 'One item per payee; filter with `status`; page with `after_id` (the last id of the previous page).',
        params: IdParams,
        querystring: ItemsQuery,
        response: { 200: Type.Object({ items: Type.Array(Item), next_after_id: Nullable(Id) }), ...authErrors },
      },
    },
    async (req) => {
      await loadRun(req.params.id);
      const limit = req.query.limit ?? DEFAULT_PAGE;
      const items = await listItems(db, req.params.id, { limit, afterId: req.query.after_id, status: req.query.status });
      return { items, next_after_id: items.length === limit ? items[items.length - 1]!.id : null };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/payout-runs/:id/audit',
    {
      config: { roles: FINANCE },
      schema: { tags: ['payouts'], params: IdParams, response: { 200: Type.Object({ items: Type.Array(AuditEntry) }), ...authErrors } },
    },
    async (req) => {
      await loadRun(req.params.id);
      return { items: await auditLog(db, req.params.id) };
    },
  );

  for (const [action, def] of [
    ['hold', holdItemUpdate],
    ['release', releaseItemUpdate],
  ] as const) {
    app.post<{ Params: Static<typeof ItemParams>; Body: { reason: string }; Headers: Static<typeof IdempotencyHeaders> }>(
      `/v1/payout-runs/:id/items/:itemId/${action}`,
      {
        config: { roles: MONEY },
        schema: {
          tags: ['payouts'],
          description: `${action === 'hold' ? 'Holds' : 'Releases'} one item during review (a workflow update; send an Idempotency-Key to retry safely).`,
          params: ItemParams,
          headers: IdempotencyHeaders,
          body: Type.Object({ reason: Reason }, { additionalProperties: false }),
          response: { 200: Run, ...authErrors, 409: ErrorResponse },
        },
      },
      async (req) =>
        update(req, req.params.id, action, (h, updateId) =>
          h.executeUpdate(def, { args: [{ itemId: req.params.itemId, reason: req.body.reason, by: req.user.id }], ...(updateId ? { updateId } : {}) }),
        ),
    );
  }

  app.post<{ Params: Static<typeof IdParams>; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/payout-runs/:id/approve',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        description:
          'Approves the run (finance only; four eyes: a finance user other than the one who prepared it — holds and releases do not count as preparing). The transfers are handed to the bank for the payment date.',
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) =>
      update(req, req.params.id, 'approve', (h, updateId) =>
        h.executeUpdate(approveRunUpdate, { args: [{ by: req.user.id }], ...(updateId ? { updateId } : {}) }),
      ),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { reason: string }; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/payout-runs/:id/reject',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        description: 'Rejects the run with a reason (finance only); its lines become payable by a later run.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) =>
      update(req, req.params.id, 'reject', (h, updateId) =>
        h.executeUpdate(rejectRunUpdate, { args: [{ by: req.user.id, reason: req.body.reason }], ...(updateId ? { updateId } : {}) }),
      ),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { remitted_on: string; note?: string }; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/payout-runs/:id/remittance',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        description: 'Records that the withheld tax was remitted to the tax office (finance only; a real date, not in the future, Asia/Tokyo); completes the run.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ remitted_on: DateStr, note: Type.Optional(Reason) }, { additionalProperties: false }),
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const dateProblem = calendarDateProblem(req.body.remitted_on);
      if (dateProblem) throw badRequest(`/body/remitted_on ${dateProblem}`, [{ path: '/body/remitted_on', message: dateProblem }]);
      const today = tokyoDateOf(Date.now());
      if (req.body.remitted_on > today) {
        const message = `must not be in the future (today is ${today} in Asia/Tokyo)`;
        throw badRequest(`/body/remitted_on ${message}`, [{ path: '/body/remitted_on', message }]);
      }
      return update(req, req.params.id, 'remittance', (h, updateId) =>
        h.executeUpdate(recordRemittanceUpdate, {
          args: [{ by: req.user.id, remittedOn: req.body.remitted_on, note: req.body.note }],
          ...(updateId ? { updateId } : {}),
        }),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/payout-runs/:id/withholding',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: 'Withholding to remit for the month the run pays in: residents and non-residents separately, with the due date.',
        params: IdParams,
        response: { 200: Withholding, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const summary = await withholdingSummary(db, req.params.id).catch((err: unknown) => {
        if (err instanceof PayoutRuleError) throw conflict(err.message);
        throw err;
      });
      if (!summary) throw missing(`Payout run ${req.params.id} does not exist.`);
      return summary;
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/payout-runs/:id/zengin',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: 'The run\'s 全銀 総合振込 file (Shift_JIS, 120-byte records, CRLF).',
        params: IdParams,
        response: { 200: Type.Unknown({ description: 'application/octet-stream' }), ...authErrors },
      },
    },
    async (req, reply) => {
      const run = await loadRun(req.params.id);
      const file = await zenginFile(db, bankKey(), run.id, config.payout.payer);
      if (!file) throw missing(`Payout run ${run.id} has no transfer file yet: nothing was handed to the bank.`);
      req.log.info({ runId: run.id }, 'zengin file downloaded');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="zengin-${run.month}.txt"`)
        .send(file);
    },
  );

  app.get<{ Querystring: { year: number; copy?: 'tax_office' | 'payee' } }>(
    '/v1/payouts/annual-records',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        description: '支払調書 data (CSV) for every payee paid more than ¥50,000 in the year. `copy=payee` leaves out the 法人番号.',
        querystring: Type.Object(
          {
            year: Type.Integer({ minimum: 2000, maximum: 2099 }),
            copy: Type.Optional(Type.Union([Type.Literal('tax_office'), Type.Literal('payee')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.String({ description: 'text/csv' }), ...authErrors },
      },
    },
    async (req, reply) => {
      const csv = await annualRecordsCsv(db, req.query.year, req.query.copy ?? 'tax_office');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="payment-records-${req.query.year}.csv"`)
        .send(csv);
    },
  );
}
