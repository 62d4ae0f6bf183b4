// The network: track records and grades, explained invitations, growth teams and their monthly
// review, managed contracts; revenue impact and the holdout.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { holdoutReport, revenueImpact, setHoldout } from '../../cycles/impact.ts';
import { offerInvitations } from '../../cycles/offers.ts';
import { TEAM_DEFAULTS } from '../../domain/network/teams.ts';
import { createContract, endContract, listContracts } from '../../network/managed.ts';
import { formTeam, teamOf, teamReview } from '../../network/teams.ts';
import { trackRecord } from '../../network/track-records.ts';
import { decideTeamSuggestionUpdate } from '../../workflows/engagement.ts';
import { assertManages, assertManagesClient, engagementFor } from '../access.ts';
import { actorOf, assertClientAccess, STAFF } from '../auth.ts';
import { forbidden, notFound, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Month, Nullable, Tag, Timestamp } from '../schemas/common.ts';
import { TeamBody } from '../schemas/engagements.ts';
import type { ApiDeps } from '../deps.ts';

const Stats = {
  proposals: Type.Integer(),
  adopted: Type.Integer(),
  tests_won: Type.Integer(),
  tests_lost: Type.Integer(),
  tests_inconclusive: Type.Integer(),
  win_rate: Nullable(Type.Number({ description: 'won ÷ decided' })),
  shrunk_win_rate: Type.Number({ description: 'shrunk toward the platform prior (2.5 wins in 10)' }),
  median_win_lift: Nullable(Type.Number({ description: 'median relative lift of the won tests' })),
  last_activity_at: Nullable(Type.String({ format: 'date-time' })),
};
const GradeName = Type.Union([Type.Literal('gold'), Type.Literal('silver'), Type.Literal('bronze'), Type.Literal('none')]);
const TrackRecord = Type.Object({
  hacker_id: Id,
  overall: Type.Object(Stats),
  by_industry: Type.Array(Type.Object({ industry: Type.String(), ...Stats })),
  by_skill: Type.Array(Type.Object({ skill: Type.String(), ...Stats })),
  grade: GradeName,
  grade_month: Nullable(Month),
  grade_history: Type.Array(Type.Object({ month: Month, grade: GradeName, shrunk_win_rate: Type.Number(), decided_tests: Type.Integer(), wins: Type.Integer() })),
});

const Part = Type.Object({ value: Type.Number({ description: '0..1' }), weight: Type.Number(), points: Type.Number({ description: 'value × weight; the parts add up to the score' }) });
const Parts = Nullable(Type.Object({ industry_win_rate: Part, adoption_rate: Part, skill_match: Part, recency: Part }));
const Invitations = Type.Object({
  offer_id: Id,
  kind: Type.String(),
  invited: Type.Array(Type.Object({ hacker_id: Id, display_name: Type.String(), reason: Type.String(), rank: Nullable(Type.Integer()), score: Nullable(Type.Number()), parts: Parts, created_at: Timestamp })),
  left_out: Type.Array(Type.Object({ hacker_id: Id, display_name: Type.String(), reason: Type.String({ description: 'below_cut, at_capacity, inactive' }), score: Nullable(Type.Number()), parts: Parts })),
});

const Contribution = Type.Object({ hacker_id: Id, share_percent: Type.Integer(), proposals: Type.Integer(), adoptions: Type.Integer(), wins: Type.Integer(), median_response_hours: Nullable(Type.Number()) });
const Suggestion = Type.Object({
  id: Id,
  out_hacker_id: Id,
  in_hacker_id: Id,
  share_percent: Type.Integer(),
  reason: Type.String(),
  status: Type.String({ description: 'pending, accepted or dismissed' }),
  decided_by: Nullable(Id),
  decided_at: Nullable(Timestamp),
  decision_reason: Nullable(Type.String()),
  created_at: Timestamp,
});
const Review = Type.Object({ id: Id, engagement_id: Id, month: Type.String(), members: Type.Array(Contribution), suggestions: Type.Array(Suggestion), created_at: Timestamp });
const Decision = Type.Object(
  { decision: Type.Union([Type.Literal('accept'), Type.Literal('dismiss')]), reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false, examples: [{ decision: 'accept', reason: 'no proposal in two months; the suggested hacker won twice in finance' }] },
);

