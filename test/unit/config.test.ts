import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MODEL_DIR, loadConfig, redactUrl } from '../../src/config/config.ts';
import { effectiveEfSearch, searchSessionSettings } from '../../src/store/open.ts';

describe('loadConfig', () => {
  it('defaults to the embedded deployment on 127.0.0.1:4000 with data in ./.hivegraph', () => {
    const config = loadConfig({});
    expect(config.sql).toEqual({ kind: 'pglite', dataDir: path.resolve('.hivegraph') });
    expect(config.graph).toEqual({ kind: 'sql' });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 4000, shutdownGraceMs: 10_000, corsOrigins: [], trustProxy: false });
    expect(config.observability).toEqual({ metricsToken: undefined });
    expect(config.graphql).toEqual({ introspection: 'on', maxTokens: 5000, trustedDocuments: undefined });
    expect(config.limits.rateLimitStore).toBe('shared');
    expect(config.limits.authFailureLimit).toEqual({ limit: 20, windowSeconds: 60 });
    expect(config.logLevel).toBe('info');
    expect(config.bootstrapAdminKey).toBeUndefined();
    expect(config.limits.maxContentBytes).toBe(1024 * 1024);
    expect(config.limits.maxJsonDepth).toBe(64);
    expect(config.limits.maxSubscriptionsPerConnection).toBe(100);
  });

  it('selects server mode from DATABASE_URL and FALKORDB_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db.example:5432/hg',
      FALKORDB_URL: 'falkor://graph.example:6379',
      HIVEGRAPH_DB_POOL_MAX: '25',
      HIVEGRAPH_GRAPH_PREFIX: 'kb',
    });
    expect(config.sql).toEqual({ kind: 'postgres', url: 'postgres://u:p@db.example:5432/hg', poolMax: 25, connectTimeoutMs: 5000 });
    expect(config.graph).toEqual({ kind: 'falkordb', url: 'falkor://graph.example:6379', graphPrefix: 'kb', connectTimeoutMs: 5000 });
  });

  it('lets explicit overrides win over the environment', () => {
    const config = loadConfig({ PORT: '5000', HOST: '0.0.0.0' }, { PORT: '6000' });
    expect(config.server.port).toBe(6000);
    expect(config.server.host).toBe('0.0.0.0');
  });

  it('reads the production settings (issue 14)', () => {
    const config = loadConfig({
      HIVEGRAPH_RATE_LIMIT_STORE: 'memory',
      HIVEGRAPH_AUTH_FAILURE_LIMIT: '5/300',
      HIVEGRAPH_TRUST_PROXY: 'loopback, 10.0.0.0/8',
      HIVEGRAPH_METRICS_TOKEN: 'scrape-token-0123456789',
      HIVEGRAPH_INTROSPECTION: 'admin,reviewer',
      HIVEGRAPH_MAX_QUERY_TOKENS: '800',
      HIVEGRAPH_TRUSTED_DOCUMENTS: `tools${path.delimiter}/etc/ops`,
      HIVEGRAPH_TOOLS_DIR: '/srv/tools',
    });
    expect(config.limits.rateLimitStore).toBe('memory');
    expect(config.limits.authFailureLimit).toEqual({ limit: 5, windowSeconds: 300 });
    expect(config.server.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(config.observability.metricsToken).toBe('scrape-token-0123456789');
    expect(config.graphql).toEqual({ introspection: ['ADMIN', 'REVIEWER'], maxTokens: 800, trustedDocuments: [path.resolve('/srv/tools'), path.resolve('/etc/ops')] });
    expect(loadConfig({ HIVEGRAPH_TRUST_PROXY: '2', HIVEGRAPH_INTROSPECTION: 'off', HIVEGRAPH_AUTH_FAILURE_LIMIT: 'unlimited' })).toMatchObject({
      server: { trustProxy: 2 },
      graphql: { introspection: 'off' },
      limits: { authFailureLimit: 'unlimited' },
    });
    expect(() => loadConfig({ HIVEGRAPH_RATE_LIMIT_STORE: 'redis', HIVEGRAPH_AUTH_FAILURE_LIMIT: '5', HIVEGRAPH_METRICS_TOKEN: 'short', HIVEGRAPH_INTROSPECTION: 'GOD', HIVEGRAPH_MAX_QUERY_TOKENS: '5' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^HIVEGRAPH_RATE_LIMIT_STORE/),
          expect.stringMatching(/^HIVEGRAPH_AUTH_FAILURE_LIMIT/),
          expect.stringMatching(/^HIVEGRAPH_METRICS_TOKEN/),
          expect.stringMatching(/^HIVEGRAPH_INTROSPECTION/),
          expect.stringMatching(/^HIVEGRAPH_MAX_QUERY_TOKENS/),
        ],
      }),
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '  ' }).sql.kind).toBe('pglite');
  });

  it.each([
    ['DATABASE_URL', 'not a url', /DATABASE_URL: not a valid URL/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL: unsupported scheme "mysql:"/],
    ['FALKORDB_URL', 'http://x:1', /FALKORDB_URL: unsupported scheme "http:"/],
    ['PORT', 'abc', /PORT: must be a whole number from 0 to 65535, got "abc"/],
    ['PORT', '70000', /PORT: must be a whole number/],
    ['HIVEGRAPH_LOG_LEVEL', 'loud', /HIVEGRAPH_LOG_LEVEL: one of debug, info, warn, error, silent/],
    ['HIVEGRAPH_BOOTSTRAP_ADMIN_KEY', 'short', /at least 16 characters/],
    ['HIVEGRAPH_BOOTSTRAP_ADMIN_KEY', 'has white space inside it', /must not contain white space/],
    ['HIVEGRAPH_DB_POOL_MAX', '0', /HIVEGRAPH_DB_POOL_MAX/],
    ['HIVEGRAPH_GRAPH_PREFIX', 'bad-prefix!', /HIVEGRAPH_GRAPH_PREFIX/],
    ['HIVEGRAPH_MAX_JSON_DEPTH', '0', /HIVEGRAPH_MAX_JSON_DEPTH: must be a whole number from 1 to 1000/],
    ['HIVEGRAPH_MAX_JSON_DEPTH', '5000', /HIVEGRAPH_MAX_JSON_DEPTH/],
    ['HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION', 'many', /HIVEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION: must be a whole number/],
  ])('rejects %s=%j with a message naming it', (name, value, message) => {
    const env: Record<string, string> = { [name]: value };
    if (name === 'HIVEGRAPH_DB_POOL_MAX') env['DATABASE_URL'] = 'postgres://localhost/x';
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: '::', PORT: '-1', HIVEGRAPH_LOG_LEVEL: 'loud', FALKORDB_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['DATABASE_URL', 'FALKORDB_URL', 'HIVEGRAPH_LOG_LEVEL', 'PORT']);
    expect((error as Error).message.split('\n')[0]).toBe('Invalid configuration:');
  });
});

