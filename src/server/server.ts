/**
 * The composition root of a running Hivegraph: opens the store, migrates, bootstraps, builds
 * the services and serves GraphQL over HTTP and WebSocket on one port, with graceful shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { getOperationAST } from 'graphql';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from '../config/config.ts';
import { openConfiguredEmbedder, type Embedder } from '../embed/index.ts';
import { createMcpHttpEndpoint, type McpHttpEndpoint } from '../mcp/http-endpoint.ts';
import { ToolFileError, type ToolDefinition } from '../mcp/tool-file.ts';
import { loadTools } from '../mcp/tools.ts';
import { buildSchema, type GraphQLContext } from '../resolvers/index.ts';
import {
  createServices,
  describeModel,
  embedMissing,
  ensureBootstrap,
  registerEmbeddingModel,
  type BootstrapOutcome,
  type Services,
} from '../services/index.ts';
import { openScreener, type Screener } from '../services/screening.ts';
import { StartupError, UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { offerDataDirJobs } from './data-dir-jobs.ts';
import { migrate, openGraphStore, openSqlClient, searchSessionSettings, type SqlOpenOptions } from '../store/open.ts';
import type { GraphStore, SqlClient } from '../store/types.ts';
import { clientIpResolver } from './client-ip.ts';
import { formatError } from './format-error.ts';
import { hardeningPlugin, loadTrustedDocuments, maskSuggestions } from './graphql-hardening.ts';
import { createHttpApp } from './http-app.ts';
import { instrumentContributions, instrumentEmbedder } from './instrument.ts';
import { createMetrics } from './metrics.ts';
import { requestGuardPlugin } from './request-guard.ts';
import { currentRequestScope } from './request-scope.ts';
import { queryLimitsPlugin } from './query-limits.ts';
import { createRateLimiter } from './rate-limit.ts';
import { createAuthFailureLimiter, createSharedKeyLimiter, memoryKeyLimiter, trackedStore, type KeyRateLimiter, type TrackedStore } from './shared-rate-limit.ts';
import { createUsageCounter, type UsageCounter } from './usage-counter.ts';
import { attachWebSocket, type WebSocketEndpoint } from './websocket.ts';

/** A started server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** The GraphQL endpoint (`<url>/graphql`). */
  graphqlUrl: string;
  /** What bootstrap did (first start, generated key). */
  bootstrap: BootstrapOutcome;
  sql: SqlClient;
  graph: GraphStore;
  services: Services;
  /** Drains HTTP and WebSocket connections, then closes the stores. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  config: Config;
  logger: Logger;
  /** Hooks passed to the SQL adaptor (e.g. statement counting in tests). */
  sql?: SqlOpenOptions;
  /** Wraps the graph store once opened (e.g. counting traversal queries in tests). */
  wrapGraph?: (store: GraphStore) => GraphStore;
  /** The clock session visibility overrides expire by, in ms (default `Date.now`; tests inject one). */
  clock?: () => number;
}

