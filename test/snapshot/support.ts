/**
 * Installations for the snapshot tests: a fresh, migrated database with the real services on
 * the run's backends — PGlite in a temporary directory and the embedded graph store, or (in
 * server mode) a new Postgres database and FalkorDB under a graph prefix of its own — plus
 * in-memory export/import and a row count of every table a snapshot touches.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { FalkorDB } from 'falkordb';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbedder } from '../../src/embed/index.ts';
import type { Embedder } from '../../src/embed/types.ts';
import { createServices, registerEmbeddingModel, type Services, type Viewer } from '../../src/services/index.ts';
import { exportSnapshot, importSnapshot, type ImportOptions, type ImportOutcome } from '../../src/services/snapshot/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { migrate, openGraphStore, openSqlClient } from '../../src/store/open.ts';
import type { UserRecord } from '../../src/store/records.ts';
import type { GraphStore, SqlClient } from '../../src/store/types.ts';
import { backends, createTestDatabase, uniqueSuffix } from '../support/backends.ts';

/** Where an installation keeps its data. */
export type Deployment = 'embedded' | 'server';

/** The deployment this run tests: server mode when it has Postgres and FalkorDB. */
export function runDeployment(): Deployment {
  const selection = backends();
  return selection.databaseUrl && selection.falkordbUrl ? 'server' : 'embedded';
}

/** An open installation. */
export interface Installation {
  deployment: Deployment;
  sql: SqlClient;
  graph: GraphStore;
  services: Services;
  /** Environment that points a `hivegraph` process at this installation. */
  env: Record<string, string>;
  /** Registers the hashing embedder (`dimension`) as a server start would, and rebuilds the services with it. */
  withEmbedder(dimension?: number): Promise<void>;
  /** Closes the connections, keeping the data (for a `hivegraph` process to open). */
  detach(): Promise<void>;
  /** Closes (unless detached) and removes everything. */
  close(): Promise<void>;
}

/** Opens a fresh installation; `embedder` registers the hashing model first (default 384 dimensions). */
export async function openInstallation(deployment: Deployment, options: { embedder?: number | false } = {}): Promise<Installation> {
  const selection = backends();
  const logger = createLogger('silent');
  let sql: SqlClient;
  let env: Record<string, string>;
  let remove: () => Promise<void>;
  if (deployment === 'server') {
    const db = await createTestDatabase(selection.databaseUrl!);
    sql = await openSqlClient({ kind: 'postgres', url: db.url, poolMax: 4, connectTimeoutMs: 5000 });
    env = { DATABASE_URL: db.url, FALKORDB_URL: selection.falkordbUrl!, HIVEGRAPH_GRAPH_PREFIX: `hgsnap_${uniqueSuffix()}` };
    remove = () => db.drop();
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'hg-snapshot-'));
    sql = await openSqlClient({ kind: 'pglite', dataDir: dir });
    env = { HIVEGRAPH_DATA_DIR: dir };
    remove = () => rm(dir, { recursive: true, force: true });
  }
  await migrate(sql);
  const graph =
    deployment === 'server'
      ? await openGraphStore({ kind: 'falkordb', url: env['FALKORDB_URL']!, graphPrefix: env['HIVEGRAPH_GRAPH_PREFIX']!, connectTimeoutMs: 5000 }, sql)
      : await openGraphStore({ kind: 'sql' }, sql);
  let embedder: Embedder | undefined;
  let detached = false;
  const build = async (): Promise<Services> => {
    const model = embedder ? await registerEmbeddingModel(sql, embedder) : undefined;
    const services = createServices({ sql, graph, logger, maxContentBytes: 1 << 20, ...(embedder && model ? { embedding: { embedder, model } } : {}) });
    if (graph.projected) await services.projector.verify();
    return services;
  };
  const installation: Installation = {
    deployment,
    sql,
    graph,
    services: undefined as unknown as Services,
    env,
    async withEmbedder(dimension = 384) {
      embedder = await openEmbedder({ backend: 'hashing', dimension });
      installation.services = await build();
    },
    async detach() {
      detached = true;
      await installation.services.projector.stop();
      await graph.close();
      await sql.close();
    },
    async close() {
      if (detached) {
        // A `hivegraph` process may have projected graphs meanwhile: open again to drop them.
        if (deployment === 'server') {
          const again = await openSqlClient({ kind: 'postgres', url: env['DATABASE_URL']!, poolMax: 1, connectTimeoutMs: 5000 });
          const store = await openGraphStore({ kind: 'falkordb', url: env['FALKORDB_URL']!, graphPrefix: env['HIVEGRAPH_GRAPH_PREFIX']!, connectTimeoutMs: 5000 }, again);
          await dropGraphs(again, store);
          await store.close();
          await again.close();
          await dropHealthGraph(env);
        }
        return remove();
      }
      await installation.services.projector.stop();
      await dropGraphs(sql, graph);
      await graph.close();
      await sql.close();
      if (deployment === 'server') await dropHealthGraph(env);
      await remove();
    },
  };
  if (options.embedder !== false) await installation.withEmbedder(options.embedder ?? 384);
  else installation.services = await build();
  return installation;
}

