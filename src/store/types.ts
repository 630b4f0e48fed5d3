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
  /** Connections of the pool by state, and queries waiting for one (Postgres; PGlite has no pool). */
  poolStats?(): { inUse: number; idle: number; waiting: number };
  /**
   * Receives the payloads sent with `pg_notify(channel, payload)` once their transaction
   * commits — from every process on this database (Postgres), or from this process (PGlite).
   * On Postgres a dedicated connection listens and reconnects by itself; `onReconnect` runs
   * after each reconnection, since notifications may have been missed meanwhile.
   * @returns a function that stops listening
   */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** Closes connections; further calls fail. */
  close(): Promise<void>;
}

/** Who is traversing, as the graph store's visibility filter needs it. */
export interface TraversalViewer {
  orgId: string;
  userId: string;
  /** Ids of the groups the viewer belongs to (GROUP visibility). */
  groupIds: readonly string[];
}

/** One hop of a breadth-first traversal. */
export interface ExpandOptions {
  /** Relationship types to follow; all when empty or absent. */
  types?: readonly string[] | null;
  /** OUT follows from → to, IN to → from, BOTH either way. */
  direction: 'OUT' | 'IN' | 'BOTH';
  viewer: TraversalViewer;
}

/** An edge found by {@link GraphStore.expand}: `from` is in the frontier, `to` is its neighbour. */
export interface ExpandedEdge {
  from: string;
  to: string;
  relationshipId: string;
}

/** The projected state of an artifact: what traversal needs to apply visibility. */
export interface GraphNode {
  id: string;
  visibility: 'PRIVATE' | 'GROUP' | 'ORG' | 'PUBLIC';
  ownerId: string;
  groupIds: readonly string[];
  deleted: boolean;
}

/** The projected state of a relationship. */
export interface GraphEdge {
  id: string;
  fromId: string;
  toId: string;
  type: string;
}

/**
 * The graph store behind traversal: FalkorDB in server mode (a projection of the SQL rows,
 * one graph per org), or the embedded store that answers with SQL over the rows themselves.
 */
export interface GraphStore {
  /** `falkordb` or `sql` (the embedded store). */
  readonly backend: 'falkordb' | 'sql';
  /** True when the store keeps its own copy that the projector must keep in step. */
  readonly projected: boolean;
  /**
   * One breadth-first hop: the relationships from the frontier's artifacts to neighbours the
   * viewer can see and that are not deleted. Frontier artifacts themselves are not checked.
   * @throws ServiceUnavailableError when the store cannot be reached
   */
  expand(orgId: string, frontier: readonly string[], options: ExpandOptions): Promise<ExpandedEdge[]>;
  /** Creates or updates nodes (idempotent, by id). No-op for the embedded store. */
  upsertNodes(orgId: string, nodes: readonly GraphNode[]): Promise<void>;
  /** Creates edges that do not exist yet (idempotent, by id). No-op for the embedded store. */
  upsertEdges(orgId: string, edges: readonly GraphEdge[]): Promise<void>;
  /** Removes edges by id (absent ones are ignored). No-op for the embedded store. */
  deleteEdges(orgId: string, ids: readonly string[]): Promise<void>;
  /** Drops everything projected for an org (resync). No-op for the embedded store. */
  resetOrg(orgId: string): Promise<void>;
  /**
   * The epoch marker stored in an org's graph (null when absent, e.g. after data loss).
   * The embedded store has no copy to lose and always answers `embedded`.
   */
  readEpoch(orgId: string): Promise<string | null>;
  /** Stores the epoch marker in an org's graph. No-op for the embedded store. */
  writeEpoch(orgId: string, epoch: string): Promise<void>;
  /** Calls `listener` whenever the connection is re-established after a loss. Returns an unsubscribe. */
  onReconnect(listener: () => void): () => void;
  /** How many nodes and edges the store holds for an org (resync checks, tests). */
  size(orgId: string): Promise<{ nodes: number; edges: number }>;
  /** Probes the store with a query round trip. Never throws. */
  health(): Promise<HealthReport>;
  /** Releases connections. */
  close(): Promise<void>;
}
