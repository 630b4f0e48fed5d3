/**
 * The FalkorDB graph store (server mode, FALKORDB_URL). One `falkordb` client (a single
 * node-redis connection); each org gets its own graph, named `<prefix>_<org id>`.
 */
import { FalkorDB } from 'falkordb';
import { redactUrl } from '../../config/config.ts';
import { StartupError } from '../../shared/errors.ts';
import type { GraphStore } from '../types.ts';

/** Options of {@link openFalkorGraphStore}. */
export interface FalkorGraphStoreOptions {
  /** falkor://, falkors://, redis:// or rediss:// URL. */
  url: string;
  /** Graph-name prefix (default `hivegraph`). */
  graphPrefix?: string;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
}

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
        socket: {
          connectTimeout: timeout,
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

  const store: FalkorGraphStore = {
    backend: 'falkordb',
    moduleVersion,
    async cypher<T>(graphName: string, cypher: string, params: Record<string, unknown> = {}) {
      const reply = await db.selectGraph(graphName).query<T>(cypher, { params: params as never });
      return reply.data ?? [];
    },
    async health() {
      const started = performance.now();
      try {
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
