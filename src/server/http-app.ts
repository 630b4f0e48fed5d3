/**
 * The express app: health endpoints, the GraphQL-over-HTTP endpoint at /graphql, the web
 * explorer at /explorer/ (explorer.ts) and CORS for the API endpoints (cors.ts).
 */
import { isUtf8 } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { McpHttpEndpoint } from '../mcp/http-endpoint.ts';
import type { GraphQLContext } from '../resolvers/index.ts';
import type { Services } from '../services/index.ts';
import type { CorsOrigins } from '../config/cors-origins.ts';
import { ErrorCode, UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { contextFor, requestIdFrom } from './context.ts';
import { MASKED_MESSAGE, unexpectedErrorFields } from './format-error.ts';
import { newRequestScope, runInRequestScope, type RequestScope } from './request-scope.ts';
import type { ClientIp } from './client-ip.ts';
import { corsMiddleware } from './cors.ts';
import { mountExplorer } from './explorer.ts';
import { mayIntrospect, type IntrospectionSetting } from './graphql-hardening.ts';
import type { Metrics } from './metrics.ts';
import { RateLimitedError, rateLimitedGraphQLError } from './rate-limit.ts';
import type { AuthFailureLimiter, KeyRateLimiter } from './shared-rate-limit.ts';
import type { UsageCounter } from './usage-counter.ts';

/** The request's scope (request-scope.ts), set by the first middleware. */
const scopeOf = (res: express.Response): RequestScope => res.locals['scope'] as RequestScope;

/** A GraphQL-over-HTTP error response: `{ errors: [{ message, extensions: { code } }] }`. */
function sendError(res: express.Response, status: number, message: string, code: string = ErrorCode.BAD_USER_INPUT): void {
  scopeOf(res)?.errorCodes.push(code);
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The operation name a request asks for, before Apollo has parsed it (POST body or GET query string). */
function requestedOperationName(req: express.Request): string | undefined {
  const fromBody: unknown = (req.body as Record<string, unknown> | undefined)?.['operationName'];
  if (typeof fromBody === 'string') return fromBody;
  const fromQuery: unknown = (req.query as Record<string, unknown> | undefined)?.['operationName'];
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/** Constant-time comparison of a bearer header with the expected token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Answers body-parser failures the GraphQL-over-HTTP way (JSON errors with a code) instead of
 * express's HTML page: 413 for a body over the limit, 400 for malformed JSON or a body that
 * is not valid UTF-8, 415 for a charset other than UTF-8/16/32.
 */
const bodyErrors: ErrorRequestHandler = (error: { type?: string; limit?: number; charset?: string }, _req, res, next) => {
  if (error.type === 'entity.too.large') {
    sendError(res, 413, `The request body is larger than ${error.limit} bytes (HIVEGRAPH_MAX_BODY_BYTES).`);
    return;
  }
  if (error.type === 'encoding.invalid') {
    sendError(res, 400, 'The request body is not valid UTF-8: send JSON text encoded as UTF-8.');
    return;
  }
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    sendError(res, 415, `Unsupported charset${error.charset ? ` "${String(error.charset).slice(0, 40)}"` : ''}: send the JSON body as UTF-8.`);
    return;
  }
  if (error.type === 'entity.parse.failed') {
    sendError(res, 400, 'The request body is not valid JSON.');
    return;
  }
  next(error);
};

/** `express.json` for the API endpoints: at most `limit` bytes, and UTF-8 bodies must be valid UTF-8 (not silently U+FFFD). */
function jsonBody(limit: number): RequestHandler {
  return express.json({
    limit,
    verify: (_req, _res, buffer, encoding) => {
      if (String(encoding).toLowerCase().replace('-', '') === 'utf8' && !isUtf8(buffer)) {
        throw Object.assign(new Error('invalid UTF-8'), { type: 'encoding.invalid', status: 400 });
      }
    },
  });
}

/** The methods /graphql serves (queries over GET, anything over POST; subscriptions over WebSocket). */
const GRAPHQL_METHODS = 'GET, POST';

/**
 * Checks the HTTP envelope before Apollo sees it, so every malformed request gets a 4xx with
 * a message that says what to send: 405 for another method, 415 for a POST that is not JSON,
 * 400 BAD_USER_INPUT for a body that is not one GraphQL request object, or a GET whose query
 * string is not valid percent-encoded UTF-8.
 */
const graphqlEnvelope: RequestHandler = (req, res, next) => {
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.setHeader('allow', GRAPHQL_METHODS);
    sendError(res, 405, `/graphql accepts GET (queries) and POST, not ${req.method.slice(0, 20)}; subscriptions use a WebSocket to the same URL.`);
    return;
  }
  if (req.method === 'GET') {
    const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    for (const part of search.split('&')) {
      try {
        decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        sendError(res, 400, 'The query string is not valid percent-encoded UTF-8.');
        return;
      }
    }
    next();
    return;
  }
  next();
};

/** Runs the rest of the chain in the request's scope again (body parsing leaves it: request-scope.ts). */
const requestScope: RequestHandler = (_req, res, next) => runInRequestScope(scopeOf(res), next);

/** Checks a parsed POST body: one GraphQL request object (see {@link graphqlEnvelope}). */
const graphqlPostBody: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') return next();
  if (!req.is('application/json')) {
    const type = req.headers['content-type'];
    sendError(
      res,
      415,
      `${type ? `Content-Type "${type.slice(0, 80)}" is not supported` : 'The request has no Content-Type'}: POST the GraphQL request as JSON with "Content-Type: application/json".`,
    );
    return;
  }
  const body: unknown = req.body;
  const problem = requestBodyProblem(body);
  if (problem) {
    sendError(res, 400, problem);
    return;
  }
  next();
};

