/**
 * Builds the prompt-injection screener the contribution pipeline runs: the rules always; the
 * ONNX classifier when a model directory is configured (HIVEGRAPH_INJECTION_MODEL_DIR); the
 * similarity to known attacks when switched on (HIVEGRAPH_INJECTION_SIMILARITY), using the
 * server's embedder. With neither configured it is the rules alone: nothing is loaded or
 * embedded, so the default path costs what it did before the stages existed.
 */
import type { Embedder } from '../embed/types.ts';
import { openClassifierStage } from '../pipeline/injection-classifier.ts';
import { createSimilarityStage } from '../pipeline/injection-similarity.ts';
import { createScreener, rulesStage, type Screener, type ScreeningStage } from '../pipeline/screener.ts';
import { StartupError } from '../shared/errors.ts';

export type { Screener } from '../pipeline/screener.ts';
export { rulesOnlyScreener } from '../pipeline/screener.ts';

/** Which optional stages to run. */
export interface ScreeningConfig {
  /** A prompt-injection classifier exported to ONNX (model.onnx, tokenizer.json, config.json). */
  classifierModelDir?: string | undefined;
  /** Compare texts with the shipped attack set through `embedder`. */
  similarity?: boolean;
}

/**
 * Opens the screener: rules, then the configured optional stages.
 * @throws StartupError when the classifier model cannot be loaded, or similarity is on without an embedder
 */
export async function openScreener(config: ScreeningConfig, embedder: Embedder | undefined): Promise<Screener> {
  const stages: ScreeningStage[] = [rulesStage];
  if (config.classifierModelDir !== undefined) {
    try {
      stages.push(await openClassifierStage({ modelDir: config.classifierModelDir }));
    } catch (error) {
      throw new StartupError(`Cannot load the prompt-injection classifier from ${config.classifierModelDir}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (config.similarity) {
    if (!embedder) throw new StartupError('HIVEGRAPH_INJECTION_SIMILARITY needs an embedder.');
    stages.push(createSimilarityStage({ embed: (texts) => embedder.embed(texts) }));
  }
  return createScreener(stages);
}