const Contract = Type.Object({ id: Id, hacker_id: Id, monthly_retainer_yen: Type.Integer(), start_month: Month, end_month: Nullable(Month), created_by: Id, ended_by: Nullable(Id), created_at: Timestamp });

const ImpactRow = Type.Object({
  key: Type.String({ description: 'test-<id>, engagement-<id>, client-<id>, YYYY-MM or platform' }),
  tests: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  inconclusive: Type.Integer(),
  invalid: Type.Integer(),
  win_rate: Nullable(Type.Number()),
  monthly_uplift_yen: Type.Integer(),
  cumulative_uplift_yen: Type.Integer(),
  fees_yen: Type.Integer(),
  roi: Nullable(Type.Number({ description: 'cumulative uplift ÷ fees' })),
});
const Interval = Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }));
const Holdout = Type.Object({
  client_id: Id,
  holdout_percent: Type.Number(),
  holdout: Type.Object({ n: Type.Integer(), conversions: Type.Integer() }),
  rest: Type.Object({ n: Type.Integer(), conversions: Type.Integer() }),
  effect: Type.Object({ holdout_rate: Nullable(Type.Number()), rest_rate: Nullable(Type.Number()), absolute: Nullable(Type.Number()), absolute_ci: Interval, relative: Nullable(Type.Number()), relative_ci: Interval }),
});

