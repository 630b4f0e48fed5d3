/**
 * The local embedder: all-MiniLM-L6-v2 (a BERT sentence encoder) run in-process with
 * `onnxruntime-node`, tokenised by `@huggingface/tokenizers`. No network. The model directory
 * is installed by `scripts/models.sh`.
 *
 * Matches sentence-transformers: up to 256 tokens ([CLS] + 254 + [SEP]; the tokenizer.json's
 * own 128-token truncation/padding is bypassed), mean pooling over real tokens only, then L2
 * normalisation. Texts are length-sorted into batches (less padding); the attention mask makes
 * a text's vector independent of its batch. Session runs go through one queue.
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { BadUserInputError, ServiceUnavailableError, StartupError } from '../shared/errors.ts';
import type { Embedder, LocalEmbedderConfig } from './types.ts';
import { createSerialQueue, l2NormaliseInPlace } from './vectors.ts';

/** Model name reported when the config names none. */
export const DEFAULT_LOCAL_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';

/** The files a model directory must hold, relative to it. */
export const LOCAL_MODEL_FILES = ['onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json'] as const;

function positiveInt(value: number | undefined, fallback: number, field: string, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new BadUserInputError(`Local embedder ${field} must be an integer ≥ ${min}, got ${v}.`, field);
  return v;
}

/**
 * Loads the model from `config.modelDir` and proves it with one embedding.
 * @throws StartupError naming the missing file and `scripts/models.sh` when the directory is incomplete,
 *   or the cause when the model cannot be loaded
 */
export async function openLocalEmbedder(config: Omit<LocalEmbedderConfig, 'backend'>): Promise<Embedder> {
  const dir = path.resolve(config.modelDir);
  const maxTokens = positiveInt(config.maxTokens, 256, 'maxTokens', 3);
  const batchSize = positiveInt(config.batchSize, 32, 'batchSize');
  const threads = positiveInt(config.threads, 0, 'threads', 0);
  const missing: string[] = [];
  for (const file of LOCAL_MODEL_FILES) {
    await access(path.join(dir, file)).catch(() => missing.push(file));
  }
  if (missing.length > 0) {
    throw new StartupError(
      `The local embedding model is missing in ${dir} (${missing.join(', ')} not found). ` +
        'Install it with `bash scripts/models.sh` (or set the model directory to where it is installed).',
    );
  }

  let session: ort.InferenceSession;
  let tokenizer: Tokenizer;
  let digest: string;
  let hidden: number;
  try {
    const [onnxBytes, tokenizerJson, tokenizerConfigJson, configJson] = await Promise.all(
      LOCAL_MODEL_FILES.map((file) => readFile(path.join(dir, file))),
    );
    // Digest of the exact bytes we run: weights, then tokenizer, then model config.
    digest = `sha256:${createHash('sha256').update(onnxBytes!).update(tokenizerJson!).update(configJson!).digest('hex')}`;
    hidden = (JSON.parse(configJson!.toString('utf8')) as { hidden_size?: number }).hidden_size ?? 384;
    tokenizer = new Tokenizer(JSON.parse(tokenizerJson!.toString('utf8')), JSON.parse(tokenizerConfigJson!.toString('utf8')));
    session = await ort.InferenceSession.create(onnxBytes!, { graphOptimizationLevel: 'all', intraOpNumThreads: threads });
  } catch (error) {
    throw new StartupError(`Cannot load the local embedding model from ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const cls = tokenizer.token_to_id('[CLS]');
  const sep = tokenizer.token_to_id('[SEP]');
  if (cls === undefined || sep === undefined) {
    await session.release();
    throw new StartupError(`The tokenizer in ${dir} has no [CLS]/[SEP] tokens: not a BERT sentence encoder.`);
  }
  const withTokenTypes = session.inputNames.includes('token_type_ids');
  const outputName = session.outputNames[0]!;
  const enqueue = createSerialQueue();
  let closed = false;

  const tokenize = (text: string): number[] => [
    cls,
    ...tokenizer.encode(text, { add_special_tokens: false }).ids.slice(0, maxTokens - 2),
    sep,
  ];

  /** One ONNX run over a batch of token-id lists → one pooled unit vector each. */
  const run = async (batch: readonly number[][]): Promise<Float32Array[]> => {
    const rows = batch.length;
    const width = Math.max(...batch.map((ids) => ids.length));
    const inputIds = new BigInt64Array(rows * width); // 0 = [PAD]
    const mask = new BigInt64Array(rows * width);
    batch.forEach((ids, b) =>
      ids.forEach((id, i) => {
        inputIds[b * width + i] = BigInt(id);
        mask[b * width + i] = 1n;
      }),
    );
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', inputIds, [rows, width]),
      attention_mask: new ort.Tensor('int64', mask, [rows, width]),
    };
    if (withTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows * width), [rows, width]);
    const output = await session.run(feeds);
    const states = output[outputName]!.data as Float32Array; // [rows, width, hidden] last_hidden_state
    return batch.map((ids, b) => {
      const v = new Float32Array(hidden);
      for (let i = 0; i < ids.length; i++) {
        const offset = (b * width + i) * hidden;
        for (let d = 0; d < hidden; d++) v[d] = v[d]! + states[offset + d]!;
      }
      for (let d = 0; d < hidden; d++) v[d] = v[d]! / ids.length; // mean over real tokens only
      return l2NormaliseInPlace(v);
    });
  };

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    if (closed) throw new ServiceUnavailableError('The local embedder is closed.');
    if (texts.length === 0) return [];
    const encoded = texts.map((text, index) => ({ index, ids: tokenize(text) })).sort((a, b) => a.ids.length - b.ids.length);
    const result = new Array<Float32Array>(texts.length);
    for (let start = 0; start < encoded.length; start += batchSize) {
      const chunk = encoded.slice(start, start + batchSize);
      const vectors = await enqueue(async () => {
        if (closed) throw new ServiceUnavailableError('The local embedder is closed.');
        return run(chunk.map((e) => e.ids));
      });
      vectors.forEach((v, k) => {
        result[chunk[k]!.index] = v;
      });
    }
    return result;
  };

  const embedder: Embedder = {
    backend: 'local',
    model: config.model ?? DEFAULT_LOCAL_MODEL,
    dimension: hidden,
    digest,
    embed,
    async health() {
      if (closed) return { status: 'down', backend: 'local', detail: 'closed' };
      const started = performance.now();
      try {
        await embed(['health probe']);
        return { status: 'up', backend: 'local', detail: embedder.model, latencyMs: performance.now() - started };
      } catch (error) {
        return { status: 'down', backend: 'local', detail: (error as Error).message };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await enqueue(() => session.release());
    },
  };
  try {
    await embed(['warm-up']);
  } catch (error) {
    await embedder.close().catch(() => undefined);
    throw new StartupError(`The local embedding model in ${dir} failed its first run: ${(error as Error).message}`, { cause: error });
  }
  return embedder;
}
