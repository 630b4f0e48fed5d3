/**
 * The embedded adaptor: PGlite (PostgreSQL in WASM) in this process, with pgvector, behind
 * the {@link SqlClient} interface. The default when DATABASE_URL is unset.
 *
 * PGlite is one connection: its own mutex serialises statements and holds other callers back
 * while a transaction is open, which gives the same isolation a pool would.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { StartupError } from '../../shared/errors.ts';
import type { Queryable, QueryResult, SqlClient } from '../types.ts';
import { checkChannel } from './listen.ts';
import { runScriptIn, transactionQueryable } from './savepoints.ts';
import { translateSqlError } from './translate-error.ts';

/** Options of {@link openPgliteClient}. */
export interface PgliteClientOptions {
  /** Directory holding the database files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Called once per statement sent (for statement-count tests and tracing). */
  onStatement?: (text: string) => void;
  /** Session settings applied once after opening (PGlite is one session). */
  sessionSettings?: Record<string, string>;
}

/**
 * Opens (creating if needed) the embedded database.
 * @throws StartupError when the data directory cannot be used
 */
export async function openPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  let db: PGlite;
  try {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      extensions: { vector },
      // Every statement's writes reach the files before it resolves (PGlite's default, stated
      // here because it is what makes a kill -9 lose no acknowledged write).
      relaxedDurability: false,
      parsers: { [types.INT8]: (value: string) => Number(value) },
    });
  } catch (error) {
    const where = options.dataDir ?? 'memory';
    throw new StartupError(
      `Cannot open the embedded database in ${where}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const onStatement = options.onStatement ?? (() => undefined);
  // PGlite refuses startup options: settings are issued as SQL on its single session.
  for (const [name, value] of Object.entries(options.sessionSettings ?? {})) {
    await db.query('SELECT set_config($1, $2, false)', [name, value]);
  }

  const query = async <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    onStatement(text);
    try {
      const result = await db.query<R>(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } catch (error) {
      throw translateSqlError(error);
    }
  };

  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction(async (tx) => {
        const run = async (text: string, params?: readonly unknown[]) => {
          onStatement(text);
          const result = await tx.query<never>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        };
        return fn(
          transactionQueryable(run, (sql) => {
            onStatement(sql);
            return tx.exec(sql);
          }),
        );
      });
    } catch (error) {
      throw translateSqlError(error);
    }
  };

  const adaptor: SqlClient = {
    backend: 'pglite',
    query,
    transaction,
    async execScript(sql, tx) {
      if (tx) {
        await runScriptIn(tx, sql);
        return;
      }
      onStatement(sql);
      try {
        await db.exec(sql);
      } catch (error) {
        throw translateSqlError(error);
      }
    },
    async health() {
      const started = performance.now();
      try {
        const result = await db.query<{ server_version: string }>('SHOW server_version');
        return {
          status: 'up',
          backend: 'pglite',
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          detail: `PGlite (PostgreSQL ${result.rows[0]?.server_version ?? '?'})${options.dataDir ? ` in ${options.dataDir}` : ' in memory'}`,
        };
      } catch (error) {
        return { status: 'down', backend: 'pglite', detail: error instanceof Error ? error.message : String(error) };
      }
    },
    async listen(channel, onMessage) {
      checkChannel(channel);
      const unsubscribe = await db.listen(channel, onMessage);
      return async () => {
        if (!db.closed) await unsubscribe();
      };
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
  return adaptor;
}
