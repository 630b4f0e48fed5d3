import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashEmbed } from '../../src/embed/hashing.embedder.ts';
import { openEmbedder } from '../../src/embed/index.ts';
import { parseRetryAfter } from '../../src/embed/openai.embedder.ts';
import type { Embedder, OpenAIEmbedderConfig } from '../../src/embed/types.ts';
import { dot } from '../../src/embed/vectors.ts';
import { ServiceUnavailableError, StartupError } from '../../src/shared/errors.ts';
import { describeIfAvailable } from '../support/backends.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { defineEmbedderContract } from './embedder.contract.ts';

const MODEL_DIR = path.resolve(process.env.HIVEGRAPH_MODELS_DIR ?? '.models', 'all-MiniLM-L6-v2');
const modelUnavailable = existsSync(path.join(MODEL_DIR, 'onnx', 'model.onnx'))
  ? undefined
  : `model not installed at ${MODEL_DIR}: run \`bash scripts/models.sh\` (CI does)`;

// ---------------------------------------------------------------- hashing
defineEmbedderContract({
  name: 'hashing',
  batchSize: 1,
  dimension: 384,
  open: () => openEmbedder({ backend: 'hashing' }),
});

describe('hashing embedder', () => {
  it('ranks lexical overlap above no overlap', () => {
    const query = hashEmbed('postgres vector search', 384);
    const overlap = hashEmbed('hybrid vector search in Postgres', 384);
    const none = hashEmbed('the girl is carrying a baby', 384);
    expect(dot(query, overlap)).toBeGreaterThan(0.4);
    expect(dot(query, overlap)).toBeGreaterThan(dot(query, none) + 0.3);
  });

  it('maps texts without letters or digits to one reserved unit vector', () => {
    const empty = hashEmbed('', 384);
    expect(dot(empty, empty)).toBeCloseTo(1, 6);
    expect(dot(empty, hashEmbed(' ?! ', 384))).toBeCloseTo(1, 6);
    expect(Math.abs(dot(empty, hashEmbed('hello', 384)))).toBeLessThan(0.5);
  });

  it('derives its digest from algorithm and dimension only', async () => {
    const a = await openEmbedder({ backend: 'hashing' });
    const b = await openEmbedder({ backend: 'hashing', dimension: 384 });
    const c = await openEmbedder({ backend: 'hashing', dimension: 256 });
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
    expect(c.dimension).toBe(256);
  });

  it('fails after close', async () => {
    const e = await openEmbedder({ backend: 'hashing' });
    await e.close();
    await expect(e.embed(['x'])).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect((await e.health()).status).toBe('down');
  });
});

