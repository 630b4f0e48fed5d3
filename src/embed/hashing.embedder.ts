/**
 * The hashing embedder: deterministic feature hashing, no model, no dependencies. Useful in
 * tests and as an offline fallback; it captures lexical overlap only, not meaning.
 *
 * Algorithm `hashing-v1`: the text is NFKC-normalised and lower-cased, split into words
 * (runs of Unicode letters/digits). Each word contributes the feature `w:<word>` (weight 1)
 * and each character trigram of `^word$` contributes `t:<trigram>` (weight 0.5). A feature's
 * 32-bit FNV-1a hash, passed through the murmur3 finaliser, picks the bucket (`h mod
 * dimension`) and the sign (a high bit), which keeps collisions unbiased. The sum is
 * L2-normalised.
 *
 * Empty input: a text with no letters or digits (`''`, `'  '`, `'?!'`) yields the unit vector
 * of the reserved feature `empty:` — all such texts get the same, well-defined vector (never
 * a zero vector, whose cosine is NaN), nearly orthogonal to every non-empty text.
 */
import { createHash } from 'node:crypto';
import { BadUserInputError, ServiceUnavailableError } from '../shared/errors.ts';
import type { Embedder, HashingEmbedderConfig } from './types.ts';
import { l2NormaliseInPlace } from './vectors.ts';

/** Name + version of the algorithm; bump when the output changes. */
export const HASHING_ALGORITHM = 'hashing-v1';
/** Default vector length: the same as all-MiniLM-L6-v2. */
export const DEFAULT_HASHING_DIMENSION = 384;

const WORD = /[\p{L}\p{N}]+/gu;
const TRIGRAM_WEIGHT = 0.5;

/** 32-bit FNV-1a over UTF-16 code units, then the murmur3 finaliser for well-mixed bits. */
function hash32(feature: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < feature.length; i++) {
    h ^= feature.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function add(v: Float32Array, feature: string, weight: number): void {
  const h = hash32(feature);
  const sign = h & 0x80000000 ? -1 : 1;
  const bucket = h % v.length;
  v[bucket] = v[bucket]! + sign * weight;
}

/** Embeds one text with the `hashing-v1` algorithm into a new unit vector of `dimension`. */
export function hashEmbed(text: string, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
  for (const word of words) {
    add(v, `w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(v, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  l2NormaliseInPlace(v);
  // No features, or (vanishingly unlikely) features that cancelled out: the reserved vector.
  if (!v.some((x) => x !== 0)) add(v, 'empty:', 1);
  return v;
}

/**
 * Creates a hashing embedder.
 * @throws BadUserInputError when `dimension` is not an integer in 1..65 536
 */
export function createHashingEmbedder(config: Omit<HashingEmbedderConfig, 'backend'> = {}): Embedder {
  const dimension = config.dimension ?? DEFAULT_HASHING_DIMENSION;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 65_536) {
    throw new BadUserInputError(`Hashing embedder dimension must be an integer in 1..65536, got ${dimension}.`, 'dimension');
  }
  const digest = `sha256:${createHash('sha256').update(`${HASHING_ALGORITHM};dimension=${dimension}`).digest('hex')}`;
  let closed = false;

  const embedder: Embedder = {
    backend: 'hashing',
    model: HASHING_ALGORITHM,
    dimension,
    digest,
    async embed(texts) {
      if (closed) throw new ServiceUnavailableError('The hashing embedder is closed.');
      return texts.map((t) => hashEmbed(t, dimension));
    },
    async health() {
      if (closed) return { status: 'down', backend: 'hashing', detail: 'closed' };
      const started = performance.now();
      hashEmbed('health probe', dimension);
      return { status: 'up', backend: 'hashing', detail: HASHING_ALGORITHM, latencyMs: performance.now() - started };
    },
    async close() {
      closed = true;
    },
  };
  return embedder;
}
