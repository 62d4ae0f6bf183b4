import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { runStatsOp, STATS_OPS } from '../../domain/stats/index.ts';
import { authErrors } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

const Params = Type.Object({ op: Type.Union(STATS_OPS.map((op) => Type.Literal(op))) }, { additionalProperties: false });

// Planning calculators and ad-hoc verdicts: the same JSON contract as `kaizen stats <op>`; the
// domain module validates the body and names every bad field.
export function statsRoutes(app: FastifyInstance, _deps: ApiDeps) {
  app.post<{ Params: Static<typeof Params>; Body: unknown }>(
    '/v1/stats/:op',
    {
      config: { roles: ['admin', 'cs_manager', 'client'] },
      schema: {
        tags: ['stats'],
        description:
          'Verdict engine. op = verdict | srm | adjust | sample-size | power | mde; body and result as in README "Verdicts".',
        params: Params,
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: Type.Object({}, { additionalProperties: true }), ...authErrors },
      },
    },
    async (req) => runStatsOp(req.params.op, req.body) as Record<string, unknown>,
  );
}
