/**
 * The embedding contract. Services and the composition root see only these types and
 * `openEmbedder` (index.ts); the backends (`*.embedder.ts`) are never imported from outside
 * src/embed.
 */

/** Which kind of backend computes the vectors. */
export type EmbedderBackend = 'local' | 'openai' | 'hashing';

/** State of the embedder as reported by /readyz (same shape as the store's health report). */
export interface EmbedderHealth {
  status: 'up' | 'down';
  /** Which backend answers: `local`, `openai` or `hashing`. */
  backend: string;
  /** Model name when up, or the reason it is down. Never contains credentials. */
  detail?: string;
  /** Time taken to embed one short probe text, in milliseconds (when up). */
  latencyMs?: number;
}

/** Turns texts into unit-length vectors of a fixed dimension. */
export interface Embedder {
  /** The kind of backend. */
  readonly backend: EmbedderBackend;
  /** Model name, e.g. `sentence-transformers/all-MiniLM-L6-v2` or `text-embedding-3-small`. */
  readonly model: string;
  /** Length of every vector returned by {@link Embedder.embed}. */
  readonly dimension: number;
  /**
   * `sha256:<hex>` identifying what produces the vectors (weights + config for the local model,
   * algorithm + dimension for hashing, host + model + dimension for a remote API). Recorded in
   * the model registry: vectors with different digests must not be compared.
   */
  readonly digest: string;
  /**
   * Embeds `texts`, batched internally. The result has one vector per text, in input order,
   * each L2-normalised (norm 1 ± 1e-5). An empty list resolves to `[]`.
   * @throws ServiceUnavailableError when the backend cannot answer (remote API down, closed)
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Probes the backend by embedding one short text. Never throws. */
  health(): Promise<EmbedderHealth>;
  /** Releases the model / connections; further `embed` calls fail. Idempotent. */
  close(): Promise<void>;
}

/** Deterministic, dependency-free feature hashing (tests, offline fallback). */
export interface HashingEmbedderConfig {
  backend: 'hashing';
  /** Number of hash buckets = vector length (default 384, the local model's). */
  dimension?: number;
}

/** all-MiniLM-L6-v2 (or a compatible BERT sentence encoder) run in-process with ONNX Runtime. */
export interface LocalEmbedderConfig {
  backend: 'local';
  /**
   * Directory holding `onnx/model.onnx`, `tokenizer.json`, `tokenizer_config.json` and
   * `config.json`, as installed by `scripts/models.sh` (`.models/all-MiniLM-L6-v2`).
   */
  modelDir: string;
  /** Model name reported in {@link Embedder.model} (default `sentence-transformers/all-MiniLM-L6-v2`). */
  model?: string;
  /** Texts per ONNX run (default 32). */
  batchSize?: number;
  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (default 0). */
  threads?: number;
  /** Tokens per text including [CLS] and [SEP]; longer texts are truncated (default 256). */
  maxTokens?: number;
}

/** Any OpenAI-compatible `POST /embeddings` endpoint (OpenAI, Azure-style proxies, Ollama, vLLM). */
export interface OpenAIEmbedderConfig {
  backend: 'openai';
  /** Base URL up to and excluding `/embeddings`, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Model name sent in the request, e.g. `text-embedding-3-small`. */
  model: string;
  /** Vector length the model returns; every returned vector is checked against it. */
  dimension: number;
  /** Bearer token; omit for servers without auth (Ollama). Never logged. */
  apiKey?: string;
  /** Also send `dimensions` in the request (text-embedding-3 models can shorten vectors; default false). */
  requestDimensions?: boolean;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Timeout of one HTTP attempt in ms (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, network errors and timeouts (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry, with jitter (default 500). */
  retryBaseMs?: number;
  /** Longest wait between attempts in ms; a server asking (Retry-After) for longer fails at once (default 30 000). */
  retryMaxMs?: number;
}

/** Configuration of {@link Embedder} backends, discriminated by `backend`. */
export type EmbedderConfig = HashingEmbedderConfig | LocalEmbedderConfig | OpenAIEmbedderConfig;
