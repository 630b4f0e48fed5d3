/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the graphql-ws library) on the HTTP
 * server's port, path /graphql. The key comes in `connectionParams.authorization`
 * (`Bearer <key>`) and is checked again before every operation, so a revoked key stops
 * working on open connections too. Subscriptions execute through the shared executor
 * (subscription-executor.ts): once per class of equal results per event, one frame for all.
 */
import type { Server } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../services/index.ts';
import { isHivegraphError, UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { contextFor, requestIdFrom } from './context.ts';
import { formatError, unexpectedErrorFields } from './format-error.ts';
import { queryLimitsError, type QueryLimits } from './query-limits.ts';
import { RateLimitedError, rateLimitedGraphQLError, type RateLimiter } from './rate-limit.ts';
import { createSubscriptionExecutor, type ExecutorStats, type SubscriptionContext } from './subscription-executor.ts';
import { badTextError } from './request-guard.ts';
import type { UsageCounter } from './usage-counter.ts';

/** The running WebSocket endpoint. */
export interface WebSocketEndpoint {
  /** Closes every socket (code 1001) and stops accepting new ones. */
  dispose(): Promise<void>;
  /** Open sockets right now. */
  connections(): number;
  /** Deliveries sent and executions run by the shared subscription executor. */
  subscriptionStats(): Readonly<ExecutorStats>;
}

/** Attaches the graphql-ws server to `httpServer` at /graphql. */
export function attachWebSocket(deps: {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  /** Limits checked before each operation (QUERY_TOO_COMPLEX). */
  queryLimits: QueryLimits;
  /** One token per operation (subscribe message), not per event. */
  rateLimiter: RateLimiter;
  usage: UsageCounter;
  /** Largest WebSocket message in bytes. */
  maxBodyBytes: number;
  /** Most operations one connection may hold at once (HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION; default 100). */
  maxSubscriptionsPerConnection?: number;
}): WebSocketEndpoint {
  const { services, logger } = deps;
  // noServer: with `server`, ws re-emits the HTTP server's errors (e.g. EADDRINUSE) on the
  // WebSocketServer, where graphql-ws prints them with a stack trace.
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxBodyBytes });
  deps.httpServer.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      quietSocketErrors(client, logger);
      wss.emit('connection', client, req);
    });
  });
  const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined) => {
    const value = params?.['authorization'] ?? params?.['Authorization'];
    return typeof value === 'string' ? value : undefined;
  };

  const executor = createSubscriptionExecutor({ logger });
  const cleanup = useServer(
    {
      schema: deps.schema,
      subscribe: executor.subscribe,
      async onConnect(ctx) {
        try {
          await services.auth.authenticate(authorizationOf(ctx.connectionParams));
          return true;
        } catch (error) {
          const reason = error instanceof UnauthenticatedError ? `UNAUTHENTICATED: ${error.message}` : 'SERVICE_UNAVAILABLE';
          ctx.extra.socket.close(error instanceof UnauthenticatedError ? CloseCode.Unauthorized : 1011, reason.slice(0, 120));
          return false;
        }
      },
      async onSubscribe(ctx, id, payload) {
        const maxOperations = deps.maxSubscriptionsPerConnection ?? 100;
        // graphql-ws has already entered this operation in ctx.subscriptions; counted before
        // any await, so operations sent in one burst are counted one after the other.
        if (Object.keys(ctx.subscriptions).length > maxOperations) {
          return [
            new GraphQLError(
              `This connection already holds ${maxOperations} subscriptions (HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one, or open another connection.`,
              { extensions: { code: 'BAD_USER_INPUT' } },
            ),
          ];
        }
        let viewer;
        try {
          viewer = await services.auth.authenticate(authorizationOf(ctx.connectionParams));
        } catch (error) {
          // Answer, don't throw: graphql-ws would print a thrown error as an internal one and put
          // its raw message in the close reason.
          if (error instanceof UnauthenticatedError) {
            ctx.extra.socket.close(CloseCode.Unauthorized, `UNAUTHENTICATED: ${error.message}`.slice(0, 120));
            return [new GraphQLError(error.message, { extensions: { code: error.code } })];
          }
          logger.error('could not authenticate a WebSocket operation', unexpectedErrorFields(error, `ws-${id}`));
          ctx.extra.socket.close(1011, 'SERVICE_UNAVAILABLE');
          return [new GraphQLError('Authentication is unavailable right now.', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
        }
        const decision = deps.rateLimiter.take(viewer.keyId, viewer.tier);
        if (!decision.allowed) return [rateLimitedGraphQLError(new RateLimitedError(decision.retryAfterSeconds))];
        deps.usage.record(viewer.keyId);
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [new GraphQLError(error instanceof Error ? error.message : 'Syntax error.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(deps.schema, document);
        if (invalid.length > 0) {
          return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        const badText = badTextError(document, payload.variables);
        if (badText) return [badText];
        const tooComplex = queryLimitsError(deps.schema, document, payload.operationName, payload.variables ?? undefined, deps.queryLimits);
        if (tooComplex) return [tooComplex];
        // With contextValue given, graphql-ws does not call a `context` option.
        const socket = ctx.extra.socket;
        const framePrefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
        const contextValue: SubscriptionContext = {
          ...contextFor(services, viewer, requestIdFrom(`ws-${id}`)),
          sendNext: (payloadJson) => new Promise<void>((resolve, reject) => socket.send(`${framePrefix}${payloadJson}}`, (error) => (error ? reject(error) : resolve()))),
        };
        return { schema: deps.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onNext(_ctx, id, _payload, _args, result) {
        if (!result.errors?.length) return;
        return {
          ...result,
          errors: result.errors.map((error) => formatError(error.toJSON(), error, { logger, requestId: `ws-${id}` })),
        };
      },
      onError(_ctx, id, _payload, errors) {
        return errors.map((error) =>
          isHivegraphError(error) ? { message: error.message, extensions: { code: error.code } } : formatError(error.toJSON(), error, { logger, requestId: `ws-${id}` }),
        );
      },
    },
    wss,
  );
  return {
    async dispose() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    connections: () => wss.clients.size,
    subscriptionStats: () => executor.stats,
  };
}

/**
 * Reports a socket's `error` events (a message over the size limit, a broken frame) as one
 * warning line instead of graphql-ws's console stack trace. ws closes the socket itself
 * (1009 for a message over HIVEGRAPH_MAX_BODY_BYTES, 1002 for a protocol error).
 */
function quietSocketErrors(client: WebSocket, logger: Logger): void {
  const emit = client.emit.bind(client);
  client.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'error') return emit(event, ...args);
    const error = args[0] as (Error & { code?: string }) | undefined;
    logger.warn('WebSocket connection closed after a client error', { code: error?.code, error: error?.message });
    if (client.readyState === client.OPEN) client.close(1011, 'Internal server error');
    return true;
  }) as typeof client.emit;
}