/**
 * Starts the server.
 * @throws StartupError with a one-line cause (unreachable database, port in use, …)
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const sql = await openSqlClient(config.sql, { sessionSettings: searchSessionSettings(config.search), ...options.sql });
  let graph: GraphStore | undefined;
  let embedder: Embedder | undefined;
  const backfill = new AbortController();
  let startedServices: Services | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let backfilling: Promise<void> = Promise.resolve();
  let apollo: ApolloServer<GraphQLContext> | undefined;
  let ws: WebSocketEndpoint | undefined;
  let mcp: McpHttpEndpoint | undefined;
  let httpServer: Server | undefined;
  let usage: UsageCounter | undefined;
  let limitSql: SqlClient | undefined;
  let screener: Screener | undefined;
  try {
    const outcome = await migrate(sql, { onApply: (m) => logger.info(`applied migration ${m.version}_${m.name}`) });
    logger.debug('schema is current', { migration: outcome.current });
    // PGlite runs no autovacuum: without statistics the planner turns a traversal hop into a
    // scan of every artifact (200 ms instead of 7 ms at 100k artifacts). Postgres has its own.
    if (sql.backend === 'pglite') await sql.query('ANALYZE');
    graph = await openGraphStore(config.graph, sql);
    if (options.wrapGraph) graph = options.wrapGraph(graph);
    const metrics = createMetrics();
    const opened = await openConfiguredEmbedder(config.embedding);
    embedder = instrumentEmbedder(opened.embedder, metrics);
    if (opened.warning) logger.warn(opened.warning);
    const embeddingModel = await registerEmbeddingModel(sql, embedder);
    logger.info(`embeddings by the ${describeModel(embeddingModel)}`);
    screener = await openScreener(
      { classifierModelDir: config.contributions.injectionModelDir, similarity: config.contributions.injectionSimilarity },
      embedder,
    );
    logger.info(`prompt-injection screening stages: ${screener.stages.join(', ')}`);
    const services = createServices({
      sql,
      graph,
      logger,
      screener,
      maxContentBytes: config.limits.maxContentBytes,
      authCacheTtlMs: config.auth.cacheTtlMs,
      embedding: { embedder, model: embeddingModel },
      searchTuning: { rrfK: config.search.rrfK, candidates: config.search.candidates },
      // Both thresholds always: HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD alone used to be ignored.
      contributionPolicy: { injectionThreshold: config.contributions.injectionThreshold, nearDuplicateThreshold: config.contributions.nearDuplicateThreshold },
      events: { subscriberBuffer: config.contributions.subscriptionBuffer, retentionDays: config.contributions.eventsRetentionDays },
      sessionOverrides: { ttlMs: config.sharing.sessionOverrideTtlMs, ...(options.clock ? { now: options.clock } : {}) },
    });
    services.contributions = instrumentContributions(services.contributions, metrics);
    startedServices = services;
    const schema = buildSchema({ maxJsonDepth: config.limits.maxJsonDepth });
    const tools = await loadAgentTools(config.mcp.toolsDirs, schema);
    // Server mode shares rate-limit counts through Postgres, on a small pool of its own
    // (never waiting behind, nor counted with, the API's statements).
    let limitStore: TrackedStore | undefined;
    if (config.sql.kind === 'postgres' && config.limits.rateLimitStore === 'shared') {
      limitSql = await openSqlClient({ ...config.sql, poolMax: 2 });
      limitStore = trackedStore(limitSql);
    }
    const rateLimiter: KeyRateLimiter = limitStore
      ? createSharedKeyLimiter({ store: limitStore, tiers: config.limits.rateLimitTiers })
      : memoryKeyLimiter(createRateLimiter({ tiers: config.limits.rateLimitTiers }));
    const authFailures = createAuthFailureLimiter({ limit: config.limits.authFailureLimit, store: limitStore });
    const trusted = config.graphql.trustedDocuments ? await loadTrustedDocuments(config.graphql.trustedDocuments) : undefined;
    if (trusted) logger.info(`trusted documents only: ${trusted.size} operations (HIVEGRAPH_TRUSTED_DOCUMENTS)`);
    usage = createUsageCounter({
      flush: (rows) => services.apiKeys.recordUsage(rows),
      onError: (error) => logger.warn('usage flush failed; the counts are kept for the next one', { error: error instanceof Error ? error.message : String(error) }),
    });
    const guards = {
      queryLimits: config.limits.query,
      rateLimiter,
      authFailures,
      clientIp: clientIpResolver(config.server.trustProxy),
      usage,
      metrics,
      introspection: config.graphql.introspection,
      maxBodyBytes: config.limits.maxBodyBytes,
      corsOrigins: config.server.corsOrigins,
    };

    httpServer = createServer();
    const server = httpServer;
    ws = attachWebSocket({
      httpServer: server,
      schema,
      services,
      logger,
      ...guards,
      maxTokens: config.graphql.maxTokens,
      trusted,
      maxSubscriptionsPerConnection: config.limits.maxSubscriptionsPerConnection,
    });
    const wsEndpoint = ws;
    const poolStats = sql.poolStats?.bind(sql);
    metrics.setSources({
      ...(poolStats ? { sqlPool: poolStats } : {}),
      ...(graph.projected ? { projectionLag: () => services.projector.lag() } : {}),
      subscriptionsOpen: () => services.events.subscriptionCount(),
      eventsDelivered: () => wsEndpoint.subscriptionStats().deliveries,
    });
    mcp = createMcpHttpEndpoint({
      tools,
      // Tool calls loop back over HTTP to this server's own /graphql with the caller's key, rather
      // than executing in-process: authentication, roles, query limits, rate limits and usage
      // counting are then those of any other client by construction, at the cost of one local hop.
      graphqlUrl: () => `${loopbackUrl(server)}/graphql`,
      authenticate: async (authorization) => {
        try {
          return { keyId: (await services.auth.authenticate(authorization)).keyId };
        } catch (error) {
          if (error instanceof UnauthenticatedError) return undefined;
          throw error;
        }
      },
      logger,
    });
    const mcpEndpoint = mcp;
    apollo = new ApolloServer<GraphQLContext>({
      schema,
      // `off` is also Apollo's own switch; by role, hardeningPlugin decides per caller.
      introspection: config.graphql.introspection !== 'off',
      parseOptions: { maxTokens: config.graphql.maxTokens },
      stopOnTerminationSignals: false,
      includeStacktraceInErrorResponses: false,
      // A GET that carries Authorization is no "simple" CORS request (a browser must preflight
      // it, and never adds a bearer key by itself), so it needs no other anti-CSRF header.
      csrfPrevention: { requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'] },
      // Masks and logs unexpected errors with the request id of the HTTP request (request-scope.ts),
      // notes each code for /metrics, and cuts field suggestions for callers who may not introspect.
      formatError: (formatted, error) => {
        const out = formatError(formatted, error, { logger });
        const scope = currentRequestScope();
        if (!scope) return out;
        scope.errorCodes.push(String(out.extensions?.['code'] ?? 'UNKNOWN'));
        return scope.maskSuggestions ? { ...out, message: maskSuggestions(out.message) } : out;
      },
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.server.shutdownGraceMs }),
        { async serverWillStart() { return { drainServer: async () => void (await Promise.all([wsEndpoint.dispose(), mcpEndpoint.close()])) }; } },
        requestGuardPlugin(),
        hardeningPlugin({ introspection: config.graphql.introspection, trusted }),
        queryLimitsPlugin(config.limits.query),
        {
          async requestDidStart() {
            return {
              // Parsed but not yet validated: the name is known even if validation fails.
              async validationDidStart({ document, request }) {
                const scope = currentRequestScope();
                const name = getOperationAST(document, request.operationName)?.name?.value;
                if (scope && name) scope.operation = name;
              },
              // Also for documents from Apollo's cache, which skip parsing and validation.
              async didResolveOperation({ operationName }) {
                const scope = currentRequestScope();
                if (scope && operationName) scope.operation = operationName;
              },
            };
          },
        },
        ApolloServerPluginLandingPageDisabled(),
      ],
    });
    await apollo.start();
    server.on('request', createHttpApp(apollo, services, { ...guards, logger, metricsToken: config.observability.metricsToken }, mcpEndpoint));
    await listen(server, config.server.host, config.server.port);
    // Bootstrap only once every dependency (SQL, graph store, port) has proved usable, so a
    // failed first start cannot swallow the generated admin key.
    const bootstrap = await ensureBootstrap(sql, { bootstrapAdminKey: config.bootstrapAdminKey });
    services.projector.start();
    await services.events.start();
    await services.auth.start();
    pruneTimer = startEventPruning(services, logger);
    backfilling = backfillEmbeddings(sql, embedder, embeddingModel, logger, backfill.signal);
    offerDataDirJobs(sql, logger);

    const { port } = server.address() as AddressInfo;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host}:${port}`;
    let closing: Promise<void> | undefined;
    const started = apollo;
    const openGraph = graph;
    const usageCounter = usage;
    const openEmbedder = embedder;
    const runningScreener = screener;
    return {
      url,
      graphqlUrl: `${url}/graphql`,
      bootstrap,
      sql,
      graph: openGraph,
      services,
      close() {
        closing ??= (async () => {
          await started.stop(); // drains HTTP and WebSocket first, so every request is counted
          backfill.abort();
          await backfilling;
          clearInterval(pruneTimer);
          await services.events.stop();
          await services.auth.stop();
          await services.projector.stop();
          await usageCounter.stop().catch((error: unknown) => logger.warn('final usage flush failed', { error: String(error) }));
          await openGraph.close();
          await openEmbedder.close();
          await limitSql?.close();
          await runningScreener.close();
          await sql.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await ws?.dispose().catch(() => undefined);
    await mcp?.close().catch(() => undefined);
    await apollo?.stop().catch(() => undefined);
    httpServer?.close();
    await usage?.stop().catch(() => undefined);
    backfill.abort();
    await backfilling;
    clearInterval(pruneTimer);
    await startedServices?.events.stop().catch(() => undefined);
    await startedServices?.auth.stop().catch(() => undefined);
    await graph?.close().catch(() => undefined);
    await embedder?.close().catch(() => undefined);
    await limitSql?.close().catch(() => undefined);
    await screener?.close().catch(() => undefined);
    await sql.close().catch(() => undefined);
    throw error;
  }
}

/** Prunes the events log now and then hourly, by the configured retention. */
function startEventPruning(services: Services, logger: Logger): NodeJS.Timeout {
  const prune = () =>
    services.events.prune().then(
      (n) => {
        if (n > 0) logger.info(`pruned ${n} events older than the retention period`);
      },
      (error: unknown) => logger.warn('event pruning failed; it is retried in an hour', { error: String(error) }),
    );
  void prune();
  const timer = setInterval(() => void prune(), 3_600_000);
  timer.unref();
  return timer;
}

