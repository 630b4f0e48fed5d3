/**
 * Liveness and readiness: /readyz names each dependency (SQL, graph store, embedder) and
 * its state; ready only when every required one is up.
 */
import type { Embedder, EmbedderHealth } from '../embed/types.ts';
import type { GraphStore, HealthReport, SqlClient } from '../store/types.ts';
import type { GraphProjector } from './graph-projector.ts';

/** The /readyz body. */
export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: {
    sql: HealthReport;
    /** With `projectionLag`: changes committed to SQL but not yet applied to the graph store. */
    graph: HealthReport & { projectionLag?: number };
    /** The embedder in use: backend (`local`, `openai`, `hashing`) and model, with `dimension`. */
    embedder: (EmbedderHealth & { model: string; dimension: number }) | { status: 'not_configured'; backend: 'none' };
  };
}

/** Health probes. */
export interface HealthService {
  readiness(): Promise<Readiness>;
}

/** Creates the health service. */
export function createHealthService(deps: { sql: SqlClient; graph: GraphStore; projector: GraphProjector; embedder: Embedder | undefined }): HealthService {
  return {
    async readiness() {
      const [sql, graph, projectionLag, embedder] = await Promise.all([
        deps.sql.health(),
        deps.graph.health(),
        deps.projector.lag().catch(() => undefined),
        deps.embedder?.health(),
      ]);
      return {
        status: sql.status === 'up' && graph.status === 'up' && embedder?.status === 'up' ? 'ready' : 'not_ready',
        checks: {
          sql,
          graph: { ...graph, ...(deps.graph.projected && projectionLag !== undefined ? { projectionLag } : {}) },
          embedder:
            embedder && deps.embedder
              ? { ...embedder, model: deps.embedder.model, dimension: deps.embedder.dimension }
              : { status: 'not_configured', backend: 'none' },
        },
      };
    },
  };
}
