/**
 * The embedding layer's entry point: the {@link Embedder} contract and one factory that opens
 * the configured backend. Everything outside src/embed imports from here (or types.ts).
 */
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
