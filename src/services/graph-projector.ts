/**
 * The graph projector: keeps FalkorDB in step with Postgres. Every change to an artifact's
 * traversal-relevant state or to a relationship leaves a row in `graph_outbox` in the same
 * transaction; the projector reads the *current* state of those rows' entities, applies it
 * to the graph store (MERGE by id, so replays are harmless), and deletes the rows — in one
 * transaction, so a failure anywhere leaves them for the next attempt. It runs right after
 * each commit (`kick`) and on a timer, so it catches up after any outage, also for writes
 * made by other instances. `FOR UPDATE SKIP LOCKED` lets several instances share the work.
 */
import { randomUUID } from 'node:crypto';
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
  /** How often to check that the graph store still holds what was projected, in ms (default 60 000). */
  verifyIntervalMs?: number;
}

/** The running projector. */
export interface GraphProjector {
  /** Schedules a drain soon (after a commit). Never throws. */
  kick(fromTimer?: boolean): void;
  /** Applies every pending row; resolves with how many were applied. Throws when the graph store fails. */
  drain(): Promise<number>;
  /** Outbox rows not yet applied. */
  lag(): Promise<number>;
  /**
   * Rebuilds the graph store from SQL for every org (`hivegraph graph resync`).
   * @param onProgress called after each batch with totals so far
   */
  resync(onProgress?: (p: { org: string; nodes: number; edges: number; totalNodes: number; totalEdges: number }) => void): Promise<{ nodes: number; edges: number }>;
  /**
   * Compares each org's epoch marker in the graph store with the one recorded in SQL and
   * rebuilds the graphs that lost their data (or were never built). Runs at start, after
   * every reconnect and every `verifyIntervalMs`. Resolves with the names of rebuilt orgs.
   */
  verify(): Promise<string[]>;
  /** True while an org's graph is being rebuilt (traversal must not trust it). */
  isRebuilding(orgId: string): boolean;
  /** Starts the timers. */
  start(): void;
  /** Stops the timer and waits for a running drain. */
  stop(): Promise<void>;
}

/** Arbitrary constant naming the advisory lock that serialises projectors. */
const PROJECTOR_LOCK_ID = 727_384_154;

/** Creates the projector (not started). */
export function createGraphProjector(options: GraphProjectorOptions): GraphProjector {
  const { sql, graph, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let verifyTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let failing = false;
  let verifying: Promise<string[]> | undefined;
  const rebuilding = new Set<string>();
  // Until a verification has passed (at start, and after every reconnect), the graph store may
  // have lost data: traversal must not trust it.
  let unverified = graph.projected;

  async function resyncOrg(
    org: { orgId: string; name: string; nodes: number; edges: number },
    totals: { nodes: number; edges: number },
    onProgress?: (p: { org: string; nodes: number; edges: number; totalNodes: number; totalEdges: number }) => void,
  ): Promise<void> {
    rebuilding.add(org.orgId);
    try {
      await graph.resetOrg(org.orgId);
      let after = 0;
      for (;;) {
        const batch = await pageNodeStates(sql, org.orgId, after, 5000);
        if (batch.length === 0) break;
        await graph.upsertNodes(org.orgId, batch);
        totals.nodes += batch.length;
        after = batch.at(-1)!.seq;
        onProgress?.({ org: org.name, nodes: totals.nodes, edges: totals.edges, totalNodes: org.nodes, totalEdges: org.edges });
      }
      after = 0;
      for (;;) {
        const batch = await pageEdgeStates(sql, org.orgId, after, 5000);
        if (batch.length === 0) break;
        await graph.upsertEdges(org.orgId, batch);
        totals.edges += batch.length;
        after = batch.at(-1)!.seq;
        onProgress?.({ org: org.name, nodes: totals.nodes, edges: totals.edges, totalNodes: org.nodes, totalEdges: org.edges });
      }
      const epoch = randomUUID();
      await graph.writeEpoch(org.orgId, epoch);
      await sql.query(
        `INSERT INTO graph_epochs (org_id, epoch) VALUES ($1, $2)
         ON CONFLICT (org_id) DO UPDATE SET epoch = EXCLUDED.epoch, verified_at = now()`,
        [org.orgId, epoch],
      );
    } finally {
      rebuilding.delete(org.orgId);
    }
  }

  async function verifyAll(): Promise<string[]> {
    if (!graph.projected) return [];
    const rebuilt: string[] = [];
    const { rows: recorded } = await sql.query<{ orgId: string; epoch: string }>('SELECT org_id AS "orgId", epoch FROM graph_epochs');
    const expected = new Map(recorded.map((r) => [r.orgId, r.epoch]));
    for (const org of await orgGraphSizes(sql)) {
      const actual = await graph.readEpoch(org.orgId);
      if (actual !== null && actual === expected.get(org.orgId)) continue;
      logger.warn(
        actual === null && expected.has(org.orgId)
          ? `the graph of org ${org.name} lost its data: rebuilding it from SQL`
          : `the graph of org ${org.name} is not known to be complete: rebuilding it from SQL`,
        { nodes: org.nodes, edges: org.edges },
      );
      await resyncOrg(org, { nodes: 0, edges: 0 });
      rebuilt.push(org.name);
    }
    unverified = false;
    return rebuilt;
  }

  async function drainOnce(): Promise<number> {
    return sql.transaction(async (tx) => {
      // One projector at a time, across instances: each reads the *current* state of what it
      // applies, so serialised drains can never write an older state over a newer one.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PROJECTOR_LOCK_ID]);
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
    kick(fromTimer = false) {
      // While the graph store is failing, only the timer retries (about once a second), not every commit.
      if (failing && !fromTimer) return;
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
      // Until no committed change is left: a run started by a commit may hold rows meanwhile.
      let total = 0;
      const deadline = Date.now() + 60_000;
      for (;;) {
        await running;
        total += await drainAll();
        if ((await outboxLag(sql)) === 0) return total;
        if (Date.now() > deadline) throw new Error('graph projection did not catch up within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    lag: () => outboxLag(sql),
    async resync(onProgress) {
      const totals = { nodes: 0, edges: 0 };
      for (const org of await orgGraphSizes(sql)) await resyncOrg(org, totals, onProgress);
      unverified = false; // every graph was just rebuilt and marked
      return totals;
    },
    verify() {
      verifying ??= verifyAll().finally(() => {
        verifying = undefined;
      });
      return verifying;
    },
    isRebuilding: (orgId) => unverified || rebuilding.has(orgId),
    start() {
      timer ??= setInterval(() => projector.kick(true), intervalMs);
      timer.unref();
      if (graph.projected) {
        const check = () => {
          projector.verify().catch((error: unknown) =>
            logger.warn('could not verify the graph projection; will retry', { error: error instanceof Error ? error.message : String(error) }),
          );
        };
        verifyTimer ??= setInterval(check, options.verifyIntervalMs ?? 60_000);
        verifyTimer.unref();
        unsubscribe ??= graph.onReconnect(() => {
          unverified = true;
          check();
        });
        check();
      }
      projector.kick(true);
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (verifyTimer) clearInterval(verifyTimer);
      unsubscribe?.();
      timer = undefined;
      verifyTimer = undefined;
      unsubscribe = undefined;
      await running;
      await verifying?.catch(() => undefined);
    },
  };
  return projector;
}
