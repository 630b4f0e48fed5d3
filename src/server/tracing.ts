/**
 * OpenTelemetry traces, configured by the standard `OTEL_*` variables and off when they are
 * unset. This file imports nothing of OpenTelemetry: `bin/hivegraph.js` asks
 * {@link tracingEnabled} first, and only when it is true {@link startTracing} loads the SDK
 * (dynamic imports), registers the ESM hook that lets instrumentations patch modules, and
 * starts it — before any module it instruments (node:http, express, graphql, pg) is imported.
 * Without `OTEL_*` nothing of the SDK is ever loaded.
 *
 * Spans: HTTP server and client (not /healthz, /readyz, /metrics), express middleware and
 * routes, GraphQL parse / validate / execute (trivial field resolvers are not spans), pg
 * queries. The exporter is the SDK's choice from the environment (`OTEL_TRACES_EXPORTER`,
 * default OTLP; `OTEL_EXPORTER_OTLP_PROTOCOL`, default http/protobuf).
 */
import type { IncomingMessage } from 'node:http';

/** Variables of the environment this module reads. */
export type TracingEnv = Partial<Record<string, string>>;

/**
 * Whether traces are configured: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an explicit `OTEL_TRACES_EXPORTER` other than `none`,
 * and `OTEL_SDK_DISABLED` not `true`.
 */
export function tracingEnabled(env: TracingEnv = process.env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporter = (env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase();
  if (exporter === 'none') return false;
  return exporter !== '' || Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim()) || Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/** Paths whose requests are not traced (probes and scrapes). */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

let shutdown: (() => Promise<void>) | undefined;

/** Loads and starts the OpenTelemetry SDK. Call once, before importing the server. */
export async function startTracing(env: TracingEnv = process.env): Promise<void> {
  if (shutdown) return;
  const { register } = await import('node:module');
  // Lets instrumentations patch ES modules (import-in-the-middle); CommonJS ones are patched on require.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [{ NodeSDK }, { HttpInstrumentation }, { ExpressInstrumentation }, { GraphQLInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-graphql'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    ...(env['OTEL_SERVICE_NAME'] ? {} : { serviceName: 'hivegraph' }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED.has((req.url ?? '').split('?')[0] ?? '') }),
      new ExpressInstrumentation(),
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  shutdown = () => sdk.shutdown();
}

/** Flushes and stops the SDK if it was started (spans still queued are exported). Never throws. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  await stop?.().catch(() => undefined);
}
