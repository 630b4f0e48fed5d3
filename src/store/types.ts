/**
 * The store contracts. Services and the composition root see only these interfaces;
 * the backends (src/store/sql/*, src/store/graph/*) implement them and are never imported
 * from outside src/store.
 */

/** Rows returned by one statement. */
export interface QueryResult<R> {
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE) or returned. */
  rowCount: number;
}

/** Something that runs parameterised SQL: the client itself or an open transaction. */
export interface Queryable {
  /**
   * Runs one parameterised statement (`$1`, `$2`, …). Never interpolate values into `text`.
   * Driver errors are translated: unique violation → ConflictError, connection loss →
   * ServiceUnavailableError.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back when it throws.
   * Called on a transaction it opens a savepoint, so nesting composes.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** State of one dependency as reported by /readyz. */
export interface HealthReport {
  status: 'up' | 'down';
  /** Which backend answers, e.g. `postgres`, `pglite`, `falkordb`, `sql`. */
  backend: string;
  /** Round-trip time of the probe in milliseconds (when up). */
  latencyMs?: number;
  /** Backend version or the reason it is down. */
  detail?: string;
}

/** The one narrow SQL client: Postgres through `pg`, or PGlite in-process. */
export interface SqlClient extends Queryable {
  /** `postgres` (server mode) or `pglite` (embedded). */
  readonly backend: 'postgres' | 'pglite';
  /** Runs a multi-statement script without parameters (migrations only). */
  execScript(sql: string, tx?: Queryable): Promise<void>;
  /** Probes the database with a round trip. Never throws. */
  health(): Promise<HealthReport>;
  /** Closes connections; further calls fail. */
  close(): Promise<void>;
}

/**
 * The graph store behind traversal: FalkorDB in server mode, or the embedded store that
 * answers over the SQL rows. Traversal methods arrive with the relationships capability.
 */
export interface GraphStore {
  /** `falkordb` or `sql` (the embedded store). */
  readonly backend: 'falkordb' | 'sql';
  /** Probes the store with a query round trip. Never throws. */
  health(): Promise<HealthReport>;
  /** Releases connections. */
  close(): Promise<void>;
}
