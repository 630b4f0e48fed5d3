/**
 * The embedding model registry and (re-)embedding in bulk.
 *
 * The first start records the embedder's model (name, dimension, digest) and declares the
 * vector column with its dimension; later starts must use the same model, or they refuse and
 * name `hivegraph reembed`, which moves every artifact to the configured model in batches —
 * resumably — and rebuilds the HNSW index.
 */
import type { Embedder } from '../embed/types.ts';
import { BadUserInputError, StartupError } from '../shared/errors.ts';
import type { EmbeddingModelRecord } from '../store/records.ts';
import {
  countArtifacts,
  countArtifactsToEmbed,
  createEmbeddingIndex,
  dropEmbeddingIndex,
  embeddingIndexExists,
  findEmbeddingModelByDigest,
  getCurrentEmbeddingModel,
  getEmbeddingColumnDimension,
  insertEmbeddingModel,
  nextArtifactsToEmbed,
  setEmbeddingColumnDimension,
  setEmbeddingModelState,
  writeEmbeddings,
} from '../store/repositories/embeddings.repo.ts';
import type { SqlClient } from '../store/types.ts';

/** Advisory lock held while the registry changes or a re-embed runs. */
const REGISTRY_LOCK_ID = 7_240_515;

/** The text an artifact is embedded from: its title and content. Never empty. */
export function embeddingText(title: string | null, content: string): string {
  const text = [title, content].filter((part): part is string => part != null && part.trim() !== '').join('\n\n');
  return text === '' ? '(empty)' : text;
}

/**
 * A caller's own vector (`CreateArtifactInput.embedding`) for the registered `model`.
 * @throws BAD_USER_INPUT naming both lengths when it does not fit, or when there is no model
 */
export function acceptOwnEmbedding(model: EmbeddingModelRecord | undefined, vector: readonly number[]): { vector: Float32Array; modelId: number } {
  if (!model) throw new BadUserInputError('embedding cannot be stored: this server has no embedding model registered.', 'embedding');
  if (vector.length !== model.dimension) {
    throw new BadUserInputError(
      `embedding has ${vector.length} dimensions; the registered ${describeModel(model)} has ${model.dimension}.`,
      'embedding',
    );
  }
  const stored = Float32Array.from(vector);
  if (!stored.every(Number.isFinite)) throw new BadUserInputError('embedding has a value outside the 32-bit float range.', 'embedding');
  if (stored.every((value) => value === 0)) throw new BadUserInputError('embedding is all zeros: it has no direction to compare by.', 'embedding');
  return { vector: stored, modelId: model.id };
}

/** How a model is named in messages. */
export function describeModel(m: { backend: string; model: string; dimension: number; digest: string }): string {
  return `${m.backend} model "${m.model}" (${m.dimension} dimensions, ${m.digest.slice(0, 19)}…)`;
}

/**
 * Makes sure the database's vectors are the embedder's: on the first start registers it and
 * declares `vector(dimension)` + the HNSW index; afterwards checks that it is the same model.
 * @throws StartupError naming `hivegraph reembed` when the recorded model differs, or a re-embed is unfinished
 */
export async function registerEmbeddingModel(sql: SqlClient, embedder: Embedder): Promise<EmbeddingModelRecord> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_ID]);
    const current = await getCurrentEmbeddingModel(tx);
    if (current === undefined) {
      const model = await insertEmbeddingModel(tx, { ...identity(embedder), state: 'ACTIVE' });
      if ((await getEmbeddingColumnDimension(tx)) !== embedder.dimension) {
        await setEmbeddingColumnDimension(tx, embedder.dimension, false);
      }
      await createEmbeddingIndex(tx);
      return model;
    }
    if (current.digest !== embedder.digest) {
      throw new StartupError(
        `This database's embeddings were made by the ${describeModel(current)}, but this server is configured with the ` +
          `${describeModel(embedder)}. Run \`hivegraph reembed\` with the new configuration to re-encode every artifact ` +
          `(stop the servers first), or configure the recorded model again.`,
        { configuration: true },
      );
    }
    if (current.state === 'REEMBEDDING') {
      throw new StartupError(
        `A re-embed to the ${describeModel(current)} was interrupted. Run \`hivegraph reembed\` to finish it.`,
        { configuration: true },
      );
    }
    if (!(await embeddingIndexExists(tx))) await createEmbeddingIndex(tx);
    return current;
  });
}

function identity(embedder: Embedder) {
  return { backend: embedder.backend, model: embedder.model, dimension: embedder.dimension, digest: embedder.digest };
}

/** Progress of a bulk embedding pass. */
export interface EmbedProgress {
  done: number;
  total: number;
}

