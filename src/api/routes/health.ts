import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.ts';

export function healthRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers (public)', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  const Ready = Type.Object({ db: Type.String(), temporal: Type.String() });
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: Postgres and Temporal reachable (public)', security: [], response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    const [db, temporal] = await Promise.all([
      sql`select 1`.execute(deps.db).then(
        () => 'ok',
        () => 'unavailable',
      ),
      deps.temporal.connection.withDeadline(Date.now() + 2_000, () =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.config.temporalNamespace }),
      ).then(
        () => 'ok',
        () => 'unavailable',
      ),
    ]);
    return reply.status(db === 'ok' && temporal === 'ok' ? 200 : 503).send({ db, temporal });
  });
}