describe('loadConfig: embeddings and search', () => {
  it('defaults: auto embedder with the model beside package.json, RRF k 20, 100 candidates, ef_search 100', () => {
    const config = loadConfig({});
    expect(config.embedding).toMatchObject({ backend: 'auto', modelDir: DEFAULT_MODEL_DIR, dimension: undefined, url: undefined, timeoutMs: 30_000 });
    expect(DEFAULT_MODEL_DIR).toBe(path.resolve('.models/all-MiniLM-L6-v2'));
    expect(config.search).toEqual({ rrfK: 20, candidates: 100, efSearch: 100, maxScanTuples: 20_000 });
  });

  it('an embeddings URL alone selects the OpenAI-compatible backend, which needs a model and a dimension', () => {
    expect(() => loadConfig({ HIVEGRAPH_EMBEDDING_URL: 'http://127.0.0.1:11434/v1' })).toThrow(
      /HIVEGRAPH_EMBEDDING_MODEL: required[\s\S]*HIVEGRAPH_EMBEDDING_DIMENSION: required/,
    );
    const config = loadConfig({
      HIVEGRAPH_EMBEDDING_URL: 'http://127.0.0.1:11434/v1',
      HIVEGRAPH_EMBEDDING_MODEL: 'nomic-embed-text',
      HIVEGRAPH_EMBEDDING_DIMENSION: '768',
      HIVEGRAPH_EMBEDDING_API_KEY: 'secret',
      HIVEGRAPH_EMBEDDING_BATCH_SIZE: '16',
    });
    expect(config.embedding).toMatchObject({ backend: 'openai', model: 'nomic-embed-text', dimension: 768, apiKey: 'secret', batchSize: 16 });
  });

  it('reads the contribution and events variables', () => {
    expect(loadConfig({}).contributions).toEqual({
      injectionThreshold: undefined,
      nearDuplicateThreshold: 0.92,
      injectionModelDir: undefined,
      injectionSimilarity: false,
      eventsRetentionDays: 30,
      subscriptionBuffer: 1000,
    });
    const config = loadConfig({
      HIVEGRAPH_INJECTION_THRESHOLD: '0.7',
      HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD: '.95',
      HIVEGRAPH_EVENTS_RETENTION_DAYS: '0',
      HIVEGRAPH_SUBSCRIPTION_BUFFER: '50',
      HIVEGRAPH_INJECTION_MODEL_DIR: 'models/pi-classifier',
      HIVEGRAPH_INJECTION_SIMILARITY: 'on',
    });
    expect(config.contributions).toEqual({
      injectionThreshold: 0.7,
      nearDuplicateThreshold: 0.95,
      injectionModelDir: path.resolve('models/pi-classifier'),
      injectionSimilarity: true,
      eventsRetentionDays: 0,
      subscriptionBuffer: 50,
    });
    expect(loadConfig({ HIVEGRAPH_INJECTION_SIMILARITY: 'off' }).contributions.injectionSimilarity).toBe(false);
    expect(() => loadConfig({ HIVEGRAPH_INJECTION_SIMILARITY: 'maybe' })).toThrow(/HIVEGRAPH_INJECTION_SIMILARITY: on or off/);
    expect(() => loadConfig({ HIVEGRAPH_INJECTION_THRESHOLD: '1.5' })).toThrow(/HIVEGRAPH_INJECTION_THRESHOLD: must be a number above 0 and at most 1/);
    expect(() => loadConfig({ HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD: 'high' })).toThrow(/HIVEGRAPH_NEAR_DUPLICATE_THRESHOLD/);
  });

  it('reads the search tuning variables', () => {
    const config = loadConfig({ HIVEGRAPH_SEARCH_RRF_K: '10', HIVEGRAPH_SEARCH_CANDIDATES: '40', HIVEGRAPH_SEARCH_EF_SEARCH: '200', HIVEGRAPH_SEARCH_MAX_SCAN_TUPLES: '50000' });
    expect(config.search).toEqual({ rrfK: 10, candidates: 40, efSearch: 200, maxScanTuples: 50_000 });
  });

  it('searches with ef_search of at least twice the candidates per leg, within pgvector\'s 1000', () => {
    expect(searchSessionSettings(loadConfig({}).search)['hnsw.ef_search']).toBe('200');
    expect(effectiveEfSearch({ efSearch: 300, candidates: 100 })).toBe(300);
    expect(effectiveEfSearch({ efSearch: 10, candidates: 30 })).toBe(60);
    expect(effectiveEfSearch({ efSearch: 100, candidates: 5000 })).toBe(1000);
  });

  it('reads HIVEGRAPH_AUTH_CACHE_TTL_MS (default 10 s, 0 turns the cache off)', () => {
    expect(loadConfig({}).auth).toEqual({ cacheTtlMs: 10_000 });
    expect(loadConfig({ HIVEGRAPH_AUTH_CACHE_TTL_MS: '0' }).auth).toEqual({ cacheTtlMs: 0 });
    expect(() => loadConfig({ HIVEGRAPH_AUTH_CACHE_TTL_MS: '-1' })).toThrow(/HIVEGRAPH_AUTH_CACHE_TTL_MS/);
  });

  it.each([
    [{ HIVEGRAPH_EMBEDDER: 'magic' }, /HIVEGRAPH_EMBEDDER: one of auto, local, openai, hashing, got "magic"/],
    [{ HIVEGRAPH_EMBEDDER: 'openai', HIVEGRAPH_EMBEDDING_MODEL: 'm', HIVEGRAPH_EMBEDDING_DIMENSION: '8' }, /HIVEGRAPH_EMBEDDING_URL: required/],
    [{ HIVEGRAPH_EMBEDDING_URL: 'ftp://x/v1', HIVEGRAPH_EMBEDDING_MODEL: 'm', HIVEGRAPH_EMBEDDING_DIMENSION: '8' }, /HIVEGRAPH_EMBEDDING_URL: unsupported scheme "ftp:"/],
    [{ HIVEGRAPH_EMBEDDER: 'hashing', HIVEGRAPH_EMBEDDING_URL: 'http://x/v1' }, /HIVEGRAPH_EMBEDDING_URL: only used with HIVEGRAPH_EMBEDDER=openai/],
    [{ HIVEGRAPH_EMBEDDER: 'local', HIVEGRAPH_EMBEDDING_DIMENSION: '768' }, /the local model has a fixed dimension/],
    [{ HIVEGRAPH_EMBEDDER: 'hashing', HIVEGRAPH_EMBEDDING_DIMENSION: '0' }, /HIVEGRAPH_EMBEDDING_DIMENSION: must be a whole number from 1/],
    [{ HIVEGRAPH_SEARCH_RRF_K: '0' }, /HIVEGRAPH_SEARCH_RRF_K/],
    [{ HIVEGRAPH_SEARCH_EF_SEARCH: '1001' }, /HIVEGRAPH_SEARCH_EF_SEARCH: must be a whole number from 1 to 1000/],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://user:s3cret@host:5432/db')).toBe('postgres://user:***@host:5432/db');
    expect(redactUrl('postgres://host/db')).toBe('postgres://host/db');
    expect(redactUrl('::')).toBe('[unparseable URL]');
  });
});
