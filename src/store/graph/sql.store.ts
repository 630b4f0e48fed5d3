/**
 * The embedded graph store: the same GraphStore API answered with recursive SQL over the
 * relationship rows in the SQL store. The default when FALKORDB_URL is unset.
 */
import type { GraphStore, SqlClient } from '../types.ts';

/** Opens the embedded graph store over `sql`. */
export function openSqlGraphStore(sql: SqlClient): GraphStore {
  const store: GraphStore = {
    backend: 'sql',
    async health() {
      const started = performance.now();
      // The embedded store is a view over SQL: it is up exactly when recursive SQL answers.
      try {
        await sql.query('WITH RECURSIVE walk(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM walk WHERE n < 2) SELECT count(*) FROM walk');
        return {
          status: 'up',
          backend: 'sql',
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          detail: `embedded graph store over ${sql.backend}`,
        };
      } catch (error) {
        return { status: 'down', backend: 'sql', detail: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      // Owns no connection: the SQL client is closed by its owner.
    },
  };
  return store;
}