/**
 * Embeds, in the background, artifacts that have no vector of the registered model (a database
 * from before search, or rows written without an embedder), logging progress. Never throws.
 */
async function backfillEmbeddings(
  sql: SqlClient,
  embedder: Embedder,
  model: Parameters<typeof embedMissing>[2],
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  let lastLog = 0;
  try {
    const written = await embedMissing(sql, embedder, model, {
      signal,
      onProgress: ({ done, total }) => {
        if (Date.now() - lastLog < 5000 && done < total) return;
        lastLog = Date.now();
        logger.info(`embedding artifacts without a vector: ${done}/${total}`);
      },
    });
    if (written > 0) logger.info(`embedded ${written} artifacts that had no vector`);
  } catch (error) {
    if (!signal.aborted) {
      logger.warn('embedding backfill stopped; it resumes at the next start (or run `hivegraph reembed`)', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Loads the agent tools served at /mcp; a bad tool file stops start-up (exit 78) naming the file. */
async function loadAgentTools(dirs: readonly string[], schema: Parameters<typeof loadTools>[1]): Promise<ToolDefinition[]> {
  try {
    return await loadTools(dirs, schema);
  } catch (error) {
    if (error instanceof ToolFileError) throw new StartupError(`Agent tools (HIVEGRAPH_TOOLS_DIR): ${error.message}`, { configuration: true, cause: error });
    throw error;
  }
}

/** This server's base URL as reached from the same machine (a wildcard listen address becomes loopback). */
function loopbackUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new StartupError(`Port ${port} on ${host} is already in use: stop the other process or set PORT.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartupError(`Cannot listen on ${host}: no such local address (check HOST).`));
      else if (error.code === 'EACCES') reject(new StartupError(`Not allowed to listen on ${host}:${port} (ports below 1024 need privileges).`));
      else reject(new StartupError(`Cannot listen on ${host}:${port}: ${error.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
