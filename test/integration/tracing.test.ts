// Tracing end to end: an in-process OTLP/HTTP receiver parses the JSON exports of the API, the
// Temporal client, the worker (workflow + activity) and the SQL spans; one request's spans share a trace.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTracing } from '../../src/infra/tracing.ts';
import { createWorker } from '../../src/temporal.ts';
import { createHarness, dataConverter, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}
const spans: OtlpSpan[] = [];
let receiver: Server;
let h: Harness;
let tracing: { stop: () => Promise<void> };
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      if (req.url === '/v1/traces')
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // Registered before the harness builds its client and app, as startStack does.
  tracing = startTracing(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, 'kaizen-test');
  h = await createHarness({ worker: false });
  // Bundled from workflowsPath (not the harness's shared bundle) so the tracing workflow interceptors are in it.
  const { worker, connection } = await createWorker({
    address: h.config.temporalAddress!,
    namespace: h.config.temporalNamespace,
    taskQueue: h.config.taskQueue,
    deps: { db: h.db, config: h.config },
    dataConverter,
    log: h.app.log as never,
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
}, 180_000);

afterAll(async () => {
  await stopWorker?.();
  await h?.close();
  await tracing?.stop();
  receiver?.close();
});

it('links the request, the Temporal start, the workflow, the activity and its SQL in one trace, without secrets', async () => {
  const cs = await userWithToken(h.db, 'cs_manager');
  const client = await makeClient(h.db);
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/engagements',
    headers: { ...cs.auth, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    payload: { client_id: client.id, offer_mode: 'targeted', monthly_fee_yen: 800_000 },
  });
  expect(res.statusCode, res.body).toBe(201);

  // The activity's own statements are children of its span: the context crossed Temporal.
  const trace = await eventually(
    async () => {
      const mine = spans.filter((s) => s.traceId === traceId);
      const named = (name: string) => mine.filter((s) => s.name === name);
      const activity = named('RunActivity:recordEngagementMonth')[0];
      return named('POST /v1/engagements').length &&
        named('StartWorkflow:engagementWorkflow').length &&
        // Emitted inside the workflow (its own run span ends only when the engagement does).
        named('StartActivity:recordEngagementMonth').length &&
        activity &&
        named('pg.query').some((s) => s.parentSpanId === activity.spanId)
        ? mine
        : undefined;
    },
    120_000,
  );
  const http = trace.find((s) => s.name === 'POST /v1/engagements')!;
  expect(http.attributes).toEqual(expect.arrayContaining([{ key: 'http.route', value: { stringValue: '/v1/engagements' } }, { key: 'http.response.status_code', value: { intValue: 201 } }]));
  // Statement text only: no token, no parameter values (the client's id is a parameter).
  const everything = JSON.stringify(spans);
  expect(everything).not.toContain(cs.token);
  expect(everything).not.toContain('Bearer');
}, 180_000);
