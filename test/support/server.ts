/**
 * Starts a real Hivegraph server for a test file on the run's chosen backends: a fresh
 * Postgres database and FalkorDB when the run has them, else PGlite in a temp directory and
 * the embedded graph store. Requests go over real HTTP and WebSocket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { backends, createTestDatabase, uniqueSuffix } from './backends.ts';

/** A bootstrap admin key known to tests. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A running test server plus what it runs on. */
export interface TestServer extends RunningServer {
  /** `pglite` or `postgres`, and `sql` or `falkordb`. */
  sqlBackend: string;
  graphBackend: string;
  config: Config;
  /** Log lines the server wrote. */
  logs: string[];
  /** Stops the server and removes its database / data directory. */
  stop(): Promise<void>;
  /** Starts another server on the same data (a restart). */
  restart(overrides?: Record<string, string>): Promise<TestServer>;
  /**
   * Starts a second instance on the same database and graph while this one keeps running
   * (server mode only: an embedded data directory holds one process). Stop it with `close()`;
   * this server's `stop()` still removes the database.
   */
  startSibling(overrides?: Record<string, string>): Promise<RunningServer & { logs: string[] }>;
}

/**
 * Starts a server; `env` overrides configuration variables; `onStatement` sees every SQL
 * statement sent; `clock` replaces `Date.now` for session visibility overrides.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  hooks: { onStatement?: (text: string) => void; wrapGraph?: (store: GraphStore) => GraphStore; clock?: () => number } = {},
): Promise<TestServer> {
  const selection = backends();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hg-server-'));
  const db = selection.databaseUrl ? await createTestDatabase(selection.databaseUrl) : undefined;
  const base: Record<string, string> = {
    HIVEGRAPH_DATA_DIR: dataDir,
    PORT: '0',
    HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    HIVEGRAPH_SHUTDOWN_GRACE_MS: '2000',
    // Fast and deterministic; suites that need meaning (search quality, eval) ask for `local`.
    HIVEGRAPH_EMBEDDER: 'hashing',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(selection.falkordbUrl ? { FALKORDB_URL: selection.falkordbUrl, HIVEGRAPH_GRAPH_PREFIX: `hgtest_${uniqueSuffix()}` } : {}),
  };
  const cleanup = async () => {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const launch = async (vars: Record<string, string>): Promise<TestServer> => {
    const config = loadConfig({}, vars);
    const logs: string[] = [];
    const logger: Logger = createLogger(config.logLevel, (line) => logs.push(line));
    const running = await startServer({
      config,
      logger,
      ...(hooks.onStatement ? { sql: { onStatement: hooks.onStatement } } : {}),
      ...(hooks.wrapGraph ? { wrapGraph: hooks.wrapGraph } : {}),
      ...(hooks.clock ? { clock: hooks.clock } : {}),
    });
    let stopped = false;
    const server: TestServer = {
      ...running,
      sqlBackend: running.sql.backend,
      graphBackend: running.graph.backend,
      config,
      logs,
      async stop() {
        if (stopped) return;
        stopped = true;
        await running.close();
        await cleanup();
      },
      async startSibling(overrides = {}) {
        const siblingLogs: string[] = [];
        const sibling = await startServer({ config: loadConfig({}, { ...vars, ...overrides }), logger: createLogger(config.logLevel, (line) => siblingLogs.push(line)) });
        return Object.assign(sibling, { logs: siblingLogs });
      },
      async restart(overrides = {}) {
        stopped = true;
        await running.close();
        return launch({ ...vars, ...overrides });
      },
    };
    return server;
  };
  try {
    return await launch({ ...base, ...env });
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A GraphQL response as clients see it. */
export interface GqlResponse<D = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: D | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

/** POSTs a GraphQL operation with `key` (omit for no Authorization header). */
export async function gql<D = Record<string, unknown>>(
  server: { graphqlUrl: string },
  query: string,
  options: { variables?: Record<string, unknown>; key?: string | undefined; headers?: Record<string, string> } = {},
): Promise<GqlResponse<D>> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GqlResponse<D>['body'] };
}

/** A graphql-ws client for `server` authenticated with `key`. */
export function wsClient(server: { graphqlUrl: string }, key: string | undefined, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...extra,
  });
}

/** Runs one operation over `client` and returns its single result. */
export function wsExecute<D = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<{ data?: D | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
    let result: { data?: D | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] } | undefined;
    client.subscribe<D>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: reject,
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
