/**
 * Protective limits through real HTTP and WebSocket: query depth, cost and aliases
 * (QUERY_TOO_COMPLEX), body size (413), per-key rate limits (429 + Retry-After), request
 * counts per key per month, and masking of unexpected errors with a request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/actors.ts';
import { ADMIN_KEY, gql, startTestServer, wsClient, wsExecute, type TestServer } from '../support/server.ts';

describe('query limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_MAX_QUERY_DEPTH: '4', HIVEGRAPH_MAX_ALIASES: '3', HIVEGRAPH_MAX_BODY_BYTES: '4096', HIVEGRAPH_MAX_CONTENT_BYTES: '2048' });
  });
  afterAll(async () => server?.stop());

  it('refuses a query deeper than HIVEGRAPH_MAX_QUERY_DEPTH with 400 QUERY_TOO_COMPLEX', async () => {
    const res = await gql(server, '{ me { groups { members { user { handle } } } } }', { key: ADMIN_KEY });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 4, actual: 5 });
    expect(res.body.data).toBeUndefined();
  });

  it('accepts a query at the depth limit', async () => {
    const res = await gql(server, '{ me { groups { members { role } } } }', { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('refuses more aliases than HIVEGRAPH_MAX_ALIASES', async () => {
    const res = await gql(server, '{ a: me { handle } b: me { handle } c: me { handle } d: me { handle } }', { key: ADMIN_KEY });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('applies the same limits over WebSocket', async () => {
    const client = wsClient(server, ADMIN_KEY);
    try {
      const result = await wsExecute(client, '{ me { groups { members { user { handle } } } } }').catch((errors: unknown) => ({ errors }));
      const errors = (result as { errors: readonly { extensions?: Record<string, unknown> }[] }).errors;
      expect(errors[0]?.extensions?.['code']).toBe('QUERY_TOO_COMPLEX');
    } finally {
      await client.dispose();
    }
  });

  it('answers a body over HIVEGRAPH_MAX_BODY_BYTES with 413 BAD_USER_INPUT, and malformed JSON with 400', async () => {
    const big = await gql(server, 'mutation ($c: String!) { createArtifact(input: {kind: "fact", content: $c}) { id } }', {
      key: ADMIN_KEY,
      variables: { c: 'x'.repeat(5000) },
    });
    expect(big.status).toBe(413);
    expect(big.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const malformed = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('masks an unexpected failure as INTERNAL_SERVER_ERROR with a request id that is in the log', async () => {
    await server.sql.query('ALTER TABLE collections RENAME TO collections_away');
    try {
      const res = await gql(server, '{ collections { edges { node { id } } } }', { key: ADMIN_KEY, headers: { 'x-request-id': 'limits-test-500' } });
      const error = res.body.errors?.[0];
      expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'limits-test-500' });
      expect(error?.message).not.toMatch(/collections/);
      expect(server.logs.join('\n')).toMatch(/limits-test-500.*collections/);
    } finally {
      await server.sql.query('ALTER TABLE collections_away RENAME TO collections');
    }
  });
});

describe('query cost', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_MAX_QUERY_COST: '500' });
  });
  afterAll(async () => server?.stop());

  it('counts list sizes into the cost: first: 100 of a nested list is refused, first: 5 passes', async () => {
    const expensive = await gql(server, '{ artifacts(first: 100) { edges { node { revisions(first: 100) { edges { node { revision } } } } } } }', { key: ADMIN_KEY });
    expect(expensive.status).toBe(400);
    expect(expensive.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 500 });
    const cheap = await gql(server, '{ artifacts(first: 5) { edges { node { revisions(first: 5) { edges { node { revision } } } } } } }', { key: ADMIN_KEY });
    expect(cheap.status).toBe(200);
  });

  it('takes `first` from variables when measuring cost', async () => {
    const query = 'query ($n: Int!) { artifacts(first: $n) { edges { node { revisions(first: $n) { edges { node { revision } } } } } } }';
    expect((await gql(server, query, { key: ADMIN_KEY, variables: { n: 50 } })).status).toBe(400);
    expect((await gql(server, query, { key: ADMIN_KEY, variables: { n: 4 } })).status).toBe(200);
  });

});

describe('rate limits and usage', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'standard=5/60,high=1000/60' });
  });
  afterAll(async () => server?.stop());

  it('answers the request over the tier limit with 429, Retry-After and RATE_LIMITED', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 7; i += 1) {
      const res = await gql(server, '{ me { handle } }', { key: ADMIN_KEY });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    // A sliding-window counter weighs the previous window linearly, so with limit 5 in 60 s the
    // wait can reach 60 × (1 + 1/5) = 72 s (whole seconds, rounded up).
    expect(retryAfter).toBeLessThanOrEqual(73);
    expect(limited!.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
  });

  it('limits keys independently, by their tier', async () => {
    const viewer = await server.services.auth.authenticate(`Bearer ${ADMIN_KEY}`);
    const high = await server.services.apiKeys.create(viewer, { userId: viewer.userId, name: 'high tier', tier: 'high' });
    for (let i = 0; i < 8; i += 1) expect((await gql(server, '{ me { handle } }', { key: high.key })).status).toBe(200);
  });

  it('counts requests per key per calendar month, visible to admins after a flush', async () => {
    const viewer = await server.services.auth.authenticate(`Bearer ${ADMIN_KEY}`);
    const counted = await server.services.apiKeys.create(viewer, { userId: viewer.userId, name: 'counted', tier: 'high' });
    for (let i = 0; i < 3; i += 1) await gql(server, '{ me { handle } }', { key: counted.key });
    server = await server.restart(); // a clean stop flushes the counts
    const period = new Date().toISOString().slice(0, 7);
    const data = await ok<{ apiKeys: { edges: { node: { name: string; usage: { period: string; requests: number }[] } }[] } }>(
      server,
      counted.key,
      '{ apiKeys { edges { node { name usage { period requests } } } } }',
    );
    const usage = data.apiKeys.edges.find((e) => e.node.name === 'counted')!.node.usage;
    expect(usage).toEqual([{ period, requests: 3 }]);
  });
});
