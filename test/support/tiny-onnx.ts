/**
 * A tiny text classifier made in the test, as a real model directory: `model.onnx` (an ONNX
 * graph written here byte by byte: Gather over a [vocab, 2] table, then ReduceMax over the
 * tokens → logits [batch, 2]), a WordPiece `tokenizer.json` and a `config.json` naming the
 * labels. No prompt-injection classifier ships in a registry package we can reach (see
 * docs/pipeline.md), so the classifier stage is tested with this: the stage's loading,
 * tokenising, batching and scoring code is the one a real model would run through.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Protobuf wire-format writer, just enough for an ONNX ModelProto. */
class Proto {
  private readonly bytes: number[] = [];

  private varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v > 0n);
  }

  int(field: number, value: number | bigint): this {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.bytes.push(...data);
    return this;
  }

  str(field: number, value: string): this {
    return this.raw(field, new TextEncoder().encode(value));
  }

  msg(field: number, inner: Proto): this {
    return this.raw(field, inner.done());
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Proto {
  const shape = new Proto();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().str(2, d));
  const tensorType = new Proto().int(1, elemType).msg(2, shape);
  return new Proto().str(1, name).msg(2, new Proto().msg(1, tensorType));
}

/** The bytes of an ONNX model: input_ids [batch, seq] → logits [batch, 2] = max over tokens of table[id]. */
export function tinyClassifierOnnx(table: readonly (readonly [number, number])[]): Uint8Array {
  const floats = new Float32Array(table.flat());
  const initializer = new Proto()
    .int(1, table.length)
    .int(1, 2)
    .int(2, FLOAT)
    .str(8, 'table')
    .raw(9, new Uint8Array(floats.buffer));
  const gather = new Proto().str(1, 'table').str(1, 'input_ids').str(2, 'embedded').str(3, 'gather').str(4, 'Gather').msg(5, new Proto().str(1, 'axis').int(3, 0).int(20, 2));
  const reduce = new Proto()
    .str(1, 'embedded')
    .str(2, 'logits')
    .str(3, 'reduce')
    .str(4, 'ReduceMax')
    .msg(5, new Proto().str(1, 'axes').int(8, 1).int(20, 7))
    .msg(5, new Proto().str(1, 'keepdims').int(3, 0).int(20, 2));
  const graph = new Proto()
    .msg(1, gather)
    .msg(1, reduce)
    .str(2, 'tiny-classifier')
    .msg(5, initializer)
    .msg(11, valueInfo('input_ids', INT64, ['batch', 'sequence']))
    .msg(12, valueInfo('logits', FLOAT, ['batch', 2]));
  return new Proto().int(1, 8).str(2, 'hivegraph-test').msg(7, graph).msg(8, new Proto().str(1, '').int(2, 13)).done();
}

/** Words the tiny model takes as an attack (logit 3 for INJECTION) and as ordinary (logit 2 for SAFE). */
export const TINY_ATTACK_WORDS = ['ignore', 'disregard', 'jailbreak', 'unrestricted', 'override', 'reveal'] as const;
export const TINY_SAFE_WORDS = ['the', 'a', 'cache', 'build', 'release', 'deploy', 'notes', 'is', 'to', 'and'] as const;

/**
 * Writes a complete model directory (model.onnx, tokenizer.json, tokenizer_config.json,
 * config.json with id2label SAFE / INJECTION) to `dir` and returns it.
 */
export async function writeTinyClassifier(dir: string): Promise<string> {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const words = [...special, ...TINY_SAFE_WORDS, ...TINY_ATTACK_WORDS];
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  const table = words.map((w): [number, number] =>
    (TINY_ATTACK_WORDS as readonly string[]).includes(w) ? [0, 3] : (TINY_SAFE_WORDS as readonly string[]).includes(w) ? [2, 0] : [0, 0],
  );
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: null,
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), tinyClassifierOnnx(table));
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 512, pad_token: '[PAD]' }));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ id2label: { 0: 'SAFE', 1: 'INJECTION' }, label2id: { SAFE: 0, INJECTION: 1 } }));
  return dir;
}
