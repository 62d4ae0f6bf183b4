// Site keys, managed by CS and admins: create, list, rotate and revoke a client's public site keys.
// A key's revocation or rotation here is immediate at this process's gate (the shared key cache).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { createSiteKey, getSiteKey, listSiteKeys, normaliseOrigin, revokeSiteKey, rotateSiteKey, type SiteKey } from '../../db/site-keys.ts';
import { broadcastRevocation } from '../../db/revocations.ts';
import { action, assertManagesClient, manageClientRefusal, routeRefusal } from '../access.ts';
import { assertClientAccess, STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { badRequest, conflict, HttpError, notFound } from '../errors.ts';
import { authErrors, ErrorResponse, IdParams } from '../schemas/common.ts';
import { NewKeyAnswer, NewKeyBody, RotateAnswer, RotateBody, SiteKeyList, SiteKeyRow } from '../schemas/site.ts';

export const siteKeyRoutes: FastifyPluginAsyncTypebox<Pick<ApiDeps, 'db'>> = async (app, { db }) => {
  async function keyForChange(req: FastifyRequest, id: number): Promise<SiteKey> {
    const key = await getSiteKey(db, id);
    if (!key) throw notFound('site key');
    await assertManagesClient(db, req, key.client_id);
    return key;
  }

  app.post(
    '/v1/clients/:id/site-keys',
    {
      config: { audit: 'site_key.create', roles: STAFF, idempotency: 'secret' },
      schema: {
        tags: ['site'],
        summary: "Create a public site key for one of the client's sites (CS managing the client, admin)",
        description: 'The key is shown once. It can only read the running test configuration of this client and post its events, from the listed origins.',
        params: IdParams,
        body: NewKeyBody,
        response: { 201: NewKeyAnswer, ...authErrors },
      },
    },
    async (req, reply) => {
      await assertManagesClient(db, req, req.params.id);
      let origins: string[];
      try {
        origins = [...new Set(req.body.origins.map(normaliseOrigin))];
      } catch (err) {
        throw badRequest((err as Error).message, [{ path: '/body/origins', message: (err as Error).message }]);
      }
      const created = await createSiteKey(db, {
        clientId: req.params.id,
        origins,
        label: req.body.label ?? null,
        ratePerMinute: req.body.rate_per_minute,
        visitorEventsPerMinute: req.body.visitor_events_per_minute,
        createdBy: req.user.id,
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/clients/:id/site-keys',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: { tags: ['site'], summary: "The client's site keys, live and revoked (never the keys themselves)", params: IdParams, response: { 200: SiteKeyList, ...authErrors } },
    },
    async (req) => {
      assertClientAccess(req, req.params.id);
      // Who may change the keys, by the checks those routes make (an unknown client: their 404's reason).
      const scope = await manageClientRefusal(db, req, req.params.id).catch((err: unknown) => {
        if (err instanceof HttpError && err.statusCode === 404) return err.message;
        throw err;
      });
      const actions = {
        create: action(routeRefusal(req, 'POST', '/v1/clients/:id/site-keys'), scope),
        rotate: action(routeRefusal(req, 'POST', '/v1/site-keys/:id/rotate'), scope),
        revoke: action(routeRefusal(req, 'DELETE', '/v1/site-keys/:id'), scope),
      };
      return { items: await listSiteKeys(db, req.params.id), actions };
    },
  );

  app.delete(
    '/v1/site-keys/:id',
    {
      config: { audit: 'site_key.revoke', roles: STAFF },
      schema: { tags: ['site'], summary: 'Revoke a site key now (CS managing the client, admin); idempotent', params: IdParams, response: { 200: SiteKeyRow, ...authErrors } },
    },
    async (req) => {
      await keyForChange(req, req.params.id);
      const row = (await revokeSiteKey(db, req.params.id, req.user.id))!;
      await broadcastRevocation(db, { kind: 'site_key', id: row.id });
      return row;
    },
  );

  app.post(
    '/v1/site-keys/:id/rotate',
    {
      config: { audit: 'site_key.rotate', roles: STAFF, idempotency: 'secret' },
      schema: {
        tags: ['site'],
        summary: 'Rotate a site key: a new key with the same origins and limits (CS managing the client, admin)',
        description: 'The old key keeps working for overlap_minutes (default 0: revoked now), so pages that loaded it are not cut off.',
        params: IdParams,
        body: RotateBody,
        response: { 201: RotateAnswer, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      await keyForChange(req, req.params.id);
      const rotated = await rotateSiteKey(db, req.params.id, req.body?.overlap_minutes ?? 0, req.user.id);
      if (!rotated) throw conflict(`site key ${req.params.id} is revoked: create a new one`);
      await broadcastRevocation(db, { kind: 'site_key', id: req.params.id });
      return reply.status(201).send(rotated);
    },
  );
};
