/**
 * The embedding layer's entry point: the {@link Embedder} contract and one factory that opens
 * the configured backend. Everything outside src/embed imports from here (or types.ts).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddingConfig } from '../config/config.ts';
import { createHashingEmbedder } from './hashing.embedder.ts';
import { createOpenAIEmbedder } from './openai.embedder.ts';
import type { Embedder, EmbedderConfig } from './types.ts';

export type {
  Embedder,
  EmbedderBackend,
  EmbedderConfig,
  EmbedderHealth,
  HashingEmbedderConfig,
  LocalEmbedderConfig,
  OpenAIEmbedderConfig,
} from './types.ts';

/**
 * Opens the embedder `config` selects. The local backend is imported lazily, so ONNX Runtime's
 * native library is loaded only by processes that use it.
 * @throws StartupError when the local model is missing or cannot load (names `scripts/models.sh`)
 * @throws BadUserInputError when an option is invalid
 */
export async function openEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.backend) {
    case 'hashing':
      return createHashingEmbedder(config);
    case 'openai':
      return createOpenAIEmbedder(config);
    case 'local': {
      const { openLocalEmbedder } = await import('./local.embedder.ts');
      return openLocalEmbedder(config);
    }
  }
}

/** An opened embedder, with the warning to log when search quality is degraded. */
export interface ConfiguredEmbedder {
  embedder: Embedder;
  /** Set when the hashing embedder serves because no model was configured or found. */
  warning?: string;
}

/**
 * Opens the embedder the configuration chooses. `auto` picks the local model when its weights
 * are in `modelDir` (no download here), else the hashing embedder with a warning that
 * semantic search is degraded.
 * @throws StartupError when a chosen local model is missing or cannot load
 */
export async function openConfiguredEmbedder(config: EmbeddingConfig): Promise<ConfiguredEmbedder> {
  const local = () =>
    openEmbedder({ backend: 'local', modelDir: config.modelDir, ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}) });
  switch (config.backend) {
    case 'local':
      return { embedder: await local() };
    case 'openai':
      return {
        embedder: await openEmbedder({
          backend: 'openai',
          baseUrl: config.url!,
          model: config.model!,
          dimension: config.dimension!,
          timeoutMs: config.timeoutMs,
          ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
          ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
        }),
      };
    case 'hashing':
      return {
        embedder: await openEmbedder({ backend: 'hashing', ...(config.dimension !== undefined ? { dimension: config.dimension } : {}) }),
        warning: 'Semantic search is degraded: HIVEGRAPH_EMBEDDER=hashing matches words, not meaning.',
      };
    case 'auto': {
      const weights = path.join(config.modelDir, 'onnx', 'model.onnx');
      const present = await access(weights).then(
        () => true,
        () => false,
      );
      if (present) return { embedder: await local() };
      return {
        embedder: await openEmbedder({ backend: 'hashing' }),
        warning:
          `Semantic search is degraded: no local model at ${config.modelDir}, so the hashing embedder (words, not meaning) serves. ` +
          'Install the model with `bash scripts/models.sh` (then run `hivegraph reembed`), or set HIVEGRAPH_EMBEDDER.',
      };
    }
  }
}
