// Webhook endpoints (issue 27 item 4): admins register, change, rotate and delete them; the client's
// users and the CS managing the client read that client's endpoints and delivery logs. An endpoint
// the caller may not see (another client's, or a platform-wide one for anyone but an admin) is a 404.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
  type WebhookEndpointView,
} from '../../notify/webhooks.ts';
import { action, manageClientRefusal, manageClientsRefusals, routeRefusal } from '../access.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { authErrors, IdParams } from '../schemas/common.ts';
import {
  NewWebhookBody,
  UpdateWebhookBody,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookListQuery,
} from '../schemas/webhooks.ts';

const READERS = ['admin', 'cs_manager', 'client'] as const;

export const webhookRoutes: FastifyPluginAsyncTypebox<Pick<ApiDeps, 'db' | 'config'>> = async (app, { db, config }) => {
  const cfg = config.webhooks;

  /** Whether the caller may see this endpoint: admins all; a client's users and its CS managers that client's. */
  async function visible(req: FastifyRequest, e: WebhookEndpointView): Promise<boolean> {
    if (req.user.role === 'admin') return true;
    if (e.client_id === null) return false;
    if (req.user.role === 'client') return req.user.client_id === e.client_id;
    return (await manageClientRefusal(db, req, e.client_id)) === undefined;
  }
  async function endpointFor(req: FastifyRequest, id: number): Promise<WebhookEndpointView> {
    const e = await getEndpoint(db, id);
    if (!e || !(await visible(req, e))) throw notFound('webhook endpoint');
    return e;
  }
  const withActions = (req: FastifyRequest, e: WebhookEndpointView) => ({
    ...e,
    actions: {
      update: action(routeRefusal(req, 'PATCH', '/v1/webhooks/:id')),
      rotate: action(routeRefusal(req, 'POST', '/v1/webhooks/:id/rotate')),
      delete: action(routeRefusal(req, 'DELETE', '/v1/webhooks/:id')),
    },
  });

  app.get(
    '/v1/webhooks',
    {
      config: { roles: READERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook endpoints the caller may see (admins: all, or one client’s; CS: their clients’; a client: its own)',
        querystring: WebhookListQuery,
        response: { 200: WebhookEndpointList, ...authErrors },
      },
    },
    async (req) => {
      let items: WebhookEndpointView[];
      if (req.user.role === 'admin') items = await listEndpoints(db, { all: true, ...(req.query.client_id ? { clientId: req.query.client_id } : {}) });
      else if (req.user.role === 'client') items = await listEndpoints(db, { all: false, clientIds: req.user.client_id ? [req.user.client_id] : [] });
      else {
        const candidates = await listEndpoints(db, { all: true });
        const clientIds = [...new Set(candidates.flatMap((e) => (e.client_id === null ? [] : [e.client_id])))];
        const refusals = await manageClientsRefusals(db, req, clientIds);
        items = candidates.filter((e) => e.client_id !== null && refusals.get(e.client_id) === undefined);
      }
      if (req.query.client_id) items = items.filter((e) => e.client_id === req.query.client_id);
      return { items: items.map((e) => withActions(req, e)), actions: { create: action(routeRefusal(req, 'POST', '/v1/webhooks')) } };
    },
  );

  app.post(
    '/v1/webhooks',
    {
      config: { roles: ['admin'], idempotency: 'secret' },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint for a client (client_id) or platform-wide (client_id null or absent); admins',
        description: 'The signing secret (whsec_…) is in this answer only. Deliveries follow the Standard Webhooks spec; see docs/notifications.md.',
        body: NewWebhookBody,
        response: { 201: WebhookEndpointWithSecret, ...authErrors },
      },
    },
    async (req, reply) => {
      const { endpoint, secret } = await createEndpoint(db, cfg, {
        clientId: req.body.client_id ?? null,
        url: req.body.url,
        description: req.body.description ?? null,
        eventTypes: req.body.event_types,
        format: req.body.format ?? 'standard',
        createdBy: req.user.id,
      });
      return reply.status(201).send({ ...withActions(req, endpoint), secret });
    },
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { roles: READERS },
      schema: { tags: ['webhooks'], summary: 'One webhook endpoint (never its secret)', params: IdParams, response: { 200: WebhookEndpoint, ...authErrors } },
    },
    async (req) => withActions(req, await endpointFor(req, req.params.id)),
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { roles: READERS },
      schema: {
        tags: ['webhooks'],
        summary: "An endpoint's delivery log, newest first (the last 100): status, attempts, latency and last response code",
        params: IdParams,
        response: { 200: WebhookDeliveryList, ...authErrors },
      },
    },
    async (req) => {
      await endpointFor(req, req.params.id);
      return { items: await listDeliveries(db, req.params.id) };
    },
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['webhooks'], summary: 'Change an endpoint (URL, event types, format) or enable/disable it; admins', params: IdParams, body: UpdateWebhookBody, response: { 200: WebhookEndpoint, ...authErrors } },
    },
    async (req) => {
      await endpointFor(req, req.params.id);
      const e = await updateEndpoint(db, cfg, req.params.id, {
        url: req.body.url,
        description: req.body.description,
        eventTypes: req.body.event_types,
        format: req.body.format,
        enabled: req.body.enabled,
      });
      if (!e) throw notFound('webhook endpoint');
      return withActions(req, e);
    },
  );

  app.post(
    '/v1/webhooks/:id/rotate',
    {
      config: { roles: ['admin'], idempotency: 'secret' },
      schema: {
        tags: ['webhooks'],
        summary: "Rotate an endpoint's signing secret; admins",
        description: 'The new secret is in this answer only. For 24 hours every delivery is signed with both (two signatures in webhook-signature), so receivers can switch over.',
        params: IdParams,
        response: { 201: WebhookEndpointWithSecret, ...authErrors },
      },
    },
    async (req, reply) => {
      await endpointFor(req, req.params.id);
      const rotated = await rotateSecret(db, req.params.id);
      if (!rotated) throw notFound('webhook endpoint');
      return reply.status(201).send({ ...withActions(req, rotated.endpoint), secret: rotated.secret });
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['webhooks'], summary: 'Delete an endpoint (its pending deliveries are skipped; the answer is the endpoint as it was); admins', params: IdParams, response: { 200: WebhookEndpoint, ...authErrors } },
    },
    async (req) => {
      const e = await endpointFor(req, req.params.id);
      if (!(await deleteEndpoint(db, req.params.id))) throw notFound('webhook endpoint');
      return withActions(req, e);
    },
  );
};
