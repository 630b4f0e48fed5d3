/**
 * The auth cache (services/auth.service.ts) on the run's backends: a key that authenticated is
 * not looked up again for each request, yet a revoked key — through the API, by hand in SQL,
 * or on another instance of the same database — is refused on the next request, because
 * triggers announce the change on commit (migrations/0015_api_key_notify.sql). The cache TTL
 * is set to an hour here, so only the notification can explain a refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createActor, ok, type Actor } from '../support/actors.ts';
import { backends, uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

const HOUR = String(60 * 60 * 1000);
const ME = '{ me { handle } }';
const keyLookups: string[] = [];
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_AUTH_CACHE_TTL_MS: HOUR }, { onStatement: (text) => text.includes('FROM api_keys k JOIN users u') && keyLookups.push(text) });
});
afterAll(async () => {
  await server?.stop();
});

/** Polls `fn` until it returns true; fails after `ms` (a hang guard, not a timing claim). */
async function eventually(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function newActor(role = 'MEMBER'): Promise<Actor> {
  return createActor(server, ADMIN_KEY, `cache-${uniqueSuffix()}`, role);
}

describe('auth cache', () => {
  it('looks a key up once, then answers its requests from memory', async () => {
    const actor = await newActor();
    const before = keyLookups.length;
    for (let i = 0; i < 5; i += 1) expect((await ok(server, actor.key, ME)).me.handle).toBe(actor.handle);
    expect(keyLookups.length - before).toBe(1);
  });

  it('never remembers an unknown key', async () => {
    const before = keyLookups.length;
    for (let i = 0; i < 3; i += 1) expect((await gql(server, ME, { key: `unknown-${uniqueSuffix()}-key-0000` })).status).toBe(401);
    expect(keyLookups.length - before).toBe(3);
  });

  it('refuses a key on the request after revokeApiKey', async () => {
    const actor = await newActor();
    await ok(server, actor.key, ME);
    const keys = await ok<{ apiKeys: { edges: { node: { id: string } }[] } }>(server, actor.key, '{ apiKeys { edges { node { id } } } }');
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: keys.apiKeys.edges[0]!.node.id });
    // The instance that revoked forgets the key before answering.
    expect((await gql(server, ME, { key: actor.key })).status).toBe(401);
  });

  it('refuses a key revoked by hand in SQL, and a user whose role changed is seen with the new role', async () => {
    const actor = await newActor('READER');
    await ok(server, actor.key, ME);
    const me = await ok<{ me: { id: string } }>(server, actor.key, '{ me { id } }');
    expect(me.me.id).toBe(actor.id);
    await server.sql.query(`UPDATE users SET role = 'MEMBER' WHERE handle = $1`, [actor.handle]);
    const before = keyLookups.length;
    await eventually(async () => {
      await ok(server, actor.key, ME);
      return keyLookups.length > before;
    });
    await server.sql.query('UPDATE api_keys SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE handle = $1)', [actor.handle]);
    await eventually(async () => (await gql(server, ME, { key: actor.key })).status === 401);
  });

  it('a key revoked on one instance is refused by another instance on the same database', async (context) => {
    const selection = backends();
    if (!selection.databaseUrl) {
      context.skip('embedded: one process per data directory, so there is no second instance to ask');
      return;
    }
    const actor = await newActor();
    const second: RunningServer = await startServer({ config: loadConfig({}, { ...envOf(server), PORT: '0' }), logger: createLogger('error') });
    try {
      expect((await ok(second, actor.key, ME)).me.handle).toBe(actor.handle);
      const keys = await ok<{ apiKeys: { edges: { node: { id: string } }[] } }>(server, actor.key, '{ apiKeys { edges { node { id } } } }');
      await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: keys.apiKeys.edges[0]!.node.id });
      await eventually(async () => (await gql(second, ME, { key: actor.key })).status === 401);
    } finally {
      await second.close();
    }
  });
});

/** The configuration variables the test server was started with. */
function envOf(s: TestServer): Record<string, string> {
  const url = s.config.sql.kind === 'postgres' ? s.config.sql.url : '';
  return {
    DATABASE_URL: url,
    HIVEGRAPH_EMBEDDER: 'hashing',
    HIVEGRAPH_AUTH_CACHE_TTL_MS: HOUR,
    ...(s.config.graph.kind === 'falkordb' ? { FALKORDB_URL: s.config.graph.url, HIVEGRAPH_GRAPH_PREFIX: s.config.graph.graphPrefix } : {}),
  };
}
