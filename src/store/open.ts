/**
 * The store's composition entry: opens the SQL client and graph store that the configuration
 * names. The server and CLI call these; services only ever see the interfaces.
 */
import path from 'node:path';
import type { GraphConfig, SearchConfig, SqlConfig } from '../config/config.ts';
import { openFalkorGraphStore } from './graph/falkordb.store.ts';
import { openSqlGraphStore } from './graph/sql.store.ts';
import { acquireDataDirLock, type DataDirLock } from './sql/data-dir-lock.ts';
import { openPgClient } from './sql/pg.adaptor.ts';
import { openPgliteClient } from './sql/pglite.adaptor.ts';
import type { GraphStore, SqlClient } from './types.ts';

export { openSqlGraphStore } from './graph/sql.store.ts';
export { DataDirLockedError, readDataDirLock, type DataDirLock, type LockHolder } from './sql/data-dir-lock.ts';
export { requestFromHolder, type ControlAnswer } from './sql/data-dir-control.ts';

const locks = new WeakMap<SqlClient, DataDirLock>();

/** The data-directory lock an embedded client holds (undefined in server mode or in memory). */
export function dataDirLockOf(sql: SqlClient): DataDirLock | undefined {
  return locks.get(sql);
}
export { MIGRATIONS_DIR, migrate, readMigrations, type Migration, type MigrationOutcome } from './sql/migrate.ts';

/** Hooks and settings shared by both SQL adaptors. */
export interface SqlOpenOptions {
  /** Called once per statement sent. */
  onStatement?: (text: string) => void;
  /** Session settings (`SET name = value`) every connection starts with. */
  sessionSettings?: Record<string, string>;
}

/**
 * The HNSW candidate list a vector leg of `candidates` rows searches with: at least twice the
 * leg's depth, so the leg's top rows are not the ragged end of the list. With ef_search equal
 * to the depth, recall@10 at 100k artifacts was 0.89 for a viewer who sees everything;
 * docs/benchmarks.md ("Vector leg against the exact scan") has the curve.
 */
export function effectiveEfSearch(search: Pick<SearchConfig, 'efSearch' | 'candidates'>): number {
  return Math.min(1000, Math.max(search.efSearch, 2 * search.candidates));
}

/**
 * The pgvector session settings search runs with: iterative index scans (a selective
 * visibility filter or filter keeps the scan going until the leg is full, up to
 * `maxScanTuples`) and {@link effectiveEfSearch}.
 */
export function searchSessionSettings(search: SearchConfig): Record<string, string> {
  return {
    'hnsw.ef_search': String(effectiveEfSearch(search)),
    'hnsw.iterative_scan': 'relaxed_order',
    'hnsw.max_scan_tuples': String(search.maxScanTuples),
  };
}

/**
 * Opens the SQL client for `config`: Postgres when a URL is set, else PGlite in `dataDir/pglite`.
 * The embedded data directory is first locked for this process (released by `close()`).
 * @throws DataDirLockedError when another live process holds the data directory
 */
export async function openSqlClient(config: SqlConfig, options: SqlOpenOptions = {}): Promise<SqlClient> {
  if (config.kind === 'postgres') {
    return openPgClient({
      url: config.url,
      poolMax: config.poolMax,
      connectTimeoutMs: config.connectTimeoutMs,
      ...options,
    });
  }
  const lock = await acquireDataDirLock(config.dataDir);
  let client: SqlClient;
  try {
    client = await openPgliteClient({ dataDir: path.join(config.dataDir, 'pglite'), ...options });
  } catch (error) {
    await lock.release();
    throw error;
  }
  const close = client.close.bind(client);
  locks.set(client, lock);
  return Object.assign(client, {
    close: async () => {
      try {
        await close();
      } finally {
        await lock.release();
      }
    },
  });
}

/** Opens an in-memory embedded SQL client (tests, tools). */
export function openMemorySqlClient(options: SqlOpenOptions = {}): Promise<SqlClient> {
  return openPgliteClient(options);
}

/** Opens the graph store for `config`: FalkorDB when a URL is set, else the embedded store over `sql`. */
export async function openGraphStore(config: GraphConfig, sql: SqlClient): Promise<GraphStore> {
  if (config.kind === 'falkordb') {
    return openFalkorGraphStore({ url: config.url, graphPrefix: config.graphPrefix, connectTimeoutMs: config.connectTimeoutMs });
  }
  return openSqlGraphStore(sql);
}
