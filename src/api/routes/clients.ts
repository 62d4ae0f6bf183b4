// Clients: staff create them; client users see only their own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createClient, getClient, listClients } from '../../clients/clients.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { Client, NewClient } from '../schemas/clients.ts';
import { authErrors, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';

export const clientRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {

  app.post(
    '/v1/clients',
    { config: { roles: STAFF }, schema: { tags: ['clients'], summary: 'Create a client company (CS, admin)', body: NewClient, response: { 201: Client, ...authErrors } } },
    async (req, reply) => {
      const row = await createClient(db, req.body);
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
      const limit = req.query.limit ?? 100;
      const clientId = req.user.role === 'client' ? req.user.client_id! : undefined;
      const items = await listClients(db, { clientId, afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/clients/:id',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['clients'], summary: 'One client', params: IdParams, response: { 200: Client, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const row = await getClient(db, req.params.id);
      if (!row) throw notFound('client');
      return row;
    },
  );
};