/** What is wrong with a POSTed GraphQL request body, or undefined. */
export function requestBodyProblem(body: unknown): string | undefined {
  const example = 'e.g. {"query": "{ me { handle } }", "variables": {}}';
  if (Array.isArray(body)) return 'Batched requests (a JSON array of operations) are not supported: send one operation per request.';
  if (body === null || typeof body !== 'object') return `The request body must be a JSON object, ${example}.`;
  const request = body as Record<string, unknown>;
  if (Object.keys(request).length === 0) return `The request body is empty: send a JSON object with a "query" string, ${example}.`;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
  if ('query' in request && request['query'] !== null && typeof request['query'] !== 'string') {
    return `"query" must be a string holding the GraphQL document, not ${kind(request['query'])}.`;
  }
  for (const field of ['variables', 'extensions']) {
    const value = request[field];
    if (value === undefined || value === null || isObject(value)) continue;
    return typeof value === 'string'
      ? `"${field}" must be a JSON object, not a string (do not JSON-encode it twice).`
      : `"${field}" must be a JSON object or null, not ${kind(value)}.`;
  }
  const operationName = request['operationName'];
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return `"operationName" must be a string or null, not ${kind(operationName)}.`;
  }
  return undefined;
}

/** Creates the express app around a started Apollo server. */
export function createHttpApp(
  apollo: ApolloServer<GraphQLContext>,
  services: Services,
  guards: {
    rateLimiter: KeyRateLimiter;
    /** Per-IP limit on failed authentication. */
    authFailures?: AuthFailureLimiter;
    /** The client's address (HIVEGRAPH_TRUST_PROXY). */
    clientIp?: ClientIp;
    usage: UsageCounter;
    /** Counts requests, errors and rate limiting; served at /metrics. */
    metrics?: Metrics;
    /** Bearer token /metrics requires (HIVEGRAPH_METRICS_TOKEN). */
    metricsToken?: string | undefined;
    /** Who may introspect (suggestions are masked for the others). */
    introspection?: IntrospectionSetting;
    maxBodyBytes: number;
    /** Browser origins allowed to call /graphql and /mcp (HIVEGRAPH_CORS_ORIGINS); none when omitted. */
    corsOrigins?: CorsOrigins;
    /** Where failures outside GraphQL execution are logged with their request id. */
    logger?: Logger;
  },
  mcp?: McpHttpEndpoint,
): Express {
  const app = express();
  app.disable('x-powered-by');

  const { metrics, logger } = guards;
  const clientIp: ClientIp = guards.clientIp ?? ((req) => req.socket.remoteAddress ?? 'unknown');
  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const scope = newRequestScope(requestId);
    res.locals['requestId'] = requestId;
    res.locals['scope'] = scope;
    res.setHeader('x-request-id', requestId);
    runInRequestScope(scope, next);
  });

  // Before anything that could answer a browser: /metrics is for scrapers.
  app.get('/metrics', async (req, res) => {
    if (!metrics) {
      res.status(404).end();
      return;
    }
    if (guards.metricsToken !== undefined && !bearerMatches(req.headers.authorization, guards.metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer');
      res.status(401).type('text/plain').send('Unauthorized: /metrics needs "Authorization: Bearer <HIVEGRAPH_METRICS_TOKEN>".\n');
      return;
    }
    res.setHeader('content-type', metrics.contentType);
    res.send(await metrics.render());
  });

  // Counts and logs each /graphql request once it is answered.
  app.use('/graphql', (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      // CORS preflights and the explorer's redirect of a browser are no GraphQL requests.
      if (req.method === 'OPTIONS' || (res.statusCode >= 300 && res.statusCode < 400)) return;
      const scope = scopeOf(res);
      const seconds = (performance.now() - started) / 1000;
      const operation = scope.operation ?? requestedOperationName(req);
      const outcome = scope.errorCodes.length > 0 || res.statusCode >= 400 ? 'error' : 'ok';
      metrics?.observeRequest('http', operation, outcome, seconds);
      for (const code of scope.errorCodes) metrics?.countError(code);
      logger?.debug('request', {
        requestId: scope.requestId,
        method: req.method,
        path: '/graphql',
        status: res.statusCode,
        operation,
        ms: Math.round(seconds * 10000) / 10,
        ...(scope.errorCodes.length > 0 ? { errors: scope.errorCodes } : {}),
      });
    });
    next();
  });

  // Before the routes it covers (the MCP endpoint included, wherever it is mounted).
  app.use(['/graphql', '/mcp'], corsMiddleware(guards.corsOrigins ?? []));
  // Before /graphql: a browser opening /graphql is sent to the explorer.
  mountExplorer(app);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const readiness = await services.health.readiness();
    // A degraded rate-limit store does not make the instance unready: it counts in memory meanwhile.
    res.status(readiness.status === 'ready' ? 200 : 503).json({ ...readiness, checks: { ...readiness.checks, rateLimit: guards.rateLimiter.health() } });
  });

  app.use(
    '/graphql',
    graphqlEnvelope,
    jsonBody(guards.maxBodyBytes),
    bodyErrors,
    graphqlPostBody,
    // Apollo's error formatting (format-error.ts) reads the request id from this scope.
    requestScope,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(res.locals['requestId']);
        const ip = clientIp(req);
        const blocked = guards.authFailures?.blocked(ip);
        if (blocked !== undefined) {
          metrics?.countRateLimited('auth_failures');
          throw rateLimitedGraphQLError(new RateLimitedError(blocked));
        }
        try {
          const viewer = await services.auth.authenticate(req.headers.authorization);
          const decision = await guards.rateLimiter.take(viewer.keyId, viewer.tier);
          if (!decision.allowed) {
            metrics?.countRateLimited('key');
            throw rateLimitedGraphQLError(new RateLimitedError(decision.retryAfterSeconds));
          }
          guards.usage.record(viewer.keyId);
          if (guards.introspection !== undefined && !mayIntrospect(guards.introspection, viewer.role)) scopeOf(res).maskSuggestions = true;
          return contextFor(services, viewer, requestId);
        } catch (error) {
          if (error instanceof UnauthenticatedError) {
            const retryAfter = await guards.authFailures?.fail(ip);
            if (retryAfter !== undefined) {
              metrics?.countRateLimited('auth_failures');
              throw rateLimitedGraphQLError(new RateLimitedError(retryAfter));
            }
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
            });
          }
          throw error;
        }
      },
    }),
  );

  if (mcp) {
    // MCP over streamable HTTP (src/mcp); its tool calls come back through /graphql with the caller's key.
    const handleMcp: RequestHandler = (req, res, next) => {
      mcp.handle(req, res).catch(next);
    };
    app.all('/mcp', jsonBody(guards.maxBodyBytes), bodyErrors, handleMcp);
  }

  // Anything that escaped the handlers above: masked, with the request id that is logged.
  const lastResort: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const requestId = String(res.locals['requestId']);
    logger?.error('unexpected error while handling an HTTP request', unexpectedErrorFields(error, requestId));
    res.status(500).json({ errors: [{ message: MASKED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] });
  };
  app.use(lastResort);
  return app;
}
