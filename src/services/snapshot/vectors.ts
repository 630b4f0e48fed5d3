/**
 * What an import does with the vectors a snapshot carries. They are only meaningful next to
 * vectors of the same model, so they are restored when the target's registered model has the
 * snapshot model's digest, or when the target has no model yet (it adopts the snapshot's, as
 * its first server start would have registered one). Otherwise they are dropped, and a server
 * start embeds the artifacts without a vector in the background (`embedMissing`).
 */
import {
  countArtifacts,
  createEmbeddingIndex,
  dropEmbeddingIndex,
  embeddingIndexExists,
  findEmbeddingModelByDigest,
  getCurrentEmbeddingModel,
  getEmbeddingColumnDimension,
  insertEmbeddingModel,
  setEmbeddingColumnDimension,
  setEmbeddingModelState,
} from '../../store/repositories/embeddings.repo.ts';
import type { Queryable } from '../../store/types.ts';
import { describeModel } from '../embedding-models.ts';
import type { SnapshotEmbeddingModel } from './format.ts';

/** The decision, made once per import (at the `embeddingModel` record or the first artifact). */
export interface VectorPlan {
  /**
   * `none`: the snapshot carries no vectors · `adopted`: the target had no model and now has the
   * snapshot's · `matched`: the target's model is the snapshot's · `dropped`: it is another model.
   */
  action: 'none' | 'adopted' | 'matched' | 'dropped';
  /** The registered model restored vectors are stored under; null when they are dropped. */
  modelId: number | null;
  /** The snapshot's model, described for people. */
  model?: string;
  /** Why vectors are dropped. */
  reason?: string;
  /** True when the HNSW index was dropped for the bulk load and must be built at the end. */
  rebuildIndex: boolean;
}

/** Decides (and prepares the target for) what happens to the snapshot's vectors. */
export async function planVectors(tx: Queryable, model: SnapshotEmbeddingModel | undefined): Promise<VectorPlan> {
  if (!model) return { action: 'none', modelId: null, rebuildIndex: false };
  const described = describeModel(model);
  const current = await getCurrentEmbeddingModel(tx);
  if (!current) {
    const known = await findEmbeddingModelByDigest(tx, model.digest);
    if (known) await setEmbeddingModelState(tx, known.id, 'ACTIVE');
    const registered = known ?? (await insertEmbeddingModel(tx, { backend: model.backend, model: model.model, dimension: model.dimension, digest: model.digest, state: 'ACTIVE' }));
    if ((await getEmbeddingColumnDimension(tx)) !== model.dimension) await setEmbeddingColumnDimension(tx, model.dimension, false);
    // Building the index once after the load is much faster than growing it row by row.
    await dropEmbeddingIndex(tx);
    return { action: 'adopted', modelId: registered.id, model: described, rebuildIndex: true };
  }
  if (current.digest === model.digest) {
    const rebuildIndex = (await countArtifacts(tx)) === 0 && (await embeddingIndexExists(tx));
    if (rebuildIndex) await dropEmbeddingIndex(tx);
    return { action: 'matched', modelId: current.id, model: described, rebuildIndex };
  }
  return {
    action: 'dropped',
    modelId: null,
    model: described,
    reason: `this installation's vectors are made by the ${describeModel(current)}`,
    rebuildIndex: false,
  };
}

/** Builds the HNSW index again if {@link planVectors} dropped it. */
export async function finishVectors(tx: Queryable, plan: VectorPlan): Promise<void> {
  if (plan.rebuildIndex) await createEmbeddingIndex(tx);
}
