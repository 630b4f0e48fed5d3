/**
 * CORS for the API endpoints (`/graphql`, `/mcp`), configured by HIVEGRAPH_CORS_ORIGINS.
 *
 * - None configured (the default): no CORS header is ever sent, so browsers allow only
 *   same-origin pages (such as the explorer this server serves) to read responses.
 * - A list of exact origins: a request whose `Origin` is in the list gets
 *   `Access-Control-Allow-Origin: <that origin>` (and `Vary: Origin`); others get nothing.
 * - `*`: every origin may call the API. Safe enough because Hivegraph authenticates with a
 *   bearer key the calling page must hold itself, never with cookies — so
 *   `Access-Control-Allow-Credentials` is never sent.
 *
 * Preflights (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin are
 * answered here with 204; from any other origin they go on to the endpoint unchanged.
 * WebSocket upgrades are not subject to CORS; their key in `connectionParams` is what counts.
 */
import type { RequestHandler } from 'express';
import type { CorsOrigins } from '../config/cors-origins.ts';

/** Methods a cross-origin caller may use (GraphQL: GET/POST; MCP: also DELETE to end a session). */
export const CORS_ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
/** Response headers a cross-origin caller may read. */
export const CORS_EXPOSED_HEADERS = 'x-request-id, retry-after, www-authenticate, mcp-session-id';
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The CORS middleware for `origins`; a no-op when none are configured. */
export function corsMiddleware(origins: CorsOrigins): RequestHandler {
  if (origins !== '*' && origins.length === 0) return (_req, _res, next) => next();
  const any = origins === '*';
  const allowed = new Set(any ? [] : origins);
  return (req, res, next) => {
    // The answer depends on Origin whenever a list is configured: tell caches.
    if (!any) res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !(any || allowed.has(origin))) return next();
    res.setHeader('access-control-allow-origin', any ? '*' : origin);
    res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
    const requestedMethod = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || requestedMethod === undefined) return next();
    res.setHeader('access-control-allow-methods', CORS_ALLOWED_METHODS);
    const requestedHeaders = req.headers['access-control-request-headers'];
    // The origin is what is checked; any request header it wants to send may come along.
    if (requestedHeaders) res.setHeader('access-control-allow-headers', requestedHeaders);
    res.setHeader('access-control-max-age', String(CORS_MAX_AGE_SECONDS));
    res.vary('Access-Control-Request-Headers');
    res.status(204).end();
  };
}
