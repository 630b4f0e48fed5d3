/**
 * The optional classifier stage: a prompt-injection text classifier (a Hugging Face style
 * sequence-classification model exported to ONNX, e.g. a DeBERTa or BERT fine-tune) run
 * in-process with the `onnxruntime-node` we already ship, tokenised by
 * `@huggingface/tokenizers`. Enabled by HIVEGRAPH_INJECTION_MODEL_DIR; the directory holds
 * `model.onnx` (or `onnx/model.onnx`), `tokenizer.json`, optionally `tokenizer_config.json`,
 * and `config.json` whose `id2label` names the injection label.
 *
 * Long texts are cut into windows of `maxTokens` (at most `maxWindows`, first and last ones
 * kept); the stage's score is the highest injection probability over the windows. Model runs
 * go through one queue (ONNX Runtime sessions are not re-entrant in a useful way on 2 cores).
 * Unlike the other pipeline files this one does I/O: it reads the model once, when opened.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InjectionSignal } from './injection.ts';
import type { ScreeningStage, StageVerdict } from './screener.ts';

/** Options of {@link openClassifierStage}. */
export interface ClassifierStageOptions {
  modelDir: string;
  /** Tokens per window, special tokens included (default 512). */
  maxTokens?: number;
  /** Windows per text (default 8: the first 4 and the last 4 of a longer text). */
  maxWindows?: number;
  /** ONNX intra-op threads (default 1: the server shares its cores). */
  threads?: number;
  /** Probability at or above which the stage reports CLASSIFIER (default 0.5). */
  reportAt?: number;
}

/** Words in a label name that mean "this is an injection". */
const INJECTION_LABEL = /inject|jailbreak|malicious|unsafe|attack|harmful/i;

/** Which output index is the injection label: from config.json's id2label, else index 1 of 2. */
export function injectionLabelIndex(config: { id2label?: Record<string, string> }, labels: number): number {
  const entries = Object.entries(config.id2label ?? {});
  const hit = entries.find(([, name]) => INJECTION_LABEL.test(name));
  if (hit) return Number(hit[0]);
  if (labels === 2) return 1;
  throw new Error('config.json names no injection label in id2label (and the model has more than two labels)');
}

/** Softmax probability of `index` in one row of logits. */
function probability(logits: Float32Array, offset: number, labels: number, index: number): number {
  let max = -Infinity;
  for (let k = 0; k < labels; k += 1) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < labels; k += 1) sum += Math.exp(logits[offset + k]! - max);
  return Math.exp(logits[offset + index]! - max) / sum;
}

async function firstExisting(dir: string, names: readonly string[]): Promise<string> {
  for (const name of names) {
    const file = path.join(dir, name);
    if (await access(file).then(() => true, () => false)) return file;
  }
  throw new Error(`${names.join(' or ')} not found in ${dir}`);
}

/**
 * Opens the classifier stage: loads the model and tokenizer and proves them with one run.
 * @throws Error naming the missing file or the load failure
 */
export async function openClassifierStage(options: ClassifierStageOptions): Promise<ScreeningStage> {
  const dir = path.resolve(options.modelDir);
  const maxTokens = options.maxTokens ?? 512;
  const maxWindows = options.maxWindows ?? 8;
  const reportAt = options.reportAt ?? 0.5;
  const [ort, { Tokenizer }] = await Promise.all([import('onnxruntime-node'), import('@huggingface/tokenizers')]);
  const modelFile = await firstExisting(dir, ['model.onnx', 'onnx/model.onnx']);
  const tokenizerJson = JSON.parse(await readFile(await firstExisting(dir, ['tokenizer.json']), 'utf8')) as object;
  const tokenizerConfig = await readFile(path.join(dir, 'tokenizer_config.json'), 'utf8').then((t) => JSON.parse(t) as object, () => ({}));
  const config = JSON.parse(await readFile(await firstExisting(dir, ['config.json']), 'utf8')) as { id2label?: Record<string, string> };
  const tokenizer = new Tokenizer(tokenizerJson as never, tokenizerConfig as never);
  const session = await ort.InferenceSession.create(await readFile(modelFile), { intraOpNumThreads: options.threads ?? 1 });
  const inputs = new Set(session.inputNames);
  const output = session.outputNames[0]!;
  let queue: Promise<unknown> = Promise.resolve();

  /** Token-id windows of a text: special tokens kept at both ends of every window. */
  const windows = (text: string): number[][] => {
    const ids = tokenizer.encode(text).ids;
    if (ids.length <= maxTokens) return [ids];
    const body = ids.slice(1, -1);
    const width = maxTokens - 2;
    const all: number[][] = [];
    for (let at = 0; at < body.length; at += width) all.push([ids[0]!, ...body.slice(at, at + width), ids[ids.length - 1]!]);
    if (all.length <= maxWindows) return all;
    const half = Math.floor(maxWindows / 2);
    return [...all.slice(0, half), ...all.slice(all.length - (maxWindows - half))];
  };

  /** One batch run: the injection probability of each window. */
  const run = async (batch: number[][]): Promise<number[]> => {
    const rows = batch.length;
    const width = Math.max(...batch.map((w) => w.length));
    const ids = new BigInt64Array(rows * width);
    const mask = new BigInt64Array(rows * width);
    batch.forEach((w, b) =>
      w.forEach((id, i) => {
        ids[b * width + i] = BigInt(id);
        mask[b * width + i] = 1n;
      }),
    );
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { input_ids: new ort.Tensor('int64', ids, [rows, width]) };
    if (inputs.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [rows, width]);
    if (inputs.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows * width), [rows, width]);
    const result = await session.run(feeds);
    const logits = result[output]!;
    const labels = Number(logits.dims[logits.dims.length - 1]);
    const index = injectionLabelIndex(config, labels);
    const data = logits.data as Float32Array;
    return batch.map((_, b) => probability(data, b * labels, labels, index));
  };

  const classify = (text: string): Promise<number> => {
    const next = queue.then(async () => Math.max(...(await run(windows(text)))));
    queue = next.catch(() => undefined);
    return next;
  };

  await classify('warm-up'); // proves the model and tokenizer fit together, at startup
  return {
    name: 'classifier',
    async screen(text): Promise<StageVerdict> {
      if (text.trim() === '') return { stage: 'classifier', score: 0, signals: [] };
      const p = await classify(text);
      const signals: InjectionSignal[] = p >= reportAt ? ['CLASSIFIER'] : [];
      return { stage: 'classifier', score: Math.round(p * 1000) / 1000, signals };
    },
    close: () => session.release(),
  };
}
