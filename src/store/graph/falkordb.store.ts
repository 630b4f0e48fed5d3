/**
 * The FalkorDB graph store (server mode, FALKORDB_URL). One `falkordb` client (a single
 * node-redis connection); each org gets its own graph, named `<prefix>_<org id>`.
 */
import { FalkorDB } from 'falkordb';
import { redactUrl } from '../../config/config.ts';
import { ServiceUnavailableError, StartupError } from '../../shared/errors.ts';
import type { ExpandedEdge, GraphStore } from '../types.ts';

/** Options of {@link openFalkorGraphStore}. */
export interface FalkorGraphStoreOptions {
  /** falkor://, falkors://, redis:// or rediss:// URL. */
  url: string;
  /** Graph-name prefix (default `hivegraph`). */
  graphPrefix?: string;
  /** Connect timeout in ms (default 5000); also the longest a query may take. */
  connectTimeoutMs?: number;
}

/** Visibility of node `b` for `$org`, `$user`, `$groups`: the rule of visibility.sql.ts, in Cypher. */
const VISIBLE_B = `b.deleted = false AND (b.vis = 'PUBLIC' OR (b.org = $org AND (b.vis = 'ORG' OR b.owner = $user
  OR (b.vis = 'GROUP' AND any(g IN b.groups WHERE g IN $groups)))))`;

/**
 * One hop per direction, from an `a` already bound; only these three fixed patterns exist,
 * chosen by enum, never built from input.
 */
const HOP_PATTERN = {
  OUT: '(a)-[r:REL]->(b:Artifact)',
  IN: '(a)<-[r:REL]-(b:Artifact)',
  BOTH: '(a)-[r:REL]-(b:Artifact)',
} as const;

/** The FalkorDB store, with the raw Cypher round trip the contract tests use. */
export interface FalkorGraphStore extends GraphStore {
  readonly backend: 'falkordb';
  /** Runs parameterised Cypher on graph `graphName` (probes, tests, the projector). */
  cypher<T>(graphName: string, cypher: string, params?: Record<string, unknown>): Promise<T[]>;
  /** The FalkorDB module version reported by the server, e.g. `4.16.3`. */
  readonly moduleVersion: string;
}

/**
 * Connects and proves the connection with a Cypher round trip.
 * @throws StartupError naming the URL and the cause when FalkorDB cannot be reached
 */
