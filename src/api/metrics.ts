// Prometheus metrics of an API process (`GET /metrics`, prom-client): request latency per route,
// site events ingested per outcome, the process's own figures (CPU, memory, event loop) and the
// database pool; at each scrape, from Postgres (the system of record, so every API process answers
// the same): verdicts per outcome, payout runs and items per status, notification and webhook
// deliveries per status. Temporal's worker metrics come from the worker processes themselves
// (KAIZEN_WORKER_METRICS_ADDRESS, src/temporal.ts). Dashboards' queries: docs/operations.md.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { poolOf, type Db } from '../db/index.ts';

export interface ApiMetrics {
  registry: Registry;
  /** Site events by outcome (accepted, duplicate, rejected, rate_limited). */
  siteEvents: Counter<'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

/** Rows of `select <label>, count(*)` as gauge values (a status nobody is in reads 0 at the next scrape). */
function countsGauge(registry: Registry, db: Db, name: string, help: string, label: string, query: () => Promise<{ rows: { k: string; n: number }[] }>) {
  const seen = new Set<string>();
  return new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    async collect() {
      const { rows } = await query().catch(() => ({ rows: [] as { k: string; n: number }[] }));
      for (const k of seen) this.set({ [label]: k }, 0);
      for (const r of rows) {
        seen.add(r.k);
        this.set({ [label]: r.k }, Number(r.n));
      }
    },
  });
}

/** Creates the process's metrics, times every request, and decorates the app with `metrics`. */
export const registerMetrics = fp(async (app: FastifyInstance, { db }: { db: Db }) => {
  // One registry per app (the tests build many apps in one process).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kaizen_process_' });
  const requests = new Histogram({
    name: 'kaizen_http_request_duration_seconds',
    help: 'API request latency by route (the route pattern, not the URL)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const siteEvents = new Counter({ name: 'kaizen_site_events_total', help: 'Site events posted by the SDK, by outcome', labelNames: ['outcome'], registers: [registry] });
  const pool = poolOf(db);
  new Gauge({
    name: 'kaizen_db_pool_connections',
    help: 'Database pool connections of this process by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  countsGauge(registry, db, 'kaizen_verdicts', 'Verdicts recorded (interim and final) by outcome', 'outcome', () =>
    sql<{ k: string; n: number }>`select outcome as k, count(*)::int as n from verdicts where invalidated_at is null group by outcome`.execute(db),
  );
  countsGauge(registry, db, 'kaizen_payout_runs', 'Payout runs by status', 'status', () => sql<{ k: string; n: number }>`select status as k, count(*)::int as n from payout_runs group by status`.execute(db));
  countsGauge(registry, db, 'kaizen_payout_items', 'Payout items (one per payee and run) by status', 'status', () => sql<{ k: string; n: number }>`select status as k, count(*)::int as n from payout_items group by status`.execute(db));
  countsGauge(registry, db, 'kaizen_notification_deliveries', 'Notification deliveries (e-mail, digest) by status', 'status', () =>
    sql<{ k: string; n: number }>`select status as k, count(*)::int as n from notification_deliveries group by status`.execute(db),
  );
  countsGauge(registry, db, 'kaizen_webhook_deliveries', 'Webhook deliveries by status', 'status', () => sql<{ k: string; n: number }>`select status as k, count(*)::int as n from webhook_deliveries group by status`.execute(db));

  app.decorate('metrics', { registry, siteEvents });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route || route === '/metrics') return;
    requests.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
});
