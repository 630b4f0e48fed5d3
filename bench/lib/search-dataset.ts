/**
 * The search benchmark's dataset on Postgres: a scratch database and the artifacts, loaded in
 * bulk at the SQL layer with hashing-embedder vectors, then the HNSW index built once. (The
 * people are created through GraphQL: search-identity.ts.)
 *
 * Visibility: every artifact is GROUP-shared with one of the teams (an equal share each) and
 * owned by a member of that team, so the viewer in every team sees 100 % and the viewer in one
 * of ten teams 10 %, through the same predicate (the group-share EXISTS).
 */
import pg from 'pg';
import type { Viewer } from '../../src/services/index.ts';
import { embeddingText } from '../../src/services/embedding-models.ts';
import { contentDigest } from '../../src/services/validate.ts';
import type { Embedder } from '../../src/embed/types.ts';
import {
  createEmbeddingIndex,
  dropEmbeddingIndex,
  EMBEDDING_INDEX,
  getCurrentEmbeddingModel,
  toVectorLiteral,
} from '../../src/store/repositories/embeddings.repo.ts';
import { SqlParams } from '../../src/store/repositories/sql-params.ts';
import { visibleArtifactSql } from '../../src/store/repositories/visibility.sql.ts';
import type { SqlClient } from '../../src/store/types.ts';
import { round, secondsSince, seededRandom } from './harness.ts';
import { createCorpus, type CorpusArtifact } from './search-corpus.ts';
import type { BenchIdentity } from './search-identity.ts';

/** A scratch database on the benchmark's Postgres server. */
export interface BenchDatabase {
  name: string;
  url: string;
  /** True when it existed before this run (`--database` naming a kept one). */
  existed: boolean;
  drop(): Promise<void>;
}

/** Creates database `name` on the server of `baseUrl` unless it exists. */
export async function ensureDatabase(baseUrl: string, name: string): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name must be a lower-case identifier, got "${name}"`);
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const existed = await admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (!existed) await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    existed,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Artifacts owned by the bulk owners: the dataset a kept database holds. */
export async function countBulkArtifacts(sql: SqlClient, identity: BenchIdentity): Promise<number> {
  const owners = identity.ownersByGroup.flat();
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM artifacts WHERE owner_id = ANY($1::uuid[])`, [owners]);
  return rows[0]?.n ?? 0;
}

/** What the bulk load took. */
export interface LoadTimings {
  artifacts: number;
  /** Generating texts, hashing-embedding and inserting (artifacts + shares), index off. */
  insertSeconds: number;
  insertRowsPerSecond: number;
  /** Of insertSeconds: generating texts and vectors in this process. */
  generateSeconds: number;
  /** createEmbeddingIndex (pgvector HNSW, m 16, ef_construction 64, maintenance_work_mem 256MB). */
  hnswBuildSeconds: number;
  vacuumAnalyzeSeconds: number;
  totalSeconds: number;
  batchSize: number;
  concurrency: number;
}

/** A generated artifact with its id, owner and team. */
interface LoadRow extends CorpusArtifact {
  id: string;
  owner: string;
  group: string;
}

/** Rows and their vectors in pgvector's text form. */
interface LoadBatch {
  rows: LoadRow[];
  vectors: string[];
}

/**
 * Loads `count` artifacts in batches of unnest() INSERTs (`concurrency` at a time), with the
 * HNSW index dropped, then builds it as the registry does and runs VACUUM ANALYZE (so that
 * autovacuum does not start in the middle of the measurements). Every row has the registered
 * model's vector and id, and one GROUP share. No revision rows: search never reads them.
 */
