/**
 * The graph projector: keeps FalkorDB in step with Postgres. Every change to an artifact's
 * traversal-relevant state or to a relationship leaves a row in `graph_outbox` in the same
 * transaction; the projector reads the *current* state of those rows' entities, applies it
 * to the graph store (MERGE by id, so replays are harmless), and deletes the rows — in one
 * transaction, so a failure anywhere leaves them for the next attempt. It runs right after
 * each commit (`kick`) and on a timer, so it catches up after any outage, also for writes
 * made by other instances. `FOR UPDATE SKIP LOCKED` lets several instances share the work.
 */
import type { Logger } from '../shared/logger.ts';
import {
  claimOutbox,
  deleteOutboxRows,
  getEdgeStates,
  getNodeStates,
  orgGraphSizes,
  outboxLag,
  pageEdgeStates,
  pageNodeStates,
} from '../store/repositories/relationships.repo.ts';
import type { GraphStore, SqlClient } from '../store/types.ts';

/** Options of {@link createGraphProjector}. */
export interface GraphProjectorOptions {
  sql: SqlClient;
  graph: GraphStore;
  logger: Logger;
  /** How often to look for unapplied rows, in ms (default 1000). */
  intervalMs?: number;
  /** Outbox rows applied per transaction (default 500). */
  batchSize?: number;
}

/** The running projector. */
export interface GraphProjector {
  /** Schedules a drain soon (after a commit). Never throws. */
  kick(): void;
  /** Applies every pending row; resolves with how many were applied. Throws when the graph store fails. */
  drain(): Promise<number>;
  /** Outbox rows not yet applied. */
  lag(): Promise<number>;
  /**
   * Rebuilds the graph store from SQL for every org (`hivegraph graph resync`).
   * @param onProgress called after each batch with totals so far
   */
  resync(onProgress?: (p: { org: string; nodes: number; edges: number; totalNodes: number; totalEdges: number }) => void): Promise<{ nodes: number; edges: number }>;
  /** Starts the timer. */
  start(): void;
  /** Stops the timer and waits for a running drain. */
  stop(): Promise<void>;
}

/** Creates the projector (not started). */
export function createGraphProjector(options: GraphProjectorOptions): GraphProjector {
  const { sql, graph, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  async function drainOnce(): Promise<number> {
    return sql.transaction(async (tx) => {
      const rows = await claimOutbox(tx, batchSize);
      if (rows.length === 0) return 0;
      if (graph.projected) {
        const byOrg = new Map<string, { artifacts: Set<string>; relationships: Set<string> }>();
        for (const row of rows) {
          const entry = byOrg.get(row.orgId) ?? { artifacts: new Set(), relationships: new Set() };
          (row.entity === 'artifact' ? entry.artifacts : entry.relationships).add(row.entityId);
          byOrg.set(row.orgId, entry);
        }
        for (const [orgId, entry] of byOrg) {
          const nodes = await getNodeStates(tx, [...entry.artifacts]);
          await graph.upsertNodes(orgId, nodes);
          const relationshipIds = [...entry.relationships];
          const edges = await getEdgeStates(tx, relationshipIds);
          const present = new Set(edges.map((e) => e.id));
          await graph.upsertEdges(orgId, edges);
          await graph.deleteEdges(orgId, relationshipIds.filter((id) => !present.has(id)));
        }
      }
      await deleteOutboxRows(tx, rows.map((r) => r.seq));
      return rows.length;
    });
  }

  async function drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const applied = await drainOnce();
      total += applied;
      if (applied < batchSize) return total;
    }
  }

  const projector: GraphProjector = {
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = drainAll()
        .then((n) => {
          if (failing) logger.info('graph projection caught up');
          failing = false;
          return n;
        })
        .catch((error: unknown) => {
          if (!failing) logger.warn('graph projection failed; will retry', { error: error instanceof Error ? error.message : String(error) });
          failing = true;
          return 0;
        })
        .finally(() => {
          running = undefined;
          if (again) {
            again = false;
            projector.kick();
          }
        });
    },
    async drain() {
      await running;
      return drainAll();
    },
    lag: () => outboxLag(sql),
    async resync(onProgress) {
      let nodes = 0;
      let edges = 0;
      for (const org of await orgGraphSizes(sql)) {
        await graph.resetOrg(org.orgId);
        let after = 0;
        for (;;) {
          const batch = await pageNodeStates(sql, org.orgId, after, 5000);
          if (batch.length === 0) break;
          await graph.upsertNodes(org.orgId, batch);
          nodes += batch.length;
          after = batch.at(-1)!.seq;
          onProgress?.({ org: org.name, nodes, edges, totalNodes: org.nodes, totalEdges: org.edges });
        }
        after = 0;
        for (;;) {
          const batch = await pageEdgeStates(sql, org.orgId, after, 5000);
          if (batch.length === 0) break;
          await graph.upsertEdges(org.orgId, batch);
          edges += batch.length;
          after = batch.at(-1)!.seq;
          onProgress?.({ org: org.name, nodes, edges, totalNodes: org.nodes, totalEdges: org.edges });
        }
      }
      return { nodes, edges };
    },
    start() {
      timer ??= setInterval(() => projector.kick(), intervalMs);
      timer.unref();
      projector.kick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
  return projector;
}
