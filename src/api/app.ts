import { randomUUID } from 'node:crypto';
import { traceRequests } from '../infra/tracing.ts';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ApiDeps } from './deps.ts';
import { registerAuth } from './auth.ts';
import { registerErrorHandling } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { clientErrorHandler, registerInputHandling, validatorCompiler } from './input.ts';
import { clientRoutes } from './routes/clients.ts';
import { codecRoutes } from './routes/codec.ts';
import { registerMetrics } from './metrics.ts';
import { registerAudit } from './audit.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { auditRoutes } from './routes/audit.ts';
import { cycleRoutes } from './routes/cycles.ts';
import { briefRoutes } from './routes/briefs.ts';
import { engagementRoutes } from './routes/engagements.ts';
import { hackerRoutes } from './routes/hackers.ts';
import { managedContractRoutes } from './routes/managed-contracts.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { impactRoutes } from './routes/impact.ts';
import { imageRoutes } from './routes/images.ts';
import { healthRoutes } from './routes/health.ts';
import { payeeRoutes } from './routes/payees.ts';
import { payoutRoutes } from './routes/payouts.ts';
import { bankResultRoutes } from './routes/bank-results.ts';
import { myNumberRoutes } from './routes/my-numbers.ts';
import { offerRoutes } from './routes/offers.ts';
import { questionRoutes } from './routes/questions.ts';
import { orderingAbilityRoutes } from './routes/ordering-ability.ts';
import { proposalRoutes } from './routes/proposals.ts';
import { siteRoutes } from './routes/site.ts';
import { statsRoutes } from './routes/stats.ts';
import { taskRoutes } from './routes/tasks.ts';
import { testRoutes } from './routes/tests.ts';
import { userRoutes } from './routes/users.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { billingAccountRoutes } from './routes/billing-accounts.ts';
import { billingRoutes } from './routes/billing.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { paymentStatementRoutes } from './routes/payment-statements.ts';
import { pricePlanRoutes } from './routes/price-plans.ts';
import { reportRoutes } from './routes/reports.ts';
import { partnerRoutes } from './routes/partners.ts';
import { receiptRoutes } from './routes/receipts.ts';
import { sessionRoutes } from './routes/session.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { serveWeb } from './web.ts';

/**
 * One line per request, when it completes, instead of Fastify's two (incoming + completed): half the
 * logging cost of every request. The path only: a query string may carry a site key.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request'); // request.log: with the caller's user id and role (auth.ts)
  }
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'api' }) as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 10 * 1024 * 1024,
    clientErrorHandler,
    logController: new OneLinePerRequest(),
  });
  app.setValidatorCompiler(validatorCompiler());
  // Compressed answers above 1 kB for clients that accept it (br, then gzip; the API's JSON mostly):
  // registered before any route (it hooks each route as it is added). Already compressed bodies —
  // images, PDFs, downloads (octet-stream), the web's pre-compressed assets (content-encoding set) —
  // pass as they are; there are no event streams. Request bodies are read as before (no decompression).
  await app.register(compress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    customTypes: /^text\/(?!event-stream)|(?:\+|\/)(?:json|xml|javascript|css)(?:;|$)/u,
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
    globalDecompression: false,
  });
  const allowedMethods = registerInputHandling(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kaizen Desk API',
        version: '0.1.0',
        description:
          'Back office of the Kaizen Desk continuous-improvement marketplace. Authenticate with `Authorization: Bearer <token>`, or (browsers) with the session cookie from `POST /v1/session`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(cookie);
  registerErrorHandling(app, allowedMethods);
  registerAuth(app, deps.db, deps.config.authFailures);
  registerIdempotency(app, deps.db);
  traceRequests(app);
  await app.register(registerMetrics, { db: deps.db });
  await app.register(registerAudit, { db: deps.db });
  await app.register(metricsRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(sessionRoutes, deps);
  await app.register(healthRoutes, deps);
  await app.register(codecRoutes, deps);
  await app.register(userRoutes, deps);
  await app.register(notificationRoutes, deps);
  await app.register(tokenRoutes, deps);
  await app.register(clientRoutes, deps);
  await app.register(hackerRoutes, deps);
  await app.register(managedContractRoutes, deps);
  await app.register(engagementRoutes, deps);
  await app.register(payeeRoutes, deps);
  await app.register(payoutRoutes, deps);
  await app.register(bankResultRoutes, deps);
  await app.register(myNumberRoutes, deps);
  await app.register(siteRoutes, deps);
  await app.register(statsRoutes, deps);
  await app.register(cycleRoutes, deps);
  await app.register(briefRoutes, deps);
  await app.register(offerRoutes, deps);
  await app.register(questionRoutes, deps);
  await app.register(orderingAbilityRoutes, deps);
  await app.register(proposalRoutes, deps);
  await app.register(imageRoutes, deps);
  await app.register(testRoutes, deps);
  await app.register(pricePlanRoutes, deps);
  await app.register(billingAccountRoutes, deps);
  await app.register(invoiceRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(billingRoutes, deps);
  await app.register(receiptRoutes, deps);
  await app.register(partnerRoutes, deps);
  await app.register(paymentStatementRoutes, deps);
  await app.register(knowledgeRoutes, deps);
  await app.register(impactRoutes, deps);
  await app.register(taskRoutes, deps);
  await app.register(webhookRoutes, deps);
  await serveWeb(app, deps.webRoot);
  return app;
}
