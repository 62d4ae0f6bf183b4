// Growth hackers: staff add them; finance and staff list them; a hacker sees only its own profile,
// track record and managed contracts (a monthly retainer; ending one: managed-contracts.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHacker, hackerExists, hackerProfile, listHackers } from '../../network/hackers.ts';
import { createContract, listContracts } from '../../network/managed.ts';
import { trackRecord } from '../../network/track-records.ts';
import { accruingEarnings, hackerProposals } from '../../network/hacker-work.ts';
import type { FastifyRequest } from 'fastify';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import { AccruingEarnings, Contract, Contracts, Hacker, HackerProposals, HackerWithGrade, NewContract, NewHacker, TrackRecord } from '../schemas/hackers.ts';

/** A hacker sees only itself: another hacker does not exist for it (404). */
function assertSelf(req: FastifyRequest, hackerId: number) {
  if (req.user.role === 'hacker' && req.user.hacker_id !== hackerId) throw notFound('hacker');
}

export const hackerRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {

  app.post(
    '/v1/hackers',
    { config: { roles: STAFF }, schema: { tags: ['hackers'], summary: 'Add a growth hacker to the network (CS, admin)', body: NewHacker, response: { 201: Hacker, ...authErrors } } },
    async (req, reply) => {
      const row = await createHacker(db, req.body);
      req.log.info({ hackerId: row.id }, 'hacker created');
      return reply.status(201).send(row);
    },
  );

  app.get(
    '/v1/hackers',
    {
      config: { roles: [...STAFF, 'finance'] },
      schema: { tags: ['hackers'], summary: 'List growth hackers (paged)', querystring: PagedQuery({}), response: { 200: PageOf(Hacker), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const items = await listHackers(db, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/hackers/:id',
    {
      config: { roles: [...STAFF, 'finance', 'hacker'] },
      schema: {
        tags: ['hackers'],
        summary: 'One growth hacker with its current grade (hackers: only themselves)',
        description: 'The profile; `grade` is the latest monthly grade (gold / silver / bronze / none; history and track record on /track-record).',
        params: IdParams,
        response: { 200: HackerWithGrade, ...authErrors },
      },
    },
    async (req) => {
      assertSelf(req, req.params.id);
      const profile = await hackerProfile(db, req.params.id);
      if (!profile) throw notFound('hacker');
      return profile;
    },
  );

  app.get(
    '/v1/hackers/:id/track-record',
    {
      config: { roles: [...STAFF, 'hacker'] },
      schema: {
        tags: ['network'],
        summary: "A hacker's track record and grade (staff; the hacker itself)",
        description: 'Overall, per industry and per skill: proposals, adoptions, tests won / lost / inconclusive, win rate (raw and shrunk), median lift of wins, last activity; the current grade and its monthly history.',
        params: IdParams,
        response: { 200: TrackRecord, ...authErrors },
      },
    },
    async (req) => {
      assertSelf(req, req.params.id);
      if (!(await hackerExists(db, req.params.id))) throw notFound('hacker');
      return trackRecord(db, req.params.id);
    },
  );

  app.post(
    '/v1/hackers/:id/managed-contracts',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: 'Contract a hacker as managed: a monthly retainer paid in advance (CS, admin)',
        description: 'The retainer accrues on the 1st of each Tokyo month (ledger kind `managed_retainer`, one line per contract and month) and flows into the payout run with withholding, until `end_month`.',
        params: IdParams,
        body: NewContract,
        response: { 201: Contract, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const c = await createContract(db, { hackerId: req.params.id, monthlyRetainerYen: req.body.monthly_retainer_yen, startMonth: req.body.start_month, endMonth: req.body.end_month ?? null, actorUserId: req.user.id });
      return reply.status(201).send(c);
    },
  );

  app.get(
    '/v1/hackers/:id/managed-contracts',
    {
      config: { roles: [...STAFF, 'finance', 'hacker'] },
      schema: { tags: ['network'], summary: "A hacker's managed contracts", params: IdParams, response: { 200: Contracts, ...authErrors } },
    },
    async (req) => {
      assertSelf(req, req.params.id);
      return { items: await listContracts(db, req.params.id) };
    },
  );

  app.get(
    '/v1/hackers/:id/proposals',
    {
      config: { roles: [...STAFF, 'hacker'] },
      schema: {
        tags: ['hackers'],
        summary: "A hacker's proposals across offers with their fate (staff; the hacker itself)",
        description: 'Newest first: each proposal with its offer, client and month, and its fate: submitted, returned (with CS\'s reason), passed, selected, not_selected, won, lost or withdrawn. Another hacker\'s is a 404 for a hacker.',
        params: IdParams,
        response: { 200: HackerProposals, ...authErrors },
      },
    },
    async (req) => {
      assertSelf(req, req.params.id);
      if (!(await hackerExists(db, req.params.id))) throw notFound('hacker');
      return { items: await hackerProposals(db, req.params.id) };
    },
  );

  app.get(
    '/v1/hackers/:id/earnings',
    {
      config: { roles: ['admin', 'finance', 'hacker'] },
      schema: {
        tags: ['payouts'],
        summary: "What a hacker's work in cycles still running has earned so far (accruing, not yet in the ledger)",
        description:
          "Line by line: submission and adoption fees of the hacker's proposals in cycles not yet ended, as the cycle's end will write them to the ledger (`GET /v1/hackers/:id/ledger` holds the written lines, paid or not). A win bonus and a team retainer accrue when the cycle completes. Another hacker's is a 404 for a hacker.",
        params: IdParams,
        response: { 200: AccruingEarnings, ...authErrors },
      },
    },
    async (req) => {
      assertSelf(req, req.params.id);
      if (!(await hackerExists(db, req.params.id))) throw notFound('hacker');
      return accruingEarnings(db, req.params.id);
    },
  );
};