/** Options of {@link embedMissing} and {@link reembedAll}. */
export interface BulkEmbedOptions {
  /** Artifacts per batch (one embed call + one UPDATE each; default 64). */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: EmbedProgress) => void;
  /** Stops between batches when aborted; the work done so far is kept. */
  signal?: AbortSignal;
}

/**
 * Embeds, in batches, every artifact whose vector was not made by `model` (new rows of an
 * upgraded database, imports). Each batch commits on its own, so an interrupted pass resumes
 * where it stopped. Returns the number of vectors written.
 */
export async function embedMissing(
  sql: SqlClient,
  embedder: Embedder,
  model: EmbeddingModelRecord,
  options: BulkEmbedOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 64;
  let written = 0;
  let total = await countArtifactsToEmbed(sql, model.id);
  let done = 0;
  // Rows skipped because they changed while being embedded are picked up by the next sweep.
  for (let sweep = 0; total > 0 && sweep < 5; sweep++) {
    let afterId: string | null = null;
    for (;;) {
      if (options.signal?.aborted) return written;
      const batch = await nextArtifactsToEmbed(sql, model.id, afterId, batchSize);
      if (batch.length === 0) break;
      const vectors = await embedder.embed(batch.map((a) => embeddingText(a.title, a.content)));
      written += await writeEmbeddings(
        sql,
        model.id,
        batch.map((a, i) => ({ id: a.id, revision: a.revision, vector: vectors[i]! })),
      );
      afterId = batch[batch.length - 1]!.id;
      done += batch.length;
      options.onProgress?.({ done: Math.min(done, total), total });
    }
    total = await countArtifactsToEmbed(sql, model.id);
    done = 0;
  }
  return written;
}

/** What {@link reembedAll} did. */
export interface ReembedOutcome {
  /** The model now ACTIVE. */
  model: EmbeddingModelRecord;
  /** The model it replaced (undefined when there was none or it was the same). */
  previous?: EmbeddingModelRecord | undefined;
  /** Vectors written by this run. */
  embedded: number;
  /** Artifacts in the database. */
  artifacts: number;
  /** True when an interrupted re-embed to this model was resumed. */
  resumed: boolean;
}

/**
 * Moves every artifact to `embedder`'s model: registers it (REEMBEDDING), drops the HNSW index,
 * re-declares the column if the dimension changes, re-encodes in batches, rebuilds the index
 * and makes the model ACTIVE. Interrupted, it leaves the model REEMBEDDING (servers refuse to
 * start) and the next run resumes with the rows still to do. With the model already ACTIVE it
 * only embeds rows that lack a vector and makes sure the index exists.
 */
export async function reembedAll(sql: SqlClient, embedder: Embedder, options: BulkEmbedOptions = {}): Promise<ReembedOutcome> {
  const prepared = await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_ID]);
    const current = await getCurrentEmbeddingModel(tx);
    if (current?.digest === embedder.digest) {
      return { model: current, previous: undefined, resumed: current.state === 'REEMBEDDING' };
    }
    if (current) await setEmbeddingModelState(tx, current.id, 'RETIRED');
    let target = await findEmbeddingModelByDigest(tx, embedder.digest);
    if (target) await setEmbeddingModelState(tx, target.id, 'REEMBEDDING');
    else target = await insertEmbeddingModel(tx, { ...identity(embedder), state: 'REEMBEDDING' });
    await dropEmbeddingIndex(tx);
    const dimension = await getEmbeddingColumnDimension(tx);
    if (dimension !== embedder.dimension) await setEmbeddingColumnDimension(tx, embedder.dimension, false);
    return { model: { ...target, state: 'REEMBEDDING' as const }, previous: current, resumed: false };
  });
  if (prepared.model.state === 'REEMBEDDING') {
    await sql.transaction((tx) => dropEmbeddingIndex(tx));
  }
  const embedded = await embedMissing(sql, embedder, prepared.model, options);
  if (options.signal?.aborted) {
    return { model: prepared.model, previous: prepared.previous, embedded, artifacts: await countArtifacts(sql), resumed: prepared.resumed };
  }
  const remaining = await countArtifactsToEmbed(sql, prepared.model.id);
  if (remaining > 0) {
    throw new StartupError(`${remaining} artifacts kept changing while being re-embedded; run \`hivegraph reembed\` again.`);
  }
  const model = await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_ID]);
    await createEmbeddingIndex(tx);
    await setEmbeddingModelState(tx, prepared.model.id, 'ACTIVE');
    return (await getCurrentEmbeddingModel(tx))!;
  });
  return { model, previous: prepared.previous, embedded, artifacts: await countArtifacts(sql), resumed: prepared.resumed };
}
