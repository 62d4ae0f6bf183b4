// Planning calculators and ad-hoc verdicts: the same JSON contract as `kaizen stats <op>`. Each op's
// body has its TypeBox schema (shapes, ranges); the domain module then checks the rest and names
// every bad field.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { runStatsOp, type StatsOp } from '../../domain/stats/index.ts';
import { OPS } from '../schemas/stats.ts';
import { authErrors } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

export const statsRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app) => {
  for (const [op, doc] of Object.entries(OPS) as [StatsOp, (typeof OPS)[StatsOp]][]) {
    app.post(
      `/v1/stats/${op}`,
      {
        config: { roles: ['admin', 'cs_manager', 'client'] },
        schema: {
          tags: ['stats'],
          summary: doc.summary,
          description: `Verdict engine op \`${op}\`, the same contract as \`kaizen stats ${op}\` (docs/statistics.md). A bad field is a 400 naming it.`,
          body: doc.body,
          response: { 200: doc.result, ...authErrors },
        },
      },
      async (req) => runStatsOp(op, req.body) as Record<string, unknown>,
    );
  }
};
