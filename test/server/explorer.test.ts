/**
 * The web explorer as the server serves it (src/server/explorer.ts), over real HTTP: where it
 * lives, the redirects to it, its security headers and caching, that the bundle needs nothing
 * from another host, and the page shown when it is not built. Browser behaviour is in
 * test/e2e/explorer.test.ts.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer, EXPLORER_DIST } from '../../explorer/build.ts';
import { DEFAULT_EXPLORER_DIR, EXPLORER_CSP, mountExplorer } from '../../src/server/explorer.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });

describe('explorer serving', () => {
  let server: TestServer;
  beforeAll(async () => {
    const [built, started] = await Promise.all([buildExplorer(), startTestServer()]);
    expect(built.reason ?? 'built', 'the explorer bundle must build').toMatch(/built|up to date/);
    server = started;
  }, 180_000);
  afterAll(async () => server?.stop());

  it('is built where the server looks for it', () => {
    expect(DEFAULT_EXPLORER_DIR).toBe(EXPLORER_DIST);
  });

  it('redirects / and a browser opening /graphql to /explorer/, but not GraphQL requests', async () => {
    for (const res of [await get(`${server.url}/`), await get(server.graphqlUrl, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })]) {
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/explorer/');
    }
    const query = await get(`${server.graphqlUrl}?query=${encodeURIComponent('{ me { handle } }')}`, {
      accept: 'text/html,*/*;q=0.8',
      authorization: `Bearer ${ADMIN_KEY}`,
      'apollo-require-preflight': '1',
    });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { me: { handle: 'admin' } } });
    expect((await get(server.graphqlUrl)).status).toBe(400); // no Accept: Apollo's answer, as before
  });

  it('serves the page with a strict Content-Security-Policy and no caching of index.html', async () => {
    const res = await get(`${server.url}/explorer/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).toContain("script-src 'self'");
    expect(EXPLORER_CSP).toContain("connect-src 'self'");
    expect(EXPLORER_CSP).not.toMatch(/unsafe-eval|\*/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toMatch(/<script type="module" src="\.\/assets\/main-[A-Z0-9]{8}\.js"><\/script>/);
    expect(html).not.toMatch(/<script>|\son[a-z]+=/i); // nothing inline for the CSP to refuse
    // /explorer without the slash goes to the page (relative asset URLs need it).
    const bare = await get(`${server.url}/explorer`);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/explorer/');
  });

  it('serves hashed assets as immutable, with their types, and 404 for anything else', async () => {
    const html = await (await get(`${server.url}/explorer/`)).text();
    const script = /src="\.\/(assets\/main-[A-Z0-9]{8}\.js)"/.exec(html)?.[1];
    const style = /href="\.\/(assets\/main-[A-Z0-9]{8}\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await get(`${server.url}/explorer/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    const css = await get(`${server.url}/explorer/${style}`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await get(`${server.url}/explorer/nope.js`)).status).toBe(404);
    expect((await get(`${server.url}/explorer/.build-stamp`)).status).toBe(404);
  });

  it('needs nothing from another host: no CDN, every font and worker is in the bundle', async () => {
    const files = (await readdir(EXPLORER_DIST, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    const names = files.map((e) => path.relative(EXPLORER_DIST, path.join(e.parentPath, e.name)));
    expect(names.some((n) => /^workers\/graphql\.worker-[A-Z0-9]{8}\.js$/.test(n))).toBe(true);
    expect(names.some((n) => /\.ttf$/.test(n))).toBe(true);
    for (const name of names.filter((n) => /\.(js|css|html)$/.test(n))) {
      const text = await readFile(path.join(EXPLORER_DIST, name), 'utf8');
      expect(text, name).not.toMatch(/esm\.sh|unpkg\.com|jsdelivr|cdnjs|googleapis|gstatic/);
      // Loads by URL (import(), url(), src=, new Worker) are all relative.
      for (const match of text.matchAll(/(?:url\(|import\(|src=)["']?(https?:\/\/[^"')\s]+)/g)) expect.fail(`${name} loads ${match[1]}`);
    }
  });

  it('sends no CORS headers when HIVEGRAPH_CORS_ORIGINS is not set', async () => {
    const res = await gql(server, '{ me { handle } }', { key: ADMIN_KEY, headers: { origin: 'https://elsewhere.example' } });
    expect(res.status).toBe(200);
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await fetch(server.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect([...preflight.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('explorer not built', () => {
  let http: Server;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hg-explorer-empty-'));
    const app = express();
    mountExplorer(app, { dir });
    http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with a page saying how to build it', async () => {
    const res = await get(`${base}/explorer/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(await res.text()).toContain('npm run build:explorer');
  });
});
