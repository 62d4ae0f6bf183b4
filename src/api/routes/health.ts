// Liveness and readiness, public: the process answers; Postgres and Temporal are reachable.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { databaseAnswers } from '../../db/index.ts';
import type { ApiDeps } from '../deps.ts';
import { Live, Ready } from '../schemas/health.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers (public)', security: [], response: { 200: Live } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: Postgres and Temporal reachable (public)', security: [], response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    const [db, temporal] = await Promise.all([
      databaseAnswers(deps.db).then((ok) => (ok ? 'ok' : 'unavailable')),
      deps.temporal.connection.withDeadline(Date.now() + 2_000, () =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.config.temporalNamespace }),
      ).then(
        () => 'ok',
        () => 'unavailable',
      ),
    ]);
    return reply.status(db === 'ok' && temporal === 'ok' ? 200 : 503).send({ db, temporal });
  });
};
