/**
 * Configuration, validated once at start-up into a typed object. Every invalid variable is
 * reported in one {@link ConfigError}. Explicit options (e.g. CLI flags, tests) override
 * environment variables. The table of options lives in README.md — keep both in step.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_JSON_DEPTH, JSON_DEPTH_CEILING } from '../shared/json.ts';
import { LOG_LEVELS, type LogLevel } from '../shared/logger.ts';
import { parseCorsOrigins, type CorsOrigins } from './cors-origins.ts';
import { DEFAULT_RATE_LIMIT_TIERS, parseAuthFailureLimit, parseRateLimitTiers, type AuthFailureLimit, type RateLimitTiers } from './rate-limit-tiers.ts';

/** Where SQL data lives: a Postgres server or the embedded PGlite database. */
export type SqlConfig =
  | { kind: 'postgres'; url: string; poolMax: number; connectTimeoutMs: number }
  | { kind: 'pglite'; dataDir: string };

/** Which graph store serves traversal: FalkorDB or the embedded store over SQL rows. */
export type GraphConfig =
  | { kind: 'falkordb'; url: string; graphPrefix: string; connectTimeoutMs: number }
  | { kind: 'sql' };

/** Which embedder computes vectors; `auto` = the local model when its weights are present, else hashing. */
export type EmbedderChoice = 'auto' | 'local' | 'openai' | 'hashing';

/** Embedder settings (HIVEGRAPH_EMBEDDER and HIVEGRAPH_EMBEDDING_*); the composition root opens it. */
export interface EmbeddingConfig {
  backend: EmbedderChoice;
  /** Directory of the local model (HIVEGRAPH_MODEL_DIR, default `<install dir>/.models/all-MiniLM-L6-v2`). */
  modelDir: string;
  /** Vector length of the hashing embedder (HIVEGRAPH_EMBEDDING_DIMENSION, default 384) or of the remote model (required for openai). */
  dimension: number | undefined;
  /** OpenAI-compatible endpoint: base URL up to `/embeddings` (HIVEGRAPH_EMBEDDING_URL). */
  url: string | undefined;
  /** Remote model name (HIVEGRAPH_EMBEDDING_MODEL). */
  model: string | undefined;
  /** Bearer token of the remote endpoint (HIVEGRAPH_EMBEDDING_API_KEY); never logged. */
  apiKey: string | undefined;
  /** Texts per model run or HTTP request (HIVEGRAPH_EMBEDDING_BATCH_SIZE; default 32 local, 64 remote). */
  batchSize: number | undefined;
  /** Timeout of one remote request in ms (HIVEGRAPH_EMBEDDING_TIMEOUT_MS, default 30 000). */
  timeoutMs: number;
}

/** Hybrid search settings. */
export interface SearchConfig {
  /** Reciprocal Rank Fusion constant k: score = Σ 1 / (k + rank) (HIVEGRAPH_SEARCH_RRF_K, default 20). */
  rrfK: number;
  /** Candidates each leg contributes before fusion; at least `first` (HIVEGRAPH_SEARCH_CANDIDATES, default 100). */
  candidates: number;
  /** The least pgvector `hnsw.ef_search` (HIVEGRAPH_SEARCH_EF_SEARCH, default 100); search uses at least twice `candidates` (store/open.ts `effectiveEfSearch`). */
  efSearch: number;
  /** pgvector `hnsw.max_scan_tuples`: most index tuples an iterative scan visits under a selective filter (HIVEGRAPH_SEARCH_MAX_SCAN_TUPLES, default 20 000). */
  maxScanTuples: number;
}

