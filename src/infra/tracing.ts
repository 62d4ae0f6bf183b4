// OpenTelemetry tracing, off unless config.otlpEndpoint is set (startStack calls startTracing then).
// One trace per request: the Fastify span (W3C traceparent honoured) → Temporal client span → workflow
// → activity (Temporal's interceptors carry the context in headers) → one span per SQL statement.
// Spans carry route patterns, status codes and statement text only: never parameters, headers or bodies.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LogEvent } from 'kysely';

const TRACER = 'kaizen-desk';

interface Tracing {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
}
let active: Tracing | undefined;

/** Registers the global tracer provider exporting to `endpoint` (OTLP/HTTP JSON); stop() flushes. */
export function startTracing(endpoint: string, serviceName = 'kaizen-desk'): { stop: () => Promise<void> } {
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName });
  const exporter = new OTLPTraceExporter({ url: new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  active = { provider, processor, resource };
  return {
    stop: async () => {
      active = undefined;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export const tracingEnabled = (): boolean => active !== undefined;

/** The Temporal client's interceptors: start/signal/update spans carrying the context to the workflow. */
export const clientTracingInterceptors = () => (active ? [new OpenTelemetryWorkflowClientInterceptor()] : []);

/** The worker's plugin: workflow and activity spans, workflow spans exported through a sink. */
export const workerTracingPlugins = () => (active ? [new OpenTelemetryPlugin({ resource: active.resource, spanProcessor: active.processor })] : []);

/** Kysely's log callback: one span per statement, ended now and started `queryDurationMillis` ago, in the active context. */
export function traceQuery(event: LogEvent): void {
  if (!active) return;
  const end = Date.now();
  const span = trace.getTracer(TRACER).startSpan(
    'pg.query',
    {
      kind: SpanKind.CLIENT,
      startTime: end - event.queryDurationMillis,
      // The statement text with its $n placeholders: the parameters stay out.
      attributes: { 'db.system': 'postgresql', 'db.query.text': event.query.sql },
    },
    context.active(),
  );
  if (event.level === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}

const spans = new WeakMap<FastifyRequest, Span>();

/** A server span per request, named by route pattern, child of an incoming traceparent. */
export function traceRequests(app: FastifyInstance): void {
  if (!active) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = trace
      .getTracer(TRACER)
      .startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_HTTP_ROUTE]: route } }, parent);
    spans.set(request, span);
    // The rest of the request (hooks, handler) runs inside `done`: it inherits the span's context.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
