import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { STAFF } from '../auth.ts';
import { forbidden, notFound } from '../errors.ts';
import { authErrors, Id, IdParams, Name, nextAfter, PagedQuery, PageOf, Tag, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const Kind = Type.Union([Type.Literal('individual'), Type.Literal('corporation')]);
const Residency = Type.Union([Type.Literal('resident'), Type.Literal('non_resident')]);
const Hacker = Type.Object({
  id: Id,
  display_name: Type.String(),
  kind: Kind,
  residency: Residency,
  skills: Type.Array(Type.String()),
  industries: Type.Array(Type.String()),
  status: Type.String(),
  created_at: Timestamp,
});
const NewHacker = Type.Object(
  {
    display_name: Name,
    kind: Kind,
    residency: Residency,
    skills: Type.Optional(Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] })),
    industries: Type.Optional(Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] })),
  },
  { additionalProperties: false, examples: [{ display_name: 'Aiko Tanaka', kind: 'individual', residency: 'resident', skills: ['design', 'frontend'], industries: ['finance'] }] },
);

export function hackerRoutes(app: FastifyInstance, { db }: ApiDeps) {
  app.post<{ Body: Static<typeof NewHacker> }>(
    '/v1/hackers',
    { config: { roles: STAFF }, schema: { tags: ['hackers'], summary: 'Add a growth hacker to the network (CS, admin)', body: NewHacker, response: { 201: Hacker, ...authErrors } } },
    async (req, reply) => {
      const row = await db.insertInto('hackers').values({ ...req.body, skills: req.body.skills ?? [], industries: req.body.industries ?? [] }).returningAll().executeTakeFirstOrThrow();
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
      const { limit = 100, after_id } = req.query as { limit?: number; after_id?: number };
      let q = db.selectFrom('hackers').selectAll().orderBy('id').limit(limit);
      if (after_id) q = q.where('id', '>', after_id);
      const items = await q.execute();
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/hackers/:id',
    {
      config: { roles: [...STAFF, 'finance', 'hacker'] },
      schema: {
        tags: ['hackers'],
        summary: 'One growth hacker with its current grade (hackers: only themselves)',
        description: 'The profile; `grade` is the latest monthly grade (gold / silver / bronze / none; history and track record on /track-record).',
        params: IdParams,
        response: { 200: Type.Intersect([Hacker, Type.Object({ grade: Type.String({ description: 'gold, silver, bronze or none' }), grade_month: Type.Union([Type.String(), Type.Null()]) })]), ...authErrors },
      },
    },
    async (req) => {
      if (req.user.role === 'hacker' && req.user.hacker_id !== req.params.id) throw forbidden('hackers see only themselves');
      const row = await db.selectFrom('hackers').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!row) throw notFound('hacker');
      const g = await db.selectFrom('hacker_grades').select(['grade', 'month']).where('hacker_id', '=', row.id).orderBy('month', 'desc').limit(1).executeTakeFirst();
      return { ...row, grade: g?.grade ?? 'none', grade_month: g?.month ?? null };
    },
  );
}