/** The contribution pipeline and events log. */
export interface ContributionsConfig {
  /** Injection score at or above which contributions are QUARANTINED (HIVEGRAPH_INJECTION_THRESHOLD; unset = the screener's default). */
  injectionThreshold: number | undefined;
  /** Embedding similarity at or above which an artifact is flagged as a near-duplicate (HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD, default 0.92). */
  nearDuplicateThreshold: number;
  /** A prompt-injection classifier exported to ONNX, run as a screening stage (HIVEGRAPH_INJECTION_MODEL_DIR; unset = no classifier stage). */
  injectionModelDir: string | undefined;
  /** Screen against the shipped attack set by embedding similarity (HIVEGRAPH_INJECTION_SIMILARITY=on; default off). */
  injectionSimilarity: boolean;
  /** Days events are kept; 0 keeps them forever (HIVEGRAPH_EVENTS_RETENTION_DAYS, default 30). */
  eventsRetentionDays: number;
  /** Most events a subscriber may have queued before it is ended with a resume cursor (HIVEGRAPH_SUBSCRIPTION_BUFFER, default 1000). */
  subscriptionBuffer: number;
}

/** The whole, validated configuration. */
export interface Config {
  server: {
    host: string;
    port: number;
    shutdownGraceMs: number;
    /** Browser origins allowed to call /graphql and /mcp (HIVEGRAPH_CORS_ORIGINS; default none: no CORS headers). */
    corsOrigins: CorsOrigins;
    /** Which proxies' `X-Forwarded-For` names the client (HIVEGRAPH_TRUST_PROXY, express's `trust proxy`; default none: the socket's address). */
    trustProxy: boolean | number | string;
  };
  /** Operations (HIVEGRAPH_METRICS_TOKEN). */
  observability: {
    /** Bearer token `GET /metrics` requires (unset: open, like /healthz). Never logged. */
    metricsToken: string | undefined;
  };
  /** GraphQL hardening. */
  graphql: {
    /** Who may run introspection (HIVEGRAPH_INTROSPECTION): every key (`on`, default), nobody (`off`), or keys of these roles. */
    introspection: 'on' | 'off' | Role[];
    /** Most lexical tokens in one GraphQL document, over HTTP and WebSocket (HIVEGRAPH_MAX_QUERY_TOKENS, default 5000). */
    maxTokens: number;
    /** When set, only operations listed in these `.graphql` files or directories run (HIVEGRAPH_TRUSTED_DOCUMENTS; `tools` = the agent tools). */
    trustedDocuments: string[] | undefined;
  };
  sql: SqlConfig;
  graph: GraphConfig;
  /** Directory for embedded data (PGlite files); used when DATABASE_URL is unset. */
  dataDir: string;
  /** When set, every start makes sure this exact key is an active key of `default`'s `admin`. */
  bootstrapAdminKey: string | undefined;
  /** How long an instance remembers a key that authenticated, in ms; 0 = look every key up (HIVEGRAPH_AUTH_CACHE_TTL_MS, default 10 000). Revocation is heard at once either way (services/auth.service.ts). */
  auth: { cacheTtlMs: number };
  logLevel: LogLevel;
  embedding: EmbeddingConfig;
  search: SearchConfig;
  contributions: ContributionsConfig;
  /** The visibility chain: a session override lives this long after `setSessionVisibility` (HIVEGRAPH_SESSION_OVERRIDE_TTL, seconds, default 3600). */
  sharing: { sessionOverrideTtlMs: number };
  /** Agent tools (MCP at /mcp): the directories of GraphQL operation files, each file one tool (HIVEGRAPH_TOOLS_DIR, default the shipped `tools/`). */
  mcp: { toolsDirs: string[] };
  limits: {
    /** Largest artifact content in bytes (HIVEGRAPH_MAX_CONTENT_BYTES, default 1 MiB). */
    maxContentBytes: number;
    /** Largest request body (HTTP) or message (WebSocket) in bytes (HIVEGRAPH_MAX_BODY_BYTES, default 4 MiB). */
    maxBodyBytes: number;
    /** Query limits (HIVEGRAPH_MAX_QUERY_DEPTH/_COST, HIVEGRAPH_MAX_ALIASES); the shape of server/query-limits.ts `QueryLimits`. */
    query: { maxDepth: number; maxCost: number; maxAliases: number; defaultListSize: number };
    /** Burst limits by API-key tier (HIVEGRAPH_RATE_LIMITS). */
    rateLimitTiers: RateLimitTiers;
    /** Where burst counts live in server mode (HIVEGRAPH_RATE_LIMIT_STORE): `shared` (Postgres, default) or `memory` (per instance). The embedded default always counts in memory. */
    rateLimitStore: 'shared' | 'memory';
    /** Failed authentications allowed per client IP and window (HIVEGRAPH_AUTH_FAILURE_LIMIT, default 20/60). */
    authFailureLimit: AuthFailureLimit;
    /** Deepest nesting of a JSON argument (metadata, properties, manifests, filters) (HIVEGRAPH_MAX_JSON_DEPTH, default 64). */
    maxJsonDepth: number;
    /** Most subscriptions one WebSocket connection may hold at once (HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION, default 100). */
    maxSubscriptionsPerConnection: number;
  };
}

