/**
 * Starts a Hivegraph server in this process for the harness: PGlite in a fresh temporary
 * directory (or the Postgres of DATABASE_URL, when set), a random bootstrap admin key, no
 * rate limit, a free port, and the embedder asked for.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { startServer } from '../src/server/server.ts';
import { createLogger, type LogLevel } from '../src/shared/logger.ts';

/** A server started by {@link startEmbeddedServer}. */
export interface EmbeddedServer {
  url: string;
  graphqlUrl: string;
  /** The bootstrap admin key of org `default`. */
  key: string;
  /** Stops the server and removes its temporary data directory. */
  close(): Promise<void>;
}

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /** HIVEGRAPH_EMBEDDER (`auto`, `local`, `hashing`, `openai`); unset keeps the environment's. */
  embedder?: string;
  /** Environment the configuration is read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Server log level (default `warn`; logs go to stderr). */
  logLevel?: LogLevel;
}

/**
 * Starts the server. Everything else (DATABASE_URL, FALKORDB_URL, the model directory, …)
 * comes from `env` as for `npm start`.
 * @throws StartupError / ConfigError as the server does
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hg-eval-'));
  const key = `eval-${randomBytes(16).toString('hex')}`;
  // Typed loosely so variables the configuration learns later (HIVEGRAPH_EMBEDDER) pass through.
  const overrides: Record<string, string> = {
    HIVEGRAPH_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key,
    HIVEGRAPH_RATE_LIMITS: 'standard=unlimited,high=unlimited',
    HIVEGRAPH_SHUTDOWN_GRACE_MS: '2000',
    ...(options.embedder ? { HIVEGRAPH_EMBEDDER: options.embedder } : {}),
  };
  try {
    const config = loadConfig(options.env ?? process.env, overrides);
    const logger = createLogger(options.logLevel ?? 'warn');
    const running = await startServer({ config, logger });
    return {
      url: running.url,
      graphqlUrl: running.graphqlUrl,
      key,
      async close() {
        await running.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
