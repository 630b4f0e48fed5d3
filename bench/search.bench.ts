/**
 * Search benchmark: hybrid, vector and full-text search over 100k artifacts (384-dim vectors)
 * on Postgres + pgvector, at the SQL layer and through GraphQL, for a viewer who may see every
 * artifact and one who may see 10 %; recall@10 of the vector leg against exact search; ingest
 * rates; and the local embedding model's rate.
 *
 *   node bench/search.bench.ts [--scale 1] [--queries N] [--seed 42] [--ingest N] [--ingest-clients 4]
 *                              [--embed-texts N] [--database NAME] [--database-url URL] [--model-dir DIR] [--quiet]
 *
 * Runs a real server (startServer, HIVEGRAPH_EMBEDDER=hashing) on a scratch database
 * `hg_bench_search_<time>` (dropped at the end unless --database names one to keep and reuse).
 * Results: bench/results/search-<ISO time>.json; see docs/benchmarks.md.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { openEmbedder } from '../src/embed/index.ts';
import { startServer, type RunningServer } from '../src/server/server.ts';
import { createLogger } from '../src/shared/logger.ts';
import { effectiveEfSearch, openSqlClient, searchSessionSettings } from '../src/store/open.ts';
import type { SqlClient } from '../src/store/types.ts';
import { createGraphQLClient } from './lib/graphql-client.ts';
import { gitInfo, machineInfo, peakRssMiB, round, secondsSince, seededRandom, writeResult } from './lib/harness.ts';
import { createCorpus } from './lib/search-corpus.ts';
import { bulkLoad, countBulkArtifacts, describeDataset, ensureDatabase, type BenchDatabase } from './lib/search-dataset.ts';
import { measureEmbeddingRate } from './lib/search-embedding-rate.ts';
import { ensureIdentity, type BenchPrincipal } from './lib/search-identity.ts';
import { ingestThroughGraphQL } from './lib/search-ingest.ts';
import { countTextMatches, interleave, stats } from './lib/search-measure.ts';
import { printSummary } from './lib/search-report.ts';
import { measureModes, measureVectorLeg, type QueryInput, type RunContext } from './lib/search-runs.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    artifacts: { type: 'string' },
    queries: { type: 'string' },
    seed: { type: 'string', default: '42' },
    ingest: { type: 'string' },
    'ingest-clients': { type: 'string', default: '4' },
    'embed-texts': { type: 'string' },
    database: { type: 'string' },
    'database-url': { type: 'string' },
    'model-dir': { type: 'string', default: path.join(import.meta.dirname, '..', '.models', 'all-MiniLM-L6-v2') },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});

const scale = Number(args.scale);
if (!(scale > 0)) throw new Error(`--scale must be a positive number, got ${args.scale}`);
const reduced = (full: number, min: number) => (scale >= 1 ? full : Math.max(min, Math.round(full * Math.min(1, scale * 10))));
const ARTIFACTS = args.artifacts ? Number(args.artifacts) : Math.round(100_000 * scale);
const QUERIES = args.queries ? Number(args.queries) : reduced(200, 20);
const WARMUP = Math.max(5, Math.round(QUERIES / 20));
const SEED = Number(args.seed);
const INGEST = args.ingest ? Number(args.ingest) : reduced(1000, 50);
const INGEST_CLIENTS = Number(args['ingest-clients']);
const EMBED_TEXTS = args['embed-texts'] ? Number(args['embed-texts']) : reduced(1000, 200);
const BASE_URL = args['database-url'] ?? process.env.DATABASE_URL;
/** Hits per search: the API default. */
const FIRST = 10;
const GROUPS = 10;
const OWNERS = 40;
const LOAD = { batchSize: 1000, concurrency: 2 };
const EMBED_BATCH = 32;
/** Words per text of the embedding-rate run: about 40 tokens of all-MiniLM-L6-v2. */
const EMBED_WORDS = 26;
const ADMIN_KEY = 'bench-search-admin-key-0123456789';

