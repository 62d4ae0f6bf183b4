import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { assertClientAccess, STAFF } from '../auth.ts';
import { notFound } from '../errors.ts';
import { authErrors, Id, IdParams, Name, nextAfter, PagedQuery, PageOf, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const Client = Type.Object({ id: Id, name: Type.String(), industry: Type.String(), created_at: Timestamp });
const NewClient = Type.Object(
  { name: Name, industry: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9_-]*$' }) },
  { additionalProperties: false, examples: [{ name: '株式会社サンプル', industry: 'finance' }] },
);

export function clientRoutes(app: FastifyInstance, { db }: ApiDeps) {
  app.post<{ Body: Static<typeof NewClient> }>(
    '/v1/clients',
    { config: { roles: STAFF }, schema: { tags: ['clients'], summary: 'Create a client company (CS, admin)', body: NewClient, response: { 201: Client, ...authErrors } } },
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
      schema: { tags: ['clients'], summary: 'List clients (client users: their own)', querystring: PagedQuery({}), response: { 200: PageOf(Client), ...authErrors } },
    },
    async (req) => {
      const { limit = 100, after_id } = req.query as { limit?: number; after_id?: number };
      let q = db.selectFrom('clients').selectAll().orderBy('id').limit(limit);
      if (req.user.role === 'client') q = q.where('id', '=', req.user.client_id!);
      if (after_id) q = q.where('id', '>', after_id);
      const items = await q.execute();
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/v1/clients/:id',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['clients'], summary: 'One client', params: IdParams, response: { 200: Client, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const row = await db.selectFrom('clients').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!row) throw notFound('client');
      return row;
    },
  );
}
