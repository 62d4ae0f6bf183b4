import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { STAFF } from '../auth.ts';
import { forbidden, notFound } from '../errors.ts';
import { authErrors, Id, IdParams, Name, Tag, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

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
    skills: Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] }),
    industries: Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] }),
  },
  { additionalProperties: false },
);

export function hackerRoutes(app: FastifyInstance, { db }: ApiDeps) {
  app.post<{ Body: Static<typeof NewHacker> }>(
    '/v1/hackers',
    { config: { roles: STAFF }, schema: { tags: ['hackers'], body: NewHacker, response: { 201: Hacker, ...authErrors } } },
    async (req, reply) => {
      const row = await db.insertInto('hackers').values(req.body).returningAll().executeTakeFirstOrThrow();
      req.log.info({ hackerId: row.id }, 'hacker created');
      return reply.status(201).send(row);
    },
  );

  app.get(
    '/v1/hackers',
    {
      config: { roles: [...STAFF, 'finance'] },
      schema: { tags: ['hackers'], response: { 200: Type.Object({ items: Type.Array(Hacker) }), ...authErrors } },
    },
    async () => ({ items: await db.selectFrom('hackers').selectAll().orderBy('id').execute() }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/hackers/:id',
    {
      config: { roles: [...STAFF, 'finance', 'hacker'] },
      schema: { tags: ['hackers'], params: IdParams, response: { 200: Hacker, ...authErrors } },
    },
    async (req) => {
      if (req.user.role === 'hacker' && req.user.hacker_id !== req.params.id) throw forbidden('hackers see only themselves');
      const row = await db.selectFrom('hackers').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!row) throw notFound('hacker');
      return row;
    },
  );
}
