/**
 * Write throughput (issue 13): `createArtifacts` (100 per call) against `createArtifact` one
 * by one, through GraphQL on a real in-process server, on Postgres (+ FalkorDB when
 * configured) and on the embedded default (PGlite) — with precomputed vectors (the client
 * brings its own, so the embedder is not called), and with the local model embedding
 * (batched: one model call per batch; one by one: one call per artifact).
 *
 *   node bench/ingest.bench.ts [--batched N] [--single N] [--model-batched N] [--model-single N]
 *                              [--backends postgres,pglite] [--database-url URL] [--quiet]
 *
 * Postgres runs on a scratch database `hg_bench_ingest_<time>` (dropped at the end) of
 * --database-url or DATABASE_URL. Results: bench/results/ingest-<ISO time>.json; see
 * docs/benchmarks.md "Write throughput".
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { startServer, type RunningServer } from '../src/server/server.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createGraphQLClient, type GraphQLClient } from './lib/graphql-client.ts';
import { gitInfo, machineInfo, round, seededRandom, summarize, writeResult, type LatencyStats } from './lib/harness.ts';
import { ensureDatabase } from './lib/search-dataset.ts';

const { values: args } = parseArgs({
  options: {
    batched: { type: 'string', default: '5000' },
    single: { type: 'string', default: '500' },
    'model-batched': { type: 'string', default: '1000' },
    'model-single': { type: 'string', default: '200' },
    backends: { type: 'string', default: 'postgres,pglite' },
    'database-url': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});
const BATCHED = Number(args.batched);
const SINGLE = Number(args.single);
const MODEL_BATCHED = Number(args['model-batched']);
const MODEL_SINGLE = Number(args['model-single']);
const BATCH = 100;
const DIMENSION = 384;
const MODEL_DIR = path.join(import.meta.dirname, '..', '.models', 'all-MiniLM-L6-v2');
const KEY = 'bench-ingest-admin-key-0123456789';
const log = (line: string) => {
  if (!args.quiet) process.stderr.write(`[ingest] ${line}\n`);
};

const CREATE_MANY = 'mutation ($inputs: [CreateArtifactInput!]!) { createArtifacts(inputs: $inputs) { id } }';
const CREATE_ONE = 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }';

const random = seededRandom(13);
const WORDS = 'ledger gateway courier notifier atlas billing invoice retry queue deploy cache token session webhook schema index replica shard latency budget alert runbook rollback migration'.split(' ');

/** A ~60-word artifact input, with a random unit vector when `withVector`. */
function input(i: number, run: string, withVector: boolean): Record<string, unknown> {
  const words = Array.from({ length: 60 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const base = { kind: 'fact', title: `${run} item ${i}`, content: `${words} (${run} ${i})`, codebase: `bench/${run}`, visibility: 'ORG' };
  if (!withVector) return base;
  const v = Array.from({ length: DIMENSION }, () => random() - 0.5);
  const norm = Math.hypot(...v);
  return { ...base, embedding: v.map((x) => round(x / norm, 6)) };
}

/** A rate measurement: artifacts per second over the whole run, and the per-call latency. */
interface Rate {
  artifacts: number;
  calls: number;
  seconds: number;
  artifactsPerSecond: number;
  callMs: LatencyStats;
}

async function measure(client: GraphQLClient, total: number, batched: boolean, run: string, withVector: boolean): Promise<Rate> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let done = 0; done < total; ) {
    const size = batched ? Math.min(BATCH, total - done) : 1;
    const inputs = Array.from({ length: size }, (_, k) => input(done + k, run, withVector));
    const t = performance.now();
    if (batched) await client.request(KEY, CREATE_MANY, { inputs });
    else await client.request(KEY, CREATE_ONE, { input: inputs[0] });
    latencies.push(performance.now() - t);
    done += size;
  }
  const seconds = (performance.now() - started) / 1000;
  return { artifacts: total, calls: latencies.length, seconds: round(seconds, 3), artifactsPerSecond: round(total / seconds, 1), callMs: summarize(latencies) };
}

async function withServer<T>(env: Record<string, string>, fn: (client: GraphQLClient, server: RunningServer) => Promise<T>): Promise<T> {
  const config = loadConfig({}, { PORT: '0', HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: KEY, HIVEGRAPH_RATE_LIMITS: 'default=unlimited', ...env });
  const server = await startServer({ config, logger: createLogger('warn') });
  try {
    return await fn(createGraphQLClient(server.graphqlUrl), server);
  } finally {
    await server.close();
  }
}

interface BackendResult {
  backend: string;
  precomputed: { batched: Rate; single: Rate; ratio: number };
  localModel: { batched: Rate; single: Rate; ratio: number } | { skipped: string };
}

/**
 * Batched against one by one on one server: a warm-up (JIT, plans, pool), then halves
 * interleaved so drift on a busy machine hits both alike.
 */
