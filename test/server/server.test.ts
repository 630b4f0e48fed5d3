/**
 * The foundation through real HTTP and WebSocket: auth, `me`, `node`, health, errors,
 * bootstrap across restarts, and graceful shutdown — on the run's backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, gql, startTestServer, wsClient, wsExecute, type TestServer } from '../support/server.ts';
import { backends } from '../support/backends.ts';

describe('server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('uses the backends this run selected', () => {
    const selection = backends();
    expect(server.sqlBackend).toBe(selection.databaseUrl ? 'postgres' : 'pglite');
    expect(server.graphBackend).toBe(selection.falkordbUrl ? 'falkordb' : 'sql');
    process.stdout.write(`[server] running on SQL=${server.sqlBackend}, graph=${server.graphBackend}\n`);
  });

  describe('authentication over HTTP', () => {
    it('answers `me` for a valid key', async () => {
      const res = await gql<{ me: { handle: string; role: string; displayName: string } }>(server, '{ me { handle role displayName } }', {
        key: ADMIN_KEY,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { me: { handle: 'admin', role: 'ADMIN', displayName: 'Administrator' } } });
    });

    it.each([
      ['no Authorization header', undefined],
      ['an unknown key', 'hg_definitely-not-a-key-00000000000000000000'],
    ])('rejects %s with 401 UNAUTHENTICATED and no data', async (_case, key) => {
      const res = await gql(server, '{ me { handle } }', { key });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('rejects a malformed Authorization header', async () => {
      const res = await gql(server, '{ me { handle } }', { headers: { authorization: `Basic ${ADMIN_KEY}` } });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });

    it('serves queries over GET, per GraphQL over HTTP', async () => {
      const url = `${server.graphqlUrl}?query=${encodeURIComponent('{ me { handle } }')}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': '1' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { me: { handle: 'admin' } } });
    });

    it('answers with application/graphql-response+json when asked, 400 for invalid documents', async () => {
      const res = await gql(server, '{ me { nope } }', { key: ADMIN_KEY });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('echoes a well-formed x-request-id and makes one up otherwise', async () => {
      const mine = await gql(server, '{ me { handle } }', { key: ADMIN_KEY, headers: { 'x-request-id': 'trace-42' } });
      expect(mine.headers.get('x-request-id')).toBe('trace-42');
      const made = await gql(server, '{ me { handle } }', { key: ADMIN_KEY, headers: { 'x-request-id': 'bad id with spaces' } });
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('Query.node', () => {
    it('resolves the global id of a user to that user', async () => {
      const me = await gql<{ me: { id: string } }>(server, '{ me { id } }', { key: ADMIN_KEY });
      const id = me.body.data!.me.id;
      const res = await gql<{ node: { __typename: string; id: string; handle: string } }>(
        server,
        'query ($id: ID!) { node(id: $id) { __typename id ... on User { handle } } }',
        { key: ADMIN_KEY, variables: { id } },
      );
      expect(res.body).toEqual({ data: { node: { __typename: 'User', id, handle: 'admin' } } });
    });

    it('returns null for a well-formed id that names nothing', async () => {
      const id = Buffer.from('User:00000000-0000-4000-8000-000000000000').toString('base64url');
      const res = await gql(server, 'query ($id: ID!) { node(id: $id) { id } }', { key: ADMIN_KEY, variables: { id } });
      expect(res.body).toEqual({ data: { node: null } });
    });

    it('rejects a malformed id with BAD_USER_INPUT', async () => {
      const res = await gql(server, '{ node(id: "garbage") { id } }', { key: ADMIN_KEY });
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });
  });

  describe('health', () => {
    it('/healthz says the process is alive, without auth', async () => {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('/readyz names each dependency, its backend and its state', async () => {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; backend: string; detail?: string }> };
      expect(body.status).toBe('ready');
      expect(body.checks['sql']).toMatchObject({ status: 'up', backend: server.sqlBackend });
      expect(body.checks['graph']).toMatchObject({ status: 'up', backend: server.graphBackend });
      // The rate limiter's store (issue 14): in memory embedded, shared on Postgres in server mode.
      expect(body.checks['rateLimit']).toMatchObject({ status: 'up' });
      expect(Object.keys(body.checks).sort()).toEqual(['embedder', 'graph', 'rateLimit', 'sql']);
      expect(JSON.stringify(body)).not.toMatch(/hivegraph:hivegraph@/); // no credentials
    });
  });

  describe('GraphQL over WebSocket (graphql-transport-ws)', () => {
    it('executes operations for a connection authenticated by connectionParams', async () => {
      const client = wsClient(server, ADMIN_KEY);
      try {
        expect(await wsExecute(client, '{ me { handle } }')).toEqual({ data: { me: { handle: 'admin' } } });
        expect(await wsExecute(client, '{ me { role } }')).toEqual({ data: { me: { role: 'ADMIN' } } });
      } finally {
        await client.dispose();
      }
    });

    it.each([
      ['without a key', undefined],
      ['with a bad key', 'hg_not-a-key-000000000000000000000000000000'],
    ])('closes a connection %s with 4401 Unauthorized', async (_case, key) => {
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        const client = wsClient(server, key, {
          on: { closed: (event) => resolve({ code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }) },
        });
        client.subscribe({ query: '{ me { handle } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      });
      const { code, reason } = await closed;
      expect(code).toBe(4401);
      expect(reason).toMatch(/UNAUTHENTICATED/);
    });
  });
});

describe('bootstrap across restarts', () => {
  it('creates org, admin and a printed key on first start only; restarts keep data', async () => {
    const first = await startTestServer({ HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: '' });
    let current: TestServer = first;
    try {
      expect(first.bootstrap.firstStart).toBe(true);
      const key = first.bootstrap.generatedAdminKey!;
      expect(key).toMatch(/^hg_/);
      expect((await gql(first, '{ me { handle } }', { key })).body).toEqual({ data: { me: { handle: 'admin' } } });
      const stored = await first.sql.query<{ prefix: string; key_hash: string }>('SELECT prefix, key_hash FROM api_keys');
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]!.prefix).toBe(key.slice(0, 8));
      expect(JSON.stringify(stored.rows)).not.toContain(key);

      current = await first.restart();
      expect(current.bootstrap).toEqual({ firstStart: false });
      expect((await gql(current, '{ me { handle } }', { key })).body).toEqual({ data: { me: { handle: 'admin' } } });
    } finally {
      await current.stop();
    }
  });

  it('makes HIVEGRAPH_BOOTSTRAP_ADMIN_KEY an active admin key on every start, even after revocation', async () => {
    const key = 'bootstrap-key-for-this-test-0001';
    let server = await startTestServer({ HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key });
    try {
      expect(server.bootstrap.generatedAdminKey).toBeUndefined();
      expect((await gql(server, '{ me { handle } }', { key })).body).toEqual({ data: { me: { handle: 'admin' } } });
      // By hand in SQL: the trigger's NOTIFY reaches the auth cache just after the commit.
      await server.sql.query('UPDATE api_keys SET revoked_at = now()');
      await expect.poll(async () => (await gql(server, '{ me { handle } }', { key })).status, { timeout: 10_000 }).toBe(401);
      server = await server.restart();
      expect((await gql(server, '{ me { handle } }', { key })).body).toEqual({ data: { me: { handle: 'admin' } } });
      const keys = await server.sql.query<{ c: number }>('SELECT count(*) AS c FROM api_keys');
      expect(keys.rows[0]!.c).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('closes WebSocket connections with 1001, stops accepting requests and closes the stores', async () => {
    const server = await startTestServer();
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    const closed = new Promise<number>((resolve) => {
      // A non-lazy client keeps its socket open with no operation running.
      wsClient(server, ADMIN_KEY, { lazy: false, onNonLazyError: () => undefined, on: { connected: () => connected(), closed: (event) => resolve((event as CloseEvent).code) } });
    });
    await isConnected;
    await server.stop();
    expect(await closed).toBe(1001);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect((await server.sql.health()).status).toBe('down');
  });
});
