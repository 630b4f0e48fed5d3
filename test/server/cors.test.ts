/**
 * CORS (src/server/cors.ts) over real HTTP: a server configured with HIVEGRAPH_CORS_ORIGINS
 * answers allowed origins on /graphql and /mcp, preflights included, and nothing else; `*`
 * allows every origin without credentials. (No CORS at all by default: explorer.test.ts.)
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsMiddleware } from '../../src/server/cors.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const ALLOWED = 'https://app.example.com';
const corsHeaders = (headers: Headers) => Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-')));
const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
  });

describe('CORS with a list of origins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_CORS_ORIGINS: `${ALLOWED}/, http://localhost:5173` });
  });
  afterAll(async () => server?.stop());

  it('lets an allowed origin read /graphql responses, errors included', async () => {
    const res = await gql(server, '{ me { handle } }', { key: ADMIN_KEY, headers: { origin: ALLOWED } });
    expect(res.body.data).toEqual({ me: { handle: 'admin' } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/Origin/);
    const denied = await gql(server, '{ me { handle } }', { headers: { origin: 'http://localhost:5173' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('answers an allowed preflight with 204 and what may be sent', async () => {
    const res = await preflight(server.graphqlUrl, ALLOWED);
    expect(res.status).toBe(204);
    expect(corsHeaders(res.headers)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-expose-headers': 'x-request-id, retry-after, www-authenticate, mcp-session-id',
      'access-control-max-age': '600',
    });
  });

  it('covers /mcp too', async () => {
    const res = await preflight(`${server.url}/mcp`, ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('gives other origins (and look-alikes) no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
      const res = await gql(server, '{ me { handle } }', { key: ADMIN_KEY, headers: { origin } });
      expect(res.status, origin).toBe(200); // the server answers; the browser will not let the page read it
      expect(corsHeaders(res.headers), origin).toEqual({});
      const pre = await preflight(server.graphqlUrl, origin);
      expect(pre.status, origin).not.toBe(204);
      expect(corsHeaders(pre.headers), origin).toEqual({});
    }
  });

  it('adds nothing to same-origin requests or to other paths', async () => {
    const res = await gql(server, '{ me { handle } }', { key: ADMIN_KEY });
    expect(corsHeaders(res.headers)).toEqual({});
    const health = await fetch(`${server.url}/healthz`, { headers: { origin: ALLOWED } });
    expect(corsHeaders(health.headers)).toEqual({});
  });
});

describe('CORS with *', () => {
  let http: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use('/graphql', corsMiddleware('*'));
    app.post('/graphql', (_req, res) => void res.json({ data: { ok: true } }));
    http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise((resolve) => http?.close(resolve)));

  it('allows every origin, never with credentials, and needs no Vary', async () => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { origin: 'https://any.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
    const pre = await preflight(`${base}/graphql`, 'https://other.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });
});