/** Raised when configuration is invalid; `problems` names every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Variables read from the environment (all optional). */
export type ConfigEnv = Partial<Record<string, string>>;

/** Explicit settings that win over the environment. */
export type ConfigOverrides = Partial<Record<(typeof CONFIG_VARIABLES)[number], string>>;

/** Every variable {@link loadConfig} reads, for docs and `--help`. */
export const CONFIG_VARIABLES = [
  'DATABASE_URL',
  'FALKORDB_URL',
  'HIVEGRAPH_DATA_DIR',
  'HOST',
  'PORT',
  'HIVEGRAPH_BOOTSTRAP_ADMIN_KEY',
  'HIVEGRAPH_AUTH_CACHE_TTL_MS',
  'HIVEGRAPH_LOG_LEVEL',
  'HIVEGRAPH_DB_POOL_MAX',
  'HIVEGRAPH_CONNECT_TIMEOUT_MS',
  'HIVEGRAPH_GRAPH_PREFIX',
  'HIVEGRAPH_SHUTDOWN_GRACE_MS',
  'HIVEGRAPH_CORS_ORIGINS',
  'HIVEGRAPH_MAX_CONTENT_BYTES',
  'HIVEGRAPH_MAX_BODY_BYTES',
  'HIVEGRAPH_MAX_QUERY_DEPTH',
  'HIVEGRAPH_MAX_QUERY_COST',
  'HIVEGRAPH_MAX_ALIASES',
  'HIVEGRAPH_MAX_JSON_DEPTH',
  'HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  'HIVEGRAPH_RATE_LIMITS',
  'HIVEGRAPH_EMBEDDER',
  'HIVEGRAPH_MODEL_DIR',
  'HIVEGRAPH_EMBEDDING_URL',
  'HIVEGRAPH_EMBEDDING_MODEL',
  'HIVEGRAPH_EMBEDDING_API_KEY',
  'HIVEGRAPH_EMBEDDING_DIMENSION',
  'HIVEGRAPH_EMBEDDING_BATCH_SIZE',
  'HIVEGRAPH_EMBEDDING_TIMEOUT_MS',
  'HIVEGRAPH_SEARCH_RRF_K',
  'HIVEGRAPH_SEARCH_CANDIDATES',
  'HIVEGRAPH_SEARCH_EF_SEARCH',
  'HIVEGRAPH_SEARCH_MAX_SCAN_TUPLES',
  'HIVEGRAPH_INJECTION_THRESHOLD',
  'HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD',
  'HIVEGRAPH_INJECTION_MODEL_DIR',
  'HIVEGRAPH_INJECTION_SIMILARITY',
  'HIVEGRAPH_EVENTS_RETENTION_DAYS',
  'HIVEGRAPH_SUBSCRIPTION_BUFFER',
  'HIVEGRAPH_TOOLS_DIR',
  'HIVEGRAPH_SESSION_OVERRIDE_TTL',
  'HIVEGRAPH_RATE_LIMIT_STORE',
  'HIVEGRAPH_AUTH_FAILURE_LIMIT',
  'HIVEGRAPH_TRUST_PROXY',
  'HIVEGRAPH_METRICS_TOKEN',
  'HIVEGRAPH_INTROSPECTION',
  'HIVEGRAPH_MAX_QUERY_TOKENS',
  'HIVEGRAPH_TRUSTED_DOCUMENTS',
] as const;

