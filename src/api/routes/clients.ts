import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { assertClientAccess, STAFF } from '../auth.ts';
import { notFound } from '../errors.ts';
import { authErrors, Id, IdParams, Name, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

const Client = Type.Object({ id: Id, name: Type.String(), industry: Type.String(), created_at: Timestamp });
const NewClient = Type.Object(
  { name: Name, industry: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9_-]*$' }) },
  { additionalProperties: false },
);

export function clientRoutes(app: FastifyInstance, { db }: ApiDeps) {
  app.post<{ Body: Static<typeof NewClient> }>(
    '/v1/clients',
    { config: { roles: STAFF }, schema: { tags: ['clients'], body: NewClient, response: { 201: Client, ...authErrors } } },
    async (req, reply) => {
      const row = await db.insertInto('clients').values(req.body).returningAll().executeTakeFirstOrThrow();
      req.log.info({ clientId: row.id }, 'client created');
      return reply.status(201).send(row);
    },
  );

  app.get(
    '/v1/clients',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['clients'], response: { 200: Type.Object({ items: Type.Array(Client) }), ...authErrors } },
    },
    async (req) => {
      let q = db.selectFrom('clients').selectAll().orderBy('id');
      if (req.user.role === 'client') q = q.where('id', '=', req.user.client_id!);
      return { items: await q.execute() };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['clients'], params: IdParams, response: { 200: Client, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const row = await db.selectFrom('clients').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!row) throw notFound('client');
      return row;
    },
  );
}
