/**
 * Liveness and readiness: /readyz names each dependency (SQL, graph store, embedder) and
 * its state; ready only when every required one is up.
 */
import type { GraphStore, HealthReport, SqlClient } from '../store/types.ts';

/** The /readyz body. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: {
    sql: HealthReport;
    graph: HealthReport;
    /** Embeddings arrive with hybrid search; until then reported as not configured. */
    embedder: HealthReport | { status: 'not_configured'; backend: 'none' };
  };
}

/** Health probes. */
export interface HealthService {
  readiness(): Promise<Readiness>;
}

/** Creates the health service. */
export function createHealthService(deps: { sql: SqlClient; graph: GraphStore }): HealthService {
  return {
    async readiness() {
      const [sql, graph] = await Promise.all([deps.sql.health(), deps.graph.health()]);
      return {
        status: sql.status === 'up' && graph.status === 'up' ? 'ready' : 'not_ready',
        checks: { sql, graph, embedder: { status: 'not_configured', backend: 'none' } },
      };
    },
  };
}
