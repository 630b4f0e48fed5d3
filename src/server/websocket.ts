/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the graphql-ws library) on the HTTP
 * server's port, path /graphql. The key comes in `connectionParams.authorization`
 * (`Bearer <key>`) and is checked again before every operation, so a revoked key stops
 * working on open connections too. Subscriptions execute through the shared executor
 * (subscription-executor.ts): once per class of equal results per event, one frame for all.
 */
import type { Server } from 'node:http';
import { GraphQLError, getOperationAST, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode, type Context, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../services/index.ts';
import { isHivegraphError, UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { contextFor, requestIdFrom } from './context.ts';
import { formatError, unexpectedErrorFields } from './format-error.ts';
import { queryLimitsError, type QueryLimits } from './query-limits.ts';
import type { ClientIp } from './client-ip.ts';
import { introspectionErrors, maskSuggestions, mayIntrospect, untrustedDocumentError, type IntrospectionSetting, type TrustedDocuments } from './graphql-hardening.ts';
import type { Metrics } from './metrics.ts';
import { RateLimitedError, rateLimitedGraphQLError } from './rate-limit.ts';
import { runInRequestScope } from './request-scope.ts';
import type { AuthFailureLimiter, KeyRateLimiter } from './shared-rate-limit.ts';
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
  rateLimiter: KeyRateLimiter;
  /** Per-IP limit on failed authentication (connection and operation). */
  authFailures?: AuthFailureLimiter;
  /** The client's address (HIVEGRAPH_TRUST_PROXY). */
  clientIp?: ClientIp;
  /** Counts operations and errors. */
  metrics?: Metrics;
  /** Most tokens in one document (HIVEGRAPH_MAX_QUERY_TOKENS). */
  maxTokens?: number;
  /** Who may introspect (HIVEGRAPH_INTROSPECTION; default everyone). */
  introspection?: IntrospectionSetting;
  /** When set, only these documents run (HIVEGRAPH_TRUSTED_DOCUMENTS). */
  trusted?: TrustedDocuments | undefined;
  usage: UsageCounter;
  /** Largest WebSocket message in bytes. */
  maxBodyBytes: number;
  /** Most operations one connection may hold at once (HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION; default 100). */
  maxSubscriptionsPerConnection?: number;
}): WebSocketEndpoint {
  const { services, logger, metrics } = deps;
  const introspection = deps.introspection ?? 'on';
  const ipOf = (request: import('node:http').IncomingMessage) => (deps.clientIp ?? ((r) => r.socket.remoteAddress ?? 'unknown'))(request);
  const codeOf = (error: { extensions?: Record<string, unknown> | undefined }) => (typeof error.extensions?.['code'] === 'string' ? error.extensions['code'] : undefined);
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


  /** The checks before an operation runs (auth, limits, parse, validation, hardening); errors or the execution arguments. */
  const checkOperation = async (ctx: Context<Record<string, unknown> | undefined, Extra>, id: string, payload: SubscribePayload): Promise<ExecutionArgs | GraphQLError[]> => {
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
    const decision = await deps.rateLimiter.take(viewer.keyId, viewer.tier);
    if (!decision.allowed) {
      metrics?.countRateLimited('key');
      return [rateLimitedGraphQLError(new RateLimitedError(decision.retryAfterSeconds))];
    }
    deps.usage.record(viewer.keyId);
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: deps.maxTokens ?? 5000 });
    } catch (error) {
      return [new GraphQLError(error instanceof Error ? error.message : 'Syntax error.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const introspects = mayIntrospect(introspection, viewer.role);
    const invalid = validate(deps.schema, document);
    if (invalid.length > 0) {
      return invalid.map((e) => new GraphQLError(introspects ? e.message : maskSuggestions(e.message), { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    }
    if (deps.trusted && !deps.trusted.has(document)) return [untrustedDocumentError()];
    if (!introspects) {
      const denied = introspectionErrors(deps.schema, document);
      if (denied.length > 0) return denied;
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
  };

  const executor = createSubscriptionExecutor({ logger });
  const cleanup = useServer(
    {
      schema: deps.schema,
      subscribe: executor.subscribe,
      async onConnect(ctx) {
        const ip = ipOf(ctx.extra.request);
        const blocked = deps.authFailures?.blocked(ip);
        if (blocked !== undefined) {
          metrics?.countRateLimited('auth_failures');
          ctx.extra.socket.close(4429, `RATE_LIMITED: too many failed authentications, retry after ${blocked} s`);
          return false;
        }
        try {
          await services.auth.authenticate(authorizationOf(ctx.connectionParams));
          return true;
        } catch (error) {
          if (error instanceof UnauthenticatedError) {
            const retryAfter = await deps.authFailures?.fail(ip);
            if (retryAfter !== undefined) {
              metrics?.countRateLimited('auth_failures');
              ctx.extra.socket.close(4429, `RATE_LIMITED: too many failed authentications, retry after ${retryAfter} s`);
              return false;
            }
          }
          const reason = error instanceof UnauthenticatedError ? `UNAUTHENTICATED: ${error.message}` : 'SERVICE_UNAVAILABLE';
          ctx.extra.socket.close(error instanceof UnauthenticatedError ? CloseCode.Unauthorized : 1011, reason.slice(0, 120));
          return false;
        }
      },
      async onSubscribe(ctx, id, payload) {
        const result = await runInRequestScope(`ws-${id}`, () => checkOperation(ctx, id, payload));
        if (Array.isArray(result)) {
          metrics?.observeRequest('ws', payload.operationName ?? undefined, 'error');
          for (const error of result) metrics?.countError(codeOf(error));
        } else {
          metrics?.observeRequest('ws', getOperationAST(result.document, result.operationName)?.name?.value, 'ok');
        }
        return result;
      },

      onNext(_ctx, id, _payload, _args, result) {
        if (!result.errors?.length) return;
        const errors = result.errors.map((error) => formatError(error.toJSON(), error, { logger, requestId: `ws-${id}` }));
        for (const error of errors) metrics?.countError(codeOf(error));
        return { ...result, errors };
      },
      onError(_ctx, id, _payload, errors) {
        // The errors onSubscribe returned are counted there; these are execution errors.
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
