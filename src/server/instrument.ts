/**
 * Thin wrappers the composition root puts around the embedder and the contributions service so
 * that /metrics sees their latency and outcomes (metrics.ts) without either knowing of it.
 */
import type { Embedder } from '../embed/index.ts';
import type { Services } from '../services/index.ts';
import type { Metrics } from './metrics.ts';

/** The embedder with each `embed` call timed. */
export function instrumentEmbedder(embedder: Embedder, metrics: Metrics): Embedder {
  return {
    backend: embedder.backend,
    model: embedder.model,
    dimension: embedder.dimension,
    digest: embedder.digest,
    async embed(texts) {
      const started = performance.now();
      try {
        const vectors = await embedder.embed(texts);
        metrics.observeEmbedding(embedder.backend, texts.length, (performance.now() - started) / 1000, true);
        return vectors;
      } catch (error) {
        metrics.observeEmbedding(embedder.backend, texts.length, (performance.now() - started) / 1000, false);
        throw error;
      }
    },
    health: () => embedder.health(),
    close: () => embedder.close(),
  };
}

type Contributions = Services['contributions'];

/** The contributions service with each outcome counted: the status stored or reviewed, or `failed` for a refused call. */
export function instrumentContributions(contributions: Contributions, metrics: Metrics): Contributions {
  const counted = async <T extends { status: string } | { status: string }[]>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      for (const record of Array.isArray(result) ? result : [result]) metrics.countContribution(record.status);
      return result;
    } catch (error) {
      metrics.countContribution('failed');
      throw error;
    }
  };
  return {
    ...contributions,
    contribute: (viewer, input) => counted(() => contributions.contribute(viewer, input)),
    contributeMany: (viewer, inputs) => counted(() => contributions.contributeMany(viewer, inputs)),
    approve: (viewer, id, note) => counted(() => contributions.approve(viewer, id, note)),
    reject: (viewer, id, reason) => counted(() => contributions.reject(viewer, id, reason)),
  };
}