export function networkRoutes(base: FastifyInstance, { db, temporal }: ApiDeps) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

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
      if (req.user.role === 'hacker' && req.user.hacker_id !== req.params.id) throw forbidden('hackers see only their own track record');
      const h = await db.selectFrom('hackers').select('id').where('id', '=', req.params.id).executeTakeFirst();
      if (!h) throw notFound('hacker');
      return trackRecord(db, req.params.id);
    },
  );

  app.get(
    '/v1/offers/:id/invitations',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Who an offer invited, each score's parts, and who was left out near the cut (CS, admin)",
        params: IdParams,
        response: { 200: Invitations, ...authErrors },
      },
    },
    async (req) => offerInvitations(db, req.params.id),
  );

  app.get(
    '/v1/engagements/:id/team',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['network'], summary: 'The growth team and its latest monthly review', params: IdParams, response: { 200: Type.Intersect([TeamBody, Type.Object({ review: Nullable(Review) })]), ...authErrors } },
    },
    async (req) => {
      await engagementFor(db, req, req.params.id);
      return { ...(await teamOf(db, req.params.id)), review: await teamReview(db, req.params.id, null) };
    },
  );

  app.post(
    '/v1/engagements/:id/team/form',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: 'Form the growth team from the best-ranked available hackers (CS, admin)',
        description: "Default 10 members at 10% each, ranked for the client's industry (and skills); hackers without room for the share are skipped.",
        params: IdParams,
        body: Type.Object(
          {
            size: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: TEAM_DEFAULTS.size })),
            share_percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: TEAM_DEFAULTS.sharePercent })),
            skills: Type.Optional(Type.Array(Tag, { maxItems: 10 })),
          },
          { additionalProperties: false, examples: [{ size: 10, share_percent: 10, skills: ['form'] }] },
        ),
        response: { 200: TeamBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      assertManages(req, await engagementFor(db, req, req.params.id));
      return formTeam(db, req.params.id, { size: req.body.size ?? TEAM_DEFAULTS.size, sharePercent: req.body.share_percent ?? TEAM_DEFAULTS.sharePercent, skills: req.body.skills ?? [] });
    },
  );

  app.post(
    '/v1/engagements/:id/team/suggestions/:suggestionId/decision',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Accept or dismiss a team review's suggestion (CS, admin)",
        description: "A Temporal update on the engagement workflow: recorded with who and why. Accept swaps the members (the new one takes the old one's share); the next team offer reaches the new member, not the old one.",
        params: Type.Object({ id: Id, suggestionId: Id }, { additionalProperties: false }),
        body: Decision,
        response: { 200: Suggestion, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const e = await engagementFor(db, req, req.params.id);
      assertManages(req, e);
      await viaUpdate(
        () =>
          temporal.workflow.getHandle(e.workflow_id).executeUpdate(decideTeamSuggestionUpdate, {
            args: [{ suggestion_id: req.params.suggestionId, decision: req.body.decision, reason: req.body.reason, actor: actorOf(req) }],
          }),
        `Engagement ${e.id} has no running workflow.`,
      );
      return db.selectFrom('team_suggestions').selectAll().where('id', '=', req.params.suggestionId).executeTakeFirstOrThrow();
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
        body: Type.Object(
          { monthly_retainer_yen: Type.Integer({ minimum: 1, maximum: 100_000_000 }), start_month: Month, end_month: Type.Optional(Month) },
          { additionalProperties: false, examples: [{ monthly_retainer_yen: 300000, start_month: '2026-04' }] },
        ),
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
      schema: { tags: ['network'], summary: "A hacker's managed contracts", params: IdParams, response: { 200: Type.Object({ items: Type.Array(Contract) }), ...authErrors } },
    },
    async (req) => {
      if (req.user.role === 'hacker' && req.user.hacker_id !== req.params.id) throw forbidden('hackers see only their own contracts');
      return { items: await listContracts(db, req.params.id) };
    },
  );

  app.post(
    '/v1/managed-contracts/:id/end',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: 'End a managed contract after a month (CS, admin)',
        description: 'No retainer accrues for months after `end_month`; an earlier end than already set wins, a later one is ignored.',
        params: IdParams,
        body: Type.Object({ end_month: Month }, { additionalProperties: false, examples: [{ end_month: '2026-09' }] }),
        response: { 200: Contract, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => endContract(db, { contractId: req.params.id, endMonth: req.body.end_month, actorUserId: req.user.id }),
  );

  app.get(
    '/v1/impact',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: {
        tags: ['network'],
        summary: 'Revenue impact, conservative (per test, engagement, client, month or the platform)',
        description: 'Uplift in yen per month and cumulative from the lower confidence bound of each winner, wins / losses / inconclusive, win rate, fees and ROI. `group_by=month` gives the win rate over time and the uplift in force in each contract month. Client users see only their own.',
        querystring: Type.Object(
          { group_by: Type.Optional(Type.Union(['test', 'engagement', 'client', 'month', 'platform'].map((g) => Type.Literal(g)))), as_of: Type.Optional(Month), client_id: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ group_by: Type.String(), as_of: Month, basis: Type.String(), rows: Type.Array(ImpactRow) }), ...authErrors },
      },
    },
    async (req) => {
      const clientId = req.user.role === 'client' ? req.user.client_id! : req.query.client_id;
      return revenueImpact(db, { groupBy: (req.query.group_by ?? 'platform') as 'platform', asOf: req.query.as_of, clientId });
    },
  );

  app.get(
    '/v1/clients/:id/holdout',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['network'], summary: "The client's persistent holdout and the measured total effect of its tests", params: IdParams, response: { 200: Holdout, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const c = await db.selectFrom('clients').select('id').where('id', '=', req.params.id).executeTakeFirst();
      if (!c) throw notFound('client');
      return holdoutReport(db, req.params.id);
    },
  );

  app.put(
    '/v1/clients/:id/holdout',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Set the client's persistent holdout share (CS, admin)",
        description: 'That share of visitors always gets the original page in every test of this client (sticky per visitor across tests). Applies to tests created from now on; a running test keeps its split.',
        params: IdParams,
        body: Type.Object({ holdout_percent: Type.Number({ minimum: 0, maximum: 50 }) }, { additionalProperties: false, examples: [{ holdout_percent: 5 }] }),
        response: { 200: Type.Object({ id: Id, holdout_percent: Type.Number() }), ...authErrors },
      },
    },
    async (req) => {
      await assertManagesClient(db, req, req.params.id);
      const row = await setHoldout(db, req.params.id, req.body.holdout_percent);
      if (!row) throw notFound('client');
      return row;
    },
  );
}