export async function openFalkorGraphStore(options: FalkorGraphStoreOptions): Promise<FalkorGraphStore> {
  const url = options.url.replace(/^falkor(s?):/, 'redis$1:');
  const timeout = options.connectTimeoutMs ?? 5000;
  const probeGraph = `${options.graphPrefix ?? 'hivegraph'}_health`;
  let db: FalkorDB;
  try {
    db = await withTimeout(
      FalkorDB.connect({
        url,
        // A PING every 2 s notices a dead peer between queries.
        pingInterval: 2000,
        socket: {
          connectTimeout: timeout,
          keepAlive: 1000,
          // Keep retrying in the background after start-up; queries fail fast meanwhile.
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
        } as never,
      }),
      timeout,
    );
    db.on('error', () => undefined);
  } catch (error) {
    throw new StartupError(`Cannot reach FalkorDB at ${redactUrl(options.url)}: ${message(error)}`, { cause: error });
  }
  let moduleVersion = 'unknown';
  try {
    await db.selectGraph(probeGraph).query('RETURN 1');
    moduleVersion = await readModuleVersion(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new StartupError(
      `FalkorDB at ${redactUrl(options.url)} did not answer a Cypher query (is the falkordb module loaded?): ${message(error)}`,
      { cause: error },
    );
  }

  const prefix = options.graphPrefix ?? 'hivegraph';
  const graphName = (orgId: string) => `${prefix}_${orgId}`;
  const indexed = new Set<string>();

  /** Fails fast (SERVICE_UNAVAILABLE) instead of queueing while disconnected, and bounds every query. */
  async function run<T>(graph: string, cypher: string, params: Record<string, unknown>, readOnly: boolean): Promise<T[]> {
    const connection = await db.connection;
    if (!connection.isReady) throw new ServiceUnavailableError('FalkorDB is unavailable.');
    const g = db.selectGraph(graph);
    try {
      const reply = await withTimeout(
        // TIMEOUT makes FalkorDB itself abandon the query, so a client-side timeout never leaves
        // a server thread busy with an answer nobody waits for.
        readOnly
          ? g.roQuery<T>(cypher, { params: params as never, TIMEOUT: timeout })
          : g.query<T>(cypher, { params: params as never, TIMEOUT: Math.max(timeout, 30_000) }),
        (readOnly ? timeout : Math.max(timeout, 30_000)) + 1000,
      );
      return reply.data ?? [];
    } catch (error) {
      if (readOnly && /empty key/i.test(message(error))) return []; // the org has no graph yet
      if (/no answer within|ECONNREFUSED|ECONNRESET|socket|closed|connection/i.test(message(error))) {
        throw new ServiceUnavailableError('FalkorDB is unavailable.', { cause: error });
      }
      throw error;
    }
  }

  async function ensureIndexes(orgId: string): Promise<void> {
    if (indexed.has(orgId)) return;
    for (const statement of ['CREATE INDEX FOR (n:Artifact) ON (n.id)', 'CREATE INDEX FOR ()-[r:REL]-() ON (r.id)']) {
      await run(graphName(orgId), statement, {}, false).catch((error: unknown) => {
        if (!/already indexed|already exists/i.test(message(error))) throw error;
      });
    }
    indexed.add(orgId);
  }

  const store: FalkorGraphStore = {
    backend: 'falkordb',
    projected: true,
    moduleVersion,
    async cypher<T>(graph: string, cypher: string, params: Record<string, unknown> = {}) {
      return run<T>(graph, cypher, params, false);
    },

    async expand(orgId, frontier, options) {
      if (frontier.length === 0) return [];
      const types = options.types?.length ? [...options.types] : [];
      return run<ExpandedEdge>(
        graphName(orgId),
        // `a` is bound through the id index in its own MATCH first: written as one pattern,
        // FalkorDB 4.x plans a label scan of every `b` per frontier id (2.5 s per hop on 100k
        // nodes / 1M edges instead of ~1 ms; see docs/benchmarks.md).
        `UNWIND $frontier AS fid MATCH (a:Artifact {id: fid}) WITH a, fid MATCH ${HOP_PATTERN[options.direction]}
         WHERE (size($types) = 0 OR r.type IN $types) AND ${VISIBLE_B}
         RETURN fid AS from, b.id AS to, r.id AS relationshipId`,
        { frontier: [...frontier], types, org: options.viewer.orgId, user: options.viewer.userId, groups: [...options.viewer.groupIds] },
        true,
      );
    },

    async upsertNodes(orgId, nodes) {
      if (nodes.length === 0) return;
      await ensureIndexes(orgId);
      await run(
        graphName(orgId),
        `UNWIND $nodes AS n MERGE (a:Artifact {id: n.id})
         SET a.org = $org, a.vis = n.vis, a.owner = n.owner, a.groups = n.groups, a.deleted = n.deleted`,
        {
          org: orgId,
          nodes: nodes.map((n) => ({ id: n.id, vis: n.visibility, owner: n.ownerId, groups: [...n.groupIds], deleted: n.deleted })),
        },
        false,
      );
    },

    async upsertEdges(orgId, edges) {
      if (edges.length === 0) return;
      await ensureIndexes(orgId);
      // MERGE on the ends and the edge id: replaying the same edge never duplicates it.
      await run(
        graphName(orgId),
        `UNWIND $edges AS e MERGE (x:Artifact {id: e.from}) MERGE (y:Artifact {id: e.to})
         MERGE (x)-[r:REL {id: e.id}]->(y) SET r.type = e.type`,
        { edges: edges.map((e) => ({ id: e.id, from: e.fromId, to: e.toId, type: e.type })) },
        false,
      );
    },

    async deleteEdges(orgId, ids) {
      if (ids.length === 0) return;
      await run(graphName(orgId), 'UNWIND $ids AS id MATCH ()-[r:REL {id: id}]->() DELETE r', { ids: [...ids] }, false).catch(
        (error: unknown) => {
          if (!/empty key/i.test(message(error))) throw error;
        },
      );
    },

    async resetOrg(orgId) {
      const connection = await db.connection;
      if (!connection.isReady) throw new ServiceUnavailableError('FalkorDB is unavailable.');
      await db.selectGraph(graphName(orgId)).delete().catch((error: unknown) => {
        if (!/empty key|Invalid graph operation/i.test(message(error))) throw error;
      });
      indexed.delete(orgId);
    },

    async readEpoch(orgId) {
      const [row] = await run<{ epoch: string }>(graphName(orgId), 'MATCH (m:HivegraphMeta) RETURN m.epoch AS epoch LIMIT 1', {}, true);
      return row?.epoch ?? null;
    },

    async writeEpoch(orgId, epoch) {
      await run(graphName(orgId), 'MERGE (m:HivegraphMeta {key: 1}) SET m.epoch = $epoch', { epoch }, false);
    },

    onReconnect(listener) {
      let lost = false;
      const onError = () => {
        lost = true;
      };
      const onReady = () => {
        if (!lost) return;
        lost = false;
        listener();
      };
      const attach = db.connection.then((connection) => {
        connection.on('error', onError);
        connection.on('end', onError);
        connection.on('ready', onReady);
        return connection;
      });
      return () => {
        void attach.then((connection) => {
          connection.off('error', onError);
          connection.off('end', onError);
          connection.off('ready', onReady);
        });
      };
    },

    async size(orgId) {
      const [nodes] = await run<{ n: number }>(graphName(orgId), 'MATCH (n:Artifact) RETURN count(n) AS n', {}, true);
      const [edges] = await run<{ n: number }>(graphName(orgId), 'MATCH ()-[r:REL]->() RETURN count(r) AS n', {}, true);
      return { nodes: nodes?.n ?? 0, edges: edges?.n ?? 0 };
    },

    async health() {
      const started = performance.now();
      try {
        const connection = await db.connection;
        if (!connection.isReady) return { status: 'down', backend: 'falkordb', detail: 'disconnected (reconnecting)' };
        await withTimeout(db.selectGraph(probeGraph).query('RETURN 1'), timeout);
        return {
          status: 'up',
          backend: 'falkordb',
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          detail: `FalkorDB ${moduleVersion}`,
        };
      } catch (error) {
        return { status: 'down', backend: 'falkordb', detail: message(error) };
      }
    },
    async close() {
      await db.close().catch(() => undefined);
    },
  };
  return store;
}

/** Reads the graph module's version from `MODULE LIST` (41603 → `4.16.3`). */
async function readModuleVersion(db: FalkorDB): Promise<string> {
  try {
    const connection = (await db.connection) as unknown as { sendCommand(args: string[]): Promise<unknown> };
    const modules = (await connection.sendCommand(['MODULE', 'LIST'])) as unknown[][];
    for (const entry of modules) {
      const fields = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(entry[i], entry[i + 1]);
      if (fields.get('name') === 'graph') {
        const n = Number(fields.get('ver'));
        return `${Math.floor(n / 10000)}.${Math.floor((n % 10000) / 100)}.${n % 100}`;
      }
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function message(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return message(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
