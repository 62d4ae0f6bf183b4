// The bank's answer to a payout run (issue 24 item 2): finance imports the bank's result file (全銀
// 総合振込 result / 振込不能 fixed-width in Shift_JIS, or CSV) or marks one transfer by hand. Both record
// through recordTransferResult and wake the run's workflow, which settles the run (confirmed items let
// it finish; failed or returned ones put it in needs_attention).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { resolveBankKey } from '../../payouts/crypto.ts';
import { importBankResults, markTransferResult } from '../../payouts/bank-results.ts';
import { wakePayoutRun } from '../../payouts/start.ts';
import { actorOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { BankResultFile, BankResultImport, MarkResultAnswer, MarkResultBody } from '../schemas/bank-results.ts';
import { authErrors, ErrorResponse, Idempotency, IdParams } from '../schemas/common.ts';
import { ItemParams } from '../schemas/payouts.ts';

/** Money decisions are finance's alone (as the run's other decisions). */
const MONEY = ['finance'] as const;
const FILE_TYPES = ['application/octet-stream', 'text/plain', 'text/csv'];
export const FILE_LIMIT = 32 * 1024 * 1024;

export const bankResultRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal, config }) => {
  // The file's bytes as they are (a Shift_JIS file is not UTF-8): one latin1 character per byte, turned
  // back into bytes by the handler. Only in this plugin: other routes keep the default text parser.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
  for (const type of FILE_TYPES) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => done(null, (body as Buffer).toString('latin1')));
  }
  let key: ReturnType<typeof resolveBankKey> | undefined;
  const bankKey = () => (key ??= resolveBankKey(config));

  async function runOf(id: number) {
    const run = await db.selectFrom('payout_runs').select(['id', 'status', 'workflow_id']).where('id', '=', id).executeTakeFirst();
    if (!run) throw new HttpError(404, 'not_found', `Payout run ${id} does not exist.`);
    return run;
  }
  const wake = (workflowId: string) => wakePayoutRun(temporal, workflowId);

  app.post(
    '/v1/payout-runs/:id/bank-results',
    {
      // A run of 100k payees answers with a file of about 12 MB (122 bytes a record).
      bodyLimit: FILE_LIMIT,
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        summary: "Import the bank's transfer result file (finance)",
        description:
          "The bank's answer to the run's 全銀 総合振込 file, as the file's bytes (`Content-Type: application/octet-stream`, `text/plain` or `text/csv`, no charset): the 全銀 result / 振込不能 fixed-width layout (Shift_JIS, 120-byte records 1/2/8/9, the result code in column 114 of each data record) or CSV (header `item_id|customer_code,bank_code,branch_code,account_number,amount,result,reason`, UTF-8 or Shift_JIS). Result codes: 0 done; 1 no such account, 2 account closed, 3 name mismatch, 4 account type or number mismatch, 5 credits stopped by the payee, 9 other (振込不能: failed); 8 組戻し (returned). Each line is matched to the item by the customer codes the transfer file carries (payee id, run id) or the item id; its amount and account must be the ones handed to the bank. All or nothing: a bad line is a 400 naming `/body/line/<n>/<column>` (a 409 naming the line when the item cannot take the result) and nothing is recorded. Importing the same file again changes nothing.",
        consumes: FILE_TYPES,
        params: IdParams,
        body: BankResultFile,
        response: { 200: BankResultImport, ...authErrors, 409: ErrorResponse, 413: ErrorResponse },
      },
    },
    async (req) => {
      const run = await runOf(req.params.id);
      const r = await importBankResults(db, bankKey(), { runId: run.id, file: Buffer.from(req.body, 'latin1'), actor: actorOf(req) });
      // Counts only: no account or name of the file is logged.
      req.log.info({ runId: run.id, format: r.format, sha256: r.sha256, ...r.counts }, 'bank results imported');
      if (r.lines.some((l) => l.changed)) await wake(run.workflow_id);
      return { ...r, run_status: (await runOf(run.id)).status };
    },
  );

  app.post(
    '/v1/payout-runs/:id/items/:itemId/result',
    {
      config: { roles: MONEY },
      schema: {
        tags: ['payouts'],
        summary: "Mark one transfer's result by hand (finance)",
        description:
          'What the bank said about one transfer handed to it, when no file says it: `confirmed`, `failed` or `returned` (組戻し; a confirmed transfer can still come back), with a reason for failed and returned (the payee is shown it). Send an Idempotency-Key to retry safely: the same key twice changes nothing.',
        params: ItemParams,
        headers: Idempotency,
        body: MarkResultBody,
        response: { 200: MarkResultAnswer, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const run = await runOf(req.params.id);
      const idem = req.headers['idempotency-key'];
      const key = `manual:${run.id}:${req.params.itemId}:${req.user.id}:${typeof idem === 'string' && idem ? idem : randomUUID()}`;
      const r = await markTransferResult(db, { runId: run.id, itemId: req.params.itemId, outcome: req.body.outcome, reason: req.body.reason, actor: actorOf(req), key });
      req.log.info({ runId: run.id, itemId: r.itemId, status: r.status, changed: r.changed }, 'transfer result marked');
      if (r.changed) await wake(run.workflow_id);
      return { item_id: r.itemId, run_id: r.runId, status: r.status, run_status: (await runOf(run.id)).status, changed: r.changed };
    },
  );
};
