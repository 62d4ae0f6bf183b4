// Payout runs as finance works them: open a month's run, read it (totals, items, audit), hold and
// release items, approve (four eyes) or reject, record the withholding remittance; the bank file, the
// withholding summary and the year's 支払調書 records. Decisions are updates on the run's workflow;
// their refusals map to the API's errors in one place (errors.ts viaUpdate / toHttpError).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WorkflowHandle } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { withWaitingFor } from '../../domain/messages.ts';
import { payoutMonthProblem } from '../../domain/payouts/calendar.ts';
import { decisionStateRefusal, fourEyesRefusal, itemChangeRefusal, remittanceRefusal } from '../../domain/payouts/four-eyes.ts';
import { tokyoDateOf } from '../../domain/months.ts';
import { resolveBankKey } from '../../payouts/crypto.ts';
import { itemActionRefusal, type ItemAction } from '../../domain/payouts/transfers.ts';
import { annualRecordsCsv, auditLog, getRun, latestZenginFileNo, listItems, listRuns, zenginFile } from '../../payouts/queries.ts';
import { cancelItem, moveItemToNextRun, recordZenginDownload, retryItem, type ItemActionInput, type ItemActionResult } from '../../payouts/transfers.ts';
import { withholdingSummary } from '../../payouts/runs.ts';
import { startPayoutRun, wakePayoutRun } from '../../payouts/start.ts';
import {
  approveRunUpdate,
  holdItemUpdate,
  recordRemittanceUpdate,
  rejectRunUpdate,
  releaseItemUpdate,
} from '../../workflows/payout-run.ts';
import { action, routeRefusal } from '../access.ts';
import { actorOf, FINANCE } from '../auth.ts';
import { badRequest, HttpError, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, FileAnswer, Idempotency, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import {
  AnnualRecordsQuery,
  AuditEntry,
  HoldBody,
  Item,
  ItemActionBody,
  ItemParams,
  ItemsQuery,
  MaskedBank,
  NewRun,
  RejectBody,
  RemittanceBody,
  Run,
  RunsQuery,
  Withholding,
  ZenginQuery,
} from '../schemas/payouts.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * Who may do what: finance and admin (FINANCE) read everything and may open a run; money decisions
 * (hold, release, approve, reject, record the remittance) are finance's alone.
 */
const MONEY = ['finance'] as const;
/** A 404 whose message is a whole sentence. */
const missing = (message: string) => new HttpError(404, 'not_found', message);

export const payoutRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  let key: Buffer | undefined;
  const bankKey = () => (key ??= resolveBankKey(config));

  async function loadRun(id: number) {
    const run = await getRun(db, id);
    if (!run) throw missing(`Payout run ${id} does not exist.`);
    return run;
  }

  /**
   * The run as the caller sees it: with what they may do to it now, by the checks the decision routes
   * enforce (their declared roles, then the run's state and four eyes as the workflow's validators ask).
   */
  type RunRow = NonNullable<Awaited<ReturnType<typeof getRun>>>;
  function runView(req: FastifyRequest, run: RunRow) {
    const role = (path: string) => routeRefusal(req, 'POST', `/v1/payout-runs/:id${path}`);
    const items = itemChangeRefusal(run.id, run.status);
    // The row stays in review until payment starts; a decision already taken is what refuses another.
    const decision = run.decided_by == null ? undefined : run.status === 'rejected' ? 'reject' : 'approve';
    return {
      ...withWaitingFor(run),
      actions: {
        approve: action(role('/approve'), decisionStateRefusal(run.id, run.status, decision), fourEyesRefusal({ approver: req.user.id, preparedBy: run.prepared_by, runId: run.id })),
        reject: action(role('/reject'), decisionStateRefusal(run.id, run.status, decision)),
        hold: action(role('/items/:itemId/hold'), items),
        release: action(role('/items/:itemId/release'), items),
        record_remittance: action(role('/remittance'), remittanceRefusal(run.id, run.status)),
      },
    };
  }

  type ItemRow = Awaited<ReturnType<typeof listItems>>[number];
  /** An item as the caller sees it: what they may do to it now, by the checks the item routes enforce. */
  function itemView(req: FastifyRequest, i: ItemRow) {
    const refusal = (a: ItemAction, path: string) =>
      action(routeRefusal(req, 'POST', `/v1/payout-runs/:id/items/:itemId/${path}`), itemActionRefusal(i.id, i.status, i.resolution, a));
    const cancel = refusal('cancel', 'cancel');
    return {
      ...i,
      // bank_masked is a JSON column: the payee master writes it as MaskedBank.
      bank_masked: i.bank_masked as Static<typeof MaskedBank> | null,
      actions: {
        retry: refusal('retry', 'retry'),
        move_to_next_run: refusal('move_to_next_run', 'move-to-next-run'),
        // Confirming a cancellation someone else asked for: four eyes, the one rule.
        cancel: cancel.allowed && i.cancel_requested_by != null
          ? action(fourEyesRefusal({ approver: req.user.id, preparedBy: i.cancel_requested_by, subject: `the cancellation of item ${i.id}` }))
          : cancel,
      },
    };
  }

  const wake = (workflowId: string) => wakePayoutRun(temporal, workflowId);

  /**
   * Runs a decision as an update on the run's workflow (refusals map through viaUpdate: four eyes and
   * `*.forbidden` 403, `*.not_found` 404, else 409) and answers the run as it is now.
   */
  async function update(req: FastifyRequest, runId: number, action: string, fn: (h: WorkflowHandle, opts: { updateId?: string }) => Promise<unknown>) {
    const run = await loadRun(runId);
    const idem = req.headers['idempotency-key'];
    const opts = typeof idem === 'string' && idem ? { updateId: `${action}-${run.id}-${req.user.id}-${idem}` } : {};
    await viaUpdate(() => fn(temporal.workflow.getHandle(run.workflow_id), opts), `Payout run ${run.id} has no running workflow; it is ${run.status}.`);
    req.log.info({ runId: run.id, action }, 'payout run updated');
    return runView(req, await loadRun(run.id));
  }

  app.post(
    '/v1/payout-runs',
    {
      config: { roles: FINANCE, idempotency: 'own' },
      schema: {
        tags: ['payouts'],
        summary: "Open a month's payout run",
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
      return reply.status(created ? 201 : 200).send(runView(req, await loadRun(runId)));
    },
  );

  app.get(
    '/v1/payout-runs',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: 'List payout runs, newest first (paged)',
        description: 'Newest first; page with `after_id` (the `next_after_id` of the previous page).',
        querystring: RunsQuery,
        response: { 200: PageOf(Run), ...authErrors },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listRuns(db, { limit, beforeId: req.query.after_id });
      return { items: items.map((r) => runView(req, r)), next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/payout-runs/:id',
    {
      config: { roles: FINANCE },
      schema: { tags: ['payouts'], summary: 'One payout run with its totals', params: IdParams, response: { 200: Run, ...authErrors } },
    },
    async (req) => runView(req, await loadRun(req.params.id)),
  );

  app.get(
    '/v1/payout-runs/:id/items',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "A run's items, one per payee (paged)",
        description: 'One item per payee; filter with `status`; page with `after_id` (the last id of the previous page).',
        params: IdParams,
        querystring: ItemsQuery,
        response: { 200: PageOf(Item), ...authErrors },
      },
    },
    async (req) => {
      await loadRun(req.params.id);
      const limit = req.query.limit ?? 100;
      const rows = await listItems(db, req.params.id, { limit, afterId: req.query.after_id, status: req.query.status });
      const items = rows.map((i) => itemView(req, i));
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/payout-runs/:id/audit',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "A run's audit log (who, what, when, why), oldest first, paged",
        params: IdParams,
        querystring: PagedQuery({}),
        response: { 200: PageOf(AuditEntry), ...authErrors },
      },
    },
    async (req) => {
      await loadRun(req.params.id);
      const limit = req.query.limit ?? 100;
      const items = await auditLog(db, req.params.id, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  for (const [action, def] of [
    ['hold', holdItemUpdate],
    ['release', releaseItemUpdate],
  ] as const) {
    app.post(
      `/v1/payout-runs/:id/items/:itemId/${action}`,
      {
        config: { roles: MONEY },
        schema: {
          tags: ['payouts'],
          summary: action === 'hold' ? 'Hold an item during review (finance)' : 'Release a held item during review (finance)',
          description: `${action === 'hold' ? 'Holds' : 'Releases'} one item during review (a workflow update; send an Idempotency-Key to retry safely).`,
          params: ItemParams,
          headers: Idempotency,
          body: HoldBody,
          response: { 200: Run, ...authErrors, 409: ErrorResponse },
        },
      },
      async (req) =>
        update(req, req.params.id, action, (h, opts) =>
          h.executeUpdate(def, { args: [{ itemId: req.params.itemId, reason: req.body.reason, actor: actorOf(req) }], ...opts }),
        ),
    );
  }

  const itemActions: Array<[string, (db: ApiDeps['db'], r: ItemActionInput) => Promise<ItemActionResult>, string, string]> = [
    ['retry', retryItem, 'Retry a failed or returned transfer (finance)', 'Hands the transfer to the bank again in a later file (a new attempt), while the run still settles its transfers.'],
    ['move-to-next-run', moveItemToNextRun, 'Move a failed or returned transfer to the next run (finance)', "Releases the item's ledger lines: the next month's run pays them."],
    [
      'cancel',
      cancelItem,
      'Cancel a failed or returned transfer with a reason (finance, four eyes)',
      'The first finance user asks with a reason; another finance user confirms (four eyes). A cancelled item keeps its lines: no run pays them.',
    ],
  ];
  for (const [path, fn, summary, description] of itemActions) {
    app.post(
      `/v1/payout-runs/:id/items/:itemId/${path}`,
      {
        config: { roles: MONEY },
        schema: {
          tags: ['payouts'],
          summary,
          description: `${description} Send an Idempotency-Key to retry safely.`,
          params: ItemParams,
          headers: Idempotency,
          body: ItemActionBody,
          response: { 200: Item, ...authErrors, 409: ErrorResponse },
        },
      },
      async (req) => {
        const run = await loadRun(req.params.id);
        const idem = req.headers['idempotency-key'];
        const key = `${path}:${run.id}:${req.params.itemId}:${req.user.id}:${typeof idem === 'string' && idem ? idem : randomUUID()}`;
        const r = await fn(db, { runId: run.id, itemId: req.params.itemId, actor: actorOf(req), reason: req.body?.reason, key });
        req.log.info({ runId: run.id, itemId: r.itemId, action: path, status: r.status }, 'payout item resolved');
        if (r.wakeWorkflow) await wake(run.workflow_id);
        const [item] = await listItems(db, run.id, { limit: 1, afterId: r.itemId - 1 });
        return itemView(req, item!);
      },
    );
  }

  app.post(
    '/v1/payout-runs/:id/approve',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        summary: 'Approve a run (finance, four eyes)',
        description:
          'Approves the run (finance only; four eyes: a finance user other than the one who prepared it — holds and releases do not count as preparing). The transfers are handed to the bank for the payment date.',
        params: IdParams,
        headers: Idempotency,
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => update(req, req.params.id, 'approve', (h, opts) => h.executeUpdate(approveRunUpdate, { args: [{ actor: actorOf(req) }], ...opts })),
  );

  app.post(
    '/v1/payout-runs/:id/reject',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        summary: 'Reject a run with a reason (finance)',
        description: 'Rejects the run with a reason (finance only); its lines become payable by a later run.',
        params: IdParams,
        headers: Idempotency,
        body: RejectBody,
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) =>
      update(req, req.params.id, 'reject', (h, opts) => h.executeUpdate(rejectRunUpdate, { args: [{ actor: actorOf(req), reason: req.body.reason }], ...opts })),
  );

  app.post(
    '/v1/payout-runs/:id/remittance',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        summary: 'Record the withholding remittance (finance); completes the run',
        description: 'Records that the withheld tax was remitted to the tax office (finance only; a real date, not in the future, Asia/Tokyo); completes the run.',
        params: IdParams,
        headers: Idempotency,
        body: RemittanceBody,
        response: { 200: Run, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const today = tokyoDateOf(Date.now());
      if (req.body.remitted_on > today) {
        const message = `must not be in the future (today is ${today} in Asia/Tokyo)`;
        throw badRequest(`/body/remitted_on ${message}`, [{ path: '/body/remitted_on', message }]);
      }
      return update(req, req.params.id, 'remittance', (h, opts) =>
        h.executeUpdate(recordRemittanceUpdate, { args: [{ actor: actorOf(req), remittedOn: req.body.remitted_on, note: req.body.note }], ...opts }),
      );
    },
  );

  app.get(
    '/v1/payout-runs/:id/withholding',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "The withholding to remit for a run's month",
        description: 'Withholding to remit for the month the run pays in: residents and non-residents separately, with the due date.',
        params: IdParams,
        response: { 200: Withholding, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const summary = await withholdingSummary(db, req.params.id);
      if (!summary) throw missing(`Payout run ${req.params.id} does not exist.`);
      return summary;
    },
  );

  app.get(
    '/v1/payout-runs/:id/zengin',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "Download a run's 全銀 transfer file",
        description:
          "The run's 全銀 総合振込 file (Shift_JIS, 120-byte records, CRLF), as an attachment `zengin-<YYYY-MM>[-<file>].txt`: the latest file unless `file` names one (retried transfers go into a later file). Each download is recorded (who, when): its items show who first downloaded them.",
        params: IdParams,
        querystring: ZenginQuery,
        response: { 200: FileAnswer('application/octet-stream', '全銀 総合振込 file: Shift_JIS, 120-byte records, CRLF'), ...authErrors },
      },
    },
    async (req, reply) => {
      const run = await loadRun(req.params.id);
      const fileNo = req.query.file ?? (await latestZenginFileNo(db, run.id));
      const file = fileNo === undefined ? undefined : await zenginFile(db, bankKey(), run.id, config.payout.payer, fileNo);
      if (!file || fileNo === undefined) throw missing(`Payout run ${run.id} has no transfer file${req.query.file ? ` ${req.query.file}` : ''}: nothing was handed to the bank.`);
      await recordZenginDownload(db, run.id, fileNo, req.user.id);
      req.log.info({ runId: run.id, file: fileNo }, 'zengin file downloaded');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="zengin-${run.month}${fileNo > 1 ? `-${fileNo}` : ''}.txt"`)
        .send(file);
    },
  );

  app.get(
    '/v1/payouts/annual-records',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "A year's 支払調書 records (CSV)",
        description: '支払調書 data (CSV) for every payee paid more than ¥50,000 in the year. `copy=payee` leaves out the 法人番号.',
        querystring: AnnualRecordsQuery,
        response: { 200: FileAnswer('text/csv', '支払調書 records, one row per payee (UTF-8 CSV)'), ...authErrors },
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
};
