/**
 * Soak (issue 16): a bounded run of mixed reads, writes, searches and subscriptions against one
 * server in its own process, loopback only (bench/lib/soak-load.ts). Server mode when
 * DATABASE_URL and FALKORDB_URL are set (a database made for the run, dropped after; graphs
 * under a prefix of their own), else the embedded deployment in a temp data dir.
 *
 *   npm run bench -- --only soak                       # 10 minutes
 *   npm run bench -- --only soak --minutes 2 --clients 8 --subscribers 20
 *
 * Prints and writes bench/results/soak-<time>.json: RSS, heap and event-loop delay at start,
 * after warm-up and at the end (and every --sample-seconds), errors by code, p50/p99 per
 * operation, events written vs received per subscriber. Exits 1 when a bound is broken: any
 * error but CONFLICT, a lost event or ended subscription, RSS troughs rising more than
 * --rss-bound MiB (default 128) or heap troughs more than --heap-bound MiB (default 64) from
 * warm-up (20–45 % of the run) to the last quarter (see SoakBounds).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gitInfo, machineInfo, writeResult } from './lib/harness.ts';
import { createBenchDatabase } from './lib/snapshot-seed.ts';
import { memoryTroughs, runSoak, soakViolations, warmSample } from './lib/soak-load.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    subscribers: { type: 'string', default: '20' },
    'sample-seconds': { type: 'string', default: '30' },
    'seed-artifacts': { type: 'string', default: '200' },
    seed: { type: 'string', default: '16' },
    'rss-bound': { type: 'string', default: '128' },
    'heap-bound': { type: 'string', default: '64' },
  },
  strict: true,
});

const ADMIN_KEY = 'soak-admin-key-0123456789abcdef';
const startedAt = new Date();
const options = {
  minutes: Number(args.minutes),
  clients: Number(args.clients),
  subscribers: Number(args.subscribers),
  sampleSeconds: Number(args['sample-seconds']),
  seedArtifacts: Number(args['seed-artifacts']),
  seed: Number(args.seed),
  bounds: { rssGrowthMiB: Number(args['rss-bound']), heapGrowthMiB: Number(args['heap-bound']) },
};
const DATABASE_URL = process.env['DATABASE_URL'];
const FALKORDB_URL = process.env['FALKORDB_URL'];
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-soak-'));
const stamp = startedAt.toISOString().replace(/\D/g, '').slice(0, 14);
const db = DATABASE_URL ? await createBenchDatabase(DATABASE_URL, `bench_soak_${stamp}`) : undefined;
const loadBefore = os.loadavg();
console.log(`soak: ${options.minutes} min, ${options.clients} clients, ${options.subscribers} subscribers, on ${db ? 'Postgres + FalkorDB' : 'PGlite + SQL graph store'}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
try {
  const report = await runSoak({
    vars: {
      HIVEGRAPH_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      HIVEGRAPH_EMBEDDER: 'hashing',
      HIVEGRAPH_RATE_LIMITS: 'standard=unlimited',
      ...(db ? { DATABASE_URL: db.url } : {}),
      ...(db && FALKORDB_URL ? { FALKORDB_URL, HIVEGRAPH_GRAPH_PREFIX: `bench_soak_${stamp}` } : {}),
    },
    adminKey: ADMIN_KEY,
    seconds: options.minutes * 60,
    clients: options.clients,
    subscribers: options.subscribers,
    sampleSeconds: options.sampleSeconds,
    seedArtifacts: options.seedArtifacts,
    seed: options.seed,
    log: (m) => console.log(`  ${m}`),
  });
  const violations = soakViolations(report, options.bounds);
  const [start, warm, end] = [report.samples[0]!, warmSample(report), report.samples.at(-1)!];
  const result = {
    benchmark: 'soak',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    git: gitInfo(),
    machine: machineInfo(),
    loadAverage: { before: loadBefore, after: os.loadavg() },
    options,
    summary: {
      backend: report.backend,
      requests: report.requests,
      requestsPerSecond: report.requestsPerSecond,
      rssMiB: { start: start.rssMiB, afterWarmUp: warm.rssMiB, end: end.rssMiB },
      heapUsedMiB: { start: start.heapUsedMiB, afterWarmUp: warm.heapUsedMiB, end: end.heapUsedMiB },
      /** Lowest samples 20–45 % into the run and in its last quarter: what the bounds compare. */
      troughs: memoryTroughs(report),
      loopDelayP99Ms: { start: report.samples[1]?.loopDelayP99Ms ?? start.loopDelayP99Ms, end: end.loopDelayP99Ms },
      errors: report.errors,
      eventsWritten: report.eventsWritten,
      eventsReceivedPerSubscriber: report.eventsReceived,
      p99Ms: Object.fromEntries(Object.entries(report.operations).map(([op, s]) => [op, s.p99])),
      violations,
    },
    report,
  };
  const file = await writeResult('soak', startedAt, result);
  console.log(JSON.stringify(result.summary, null, 2));
  console.log(`wrote ${file}`);
  if (violations.length > 0) {
    console.error(`soak broke its bounds:\n- ${violations.join('\n- ')}`);
    process.exitCode = 1;
  }
} finally {
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
}