/** The shipped agent tools: `tools/` beside package.json. */
export const DEFAULT_TOOLS_DIR = fileURLToPath(new URL('../../tools', import.meta.url));

/** HIVEGRAPH_TOOLS_DIR as directories: one path, or several joined by the platform's delimiter (`:`; `;` on Windows). */
export function parseToolsDirs(raw: string | undefined): string[] {
  const dirs = (raw ?? '').split(path.delimiter).map((d) => d.trim()).filter((d) => d !== '');
  return dirs.length > 0 ? dirs.map((d) => path.resolve(d)) : [DEFAULT_TOOLS_DIR];
}

/** Where `scripts/models.sh` installs the local model: `.models/` beside package.json. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../.models/all-MiniLM-L6-v2', import.meta.url));

const EMBEDDER_CHOICES: readonly EmbedderChoice[] = ['auto', 'local', 'openai', 'hashing'];

/** Smallest accepted length of HIVEGRAPH_BOOTSTRAP_ADMIN_KEY. */
export const MIN_BOOTSTRAP_KEY_LENGTH = 16;

/**
 * Reads and validates configuration.
 * @param env usually `process.env`
 * @param overrides explicit values that beat `env`
 * @throws ConfigError listing every invalid variable
 */
export function loadConfig(env: ConfigEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const read = (name: (typeof CONFIG_VARIABLES)[number]): string | undefined => {
    const value = overrides[name] ?? env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const problems: string[] = [];
  const int = (name: (typeof CONFIG_VARIABLES)[number], fallback: number, min: number, max: number) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const dataDir = path.resolve(read('HIVEGRAPH_DATA_DIR') ?? './.hivegraph');
  const connectTimeoutMs = int('HIVEGRAPH_CONNECT_TIMEOUT_MS', 5000, 100, 600_000);

  const databaseUrl = read('DATABASE_URL');
  let sql: SqlConfig = { kind: 'pglite', dataDir };
  if (databaseUrl !== undefined) {
    const problem = checkUrl(databaseUrl, ['postgres:', 'postgresql:']);
    if (problem) problems.push(`DATABASE_URL: ${problem}`);
    sql = {
      kind: 'postgres',
      url: databaseUrl,
      poolMax: int('HIVEGRAPH_DB_POOL_MAX', 10, 1, 1000),
      connectTimeoutMs,
    };
  }

  const falkorUrl = read('FALKORDB_URL');
  const graphPrefix = read('HIVEGRAPH_GRAPH_PREFIX') ?? 'hivegraph';
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(graphPrefix)) {
    problems.push(`HIVEGRAPH_GRAPH_PREFIX: letters, digits and _ only, starting with a letter, got "${graphPrefix}"`);
  }
  let graph: GraphConfig = { kind: 'sql' };
  if (falkorUrl !== undefined) {
    const problem = checkUrl(falkorUrl, ['falkor:', 'falkors:', 'redis:', 'rediss:']);
    if (problem) problems.push(`FALKORDB_URL: ${problem}`);
    graph = { kind: 'falkordb', url: falkorUrl, graphPrefix, connectTimeoutMs };
  }

  const host = read('HOST') ?? '127.0.0.1';
  const port = int('PORT', 4000, 0, 65535);
  const shutdownGraceMs = int('HIVEGRAPH_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000);
  let corsOrigins: CorsOrigins = [];
  const rawCors = read('HIVEGRAPH_CORS_ORIGINS');
  if (rawCors !== undefined) {
    try {
      corsOrigins = parseCorsOrigins(rawCors);
    } catch (error) {
      problems.push(`HIVEGRAPH_CORS_ORIGINS: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const bootstrapAdminKey = read('HIVEGRAPH_BOOTSTRAP_ADMIN_KEY');
  if (bootstrapAdminKey !== undefined && bootstrapAdminKey.length < MIN_BOOTSTRAP_KEY_LENGTH) {
    problems.push(
      `HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: must be at least ${MIN_BOOTSTRAP_KEY_LENGTH} characters (got ${bootstrapAdminKey.length})`,
    );
  }
  if (bootstrapAdminKey !== undefined && /\s/.test(bootstrapAdminKey)) {
    problems.push('HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: must not contain white space');
  }

  const level = (read('HIVEGRAPH_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(`HIVEGRAPH_LOG_LEVEL: one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }

  const maxContentBytes = int('HIVEGRAPH_MAX_CONTENT_BYTES', 1024 * 1024, 1, 64 * 1024 * 1024);
  const maxBodyBytes = int('HIVEGRAPH_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024);
  if (maxBodyBytes < maxContentBytes) {
    problems.push(
      `HIVEGRAPH_MAX_BODY_BYTES (${maxBodyBytes}) must be at least HIVEGRAPH_MAX_CONTENT_BYTES (${maxContentBytes}), or no artifact of the largest size could be sent`,
    );
  }

  const query = {
    maxDepth: int('HIVEGRAPH_MAX_QUERY_DEPTH', 12, 1, 1000),
    maxCost: int('HIVEGRAPH_MAX_QUERY_COST', 100_000, 1, 1_000_000_000),
    maxAliases: int('HIVEGRAPH_MAX_ALIASES', 30, 0, 10_000),
    defaultListSize: 10,
  };
  const maxJsonDepth = int('HIVEGRAPH_MAX_JSON_DEPTH', DEFAULT_MAX_JSON_DEPTH, 1, JSON_DEPTH_CEILING);
  const authCacheTtlMs = int('HIVEGRAPH_AUTH_CACHE_TTL_MS', 10_000, 0, 3_600_000);
  const maxSubscriptionsPerConnection = int('HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000);
  let rateLimitTiers: RateLimitTiers = { ...DEFAULT_RATE_LIMIT_TIERS };
  const rawTiers = read('HIVEGRAPH_RATE_LIMITS');
  if (rawTiers !== undefined) {
    try {
      rateLimitTiers = parseRateLimitTiers(rawTiers);
    } catch (error) {
      problems.push(`HIVEGRAPH_RATE_LIMITS: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const rawStore = (read('HIVEGRAPH_RATE_LIMIT_STORE') ?? 'shared').toLowerCase();
  if (rawStore !== 'shared' && rawStore !== 'memory') problems.push(`HIVEGRAPH_RATE_LIMIT_STORE: "shared" or "memory", got "${rawStore}"`);
  const rateLimitStore = rawStore === 'memory' ? 'memory' : 'shared';
  let authFailureLimit: AuthFailureLimit = { limit: 20, windowSeconds: 60 };
  const rawAuthLimit = read('HIVEGRAPH_AUTH_FAILURE_LIMIT');
  if (rawAuthLimit !== undefined) {
    try {
      authFailureLimit = parseAuthFailureLimit(rawAuthLimit);
    } catch (error) {
      problems.push(`HIVEGRAPH_AUTH_FAILURE_LIMIT: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const trustProxy = parseTrustProxy(read('HIVEGRAPH_TRUST_PROXY'));
  const metricsToken = read('HIVEGRAPH_METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < MIN_BOOTSTRAP_KEY_LENGTH || /\s/.test(metricsToken))) {
    problems.push(`HIVEGRAPH_METRICS_TOKEN: at least ${MIN_BOOTSTRAP_KEY_LENGTH} characters, no white space`);
  }
  const introspection = parseIntrospection(read('HIVEGRAPH_INTROSPECTION'), problems);
  const maxTokens = int('HIVEGRAPH_MAX_QUERY_TOKENS', 5000, 100, 1_000_000);
  const rawTrusted = read('HIVEGRAPH_TRUSTED_DOCUMENTS');
  const trustedDocuments =
    rawTrusted === undefined
      ? undefined
      : rawTrusted.split(path.delimiter).map((d) => d.trim()).filter((d) => d !== '').flatMap((d) => (d === 'tools' ? parseToolsDirs(read('HIVEGRAPH_TOOLS_DIR')) : [path.resolve(d)]));

  const embedding = readEmbedding(read, int, problems);
  const search: SearchConfig = {
    rrfK: int('HIVEGRAPH_SEARCH_RRF_K', 20, 1, 100_000),
    candidates: int('HIVEGRAPH_SEARCH_CANDIDATES', 100, 1, 10_000),
    efSearch: int('HIVEGRAPH_SEARCH_EF_SEARCH', 100, 1, 1000),
    maxScanTuples: int('HIVEGRAPH_SEARCH_MAX_SCAN_TUPLES', 20_000, 1, 100_000_000),
  };

  const fraction = (name: (typeof CONFIG_VARIABLES)[number]): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d*\.?\d+$/.test(raw) || !(value > 0 && value <= 1)) {
      problems.push(`${name}: must be a number above 0 and at most 1, got "${raw}"`);
      return undefined;
    }
    return value;
  };
  const onOff = (name: (typeof CONFIG_VARIABLES)[number]): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined || raw === 'off' || raw === 'false' || raw === '0') return false;
    if (raw === 'on' || raw === 'true' || raw === '1') return true;
    problems.push(`${name}: on or off, got "${raw}"`);
    return false;
  };
  const contributions: ContributionsConfig = {
    injectionThreshold: fraction('HIVEGRAPH_INJECTION_THRESHOLD'),
    nearDuplicateThreshold: fraction('HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD') ?? 0.92,
    injectionModelDir: read('HIVEGRAPH_INJECTION_MODEL_DIR') === undefined ? undefined : path.resolve(read('HIVEGRAPH_INJECTION_MODEL_DIR')!),
    injectionSimilarity: onOff('HIVEGRAPH_INJECTION_SIMILARITY'),
    eventsRetentionDays: int('HIVEGRAPH_EVENTS_RETENTION_DAYS', 30, 0, 100_000),
    subscriptionBuffer: int('HIVEGRAPH_SUBSCRIPTION_BUFFER', 1000, 1, 1_000_000),
  };

  const sessionOverrideTtlSeconds = int('HIVEGRAPH_SESSION_OVERRIDE_TTL', 3600, 1, 30 * 24 * 3600);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    server: { host, port, shutdownGraceMs, corsOrigins, trustProxy },
    observability: { metricsToken },
    graphql: { introspection, maxTokens, trustedDocuments },
    sql,
    graph,
    dataDir,
    bootstrapAdminKey,
    auth: { cacheTtlMs: authCacheTtlMs },
    logLevel: level as LogLevel,
    embedding,
    search,
    contributions,
    sharing: { sessionOverrideTtlMs: sessionOverrideTtlSeconds * 1000 },
    mcp: { toolsDirs: parseToolsDirs(read('HIVEGRAPH_TOOLS_DIR')) },
    limits: { maxContentBytes, maxBodyBytes, query, rateLimitTiers, rateLimitStore, authFailureLimit, maxJsonDepth, maxSubscriptionsPerConnection },
  };
}

type ReadVar = (name: (typeof CONFIG_VARIABLES)[number]) => string | undefined;
type ReadInt = (name: (typeof CONFIG_VARIABLES)[number], fallback: number, min: number, max: number) => number;

/** Reads and checks the embedder variables; `openai` needs a URL, a model and a dimension. */
function readEmbedding(read: ReadVar, int: ReadInt, problems: string[]): EmbeddingConfig {
  const url = read('HIVEGRAPH_EMBEDDING_URL');
  const rawBackend = (read('HIVEGRAPH_EMBEDDER') ?? (url !== undefined ? 'openai' : 'auto')).toLowerCase();
  let backend: EmbedderChoice = 'auto';
  if ((EMBEDDER_CHOICES as readonly string[]).includes(rawBackend)) backend = rawBackend as EmbedderChoice;
  else problems.push(`HIVEGRAPH_EMBEDDER: one of ${EMBEDDER_CHOICES.join(', ')}, got "${rawBackend}"`);
  const dimensionSet = read('HIVEGRAPH_EMBEDDING_DIMENSION') !== undefined;
  const dimension = dimensionSet ? int('HIVEGRAPH_EMBEDDING_DIMENSION', 384, 1, 16_000) : undefined;
  const batchSet = read('HIVEGRAPH_EMBEDDING_BATCH_SIZE') !== undefined;
  const config: EmbeddingConfig = {
    backend,
    modelDir: path.resolve(read('HIVEGRAPH_MODEL_DIR') ?? DEFAULT_MODEL_DIR),
    dimension,
    url,
    model: read('HIVEGRAPH_EMBEDDING_MODEL'),
    apiKey: read('HIVEGRAPH_EMBEDDING_API_KEY'),
    batchSize: batchSet ? int('HIVEGRAPH_EMBEDDING_BATCH_SIZE', 32, 1, 2048) : undefined,
    timeoutMs: int('HIVEGRAPH_EMBEDDING_TIMEOUT_MS', 30_000, 100, 600_000),
  };
  if (backend === 'openai') {
    if (url === undefined) problems.push('HIVEGRAPH_EMBEDDING_URL: required when HIVEGRAPH_EMBEDDER=openai (e.g. https://api.openai.com/v1)');
    else {
      const problem = checkUrl(url, ['http:', 'https:']);
      if (problem) problems.push(`HIVEGRAPH_EMBEDDING_URL: ${problem}`);
    }
    if (config.model === undefined) problems.push('HIVEGRAPH_EMBEDDING_MODEL: required when HIVEGRAPH_EMBEDDER=openai (e.g. text-embedding-3-small)');
    if (!dimensionSet) problems.push('HIVEGRAPH_EMBEDDING_DIMENSION: required when HIVEGRAPH_EMBEDDER=openai (the length of the vectors the model returns)');
  } else if (url !== undefined) {
    problems.push(`HIVEGRAPH_EMBEDDING_URL: only used with HIVEGRAPH_EMBEDDER=openai (it is "${backend}")`);
  }
  if ((backend === 'local' || backend === 'auto') && dimensionSet) {
    problems.push('HIVEGRAPH_EMBEDDING_DIMENSION: the local model has a fixed dimension (384); set it only for hashing or openai');
  }
  return config;
}

/** HIVEGRAPH_TRUST_PROXY as express's `trust proxy` value: `true`/`false`, a hop count, or addresses / subnets / `loopback`…. */
function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** The user roles (as in src/store/records.ts `ROLES`; config imports only src/shared). */
const ROLES = ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER'] as const;

/** A user role name, for HIVEGRAPH_INTROSPECTION. */
export type Role = (typeof ROLES)[number];

/** HIVEGRAPH_INTROSPECTION: `on`, `off`, or comma-separated roles. */
function parseIntrospection(raw: string | undefined, problems: string[]): 'on' | 'off' | Role[] {
  const value = (raw ?? 'on').trim();
  if (/^(on|true|1)$/i.test(value)) return 'on';
  if (/^(off|false|0)$/i.test(value)) return 'off';
  const roles = value.split(',').map((r) => r.trim().toUpperCase()).filter((r) => r !== '');
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    problems.push(`HIVEGRAPH_INTROSPECTION: "on", "off" or roles among ${ROLES.join(', ')}, got "${value}"`);
    return 'on';
  }
  return roles as Role[];
}

/** Returns why `raw` is not a URL with one of `protocols`, or undefined when it is fine. */
function checkUrl(raw: string, protocols: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a valid URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`;
  }
  if (!protocols.includes(url.protocol)) {
    return `unsupported scheme "${url.protocol}" (expected ${protocols.join(', ')})`;
  }
  if (url.hostname === '') return 'the URL names no host';
  return undefined;
}

/** A URL with its password replaced, safe to log or show in /readyz. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable URL]';
  }
}
