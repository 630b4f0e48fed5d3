/**
 * Rate limits across instances (issue 14), over real HTTP:
 * - server mode: two API instances on one Postgres share one key's burst allowance (within a
 *   small tolerance), where per-instance counting would allow twice as much; with the shared
 *   store failing, each falls back to its in-memory insurance limiter and /readyz says so;
 * - both deployments: failed authentication is limited per client IP; a blocked IP is refused
 *   even with a valid key until the window ends; on Postgres the count is shared too.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import { backends, describeIfAvailable } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const ME = 'query { me { handle } }';
const LIMIT = 40;

async function status(server: { graphqlUrl: string }, authorization: string | undefined): Promise<number> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query: ME }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Sends `n` requests with `key`, alternating between `instances`, 8 at a time; returns how many were allowed. */
async function allowedOf(instances: readonly { graphqlUrl: string }[], key: string, n: number): Promise<{ allowed: number; limited: number }> {
  let allowed = 0;
  let limited = 0;
  for (let i = 0; i < n; i += 8) {
    const statuses = await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, j) => status(instances[(i + j) % instances.length]!, `Bearer ${key}`)));
    allowed += statuses.filter((s) => s === 200).length;
    limited += statuses.filter((s) => s === 429).length;
  }
  return { allowed, limited };
}

async function readyz(server: { url: string }): Promise<{ checks: { rateLimit: { status: string; store: string; detail?: string } } }> {
  return (await (await fetch(`${server.url}/readyz`)).json()) as never;
}

const postgres = backends().databaseUrl;

describeIfAvailable('shared burst limit: two instances on one Postgres', postgres ? undefined : 'needs DATABASE_URL (server mode only)', () => {
  let a: TestServer;
  let b: RunningServer;

  beforeAll(async () => {
    // A 10-minute window: the test never straddles two windows, so the count is one window's.
    a = await startTestServer({ HIVEGRAPH_RATE_LIMITS: `standard=${LIMIT}/600`, HIVEGRAPH_AUTH_FAILURE_LIMIT: 'unlimited' });
    b = await a.startSibling();
  });

  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('one key gets the tier allowance across both instances together, not per instance', async () => {
    expect(a.sqlBackend).toBe('postgres');
    expect((await readyz(a)).checks.rateLimit).toEqual({ status: 'up', store: 'postgres' });
    const { allowed, limited } = await allowedOf([a, b], ADMIN_KEY, 2 * LIMIT + 20);
    // Per-instance counting would allow 2 × LIMIT = 80.
    expect(allowed).toBeGreaterThanOrEqual(LIMIT - 2);
    expect(allowed).toBeLessThanOrEqual(LIMIT + 2);
    expect(limited).toBe(2 * LIMIT + 20 - allowed);
    // Both instances refuse now, with Retry-After.
    const refused = await fetch(b.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query: ME }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('falls back to per-instance insurance limiters when the shared store fails, and /readyz says so', async () => {
    const admin = new pg.Client({ connectionString: a.config.sql.kind === 'postgres' ? a.config.sql.url : '' });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE rate_limits RENAME TO rate_limits_away');
      // The admin key is over its shared limit: these requests run on the insurance limiter.
      // A fresh key then, so the insurance limiters start from zero.
      const call = async (query: string, variables: Record<string, unknown> = {}) =>
        (await (
          await fetch(a.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data?: Record<string, any> };
      const me = (await call('{ me { id } }')).data?.['me']?.id as string;
      const created = await call('mutation ($userId: ID!) { createApiKey(input: { userId: $userId, name: "insurance" }) { key } }', { userId: me });
      const key = created.data?.['createApiKey']?.key as string | undefined;
      expect(key).toMatch(/^hg_/);
      const health = (await readyz(a)).checks.rateLimit;
      expect(health).toMatchObject({ status: 'degraded', store: 'postgres' });
      expect(health.detail).toMatch(/rate_limits/);
      // Each instance now counts on its own: together they allow up to 2 × LIMIT.
      const { allowed } = await allowedOf([a, b], key!, 2 * LIMIT + 20);
      expect(allowed).toBeGreaterThan(LIMIT + 2);
      expect(allowed).toBeLessThanOrEqual(2 * LIMIT);
    } finally {
      await admin.query('ALTER TABLE IF EXISTS rate_limits_away RENAME TO rate_limits');
      await admin.end();
    }
    // Back to the shared store at the next request.
    await status(a, `Bearer ${ADMIN_KEY}`);
    expect((await readyz(a)).checks.rateLimit).toEqual({ status: 'up', store: 'postgres' });
  });
});

describe('failed authentication is limited per client IP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_AUTH_FAILURE_LIMIT: '3/600', HIVEGRAPH_RATE_LIMITS: 'standard=100000/1' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers 429 after the limit, even to a valid key, over HTTP and WebSocket; the embedded default counts in memory', async () => {
    expect((await readyz(server)).checks.rateLimit.store).toBe(server.sqlBackend === 'postgres' ? 'postgres' : 'memory');
    expect(await status(server, ADMIN_KEY ? `Bearer ${ADMIN_KEY}` : undefined)).toBe(200);
    const wrong = ['Bearer hg_wrong-key-number-1111111111', 'Bearer hg_wrong-key-number-2222222222', undefined];
    for (const authorization of wrong) expect(await status(server, authorization)).toBe(401);
    expect(await status(server, 'Bearer hg_wrong-key-number-4444444444')).toBe(429);
    const blocked = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query: ME }) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(((await blocked.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('RATE_LIMITED');
    // The WebSocket endpoint refuses the same IP at connection.
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(server.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_KEY}` } }));
    const [code, reason] = await new Promise<[number, string]>((resolve) => socket.once('close', (c, r) => resolve([c, r.toString()])));
    expect(code).toBe(4429);
    expect(reason).toMatch(/^RATE_LIMITED/);
  });

  it.skipIf(!postgres)('on Postgres a second instance shares the count (server mode only: skipped without DATABASE_URL)', async () => {
    const sibling = await server.startSibling();
    try {
      // The sibling has no local block yet: its first failure meets the shared count, over the limit.
      expect(await status(sibling, 'Bearer hg_wrong-key-number-5555555555')).toBe(429);
      expect(await status(sibling, `Bearer ${ADMIN_KEY}`)).toBe(429);
    } finally {
      await sibling.close();
    }
  });
});