export async function bulkLoad(
  sql: SqlClient,
  embedder: Embedder,
  identity: BenchIdentity,
  options: { count: number; seed: number; batchSize: number; concurrency: number },
  progress: (message: string) => void,
): Promise<LoadTimings> {
  const model = await getCurrentEmbeddingModel(sql);
  if (!model) throw new Error('no embedding model is registered (the server registers it at start)');
  const start = performance.now();
  await dropEmbeddingIndex(sql);
  const random = seededRandom(options.seed);
  const corpus = createCorpus(random);
  let generateMs = 0;
  let done = 0;
  let reported = 0;

  async function* batches(): AsyncGenerator<LoadBatch> {
    for (let first = 0; first < options.count; first += options.batchSize) {
      const t = performance.now();
      const size = Math.min(options.batchSize, options.count - first);
      const rows = Array.from({ length: size }, (_, k): LoadRow => {
        const group = (first + k) % identity.groups.length;
        const owners = identity.ownersByGroup[group]!;
        return { id: seededUuid(random), owner: owners[Math.floor(random() * owners.length)]!, group: identity.groups[group]!.id, ...corpus.artifact() };
      });
      const vectors = await embedder.embed(rows.map((r) => embeddingText(r.title, r.content)));
      const batch = { rows, vectors: vectors.map(toVectorLiteral) };
      generateMs += performance.now() - t;
      yield batch;
    }
  }

  const insert = async ({ rows, vectors }: LoadBatch) => {
    await sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO artifacts (id, org_id, owner_id, kind, title, content, content_digest, size_bytes, tags, visibility, embedding, embedding_model_id)
         SELECT r.id, $1, r.owner_id, r.kind, r.title, r.content, r.digest, r.size, string_to_array(r.tags, ','), 'GROUP', r.embedding::vector, $2
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[])
           AS r(id, owner_id, kind, title, content, digest, size, tags, embedding)`,
        [
          identity.orgId,
          model.id,
          rows.map((r) => r.id),
          rows.map((r) => r.owner),
          rows.map((r) => r.kind),
          rows.map((r) => r.title),
          rows.map((r) => r.content),
          rows.map((r) => contentDigest(r.content)),
          rows.map((r) => Buffer.byteLength(r.content, 'utf8')),
          rows.map((r) => r.tags.join(',')),
          vectors,
        ],
      );
      await tx.query(
        `INSERT INTO artifact_shares (org_id, artifact_id, group_id) SELECT $1, s.a, s.g FROM unnest($2::uuid[], $3::uuid[]) AS s(a, g)`,
        [identity.orgId, rows.map((r) => r.id), rows.map((r) => r.group)],
      );
    });
    done += rows.length;
    if (done - reported >= options.count / 10 || done === options.count) {
      reported = done;
      progress(`  loaded ${done.toLocaleString('en')} / ${options.count.toLocaleString('en')} artifacts (${secondsSince(start)} s)`);
    }
  };

  // Workers share one generator: texts are produced in the same order whatever the interleaving.
  const source = batches();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for await (const batch of source) await insert(batch);
    }),
  );
  const insertSeconds = secondsSince(start);
  progress(`  inserted in ${insertSeconds} s; building the HNSW index …`);
  let t = performance.now();
  await sql.transaction((tx) => createEmbeddingIndex(tx));
  const hnswBuildSeconds = secondsSince(t);
  progress(`  HNSW index built in ${hnswBuildSeconds} s; VACUUM ANALYZE …`);
  t = performance.now();
  await sql.query('VACUUM (ANALYZE) artifacts');
  await sql.query('VACUUM (ANALYZE) artifact_shares');
  await sql.query('ANALYZE group_members');
  const vacuumAnalyzeSeconds = secondsSince(t);
  return {
    artifacts: options.count,
    insertSeconds,
    insertRowsPerSecond: Math.round(options.count / insertSeconds),
    generateSeconds: round(generateMs / 1000),
    hnswBuildSeconds,
    vacuumAnalyzeSeconds,
    totalSeconds: secondsSince(start),
    batchSize: options.batchSize,
    concurrency: options.concurrency,
  };
}

/** A version-4-shaped UUID from the seeded generator, so reruns insert the same ids. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Sizes and settings worth recording next to the numbers. */
export interface DatasetDescription {
  artifacts: number;
  groups: number;
  visibleToEveryone: number;
  visibleToSelective: number;
  selectiveShare: number;
  meanContentChars: number;
  tableMiB: number;
  hnswIndexMiB: number;
  textIndexMiB: number;
  postgres: string;
  pgvector: string;
  settings: Record<string, string>;
}

/** Counts what each viewer may see (with the real predicate) and sizes the table and indexes. */
export async function describeDataset(sql: SqlClient, identity: BenchIdentity): Promise<DatasetDescription> {
  const visible = async (viewer: Viewer) => {
    const p = new SqlParams();
    const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM artifacts a WHERE ${visibleArtifactSql('a', p, viewer)}`, p.values);
    return rows[0]?.n ?? 0;
  };
  const { rows } = await sql.query<Record<string, string | number>>(
    `SELECT (SELECT count(*)::int FROM artifacts) AS artifacts,
            (SELECT round(avg(length(content)))::int FROM artifacts) AS "meanContentChars",
            round(pg_total_relation_size('artifacts') / 1048576.0, 1)::float8 AS "tableMiB",
            round(pg_relation_size($1::regclass) / 1048576.0, 1)::float8 AS "hnswIndexMiB",
            round(pg_relation_size('artifacts_search_tsv_idx') / 1048576.0, 1)::float8 AS "textIndexMiB",
            current_setting('server_version') AS postgres,
            (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector`,
    [EMBEDDING_INDEX],
  );
  const settingNames = ['shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'max_parallel_maintenance_workers', 'jit'];
  const { rows: settings } = await sql.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name`,
    [settingNames],
  );
  const row = rows[0]!;
  const everyone = await visible(identity.everyone.viewer);
  const selective = await visible(identity.selective.viewer);
  return {
    artifacts: Number(row.artifacts),
    groups: identity.groups.length,
    visibleToEveryone: everyone,
    visibleToSelective: selective,
    selectiveShare: round(selective / Math.max(1, everyone), 3),
    meanContentChars: Number(row.meanContentChars),
    tableMiB: Number(row.tableMiB),
    hnswIndexMiB: Number(row.hnswIndexMiB),
    textIndexMiB: Number(row.textIndexMiB),
    postgres: String(row.postgres),
    pgvector: String(row.pgvector),
    settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
  };
}
