/**
 * The Embedder contract: every backend must pass these. Each backend's test supplies `open`
 * (and the dimension it expects) and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embed/types.ts';
import { dot } from '../../src/embed/vectors.ts';

/** One backend under test. */
export interface EmbedderUnderTest {
  name: string;
  /** Opens the embedder with a small internal batch size (so batch boundaries are crossed). */
  open: () => Promise<Embedder>;
  /** The batch size `open` configured. */
  batchSize: number;
  dimension: number;
}

/** Texts of varied length, including duplicates, Unicode and an empty string. */
export const CONTRACT_TEXTS = [
  'A man is eating food.',
  'The quick brown fox jumps over the lazy dog.',
  '',
  'Graph databases store relationships as first-class citizens.',
  'Zürich café — naïve façade 🐝',
  'A man is eating food.',
  'short',
  'Hybrid search merges full-text and vector rankings with reciprocal rank fusion. '.repeat(5),
  'PostgreSQL with pgvector',
  '12345 67890',
];

const norm = (v: Float32Array): number => Math.sqrt(dot(v, v));

/** Registers the contract suite for `backend`. */
export function defineEmbedderContract(backend: EmbedderUnderTest): void {
  describe(`Embedder contract (${backend.name})`, () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await backend.open();
    });
    afterAll(async () => embedder?.close());

    it('names its backend and describes its model with a sha256 digest', () => {
      expect(embedder.backend).toBe(backend.name);
      expect(embedder.model).not.toBe('');
      expect(embedder.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('returns one vector of the declared dimension per text, each of unit norm', async () => {
      expect(embedder.dimension).toBe(backend.dimension);
      const vectors = await embedder.embed(CONTRACT_TEXTS);
      expect(vectors).toHaveLength(CONTRACT_TEXTS.length);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(backend.dimension);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-5);
      }
    });

    it('keeps input order across batch boundaries and matches single-text embedding within 1e-5', async () => {
      expect(CONTRACT_TEXTS.length).toBeGreaterThan(backend.batchSize);
      const batched = await embedder.embed(CONTRACT_TEXTS);
      for (const [i, text] of CONTRACT_TEXTS.entries()) {
        const [single] = await embedder.embed([text]);
        let maxDiff = 0;
        for (let d = 0; d < single!.length; d++) maxDiff = Math.max(maxDiff, Math.abs(single![d]! - batched[i]![d]!));
        expect(maxDiff, `text #${i}`).toBeLessThan(1e-5);
      }
      // The duplicate text lands on the same vector; different texts do not.
      expect(dot(batched[0]!, batched[5]!)).toBeGreaterThan(1 - 1e-5);
      expect(dot(batched[0]!, batched[1]!)).toBeLessThan(0.99);
    });

    it('is deterministic for the same input', async () => {
      const a = await embedder.embed(CONTRACT_TEXTS);
      const b = await embedder.embed([...CONTRACT_TEXTS].reverse());
      b.reverse();
      for (let i = 0; i < a.length; i++) expect(dot(a[i]!, b[i]!)).toBeGreaterThan(1 - 1e-5);
    });

    it('embeds an empty list as []', async () => {
      expect(await embedder.embed([])).toEqual([]);
    });

    it('reports health up with a latency', async () => {
      const health = await embedder.health();
      expect(health).toMatchObject({ status: 'up', backend: backend.name });
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    });
  });
}
