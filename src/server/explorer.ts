/**
 * Serves the web explorer (GraphiQL + the neighbourhood view) that `explorer/build.ts` bundles
 * into `explorer/dist/`, at `/explorer/`. `GET /` and a browser's `GET /graphql` (HTML
 * wanted, no query) redirect there. Everything the page loads comes from this server, so the
 * Content-Security-Policy allows only this origin (HTTP and WebSocket) and no inline script.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';

/** Where the explorer is served. */
export const EXPLORER_PATH = '/explorer/';

/** Where `explorer/build.ts` writes the bundle. */
export const DEFAULT_EXPLORER_DIR = fileURLToPath(new URL('../../explorer/dist', import.meta.url));

/**
 * The explorer's Content-Security-Policy. Scripts and workers only from this origin, no eval;
 * `connect-src 'self'` also covers `ws:`/`wss:` to this host and port (CSP Level 3), which is
 * where subscriptions go. Inline styles are allowed because Monaco (GraphiQL's editor) inserts
 * `<style>` elements at run time; fonts may be data: URLs (Monaco's codicon font).
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': EXPLORER_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hivegraph explorer — not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>The explorer is not built</h1>
<p>This server serves the web explorer from <code>explorer/dist/</code>, which does not exist yet.
Build it with <code>npm run build:explorer</code> (it needs the dev dependencies from
<code>npm install</code>; <code>npm start</code> builds it by itself), then reload this page.</p>
<p>The GraphQL API works without it, at <code>/graphql</code>.</p>
</body></html>
`;

/** Options of {@link mountExplorer}. */
export interface ExplorerOptions {
  /** Directory of the built explorer (default {@link DEFAULT_EXPLORER_DIR}). */
  dir?: string;
}

/**
 * Adds the explorer routes to `app`: call it before the GraphQL endpoint is mounted, so a
 * browser opening `/graphql` is redirected to the explorer instead of getting a GraphQL error.
 */
export function mountExplorer(app: Express, options: ExplorerOptions = {}): void {
  const dir = options.dir ?? DEFAULT_EXPLORER_DIR;
  app.get('/', (_req, res) => res.redirect(302, EXPLORER_PATH));
  app.get('/graphql', redirectBrowsers);
  app.use(
    EXPLORER_PATH.slice(0, -1),
    (_req, res, next) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      next();
    },
    (req, res, next) => {
      // Checked per request, so building while the server runs needs no restart.
      if (existsSync(path.join(dir, 'index.html'))) return next();
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      res.status(503).type('html').setHeader('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    },
    express.static(dir, {
      index: 'index.html',
      redirect: true,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders(res, file) {
        // Everything but index.html has a content hash in its name and never changes.
        const hashed = /-[A-Z0-9]{8}\.[a-z0-9.]+$/.test(path.basename(file)) && !file.endsWith('index.html');
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
    (_req, res) => {
      res.status(404).type('text/plain').send('Not found\n');
    },
  );
}

/**
 * A browser navigating to `/graphql` (it asks for HTML and sends no query) is sent to the
 * explorer; every GraphQL request — which carries `query` or asks for JSON — goes on.
 */
const redirectBrowsers: RequestHandler = (req, res, next) => {
  const wantsHtml = req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
  if (wantsHtml && req.query['query'] === undefined) {
    res.redirect(302, EXPLORER_PATH);
    return;
  }
  next();
};