const runStart = performance.now();
const startedAt = new Date();
/** 1-minute load averages at the start and end: other work on the machine shows up here. */
const loadAverageAtStart = round(os.loadavg()[0]!, 2);
const progress = args.quiet
  ? () => undefined
  : (message: string) => process.stderr.write(`[${((performance.now() - runStart) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Main

if (!BASE_URL) {
  console.error('The search benchmark needs Postgres: set DATABASE_URL (`eval "$(bash scripts/services.sh urls | sed \'s/^/export /\')"`) or pass --database-url.');
  process.exit(2);
}
const databaseName = args.database ?? `hg_bench_search_${startedAt.getTime()}`;
const keepDatabase = args.database !== undefined;
let database: BenchDatabase | undefined;
let server: RunningServer | undefined;
const clients: SqlClient[] = [];
let cleaning: Promise<void> | undefined;

/** Closes the clients and the server and drops the scratch database; every caller awaits the same run. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    if (database && !keepDatabase) await database.drop().catch((error: unknown) => progress(`WARNING: could not drop ${database?.name}: ${String(error)}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up (${keepDatabase ? 'keeping' : 'dropping'} database ${databaseName})\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  progress(`search benchmark: ${ARTIFACTS.toLocaleString('en')} artifacts, ${QUERIES} queries per mode and viewer, database ${databaseName}`);
  database = await ensureDatabase(BASE_URL, databaseName);
  const vars = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, HIVEGRAPH_EMBEDDER: 'hashing' };
  const config = loadConfig({}, vars);
  const pgConfig = config.sql;
  if (pgConfig.kind !== 'postgres') throw new Error('expected a Postgres configuration');
  server = await startServer({ config, logger: createLogger('warn') });
  progress(`server on ${server.url} (hashing embedder, search settings ${JSON.stringify(config.search)})`);
  const openClient = async (settings: Record<string, string>, poolMax: number) => {
    const client = await openSqlClient({ ...pgConfig, poolMax }, { sessionSettings: settings });
    clients.push(client);
    return client;
  };
  const sql = await openClient(searchSessionSettings(config.search), 4);
  const api = createGraphQLClient(server.graphqlUrl);
  const hashing = await openEmbedder({ backend: 'hashing' });

  // Dataset: people through GraphQL, artifacts in bulk at the SQL layer.
  const identity = await ensureIdentity(api, ADMIN_KEY, sql, { groups: GROUPS, owners: OWNERS, writers: Math.max(1, INGEST_CLIENTS) });
  const existing = await countBulkArtifacts(sql, identity);
  if (existing !== 0 && existing !== ARTIFACTS) throw new Error(`database ${databaseName} holds ${existing} benchmark artifacts, not ${ARTIFACTS}: use another --database`);
  const load = existing === ARTIFACTS ? null : await bulkLoad(sql, hashing, identity, { count: ARTIFACTS, seed: SEED, ...LOAD }, progress);
  progress(load ? `loaded in ${load.totalSeconds} s` : `reusing the ${ARTIFACTS.toLocaleString('en')} artifacts in ${databaseName}`);
  const dataset = await describeDataset(sql, identity);
  progress(`visible: everyone ${dataset.visibleToEveryone.toLocaleString('en')}, selective ${dataset.visibleToSelective.toLocaleString('en')} (${dataset.selectiveShare * 100} %); HNSW index ${dataset.hnswIndexMiB} MiB`);

  // Queries, the same for every layer, viewer and mode; their vectors as the server computes them.
  const queryCorpus = createCorpus(seededRandom(SEED + 1));
  const allQueries = Array.from({ length: QUERIES + WARMUP }, () => queryCorpus.query().trim());
  const allVectors = await hashing.embed(allQueries);
  const inputs: QueryInput[] = allQueries.map((text, i) => ({ text, vector: allVectors[i]! }));
  const [measured, warmup] = [inputs.slice(0, QUERIES), inputs.slice(QUERIES)];
  const viewers: [string, BenchPrincipal][] = [
    ['everyone', identity.everyone],
    ['selective', identity.selective],
  ];
  const textMatches = await countTextMatches(sql, measured.map((q) => q.text));
  progress(`full-text matches per query (any visibility): p50 ${textMatches.p50}, p99 ${textMatches.p99}, max ${textMatches.max}, none for ${textMatches.none}`);

  const ctx: RunContext = { sql, server, api, search: config.search, first: FIRST, viewers, measured, warmup, progress };

  // (a, b) Each mode at the SQL layer, through the service, and through GraphQL over HTTP.
  const modes = await measureModes(ctx);

  // The GraphQL layer's floor per request: HTTP, authentication (one SQL look-up of the key),
  // parse, validate and execute of a query that reads no data.
  const floor = await interleave('GraphQL floor ({ __typename })', measured, warmup, { floor: async () => (await api.request(identity.everyone.key, '{ __typename }'), { ids: [] }) }, progress);
  const graphqlFloor = stats(floor.floor!);

  // (c) The vector leg against exact nearest neighbours, at several ef_search and with the
  // iterative scan off. The exact scan (the latency baseline) runs with JIT off: with the
  // server default (jit on, jit_above_cost 100000) Postgres spends ~0.4 s compiling its plan at
  // 100k rows, which says nothing about exact search.
  const defaultEf = effectiveEfSearch(config.search);
  const efs = [...new Set([40, 100, defaultEf, 200, 400])].sort((a, b) => a - b);
  const specs = [
    ...efs.map((ef) => ({ name: `ef_search ${ef}${ef === defaultEf ? ' (default)' : ''}`, efSearch: ef, iterativeScan: 'relaxed_order' })),
    { name: `ef_search ${defaultEf}, iterative scan off`, efSearch: defaultEf, iterativeScan: 'off' },
  ];
  const variants = await Promise.all(
    specs.map(async (v) => ({
      ...v,
      client: await openClient({ ...searchSessionSettings(config.search), 'hnsw.ef_search': String(v.efSearch), 'hnsw.iterative_scan': v.iterativeScan }, 1),
    })),
  );
  const exactClient = await openClient({ ...searchSessionSettings(config.search), jit: 'off' }, 1);
  const vectorLeg = await measureVectorLeg(ctx, exactClient, variants);

  // (d) Ingest through GraphQL, one client then several; then the database is put back.
  const ingestCorpus = createCorpus(seededRandom(SEED + 2));
  const ingest = [
    await ingestThroughGraphQL(api, identity, ingestCorpus, { count: INGEST, clients: 1 }, progress),
    await ingestThroughGraphQL(api, identity, ingestCorpus, { count: INGEST, clients: INGEST_CLIENTS }, progress),
  ];
  await server.services.projector.drain();
  await sql.query(`DELETE FROM artifacts WHERE owner_id = ANY($1::uuid[])`, [identity.writers.map((w) => w.viewer.userId)]);
  if (keepDatabase) await sql.query('VACUUM (ANALYZE) artifacts');

  // (e) The local model's embedding rate.
  const embedCorpus = createCorpus(seededRandom(SEED + 3));
  const texts = Array.from({ length: EMBED_TEXTS }, () => embedCorpus.shortText(EMBED_WORDS));
  const embedding = await measureEmbeddingRate(args['model-dir'], texts, measured.slice(0, 50).map((q) => q.text), EMBED_BATCH, progress);
  if ('skipped' in embedding) progress(`local embedding rate skipped: ${embedding.skipped}`);
  await hashing.close();

  const result = {
    benchmark: 'search',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: secondsSince(runStart),
    git: gitInfo(),
    machine: { ...machineInfo(), loadAverage1m: { start: loadAverageAtStart, end: round(os.loadavg()[0]!, 2) } },
    options: { scale, artifacts: ARTIFACTS, queries: QUERIES, warmup: WARMUP, seed: SEED, first: FIRST, ingest: INGEST, ingestClients: INGEST_CLIENTS, embedTexts: EMBED_TEXTS, embedBatch: EMBED_BATCH, database: databaseName, reused: load === null },
    backend: { sql: 'postgres', embedder: `${hashing.backend} (${hashing.model}, ${hashing.dimension} dimensions)`, searchConfig: config.search, sessionSettings: searchSessionSettings(config.search) },
    dataset: { ...dataset, textMatchesPerQuery: textMatches },
    load,
    ratioDefinition: 'candidate / baseline of the same statistic in this run: graphqlToSql = GraphQL over HTTP ÷ SQL layer; ratioToExact = HNSW vector search ÷ exact scan',
    search: modes.results,
    graphqlFloor,
    vectorLeg,
    ingest: { bulkSql: load && { rowsPerSecond: load.insertRowsPerSecond, hnswBuildSeconds: load.hnswBuildSeconds }, graphql: ingest },
    embedding,
    plans: modes.plans,
    process: { peakRssMiB: peakRssMiB() },
  };
  const file = await writeResult('search', startedAt, result);
  printSummary(result);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
} finally {
  await cleanup();
}
