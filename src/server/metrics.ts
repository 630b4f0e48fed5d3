/**
 * Prometheus metrics (prom-client), served as text at `GET /metrics` (http-app.ts). One
 * registry per running server, so several servers in one process (tests) never mix counts.
 *
 * Counted where things happen: requests and GraphQL errors by the transports, embedder calls
 * and contribution outcomes by thin wrappers the composition root puts around the embedder
 * and the contributions service. Read at scrape time: the SQL pool, the graph projection lag,
 * open subscriptions and events delivered.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Which transport carried an operation. */
export type Transport = 'http' | 'ws';

/** Whether an operation answered without errors. */
export type Outcome = 'ok' | 'error';

/** Values read when /metrics is scraped. */
export interface MetricsSources {
  /** Connections of the Postgres pool (undefined on PGlite, which has one in-process connection). */
  sqlPool?: () => { inUse: number; idle: number; waiting: number } | undefined;
  /** Outbox rows not yet applied to the graph store. */
  projectionLag?: () => Promise<number>;
  /** Subscriptions open on this instance. */
  subscriptionsOpen?: () => number;
  /** Subscription events delivered (frames sent) by this instance since start. */
  eventsDelivered?: () => number;
}

/** The metrics of one server. */
export interface Metrics {
  readonly registry: Registry;
  /** Counts one finished operation and, over HTTP, its latency. */
  observeRequest(transport: Transport, operation: string | undefined, outcome: Outcome, seconds?: number): void;
  /** Counts one GraphQL error sent to a client, by its `extensions.code`. */
  countError(code: string | undefined): void;
  /** Counts one request refused by a rate limit (`key`: the per-key burst limit; `auth_failures`: the per-IP failed-authentication limit). */
  countRateLimited(limiter: 'key' | 'auth_failures'): void;
  /** Observes one embedder call. */
  observeEmbedding(backend: string, texts: number, seconds: number, ok: boolean): void;
  /** Counts contribution outcomes (`APPROVED`, `PENDING`, `QUARANTINED`, `REJECTED`, or `failed` for a refused call). */
  countContribution(outcome: string, n?: number): void;
  /** Wires the values read at scrape time. */
  setSources(sources: MetricsSources): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
}

/** Most distinct operation names tracked; beyond them operations count as `(other)`, so clients cannot explode the series. */
export const MAX_OPERATION_NAMES = 200;

/** Label of an operation sent without a name. */
export const ANONYMOUS_OPERATION = '(anonymous)';

/** Creates the metrics of one server. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'hivegraph_' });
  let sources: MetricsSources = {};
  const registers = [registry];

  const requests = new Counter({
    name: 'hivegraph_requests_total',
    help: 'GraphQL operations handled, by transport, operation name and outcome.',
    labelNames: ['transport', 'operation', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'hivegraph_request_duration_seconds',
    help: 'Latency of GraphQL operations over HTTP, by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const errors = new Counter({
    name: 'hivegraph_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'hivegraph_rate_limited_total',
    help: 'Requests refused by a rate limit (key: per-API-key burst limit; auth_failures: per-IP failed-authentication limit).',
    labelNames: ['limiter'] as const,
    registers,
  });
  const embedSeconds = new Histogram({
    name: 'hivegraph_embedder_duration_seconds',
    help: 'Latency of embedder calls (one call embeds a batch of texts), by backend and outcome.',
    labelNames: ['backend', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const embedTexts = new Counter({
    name: 'hivegraph_embedder_texts_total',
    help: 'Texts embedded, by backend.',
    labelNames: ['backend'] as const,
    registers,
  });
  const contributions = new Counter({
    name: 'hivegraph_contributions_total',
    help: 'Contribution outcomes: the status a contribution was stored or reviewed with, or failed for a refused call.',
    labelNames: ['outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'hivegraph_sql_pool_connections',
    help: 'Postgres pool connections by state (in_use, idle) and requests waiting for one (waiting).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const pool = sources.sqlPool?.();
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.inUse);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'hivegraph_graph_projection_lag',
    help: 'Changes committed to SQL and not yet applied to the graph store (outbox rows).',
    registers,
    async collect() {
      const lag = await sources.projectionLag?.().catch(() => undefined);
      if (lag !== undefined) this.set(lag);
    },
  });
  new Gauge({
    name: 'hivegraph_subscriptions_open',
    help: 'GraphQL subscriptions open on this instance.',
    registers,
    collect() {
      const open = sources.subscriptionsOpen?.();
      if (open !== undefined) this.set(open);
    },
  });
  // A counter whose value lives in the subscription executor: set from it at each scrape.
  const delivered = new Counter({
    name: 'hivegraph_events_delivered_total',
    help: 'Subscription events delivered to clients (one per subscriber and event).',
    registers,
    collect() {
      const total = sources.eventsDelivered?.();
      if (total === undefined) return;
      delivered.reset();
      delivered.inc(total);
    },
  });

  const operations = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (!name) return ANONYMOUS_OPERATION;
    if (operations.has(name)) return name;
    if (operations.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return '(other)';
    operations.add(name);
    return name;
  };

  return {
    registry,
    observeRequest(transport, operation, outcome, seconds) {
      const label = operationLabel(operation);
      requests.inc({ transport, operation: label, outcome });
      if (seconds !== undefined) duration.observe({ operation: label, outcome }, seconds);
    },
    countError: (code) => errors.inc({ code: code ?? 'UNKNOWN' }),
    countRateLimited: (limiter) => rateLimited.inc({ limiter }),
    observeEmbedding(backend, texts, seconds, ok) {
      embedSeconds.observe({ backend, outcome: ok ? 'ok' : 'error' }, seconds);
      if (ok) embedTexts.inc({ backend }, texts);
    },
    countContribution: (outcome, n = 1) => contributions.inc({ outcome }, n),
    setSources(next) {
      sources = next;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
