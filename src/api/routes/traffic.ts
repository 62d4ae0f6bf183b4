import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { assignVisitor, ingestEvents, loadTestMeta, TrafficError, type TestMeta } from '../../cycles/traffic.ts';
import { assertManages, testFor } from '../access.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import { conflict, notFound } from '../errors.ts';
import { authErrors, ErrorResponse, Id, IdParams, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const ExternalId = Type.String({ minLength: 1, maxLength: 200 });

const AssignmentQuery = Type.Object({ visitor: ExternalId }, { additionalProperties: false });
const AssignmentBody = Type.Object({ test_id: Id, visitor_id: Type.String(), variant_id: Id, arm: Type.String() });

const Event = Type.Object(
  {
    event_id: ExternalId,
    visitor_id: ExternalId,
    type: Type.Enum(['exposure', 'conversion']),
    value: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1e12, description: 'e.g. revenue in yen of a conversion; summed per visitor' }),
    ),
    occurred_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
const EventsBody = Type.Object(
  { events: Type.Array(Event, { minItems: 1, maxItems: 5000 }) },
  { additionalProperties: false, examples: [{ events: [{ event_id: 'v1-exp', visitor_id: 'v1', type: 'exposure' }, { event_id: 'v1-buy', visitor_id: 'v1', type: 'conversion', value: 8000 }] }] },
);
const IngestBody = Type.Object({
  accepted: Type.Integer({ description: 'events recorded by this call' }),
  duplicates: Type.Integer({ description: 'events whose id was already recorded for the test' }),
});

export function trafficRoutes(app: FastifyInstance, { db }: ApiDeps) {
  const callers = [...STAFF, 'client'] as const;

  /** 404 for an unknown test, 403 for another client's; the tenant is checked on every request. */
  async function authorize(req: FastifyRequest, testId: number): Promise<TestMeta> {
    const meta = await loadTestMeta(db, testId).catch(rethrow);
    if (!meta) throw notFound('test');
    assertClientAccess(req, meta.client_id);
    return meta;
  }

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof AssignmentQuery> }>(
    '/v1/tests/:id/assignment',
    {
      config: { roles: callers },
      schema: {
        tags: ['traffic'],
        summary: "A visitor's variant of a running test (the client's site)",
        description:
          'The variant a visitor sees: deterministic (sha256 of test and visitor id against the variant weights), so the same visitor always gets the same arm.',
        params: IdParams,
        querystring: AssignmentQuery,
        response: { 200: AssignmentBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(req, req.params.id);
      return assignVisitor(db, req.params.id, req.query.visitor).catch(rethrow);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EventsBody> }>(
    '/v1/tests/:id/events',
    {
      config: { roles: callers },
      schema: {
        tags: ['traffic'],
        summary: 'Post exposures and conversions of a running test (the client\'s site)',
        description:
          'Records exposures and conversions of a running test. An event id counts once per test, so a batch can be retried safely.',
        params: IdParams,
        body: EventsBody,
        response: { 200: IngestBody, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(req, req.params.id);
      // Traffic decides the test's verdict: a CS manager posts it only for an engagement they manage.
      assertManages(req, await testFor(db, req, req.params.id));
      return ingestEvents(db, req.params.id, req.body.events).catch(rethrow);
    },
  );
}

function rethrow(err: unknown): never {
  if (err instanceof TrafficError) {
    if (err.reason === 'test_not_found') throw notFound('test');
    throw conflict(err.message);
  }
  throw err;
}
