/**
 * The Postgres adaptor: a `pg` Pool behind the {@link SqlClient} interface. Used in server
 * mode (DATABASE_URL). Postgres ≥ 15 with pgvector ≥ 0.8.
 */
import pg from 'pg';
import { redactUrl } from '../../config/config.ts';
import { StartupError } from '../../shared/errors.ts';
import type { Queryable, QueryResult, SqlClient } from '../types.ts';
import { listenWithReconnect } from './listen.ts';
import { runScriptIn, transactionQueryable } from './savepoints.ts';
import { translateSqlError } from './translate-error.ts';

/** Options of {@link openPgClient}. */
export interface PgClientOptions {
  /** postgres:// connection string. */
  url: string;
  /** Most connections in the pool (default 10). */
  poolMax?: number;
  /** How long to wait for a connection before failing, in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Called once per statement sent (for statement-count tests and tracing). */
  onStatement?: (text: string) => void;
  /** Settings every connection starts with (sent as startup options, no extra round trip). */
  sessionSettings?: Record<string, string>;
}

/** int8 (bigint, count(*)) as a JS number, the same as the PGlite adaptor. */
const INT8_OID = 20;
const typeOverrides = new pg.TypeOverrides();
typeOverrides.setTypeParser(INT8_OID, (value: string) => Number(value));

/**
 * Opens a pool and proves it with one round trip.
 * @throws StartupError naming the (password-redacted) URL and the cause when unreachable
 */
export async function openPgClient(options: PgClientOptions): Promise<SqlClient> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: typeOverrides,
    ...(options.sessionSettings ? { options: startupOptions(options.sessionSettings) } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StartupError(`Cannot reach Postgres at ${redactUrl(options.url)}: ${describe(error)}`, { cause: error });
  }
  const onStatement = options.onStatement ?? (() => undefined);

  const query = async <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    onStatement(text);
    try {
      const result = await pool.query(text, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw translateSqlError(error);
    }
  };

  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translateSqlError(error);
    }
    const run = async (text: string, params?: readonly unknown[]) => {
      onStatement(text);
      const result = await client.query(text, params as unknown[] | undefined);
      return { rows: result.rows as never[], rowCount: result.rowCount ?? result.rows.length };
    };
    let broken: unknown;
    try {
      await run('BEGIN');
      const result = await fn(
        transactionQueryable(run, async (sql) => {
          onStatement(sql);
          await client.query(sql);
        }),
      );
      await run('COMMIT');
      return result;
    } catch (error) {
      await run('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
      throw translateSqlError(error);
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: destroy it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  };

  const adaptor: SqlClient = {
    backend: 'postgres',
    query,
    transaction,
    async execScript(sql, tx) {
      // Without parameters node-postgres uses the simple protocol: many statements are fine.
      if (tx) return runScriptIn(tx, sql);
      onStatement(sql);
      try {
        // A multi-statement result is an array of results: nothing of it is needed here.
        await pool.query(sql);
      } catch (error) {
        throw translateSqlError(error);
      }
    },
    async health() {
      const started = performance.now();
      try {
        const { rows } = await pool.query<{ version: string }>("SELECT current_setting('server_version') AS version");
        return {
          status: 'up',
          backend: 'postgres',
          latencyMs: round(performance.now() - started),
          detail: `PostgreSQL ${rows[0]?.version ?? '?'}`,
        };
      } catch (error) {
        return { status: 'down', backend: 'postgres', detail: describe(error) };
      }
    },
    poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen(channel, onMessage, onReconnect) {
      return listenWithReconnect(
        () => new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 }),
        channel,
        onMessage,
        onReconnect,
      );
    },
    async close() {
      await pool.end();
    },
  };
  return adaptor;
}

/** `-c name=value …` for the startup packet; names and values are checked, never quoted. */
function startupOptions(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[a-z_][a-z0-9_.]*$/i.test(name) || !/^[a-z0-9_.]+$/i.test(value)) throw new RangeError(`unsafe session setting ${name}=${value}`);
      return `-c ${name}=${value}`;
    })
    .join(' ');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message || String(code);
  }
  return String(error);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
