/**
 * The express app: health endpoints, the GraphQL-over-HTTP endpoint at /graphql, the web
 * explorer at /explorer/ (explorer.ts) and CORS for the API endpoints (cors.ts).
 */
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { McpHttpEndpoint } from '../mcp/http-endpoint.ts';
import type { GraphQLContext } from '../resolvers/index.ts';
import type { Services } from '../services/index.ts';
import type { CorsOrigins } from '../config/cors-origins.ts';
import { UnauthenticatedError } from '../shared/errors.ts';
import { contextFor, requestIdFrom } from './context.ts';
import { corsMiddleware } from './cors.ts';
import { mountExplorer } from './explorer.ts';
import { RateLimitedError, rateLimitedGraphQLError, type RateLimiter } from './rate-limit.ts';
import type { UsageCounter } from './usage-counter.ts';

/**
 * Answers body-parser failures the GraphQL-over-HTTP way (JSON errors with a code) instead of
 * express's HTML page: 413 for a body over the limit, 400 for malformed JSON.
 */
const bodyErrors: ErrorRequestHandler = (error: { type?: string; limit?: number }, _req, res, next) => {
  if (error.type === 'entity.too.large') {
    res.status(413).json({
      errors: [{ message: `The request body is larger than ${error.limit} bytes (HIVEGRAPH_MAX_BODY_BYTES).`, extensions: { code: 'BAD_USER_INPUT' } }],
    });
    return;
  }
  if (error.type === 'entity.parse.failed' || error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    res.status(400).json({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
    return;
  }
  next(error);
};

/** Creates the express app around a started Apollo server. */
export function createHttpApp(
  apollo: ApolloServer<GraphQLContext>,
  services: Services,
  guards: {
    rateLimiter: RateLimiter;
    usage: UsageCounter;
    maxBodyBytes: number;
    /** Browser origins allowed to call /graphql and /mcp (HIVEGRAPH_CORS_ORIGINS); none when omitted. */
    corsOrigins?: CorsOrigins;
  },
  mcp?: McpHttpEndpoint,
): Express {
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals['requestId'] = requestId;
    res.setHeader('x-request-id', requestId);
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
    res.status(readiness.status === 'ready' ? 200 : 503).json(readiness);
  });

  app.use(
    '/graphql',
    express.json({ limit: guards.maxBodyBytes }),
    bodyErrors,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(res.locals['requestId']);
        try {
          const viewer = await services.auth.authenticate(req.headers.authorization);
          const decision = guards.rateLimiter.take(viewer.keyId, viewer.tier);
          if (!decision.allowed) throw rateLimitedGraphQLError(new RateLimitedError(decision.retryAfterSeconds));
          guards.usage.record(viewer.keyId);
          return contextFor(services, viewer, requestId);
        } catch (error) {
          if (error instanceof UnauthenticatedError) {
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
    app.all('/mcp', express.json({ limit: guards.maxBodyBytes }), bodyErrors, handleMcp);
  }
  return app;
}
