// Clients: staff create them; client users see only their own; the client's persistent holdout.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clientExists, createClient, getClient, listClients } from '../../clients/clients.ts';
import { holdoutReport, setHoldout } from '../../cycles/impact.ts';
import { setClientKillSwitch } from '../../site/serving.ts';
import { action, assertManagesClient, manageClientRefusal, manageClientsRefusals, routeRefusal } from '../access.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { Client, ClientDetail, ClientKillSwitch, ClientListItem, HoldoutBody, HoldoutSet, HoldoutView, NewClient } from '../schemas/clients.ts';
import { KillSwitchBody } from '../schemas/tests.ts';
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
      schema: { tags: ['clients'], summary: 'List clients (client users: their own)', querystring: PagedQuery({}), response: { 200: PageOf(ClientListItem), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const clientId = req.user.role === 'client' ? req.user.client_id! : undefined;
      const rows = await listClients(db, { clientId, afterId: req.query.after_id, limit });
      const role = routeRefusal(req, 'POST', '/v1/clients/:id/site-keys');
      const scopes = role ? undefined : await manageClientsRefusals(db, req, rows.map((c) => c.id));
      const items = rows.map((c) => ({ ...c, actions: { manage_site_keys: action(role, scopes?.get(c.id)) } }));
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/clients/:id',
    {
      config: { roles: [...STAFF, 'finance', 'client'] },
      schema: { tags: ['clients'], summary: 'One client', params: IdParams, response: { 200: ClientDetail, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      const row = await getClient(db, req.params.id);
      if (!row) throw notFound('client');
      const manage = req.user.role === 'client' ? undefined : await manageClientRefusal(db, req, row.id);
      return { ...row, actions: { kill_switch: action(routeRefusal(req, 'PUT', '/v1/clients/:id/kill-switch'), manage) } };
    },
  );

  app.put(
    '/v1/clients/:id/kill-switch',
    {
      config: { audit: 'kill_switch.client', roles: STAFF },
      schema: {
        tags: ['clients'],
        summary: "Turn the client's kill switch on or off (CS, admin)",
        description: "On: the site config carries no test and no served winner, so the client's site shows its own pages within one config cache period (the SDK's). Off: everything is back.",
        params: IdParams,
        body: KillSwitchBody,
        response: { 200: ClientKillSwitch, ...authErrors },
      },
    },
    async (req) => {
      await assertManagesClient(db, req, req.params.id);
      return setClientKillSwitch(db, req.params.id, req.body.on);
    },
  );

  app.get(
    '/v1/clients/:id/holdout',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['network'], summary: "The client's persistent holdout and the measured total effect of its tests", params: IdParams, response: { 200: HoldoutView, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      if (!(await clientExists(db, req.params.id))) throw notFound('client');
      const set = action(routeRefusal(req, 'PUT', '/v1/clients/:id/holdout'), await manageClientRefusal(db, req, req.params.id));
      return { ...(await holdoutReport(db, req.params.id)), actions: { set } };
    },
  );

  app.put(
    '/v1/clients/:id/holdout',
    {
      config: { audit: 'holdout.set', roles: STAFF },
      schema: {
        tags: ['network'],
        summary: "Set the client's persistent holdout share (CS, admin)",
        description: 'That share of visitors always gets the original page in every test of this client (sticky per visitor across tests). Applies to tests created from now on; a running test keeps its split.',
        params: IdParams,
        body: HoldoutBody,
        response: { 200: HoldoutSet, ...authErrors },
      },
    },
    async (req) => {
      await assertManagesClient(db, req, req.params.id);
      const row = await setHoldout(db, req.params.id, req.body.holdout_percent);
      if (!row) throw notFound('client');
      return row;
    },
  );
};
