/**
 * The OpenAI-compatible embedder: `POST {baseUrl}/embeddings` with `{ model, input: [...] }`,
 * reading `data[].embedding` in `index` order. Works with OpenAI, Ollama (`/v1`, no key),
 * vLLM, LiteLLM and similar. Batches are sent one after another; each attempt has a timeout;
 * 429, 5xx, network errors and timeouts are retried with exponential backoff and jitter
 * (a server's Retry-After is respected). Every failure surfaces as ServiceUnavailableError.
 * The API key is sent only in the Authorization header and never appears in errors or logs.
 */
import { createHash } from 'node:crypto';
import { BadUserInputError, ServiceUnavailableError } from '../shared/errors.ts';
import type { Embedder, OpenAIEmbedderConfig } from './types.ts';
import { l2NormaliseInPlace } from './vectors.ts';

/** The part of an embeddings response we read. */
interface EmbeddingsResponse {
  data?: Array<{ index?: number; embedding?: unknown }>;
}

/** A failed attempt: `retryable` decides whether another one is made. */
class AttemptError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryable: boolean, retryAfterMs?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Retry-After as seconds or an HTTP date → milliseconds from now (undefined when absent or invalid). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Creates an OpenAI-compatible embedder. Makes no request until the first `embed`/`health`.
 * @throws BadUserInputError when the base URL, dimension or a numeric option is invalid
 */
export function createOpenAIEmbedder(config: Omit<OpenAIEmbedderConfig, 'backend'>): Embedder {
  let base: URL;
  try {
    base = new URL(config.baseUrl.replace(/\/+$/, ''));
  } catch {
    throw new BadUserInputError(`Embedding API base URL is not a URL: ${config.baseUrl}`, 'baseUrl');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new BadUserInputError(`Embedding API base URL must be http(s), got ${base.protocol}`, 'baseUrl');
  }
  const { model, dimension, apiKey } = config;
  if (!model) throw new BadUserInputError('Embedding API model is required.', 'model');
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new BadUserInputError(`Embedding API dimension must be a positive integer, got ${dimension}.`, 'dimension');
  }
  const batchSize = config.batchSize ?? 64;
  const timeoutMs = config.timeoutMs ?? 30_000;
  const maxRetries = config.maxRetries ?? 3;
  const retryBaseMs = config.retryBaseMs ?? 500;
  const retryMaxMs = config.retryMaxMs ?? 30_000;
  for (const [field, value, min] of [['batchSize', batchSize, 1], ['timeoutMs', timeoutMs, 1], ['maxRetries', maxRetries, 0], ['retryBaseMs', retryBaseMs, 0], ['retryMaxMs', retryMaxMs, 0]] as const) {
    if (!Number.isInteger(value) || value < min) throw new BadUserInputError(`Embedding API ${field} must be an integer ≥ ${min}, got ${value}.`, field);
  }
  const endpoint = `${base.href.replace(/\/+$/, '')}/embeddings`;
  const where = `${base.host} (model ${model})`; // safe to show: no path, query or credentials
  const digest = `sha256:${createHash('sha256').update(`openai-compatible;host=${base.host};model=${model};dimension=${dimension}`).digest('hex')}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let closed = false;

  /** One HTTP attempt for one batch. */
  const attempt = async (input: readonly string[]): Promise<Float32Array[]> => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(config.requestDimensions ? { model, input, dimensions: dimension } : { model, input }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AttemptError(describe(error), true, undefined, error);
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
      const retryable = response.status === 429 || response.status >= 500;
      throw new AttemptError(`HTTP ${response.status}${body ? ` ${body}` : ''}`, retryable, parseRetryAfter(response.headers.get('retry-after')));
    }
    let parsed: EmbeddingsResponse;
    try {
      parsed = (await response.json()) as EmbeddingsResponse;
    } catch (error) {
      throw new AttemptError(`invalid JSON response: ${describe(error)}`, true, undefined, error);
    }
    const data = parsed.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new AttemptError(`expected ${input.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`, false);
    }
    const result = new Array<Float32Array | undefined>(input.length);
    data.forEach((item, position) => {
      const index = item.index ?? position;
      if (!Number.isInteger(index) || index < 0 || index >= input.length || result[index] !== undefined) {
        throw new AttemptError(`bad or duplicate embedding index ${index}`, false);
      }
      const values = item.embedding;
      if (!Array.isArray(values) || values.length !== dimension) {
        throw new AttemptError(
          `returned a vector of length ${Array.isArray(values) ? values.length : 'none'}, configured dimension is ${dimension}`,
          false,
        );
      }
      if (!values.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new AttemptError('returned a non-numeric vector', false);
      result[index] = l2NormaliseInPlace(Float32Array.from(values as number[]));
    });
    return result as Float32Array[];
  };

  /** One batch with retries; all failures become ServiceUnavailableError. */
  const embedBatch = async (input: readonly string[]): Promise<Float32Array[]> => {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(input);
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        const give = (): ServiceUnavailableError =>
          new ServiceUnavailableError(`Embedding API ${where} failed: ${error.message}${retry > 0 ? ` (after ${retry + 1} attempts)` : ''}`, { cause: error.cause });
        if (!error.retryable || retry >= maxRetries || closed) throw give();
        const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** retry);
        const jittered = backoff / 2 + Math.random() * (backoff / 2);
        if (error.retryAfterMs !== undefined && error.retryAfterMs > retryMaxMs) throw give();
        await sleep(Math.max(jittered, error.retryAfterMs ?? 0));
      }
    }
  };

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    if (closed) throw new ServiceUnavailableError('The embedding API client is closed.');
    const result: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      result.push(...(await embedBatch(texts.slice(start, start + batchSize))));
    }
    return result;
  };

  const embedder: Embedder = {
    backend: 'openai',
    model,
    dimension,
    digest,
    embed,
    async health() {
      if (closed) return { status: 'down', backend: 'openai', detail: 'closed' };
      const started = performance.now();
      try {
        await embed(['health probe']);
        return { status: 'up', backend: 'openai', detail: where, latencyMs: performance.now() - started };
      } catch (error) {
        return { status: 'down', backend: 'openai', detail: (error as Error).message };
      }
    },
    async close() {
      closed = true;
    },
  };
  return embedder;
}
