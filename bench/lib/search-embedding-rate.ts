/**
 * Embedding throughput: the local model (all-MiniLM-L6-v2 in ONNX Runtime, in this process)
 * in texts per second at a given batch size, its latency for one query text (what a search
 * with HIVEGRAPH_EMBEDDER=local adds), and the hashing embedder's rate for contrast.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { openEmbedder } from '../../src/embed/index.ts';
import { round, secondsSince, summarize, type LatencyStats } from './harness.ts';

/** What the embedding-rate measurement found. */
export type EmbeddingRate =
  | { skipped: string }
  | {
      model: string;
      modelDir: string;
      texts: number;
      /** Mean tokens per text, [CLS] and [SEP] included (the model's own tokenizer). */
      meanTokens: number;
      batchSize: number;
      openSeconds: number;
      seconds: number;
      /** All texts ÷ the time of every batch. */
      textsPerSecond: number;
      /** `batchSize` ÷ the median batch time: steadier on a busy machine. */
      medianBatchTextsPerSecond: number;
      /** Time of one embed() call of `batchSize` texts, ms. */
      batchLatency: LatencyStats;
      tokensPerSecond: number;
      /** embed([one query]) — the cost a local-model search adds before its SQL. */
      queryLatency: LatencyStats;
      hashingTextsPerSecond: number;
    };

/**
 * Embeds `texts` with the local model in `modelDir`, `batchSize` per call (after one warm-up
 * batch), then each of `queries` alone. Skipped, with the reason, when the weights are not installed.
 */
export async function measureEmbeddingRate(
  modelDir: string,
  texts: readonly string[],
  queries: readonly string[],
  batchSize: number,
  progress: (message: string) => void,
): Promise<EmbeddingRate> {
  const weights = path.join(modelDir, 'onnx', 'model.onnx');
  const present = await access(weights).then(
    () => true,
    () => false,
  );
  if (!present) return { skipped: `no local model at ${weights} (install it with \`bash scripts/models.sh\`)` };

  const meanTokens = await countTokens(modelDir, texts);
  let t = performance.now();
  const local = await openEmbedder({ backend: 'local', modelDir, batchSize });
  const openSeconds = secondsSince(t);
  try {
    await local.embed(texts.slice(0, batchSize));
    // One embed() call per batch, so each batch is timed: the median batch is robust to noise.
    const batchMs: number[] = [];
    t = performance.now();
    for (let i = 0; i < texts.length; i += batchSize) {
      const started = performance.now();
      await local.embed(texts.slice(i, i + batchSize));
      batchMs.push(performance.now() - started);
    }
    const seconds = secondsSince(t);
    const queryMs: number[] = [];
    for (const q of queries) {
      const started = performance.now();
      await local.embed([q]);
      queryMs.push(performance.now() - started);
    }
    const hashing = await openEmbedder({ backend: 'hashing' });
    t = performance.now();
    await hashing.embed(texts);
    const hashingSeconds = (performance.now() - t) / 1000;
    await hashing.close();
    const batch = summarize(batchMs);
    const textsPerSecond = round(texts.length / seconds, 1);
    progress(`  local model: ${texts.length} texts (${meanTokens} tokens each) in ${seconds} s = ${textsPerSecond} texts/s (median batch ${round((batchSize * 1000) / batch.p50, 1)} texts/s)`);
    return {
      model: local.model,
      modelDir,
      texts: texts.length,
      meanTokens,
      batchSize,
      openSeconds,
      seconds,
      textsPerSecond,
      medianBatchTextsPerSecond: round((batchSize * 1000) / batch.p50, 1),
      batchLatency: batch,
      tokensPerSecond: Math.round((texts.length * meanTokens) / seconds),
      queryLatency: summarize(queryMs),
      hashingTextsPerSecond: Math.round(texts.length / hashingSeconds),
    };
  } finally {
    await local.close();
  }
}

/** Mean token count of `texts` as the model sees them ([CLS] + word pieces + [SEP]). */
async function countTokens(modelDir: string, texts: readonly string[]): Promise<number> {
  const [json, config] = await Promise.all(['tokenizer.json', 'tokenizer_config.json'].map((f) => readFile(path.join(modelDir, f), 'utf8')));
  const tokenizer = new Tokenizer(JSON.parse(json!), JSON.parse(config!));
  const total = texts.reduce((sum, text) => sum + tokenizer.encode(text, { add_special_tokens: false }).ids.length + 2, 0);
  return round(total / Math.max(1, texts.length), 1);
}
