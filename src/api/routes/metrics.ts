// `GET /metrics`: this API process's Prometheus metrics (src/api/metrics.ts). Admins only: Prometheus
// scrapes with a bearer token of an admin user made for it (docs/operations.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { authErrors, FileAnswer } from '../schemas/common.ts';

export const metricsRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app) => {
  app.get(
    '/metrics',
    {
      config: { roles: ['admin'] },
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: "This API process's metrics in Prometheus text format (admin)",
        response: { 200: FileAnswer('text/plain', 'Prometheus exposition format'), ...authErrors },
      },
    },
    async (_req, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
};
