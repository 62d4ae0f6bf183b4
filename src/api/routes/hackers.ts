// Growth hackers: staff add them; finance and staff list them; a hacker sees only its own profile.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHacker, hackerProfile, listHackers } from '../../network/hackers.ts';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { forbidden, notFound } from '../errors.ts';
import { authErrors, IdParams, nextAfter, PagedQuery, PageOf } from '../schemas/common.ts';
import { Hacker, HackerWithGrade, NewHacker } from '../schemas/hackers.ts';

export const hackerRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {

  app.post(
    '/v1/hackers',
    { config: { roles: STAFF }, schema: { tags: ['hackers'], summary: 'Add a growth hacker to the network (CS, admin)', body: NewHacker, response: { 201: Hacker, ...authErrors } } },
    async (req, reply) => {
      const row = await createHacker(db, req.body);
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
      const limit = req.query.limit ?? 100;
      const items = await listHackers(db, { afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get(
    '/v1/hackers/:id',
    {
      config: { roles: [...STAFF, 'finance', 'hacker'] },
      schema: {
        tags: ['hackers'],
        summary: 'One growth hacker with its current grade (hackers: only themselves)',
        description: 'The profile; `grade` is the latest monthly grade (gold / silver / bronze / none; history and track record on /track-record).',
        params: IdParams,
        response: { 200: HackerWithGrade, ...authErrors },
      },
    },
    async (req) => {
      if (req.user.role === 'hacker' && req.user.hacker_id !== req.params.id) throw forbidden('hackers see only themselves');
      const profile = await hackerProfile(db, req.params.id);
      if (!profile) throw notFound('hacker');
      return profile;
    },
  );
};