/** Drops the FalkorDB graph of every org (a projected store only). */
async function dropGraphs(sql: SqlClient, graph: GraphStore): Promise<void> {
  if (!graph.projected) return;
  const { rows } = await sql.query<{ id: string }>('SELECT id FROM orgs');
  for (const org of rows) await graph.resetOrg(org.id).catch(() => undefined);
}

/** Drops the graph the FalkorDB store probes for health (`<prefix>_health`). */
async function dropHealthGraph(env: Record<string, string>): Promise<void> {
  const db = await FalkorDB.connect({ url: env['FALKORDB_URL']!.replace(/^falkor(s?):/, 'redis$1:') });
  try {
    await db.selectGraph(`${env['HIVEGRAPH_GRAPH_PREFIX']}_health`).delete().catch(() => undefined);
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** A viewer acting as `user` (services take one; no API key is involved). */
export function viewerOf(user: Pick<UserRecord, 'id' | 'orgId' | 'handle' | 'role'>): Viewer {
  return { userId: user.id, orgId: user.orgId, handle: user.handle, role: user.role, keyId: 'snapshot-test', keyPrefix: 'snapshot', tier: 'standard' };
}

/** Exports an installation into memory and returns the file's text. */
export async function exportText(installation: Pick<Installation, 'sql'>): Promise<string> {
  const chunks: string[] = [];
  await exportSnapshot(installation.sql, { write: async (text) => void chunks.push(text) });
  return chunks.join('');
}

/** The lines of a snapshot text, without the header's creation time (the one thing that differs between exports). */
export function comparableLines(text: string): string[] {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0]!) as Record<string, unknown>;
  delete header['createdAt'];
  return [JSON.stringify(header), ...lines.slice(1)];
}

/** Imports snapshot text into an installation (re-projecting its graph when it is FalkorDB). */
export function importText(installation: Installation, text: string, options: ImportOptions = {}): Promise<ImportOutcome> {
  async function* lines() {
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    yield* all;
  }
  return importSnapshot(installation.sql, lines(), {
    ...(installation.graph.projected ? { projector: installation.services.projector } : {}),
    ...options,
  });
}

/** Rows of every table an import may write (plus the registry and the graph epochs). */
export async function countRows(sql: SqlClient): Promise<Record<string, number>> {
  const tables = [
    'orgs', 'users', 'groups', 'group_members', 'collections', 'runs', 'run_steps', 'artifacts', 'artifact_revisions',
    'artifact_shares', 'relationships', 'contributions', 'auto_approve_rules', 'sharing_rules', 'run_artifacts', 'context_packages',
    'context_package_items', 'embedding_models', 'graph_epochs', 'api_keys', 'events',
  ];
  const { rows } = await sql.query<Record<string, number>>(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
  const { rows: vectors } = await sql.query<{ n: number }>('SELECT count(*) AS n FROM artifacts WHERE embedding IS NOT NULL');
  return { ...rows[0]!, vectors: vectors[0]!.n };
}