// ---------------------------------------------------------------- local model
describe('local embedder start-up', () => {
  it('names scripts/models.sh when the model directory is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hg-no-model-'));
    try {
      const error = await openEmbedder({ backend: 'local', modelDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toContain('scripts/models.sh');
      expect((error as Error).message).toContain('onnx/model.onnx');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeIfAvailable('local embedder (all-MiniLM-L6-v2)', modelUnavailable, () => {
  defineEmbedderContract({
    name: 'local',
    batchSize: 3,
    dimension: 384,
    open: () => openEmbedder({ backend: 'local', modelDir: MODEL_DIR, batchSize: 3, threads: 1 }),
  });

  describe('semantics', () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await openEmbedder({ backend: 'local', modelDir: MODEL_DIR });
    });
    afterAll(async () => embedder?.close());

    it('reproduces the sentence-transformers reference similarities', async () => {
      const [food, bread, baby] = await embedder.embed([
        'A man is eating food.',
        'A man is eating a piece of bread.',
        'The girl is carrying a baby.',
      ]);
      expect(dot(food!, bread!)).toBeGreaterThan(0.7553 - 0.01);
      expect(dot(food!, bread!)).toBeLessThan(0.7553 + 0.01);
      expect(Math.abs(dot(food!, baby!) - -0.105)).toBeLessThan(0.02);
    });

    it('reads up to 256 tokens (not the tokenizer.json 128) and truncates beyond', async () => {
      const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' '); // well over 256 tokens
      const [long, longer, short] = await embedder.embed([words, `${words} tail words here`, words.split(' ').slice(0, 70).join(' ')]);
      expect(dot(long!, longer!)).toBeGreaterThan(1 - 1e-5);
      expect(dot(long!, short!)).toBeLessThan(0.999);
    });

    it('digests the weights, tokenizer and config', () => {
      expect(embedder.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(embedder.model).toBe('sentence-transformers/all-MiniLM-L6-v2');
    });
  });
});

// ---------------------------------------------------------------- OpenAI-compatible (fake server)
describe('OpenAI-compatible embedder (fake server on 127.0.0.1)', () => {
  const fake = new FakeOpenAI();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.script = [];
    fake.requests.length = 0;
  });
  const config = (overrides: Partial<OpenAIEmbedderConfig> = {}): OpenAIEmbedderConfig => ({
    backend: 'openai',
    baseUrl: fake.baseUrl,
    model: 'fake-embed',
    dimension: 384,
    apiKey: 'sk-test-secret',
    batchSize: 4,
    retryBaseMs: 10,
    timeoutMs: 2000,
    ...overrides,
  });

  defineEmbedderContract({ name: 'openai', batchSize: 4, dimension: 384, open: () => openEmbedder(config()) });

  it('returns exactly the hashing vectors, batched, with the key in the Authorization header', async () => {
    const e = await openEmbedder(config());
    const texts = ['a', 'b c', 'd e f', 'g', 'h', 'i'];
    const vectors = await e.embed(texts);
    vectors.forEach((v, i) => expect(dot(v, hashEmbed(texts[i]!, 384))).toBeGreaterThan(1 - 1e-5));
    expect(fake.requests.map((r) => r.input.length)).toEqual([4, 2]);
    expect(fake.requests.every((r) => r.authorization === 'Bearer sk-test-secret')).toBe(true);
  });

  it('sends no Authorization header without a key (Ollama)', async () => {
    const e = await openEmbedder(config({ apiKey: undefined }));
    await e.embed(['x']);
    expect(fake.requests[0]!.authorization).toBeUndefined();
  });

  it('retries a 503 and then succeeds', async () => {
    fake.script = [{ status: 503 }];
    const e = await openEmbedder(config());
    const [v] = await e.embed(['retry me']);
    expect(dot(v!, hashEmbed('retry me', 384))).toBeGreaterThan(1 - 1e-5);
    expect(fake.requests).toHaveLength(2);
  });

  it('waits for Retry-After on 429', async () => {
    fake.script = [{ status: 429, headers: { 'retry-after': '1' } }];
    const e = await openEmbedder(config());
    const started = Date.now();
    await e.embed(['rate limited']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up after maxRetries with ServiceUnavailableError that does not contain the key', async () => {
    fake.script = [{ status: 500 }, { status: 502 }, { status: 503 }];
    const e = await openEmbedder(config({ maxRetries: 2 }));
    const error = await e.embed(['x']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain('HTTP 503');
    expect((error as Error).message).not.toContain('sk-test-secret');
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 401', async () => {
    fake.script = [{ status: 401, body: { error: { message: 'bad key' } } }];
    const e = await openEmbedder(config());
    await expect(e.embed(['x'])).rejects.toThrow(/HTTP 401/);
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects vectors whose length differs from the configured dimension', async () => {
    fake.script = ['wrong-dimension'];
    const e = await openEmbedder(config());
    const error = await e.embed(['x']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toMatch(/length 383.*dimension is 384/);
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a server that never answers with ServiceUnavailableError', async () => {
    fake.script = ['hang', 'hang'];
    const e = await openEmbedder(config({ timeoutMs: 200, maxRetries: 1 }));
    const error = await e.embed(['x']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain('timed out');
    expect(fake.requests).toHaveLength(2);
  });

  it('maps a refused connection to ServiceUnavailableError and reports health down', async () => {
    const e = await openEmbedder(config({ baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 1 }));
    await expect(e.embed(['x'])).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await e.health()).toMatchObject({ status: 'down', backend: 'openai' });
  });

  it('digests host, model and dimension — never the key', async () => {
    const a = await openEmbedder(config({ apiKey: 'k1' }));
    const b = await openEmbedder(config({ apiKey: 'k2' }));
    const c = await openEmbedder(config({ model: 'other' }));
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });
});