async function compare(client: GraphQLClient, batchedTotal: number, singleTotal: number, warmUp: number, run: string, withVector: boolean) {
  await measure(client, warmUp, true, `${run}warm`, withVector);
  const single1 = await measure(client, singleTotal / 2, false, `${run}s1`, withVector);
  const batched1 = await measure(client, batchedTotal / 2, true, `${run}b1`, withVector);
  const single2 = await measure(client, singleTotal / 2, false, `${run}s2`, withVector);
  const batched2 = await measure(client, batchedTotal / 2, true, `${run}b2`, withVector);
  const batched = merge(batched1, batched2);
  const single = merge(single1, single2);
  return { batched, single, ratio: round(batched.artifactsPerSecond / single.artifactsPerSecond, 2) };
}

/** `fresh()` gives a new empty installation (a model is registered per installation). */
async function runBackend(backend: string, fresh: () => Promise<Record<string, string>>): Promise<BackendResult> {
  log(`${backend}: precomputed vectors, ${BATCHED} batched (${BATCH} per call), ${SINGLE} one by one`);
  const precomputed = await withServer({ ...(await fresh()), HIVEGRAPH_EMBEDDER: 'hashing' }, (client) => compare(client, BATCHED, SINGLE, 200, 'p', true));
  log(`${backend}: batched ${precomputed.batched.artifactsPerSecond}/s, one by one ${precomputed.single.artifactsPerSecond}/s (×${precomputed.ratio})`);
  if (!existsSync(path.join(MODEL_DIR, 'onnx', 'model.onnx'))) return { backend, precomputed, localModel: { skipped: `no model at ${MODEL_DIR} (bash scripts/models.sh)` } };
  log(`${backend}: local model, ${MODEL_BATCHED} batched, ${MODEL_SINGLE} one by one`);
  const localModel = await withServer({ ...(await fresh()), HIVEGRAPH_EMBEDDER: 'local' }, (client) => compare(client, MODEL_BATCHED, MODEL_SINGLE, 100, 'm', false));
  log(`${backend}: local model batched ${localModel.batched.artifactsPerSecond}/s, one by one ${localModel.single.artifactsPerSecond}/s (×${localModel.ratio})`);
  return { backend, precomputed, localModel };
}

function merge(a: Rate, b: Rate): Rate {
  const seconds = a.seconds + b.seconds;
  const artifacts = a.artifacts + b.artifacts;
  // Per-call latency: the median of the two halves' medians is not a median; keep both halves' stats.
  return { artifacts, calls: a.calls + b.calls, seconds: round(seconds, 3), artifactsPerSecond: round(artifacts / seconds, 1), callMs: a.callMs.p50 <= b.callMs.p50 ? b.callMs : a.callMs };
}

const startedAt = new Date();
const results: BackendResult[] = [];
const wanted = args.backends.split(',');
const cleanups: (() => Promise<unknown>)[] = [];
try {
  if (wanted.includes('postgres')) {
    const baseUrl = args['database-url'] ?? process.env['DATABASE_URL'];
    if (!baseUrl) {
      log('postgres: skipped (no --database-url or DATABASE_URL; `bash scripts/services.sh urls` prints one)');
    } else {
      const falkor = process.env['FALKORDB_URL'];
      let k = 0;
      results.push(
        await runBackend('postgres', async () => {
          const db = await ensureDatabase(baseUrl, `hg_bench_ingest_${Date.now()}_${++k}`);
          cleanups.push(() => db.drop());
          return { DATABASE_URL: db.url, ...(falkor ? { FALKORDB_URL: falkor, HIVEGRAPH_GRAPH_PREFIX: `hgbench_${Date.now()}_${k}` } : {}) };
        }),
      );
    }
  }
  if (wanted.includes('pglite')) {
    results.push(
      await runBackend('pglite', async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-ingest-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        return { HIVEGRAPH_DATA_DIR: dir };
      }),
    );
  }
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}

const file = await writeResult('ingest', startedAt, {
  benchmark: 'ingest',
  startedAt: startedAt.toISOString(),
  git: gitInfo(),
  machine: machineInfo(),
  loadAverage: os.loadavg(),
  options: { batched: BATCHED, single: SINGLE, modelBatched: MODEL_BATCHED, modelSingle: MODEL_SINGLE, batch: BATCH, dimension: DIMENSION },
  results,
});
console.log(JSON.stringify(results.map((r) => ({ backend: r.backend, precomputed: { batched: r.precomputed.batched.artifactsPerSecond, single: r.precomputed.single.artifactsPerSecond, ratio: r.precomputed.ratio }, localModel: 'ratio' in r.localModel ? { batched: r.localModel.batched.artifactsPerSecond, single: r.localModel.single.artifactsPerSecond, ratio: r.localModel.ratio } : r.localModel })), null, 2));
console.log(`results: ${file}`);
