// The My Number vault and the annual 支払調書 (statutory records). A hacker submits their own 個人番号
// (write-only: every answer says only whether one is on file; another hacker's is a 404); finance
// users an admin granted `my_number_access` read one with a purpose (each read logged by the use case);
// the tax-office e-Tax CSV carries the numbers, so it needs the same permission; the payee's PDF copy
// never shows one. No route here takes an Idempotency-Key: a stored answer would keep the number.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { tokyoDateOf } from '../../domain/months.ts';
import { hackerExists } from '../../network/hackers.ts';
import { payeeCopyPdf, statutorySummary, taxOfficeCsv } from '../../payouts/annual.ts';
import { resolveMyNumberKey } from '../../payouts/crypto.ts';
import { myNumberReadRefusal, myNumberStatus, readMyNumbers, setMyNumberAccess, submitMyNumber } from '../../payouts/vault.ts';
import { FINANCE } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { forbidden, notFound } from '../errors.ts';
import { authErrors, FileAnswer, IdParams } from '../schemas/common.ts';
import {
  MyNumberAccess, MyNumberAccessBody, MyNumberBody, MyNumberRead, MyNumberReadBody, MyNumberStatus, PayeeYearParams, StatutorySummary, YearParams,
} from '../schemas/my-numbers.ts';

export const myNumberRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  let cached: ReturnType<typeof resolveMyNumberKey> | undefined;
  const key = () => (cached ??= resolveMyNumberKey(config));

  /** A hacker reaches only their own number and statements; anyone else's is not found (none leaks). */
  const ownOnly = (req: FastifyRequest, hackerId: number, what: string) => {
    if (req.user.role === 'hacker' && req.user.hacker_id !== hackerId) throw notFound(what);
  };
  /** The caller's permission as stored now (a withdrawal takes effect at once, whatever a cache holds). */
  const refusalNow = async (req: FastifyRequest) => {
    const reader = await db.selectFrom('users').select(['id', 'role', 'my_number_access']).where('id', '=', req.user.id).executeTakeFirstOrThrow();
    const refusal = myNumberReadRefusal(reader);
    if (refusal) throw forbidden(refusal);
    return reader;
  };

  app.put(
    '/v1/hackers/:id/my-number',
    {
      config: { roles: ['hacker'] },
      schema: {
        tags: ['payouts'],
        summary: 'Submit your 個人番号 (the hacker; write-only)',
        description:
          'Stores (or replaces) the individual hacker\'s own 個人番号, check digit verified, encrypted in the vault. The answer says only whether a number is on file; no route ever answers it back to the hacker. Another hacker\'s is a 404.',
        params: IdParams,
        body: MyNumberBody,
        response: { 200: MyNumberStatus, ...authErrors },
      },
    },
    async (req) => {
      ownOnly(req, req.params.id, 'hacker');
      const status = await submitMyNumber(db, key(), req.params.id, req.body.my_number, tokyoDateOf(Date.now()));
      req.log.info({ hackerId: req.params.id }, 'my number submitted');
      return status;
    },
  );

  app.get(
    '/v1/hackers/:id/my-number',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: {
        tags: ['payouts'],
        summary: 'Whether a 個人番号 is on file (never the number)',
        params: IdParams,
        response: { 200: MyNumberStatus, ...authErrors },
      },
    },
    async (req) => {
      ownOnly(req, req.params.id, 'hacker');
      if (!(await hackerExists(db, req.params.id))) throw notFound('hacker');
      return myNumberStatus(db, req.params.id);
    },
  );

  app.post(
    '/v1/payees/:id/my-number/read',
    {
      config: { roles: ['finance'] },
      schema: {
        tags: ['payouts'],
        summary: "Read a payee's 個人番号 (finance with the My Number permission; logged)",
        description: 'Answers the number (null when none is on file). Needs the `my_number_access` permission an admin grants; every read is logged with the reader, the time and `purpose`.',
        params: IdParams,
        body: MyNumberReadBody,
        response: { 200: MyNumberRead, ...authErrors },
      },
    },
    async (req) => {
      const reader = await refusalNow(req);
      if (!(await hackerExists(db, req.params.id))) throw notFound('payee');
      const numbers = await readMyNumbers(db, key(), reader, [req.params.id], req.body.purpose);
      req.log.info({ hackerId: req.params.id, readerId: reader.id }, 'my number read');
      return { hacker_id: req.params.id, my_number: numbers.get(req.params.id) ?? null };
    },
  );

  app.put(
    '/v1/users/:id/my-number-access',
    {
      config: { audit: 'user.my_number_access', roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'Grant or withdraw the My Number read permission (admin; finance users only)',
        params: IdParams,
        body: MyNumberAccessBody,
        response: { 200: MyNumberAccess, ...authErrors },
      },
    },
    async (req) => {
      if (!(await db.selectFrom('users').select('id').where('id', '=', req.params.id).executeTakeFirst())) throw notFound('user');
      await setMyNumberAccess(db, req.params.id, req.body.granted);
      req.log.info({ userId: req.params.id, granted: req.body.granted }, 'my number access changed');
      return { user_id: req.params.id, my_number_access: req.body.granted };
    },
  );

  app.get(
    '/v1/payouts/statutory-records/:year',
    {
      config: { roles: FINANCE },
      schema: {
        tags: ['payouts'],
        summary: "A year's 支払調書: statements due and the e-filing threshold",
        description: 'Statements due (per payee and category, confirmed payments over ¥50,000 in the year), the count two years before against the e-filing threshold (100), and the due date.',
        params: YearParams,
        response: { 200: StatutorySummary, ...authErrors },
      },
    },
    async (req) => statutorySummary(db, req.params.year),
  );

  app.get(
    '/v1/payouts/statutory-records/:year/tax-office.csv',
    {
      config: { roles: ['finance'] },
      schema: {
        tags: ['payouts'],
        summary: "The tax office's 支払調書 (e-Tax CSV, 309; finance with the My Number permission)",
        description:
          "報酬、料金、契約金及び賞金の支払調書 records in the e-Tax CSV layout (法定資料 309), one per payee and category, with each individual's 個人番号 read from the vault (each read logged) or a corporation's 法人番号. Needs the `my_number_access` permission.",
        params: YearParams,
        response: { 200: FileAnswer('text/csv', '309 records, one a line, CRLF, no header'), ...authErrors },
      },
    },
    async (req, reply) => {
      const reader = await refusalNow(req);
      const csv = await taxOfficeCsv(db, key(), config, reader, req.params.year);
      req.log.info({ year: req.params.year, readerId: reader.id }, 'statutory records exported for the tax office');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="shiharai-chosho-309-${req.params.year}.csv"`)
        .send(csv);
    },
  );

  app.get(
    '/v1/hackers/:id/statutory-records/:year/pdf',
    {
      config: { roles: [...FINANCE, 'hacker'] },
      schema: {
        tags: ['payouts'],
        summary: "The payee's copy of a year's 支払調書 (PDF, never the 個人番号)",
        description: "The payee's copy (支払を受ける者の控え) of their statements of the year; 404 when none is due (or for another hacker's).",
        params: PayeeYearParams,
        response: { 200: FileAnswer('application/pdf', "the payee's copy, A4, Japanese"), ...authErrors },
      },
    },
    async (req, reply) => {
      ownOnly(req, req.params.id, 'statutory record');
      const pdf = await payeeCopyPdf(db, config, req.params.id, req.params.year);
      if (!pdf) throw notFound('statutory record');
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="shiharai-chosho-${req.params.year}-${req.params.id}.pdf"`).send(pdf);
    },
  );
};
