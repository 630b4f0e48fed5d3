/**
 * SQL for the embedding model registry and the stored vectors: which model made them, the
 * vector column's dimension, the HNSW index, and batch reads / writes for (re-)embedding.
 */
import type { EmbeddingModelRecord, EmbeddingModelState } from '../records.ts';
import type { Queryable } from '../types.ts';

/** Name of the HNSW (cosine) index over `artifacts.embedding`. */
export const EMBEDDING_INDEX = 'artifacts_embedding_hnsw_idx';

const MODEL_COLUMNS = `id, backend, model, dimension, digest, state, created_at AS "createdAt", activated_at AS "activatedAt"`;

/** pgvector's text form of a vector, `[x1,x2,…]`; 9 significant digits round-trip a float32. */
export function toVectorLiteral(vector: Float32Array): string {
  let text = '[';
  for (let i = 0; i < vector.length; i++) text += (i === 0 ? '' : ',') + Number(vector[i]!.toPrecision(9));
  return `${text}]`;
}

/** The model that is ACTIVE or being re-embedded to (at most one), if any. */
export async function getCurrentEmbeddingModel(q: Queryable): Promise<EmbeddingModelRecord | undefined> {
  const { rows } = await q.query<EmbeddingModelRecord>(`SELECT ${MODEL_COLUMNS} FROM embedding_models WHERE state <> 'RETIRED'`);
  return rows[0];
}

/** A registered model by digest, whatever its state. */
export async function findEmbeddingModelByDigest(q: Queryable, digest: string): Promise<EmbeddingModelRecord | undefined> {
  const { rows } = await q.query<EmbeddingModelRecord>(`SELECT ${MODEL_COLUMNS} FROM embedding_models WHERE digest = $1`, [digest]);
  return rows[0];
}

/** Registers a model in `state` (ACTIVE sets `activated_at`). */
export async function insertEmbeddingModel(
  q: Queryable,
  m: { backend: string; model: string; dimension: number; digest: string; state: EmbeddingModelState },
): Promise<EmbeddingModelRecord> {
  const { rows } = await q.query<EmbeddingModelRecord>(
    `INSERT INTO embedding_models (backend, model, dimension, digest, state, activated_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'ACTIVE' THEN now() END) RETURNING ${MODEL_COLUMNS}`,
    [m.backend, m.model, m.dimension, m.digest, m.state],
  );
  return rows[0]!;
}

/** Moves a model to `state`; ACTIVE stamps `activated_at`. */
export async function setEmbeddingModelState(q: Queryable, id: number, state: EmbeddingModelState): Promise<void> {
  await q.query(
    `UPDATE embedding_models SET state = $2, activated_at = CASE WHEN $2 = 'ACTIVE' THEN now() ELSE activated_at END WHERE id = $1`,
    [id, state],
  );
}

/** The dimension the vector column is declared with, or undefined while it has none. */
export async function getEmbeddingColumnDimension(q: Queryable): Promise<number | undefined> {
  const { rows } = await q.query<{ typmod: number }>(
    `SELECT atttypmod AS typmod FROM pg_attribute WHERE attrelid = 'artifacts'::regclass AND attname = 'embedding'`,
  );
  const typmod = rows[0]?.typmod ?? -1;
  return typmod > 0 ? typmod : undefined;
}

/**
 * Declares the vector column as `vector(dimension)`. Stored vectors of another length are
 * dropped (set to NULL, with their model id) — only `reembed` does that, before re-encoding.
 */
export async function setEmbeddingColumnDimension(q: Queryable, dimension: number, keepVectors: boolean): Promise<void> {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16000) throw new RangeError(`invalid dimension ${dimension}`);
  if (!keepVectors) await q.query('UPDATE artifacts SET embedding = NULL, embedding_model_id = NULL WHERE embedding IS NOT NULL');
  // DDL takes no parameters; `dimension` is a checked integer.
  await q.query(`ALTER TABLE artifacts ALTER COLUMN embedding TYPE vector(${dimension})`);
}

/** True when the HNSW index exists. */
export async function embeddingIndexExists(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [EMBEDDING_INDEX]);
  return rows[0]?.present === true;
}

/** Drops the HNSW index (bulk re-encoding is faster without it). */
export async function dropEmbeddingIndex(q: Queryable): Promise<void> {
  await q.query(`DROP INDEX IF EXISTS ${EMBEDDING_INDEX}`);
}

/**
 * Builds the HNSW index (cosine distance, pgvector defaults m = 16, ef_construction = 64).
 * Call inside a transaction: `maintenance_work_mem` is raised for it only.
 */
export async function createEmbeddingIndex(q: Queryable, maintenanceWorkMem = '256MB'): Promise<void> {
  if (!/^\d+[kMG]B$/.test(maintenanceWorkMem)) throw new RangeError(`invalid memory size ${maintenanceWorkMem}`);
  await q.query(`SET LOCAL maintenance_work_mem = '${maintenanceWorkMem}'`);
  await q.query(`CREATE INDEX IF NOT EXISTS ${EMBEDDING_INDEX} ON artifacts USING hnsw (embedding vector_cosine_ops)`);
}

/** What an artifact is embedded from, at a revision. */
export interface ArtifactToEmbed {
  id: string;
  revision: number;
  title: string | null;
  content: string;
}

/** Artifacts (deleted ones too) whose vector was not made by `modelId`, in id order after `afterId`. */
export async function nextArtifactsToEmbed(q: Queryable, modelId: number, afterId: string | null, limit: number): Promise<ArtifactToEmbed[]> {
  const { rows } = await q.query<ArtifactToEmbed>(
    `SELECT id, revision, title, content FROM artifacts
     WHERE ($2::uuid IS NULL OR id > $2::uuid) AND embedding_model_id IS DISTINCT FROM $1
     ORDER BY id LIMIT $3`,
    [modelId, afterId, limit],
  );
  return rows;
}

/** How many artifacts still lack a vector made by `modelId`. */
export async function countArtifactsToEmbed(q: Queryable, modelId: number): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM artifacts WHERE embedding_model_id IS DISTINCT FROM $1`, [modelId]);
  return rows[0]?.n ?? 0;
}

/** Number of artifacts. */
export async function countArtifacts(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM artifacts`);
  return rows[0]?.n ?? 0;
}

/**
 * Stores vectors made by `modelId`, each only if its artifact is still at the revision it was
 * embedded from (a concurrent edit wins; the next pass picks it up). Returns how many were written.
 */
export async function writeEmbeddings(
  q: Queryable,
  modelId: number,
  rows: readonly { id: string; revision: number; vector: Float32Array }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await q.query(
    `UPDATE artifacts AS a SET embedding = v.embedding::vector, embedding_model_id = $1
     FROM unnest($2::uuid[], $3::int[], $4::text[]) AS v(id, revision, embedding)
     WHERE a.id = v.id AND a.revision = v.revision`,
    [modelId, rows.map((r) => r.id), rows.map((r) => r.revision), rows.map((r) => toVectorLiteral(r.vector))],
  );
  return result.rowCount;
}
