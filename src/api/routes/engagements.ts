import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { createEngagement, startEngagementWorkflow } from '../../engagements.ts';
import type { Engagement } from '../../db/schema.ts';
import { engagementStatusQuery, endEngagementUpdate } from '../../workflows/engagement.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import { badRequest, conflict, HttpError, notFound, viaUpdate } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Month, Nullable, Timestamp, Yen } from '../schemas.ts';
import type { ApiDeps } from '../app.ts';
import { NewPage, Settings } from './cycles.ts';

const OfferMode = Type.Union([Type.Literal('open'), Type.Literal('targeted'), Type.Literal('team')]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('ending'), Type.Literal('ended')]);

const EngagementBody = Type.Object({
  id: Id,
  client_id: Id,
  cs_manager_id: Id,
  offer_mode: OfferMode,
  monthly_fee_yen: Type.Integer(),
  start_month: Type.String(),
  current_month: Nullable(Type.String()),
  status: Status,
  workflow_id: Type.String(),
  month_length_seconds: Nullable(Type.Integer()),
  end_reason: Nullable(Type.String()),
  ends_at: Nullable(Timestamp),
  ended_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const WorkflowState = Type.Object({
  workflow_id: Type.String(),
  /** Temporal's execution status: RUNNING, COMPLETED, ... or NOT_FOUND. */
  execution_status: Type.String(),
  live: Nullable(
    Type.Object({
      status: Status,
      month: Type.String(),
      monthsCompleted: Type.Integer(),
      monthEndsAt: Type.String(),
      endReason: Type.Optional(Type.String()),
    }),
  ),
});

const NewEngagement = Type.Object(
  {
    client_id: Id,
    cs_manager_id: Type.Optional(Id),
    offer_mode: OfferMode,
    monthly_fee_yen: Yen,
    start_month: Type.Optional(Month),
    month_length_seconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 31 * 24 * 3600, description: 'demo/test only: seconds per month' }),
    ),
    settings: Type.Optional(Settings),
    pages: Type.Optional(Type.Array(NewPage, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

const EndBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('at_month_end'), Type.Literal('immediately')]),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const ListQuery = Type.Object(
  { client_id: Type.Optional(Id), status: Type.Optional(Status) },
  { additionalProperties: false },
);

export function engagementRoutes(app: FastifyInstance, deps: ApiDeps) {
  const { db, temporal, config } = deps;
  const readers = [...STAFF, 'finance', 'client'] as const;

  async function load(id: number): Promise<Engagement> {
    const row = await db.selectFrom('engagements').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('engagement');
    return row;
  }

  async function workflowState(e: Engagement): Promise<Static<typeof WorkflowState>> {
    const handle = temporal.workflow.getHandle(e.workflow_id);
    try {
      const description = await handle.describe();
      // A query needs a worker; never let a stopped worker hang the API.
      const live = await temporal.connection
        .withDeadline(Date.now() + 3_000, () => handle.query(engagementStatusQuery))
        .catch(() => null);
      return { workflow_id: e.workflow_id, execution_status: description.status.name, live };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { workflow_id: e.workflow_id, execution_status: 'NOT_FOUND', live: null };
      throw err;
    }
  }

  app.post<{ Body: Static<typeof NewEngagement>; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/engagements',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['engagements'],
        description: 'Persists the engagement, then starts its monthly workflow. Send an Idempotency-Key to retry safely.',
        headers: IdempotencyHeaders,
        body: NewEngagement,
        response: { 200: EngagementBody, 201: EngagementBody, ...authErrors, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { engagement, replayed } = await createEngagement(db, req.user, req.body, req.headers['idempotency-key']);
      const client = await db.selectFrom('clients').select('name').where('id', '=', engagement.client_id).executeTakeFirstOrThrow();
      try {
        await startEngagementWorkflow(temporal, config.taskQueue, engagement, client.name);
      } catch (err) {
        req.log.error({ err, engagementId: engagement.id }, 'engagement saved but its workflow did not start');
        throw new HttpError(
          503,
          'workflow_unavailable',
          `engagement ${engagement.id} was saved but its workflow could not start; retry with the same Idempotency-Key (the worker also starts missing workflows when it boots)`,
        );
      }
      req.log.info({ engagementId: engagement.id, replayed }, replayed ? 'engagement create replayed' : 'engagement created');
      return reply.status(replayed ? 200 : 201).send(engagement);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/engagements',
    {
      config: { roles: readers },
      schema: {
        tags: ['engagements'],
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(EngagementBody) }), ...authErrors },
      },
    },
    async (req) => {
      let q = db.selectFrom('engagements').selectAll().orderBy('id');
      if (req.user.role === 'client') q = q.where('client_id', '=', req.user.client_id!);
      if (req.query.client_id) q = q.where('client_id', '=', req.query.client_id);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      return { items: await q.execute() };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/engagements/:id',
    {
      config: { roles: readers },
      schema: {
        tags: ['engagements'],
        description: 'The Postgres record plus the workflow\'s live state (a query; null when no worker answers).',
        params: IdParams,
        response: { 200: Type.Intersect([EngagementBody, Type.Object({ workflow: WorkflowState })]), ...authErrors },
      },
    },
    async (req) => {
      const e = await load(req.params.id);
      assertClientAccess(req, e.client_id);
      return { ...e, workflow: await workflowState(e) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EndBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/engagements/:id/end',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['engagements'],
        description: 'Ends the engagement at the end of the current month, or immediately with a reason.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: EndBody,
        response: { 200: EngagementBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const e = await load(req.params.id);
      if (req.body.mode === 'immediately' && !req.body.reason?.trim()) {
        throw badRequest('/body/reason is required to end immediately', [
          { path: '/body/reason', message: 'is required when mode is "immediately"' },
        ]);
      }
      if (e.status === 'ended') throw conflict(`engagement ${e.id} has already ended`);
      const handle = temporal.workflow.getHandle(e.workflow_id);
      await viaUpdate(
        () =>
          handle.executeUpdate(endEngagementUpdate, {
            args: [{ mode: req.body.mode, reason: req.body.reason, requestedBy: `user:${req.user.id}` }],
            ...(req.headers['idempotency-key'] ? { updateId: `end-${e.id}-${req.headers['idempotency-key']}` } : {}),
          }),
        `engagement ${e.id} has no running workflow`,
      );
      req.log.info({ engagementId: e.id, mode: req.body.mode }, 'engagement end accepted');
      return load(e.id);
    },
  );
}
