/**
 * Events fan-out benchmark: commit → delivery latency of `Subscription.events` to many
 * concurrent subscribers of one server instance, and the write rate the fan-out sustains.
 *
 *   node bench/events.bench.ts [--subscribers 1000] [--events 200] [--backend postgres|pglite]
 *                              [--scale 1] [--per-connection 20] [--rates 1,2,4,…] [--step-seconds 15]
 *                              [--writers 4] [--max-in-flight 64] [--gap-ms 20] [--scenarios …]
 *                              [--pool-max N] [--subscription-buffer N]
 *                              [--scale-out-subscribers 10000] [--scale-out-rate 2]
 *                              [--database-url URL] [--quiet]
 *
 * Every server is a real Hivegraph server (startServer, hashing embedder) in its own Node
 * process, so its CPU and event loop are measured apart from the benchmark's clients; the
 * subscribers are real graphql-ws clients over WebSockets, each an ordinary org member with
 * its own key, selecting `cursor type occurredAt artifact { id title }` unless the scenario
 * says otherwise; writes are `createArtifact` mutations (ORG notes) over HTTP. `scale-out`
 * spreads many subscriptions (multiplexed over the subscribers' connections) over two instances
 * on one Postgres and writes through the first at a fixed rate. On Postgres the
 * run uses a scratch database `hg_bench_events_<time>`, dropped at the end; on PGlite a
 * temporary data directory. Results: bench/results/events-<ISO time>.json; see docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DeliveryLog } from './lib/events-deliveries.ts';
import { createMembers } from './lib/events-people.ts';
import { latencyRatio, printSummary, type LatencyRatio, type ThroughputResult } from './lib/events-report.ts';
import { measurePostgresCpu } from './lib/events-load.ts';
import { postgresCpuSampler } from './lib/events-postgres-cpu.ts';
import { measureRate, type RateResult } from './lib/events-rates.ts';
import { closePool, lingering, measureLatency, openPool, type LatencyResult, type Topology } from './lib/events-scenarios.ts';
import { measureScaleOut, type ScaleOutResult } from './lib/events-scale-out.ts';
import { spawnServer, type ServerProcess } from './lib/events-server.ts';
import { gitInfo, machineInfo, peakRssMiB, round, secondsSince, writeResult } from './lib/harness.ts';

// ---------------------------------------------------------------------------------------------
// Options

const SCENARIOS = ['baseline', 'connections', 'multiplexed', 'artifact-id', 'cross', 'throughput', 'throughput-artifact-id', 'scale-out'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    subscribers: { type: 'string' },
    events: { type: 'string' },
    backend: { type: 'string' },
    'per-connection': { type: 'string', default: '20' },
    rates: { type: 'string' },
    'step-seconds': { type: 'string' },
    writers: { type: 'string', default: '4' },
    'max-in-flight': { type: 'string', default: '64' },
    'gap-ms': { type: 'string', default: '20' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    'pool-max': { type: 'string' },
    'subscription-buffer': { type: 'string' },
    'database-url': { type: 'string' },
    'scale-out-subscribers': { type: 'string' },
    'scale-out-rate': { type: 'string', default: '2' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});

const scale = Number(args.scale);
if (!(scale > 0)) throw new Error(`--scale must be a positive number, got ${args.scale}`);
const reduced = (full: number, min: number) => (scale >= 1 ? full : Math.max(min, Math.round(full * Math.min(1, scale * 10))));
const SUBSCRIBERS = args.subscribers ? Number(args.subscribers) : Math.max(1, Math.round(1000 * scale));
const EVENTS = args.events ? Number(args.events) : reduced(200, 20);
const WARMUP = Math.max(3, Math.round(EVENTS / 20));
const PER_CONNECTION = Math.min(SUBSCRIBERS, Number(args['per-connection']));
const STEP_SECONDS = args['step-seconds'] ? Number(args['step-seconds']) : reduced(15, 3);
/** Default steps: doubling from 1 event/s until the fan-out stops keeping up. */
const RATES = args.rates ? args.rates.split(',').map(Number) : [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const WRITERS = Number(args.writers);
const MAX_IN_FLIGHT = Number(args['max-in-flight']);
const GAP_MS = Number(args['gap-ms']);
const SCALE_OUT_SUBSCRIPTIONS = args['scale-out-subscribers'] ? Number(args['scale-out-subscribers']) : SUBSCRIBERS * 10;
const SCALE_OUT_PER_CONNECTION = Math.max(1, Math.ceil(SCALE_OUT_SUBSCRIPTIONS / SUBSCRIBERS));
const SCALE_OUT_RATE = Number(args['scale-out-rate']);
const BASE_URL = args['database-url'] ?? process.env.DATABASE_URL;
const BACKEND = args.backend ?? (BASE_URL ? 'postgres' : 'pglite');
const selected = new Set(args.scenarios.split(',').filter(Boolean));
for (const s of selected) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown "${s}"; known: ${SCENARIOS.join(', ')}`);
const wants = (s: Scenario) => selected.has(s);
if (BACKEND !== 'postgres' && BACKEND !== 'pglite') throw new Error(`--backend must be postgres or pglite, got ${BACKEND}`);
if (BACKEND === 'postgres' && !BASE_URL) {
  console.error('--backend postgres needs DATABASE_URL (`eval "$(bash scripts/services.sh urls | sed \'s/^/export /\')"`) or --database-url.');
  process.exit(2);
}
for (const [name, value] of Object.entries({ SUBSCRIBERS, EVENTS, PER_CONNECTION, STEP_SECONDS, WRITERS, MAX_IN_FLIGHT })) {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive whole number, got ${value}`);
}
const LATENCY_TIMEOUT_MS = 30_000;
const ADMIN_KEY = 'bench-events-admin-key-0123456789';

const runStart = performance.now();
const startedAt = new Date();
const loadAverageAtStart = round(os.loadavg()[0]!, 2);
/** Taken at the start: the servers run the code of this moment, whatever lands during the run. */
const git = gitInfo();
const progress = args.quiet ? () => undefined : (message: string) => process.stderr.write(`[${((performance.now() - runStart) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Database, servers, clean-up

const databaseName = `hg_bench_events_${startedAt.getTime()}`;
let databaseUrl: string | undefined;
let dataDir: string | undefined;
const servers: ServerProcess[] = [];
let listener: pg.Client | undefined;
let cleaning: Promise<void> | undefined;

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Stops the servers and drops the scratch database; every caller awaits the same clean-up. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await listener?.end().catch(() => undefined);
    for (const s of servers) await s.stop().catch(() => undefined);
    if (databaseUrl) await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch((e: unknown) => progress(`WARNING: could not drop ${databaseName}: ${String(e)}`));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up (servers, ${databaseUrl ? `database ${databaseName}` : 'data directory'})\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

function serverVars(): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    HIVEGRAPH_EMBEDDER: 'hashing',
    HIVEGRAPH_RATE_LIMITS: 'standard=unlimited,high=unlimited',
    HIVEGRAPH_SHUTDOWN_GRACE_MS: '2000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { HIVEGRAPH_DATA_DIR: dataDir! }),
    ...(args['pool-max'] ? { HIVEGRAPH_DB_POOL_MAX: args['pool-max'] } : {}),
    ...(args['subscription-buffer'] ? { HIVEGRAPH_SUBSCRIPTION_BUFFER: args['subscription-buffer'] } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

let currentLog: DeliveryLog | undefined;
const setLog = (log: DeliveryLog) => (currentLog = log);

try {
  progress(`events benchmark: ${SUBSCRIBERS} subscribers, ${EVENTS} events per latency scenario, backend ${BACKEND}, scenarios ${[...selected].join(', ')}`);
  if (BACKEND === 'postgres') {
    await adminQuery(`CREATE DATABASE ${databaseName}`);
    const url = new URL(BASE_URL!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-events-'));
  }
  const a = await spawnServer('A', serverVars());
  servers.push(a);
  progress(`server A on ${a.url} (pid ${a.pid}, ${a.sqlBackend})`);

  // The benchmark's own LISTEN: the moment Postgres delivers the commit's NOTIFY.
  let postgresVersion: string | null = null;
  if (databaseUrl) {
    listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    postgresVersion = (await listener.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? null;
    listener.on('notification', (n) => {
      const at = performance.now();
      const cursor = Number(n.payload?.slice(n.payload.indexOf(':') + 1));
      currentLog?.notify(cursor, at);
    });
    await listener.query('LISTEN hivegraph_events');
    measurePostgresCpu(postgresCpuSampler(listener, databaseName));
  }

  let t = performance.now();
  const subscriberKeys = await createMembers(a.graphqlUrl, ADMIN_KEY, 'subscriber', SUBSCRIBERS);
  const writerKeys = await createMembers(a.graphqlUrl, ADMIN_KEY, 'writer', Math.max(WRITERS, 4));
  const peopleSeconds = secondsSince(t);
  progress(`${SUBSCRIBERS} subscribers and ${writerKeys.length} writers created in ${peopleSeconds} s`);

  const topology = (overrides: Partial<Topology>): Topology => ({
    subscribeTo: a,
    writeTo: a,
    subscriberKeys,
    perConnection: 1,
    selection: 'artifactTitle',
    writerKeys,
    ...overrides,
  });
  const latencyOptions = { events: EVENTS, warmup: WARMUP, gapMs: GAP_MS, timeoutMs: LATENCY_TIMEOUT_MS, setLog };
  const latency: LatencyResult[] = [];
  const measure = async (name: string, description: string, top: Topology) => latency.push(await measureLatency(name, description, top, latencyOptions, progress));
  const muxConnections = Math.ceil(SUBSCRIBERS / PER_CONNECTION);

  if (wants('baseline')) await measure('baseline', '1 subscriber on 1 connection', topology({ subscriberKeys: subscriberKeys.slice(0, 1) }));
  if (wants('connections')) await measure('connections', `${SUBSCRIBERS} connections × 1 subscription`, topology({}));
  if (wants('multiplexed') && PER_CONNECTION > 1) {
    await measure('multiplexed', `${muxConnections} connections × ${PER_CONNECTION} subscriptions`, topology({ subscriberKeys: subscriberKeys.slice(0, muxConnections), perConnection: PER_CONNECTION }));
  }
  if (wants('artifact-id')) {
    await measure('artifact-id', `${SUBSCRIBERS} connections × 1 subscription selecting artifactId instead of artifact { id title }`, topology({ selection: 'artifactId' }));
  }
  let b: ServerProcess | undefined;
  if (wants('cross') && databaseUrl) {
    b = await spawnServer('B', serverVars());
    servers.push(b);
    progress(`server B on ${b.url} (pid ${b.pid}): subscribers on B, writes on A`);
    await measure('cross-baseline', '1 subscriber on instance B, writes on instance A', topology({ subscribeTo: b, subscriberKeys: subscriberKeys.slice(0, 1) }));
    await measure('cross', `${SUBSCRIBERS} connections × 1 subscription on instance B, writes on instance A`, topology({ subscribeTo: b }));
    await b.stop();
  }

  // Throughput: rate steps with every subscriber connected, then flat out; last flat out without subscribers.
  const throughput: ThroughputResult[] = [];
  const rateOptions = { writers: WRITERS, seconds: STEP_SECONDS, maxInFlight: MAX_IN_FLIGHT, drainTimeoutMs: Math.max(30_000, STEP_SECONDS * 4000), setLog };
  const runThroughput = async (name: string, top: Topology): Promise<void> => {
    progress(`${name}: ${SUBSCRIBERS} connections × 1 subscription selecting ${top.selection}, ${STEP_SECONDS} s per step`);
    const steps: RateResult[] = [];
    let maxKeptUpRate: number | null = null;
    let pool = await openPool(top, new DeliveryLog(), progress);
    const renew = async () => {
      if (pool.lagging + pool.otherEnded === 0) return;
      await closePool(top, pool);
      pool = await openPool(top, new DeliveryLog(), progress);
    };
    for (const rate of RATES) {
      await renew();
      const step = await measureRate(top, pool, { ...rateOptions, rate }, progress);
      steps.push(step);
      if (!step.keptUp) break;
      maxKeptUpRate = rate;
    }
    await renew();
    const flatOut = await measureRate(top, pool, { ...rateOptions, rate: null }, progress);
    await closePool(top, pool);
    throughput.push({ name, selection: top.selection, subscriptions: SUBSCRIBERS, steps, maxKeptUpRate, flatOut });
  };
  if (wants('throughput')) await runThroughput('throughput', topology({}));
  if (wants('throughput-artifact-id')) await runThroughput('throughput-artifact-id', topology({ selection: 'artifactId' }));
  const flatOutWithoutSubscribers = throughput.length > 0 ? await measureRate(topology({}), undefined, { ...rateOptions, rate: null }, progress) : null;

  // Scale-out: many subscriptions over two instances, writes through A at a fixed rate.
  let scaleOut: ScaleOutResult | null = null;
  if (wants('scale-out') && databaseUrl) {
    const c = await spawnServer('B', serverVars());
    servers.push(c);
    const connections = Math.ceil(SCALE_OUT_SUBSCRIPTIONS / SCALE_OUT_PER_CONNECTION);
    progress(`scale-out: ${connections} connections × ${SCALE_OUT_PER_CONNECTION} subscriptions over A and B (pid ${c.pid}), ${SCALE_OUT_RATE} events/s written through A for ${STEP_SECONDS} s`);
    scaleOut = await measureScaleOut(
      [a, c],
      { subscriberKeys: subscriberKeys.slice(0, connections), perConnection: SCALE_OUT_PER_CONNECTION, selection: 'artifactTitle', writerKeys },
      { ...rateOptions, rate: SCALE_OUT_RATE },
      new DeliveryLog(),
      progress,
    );
    progress(`  missed ${scaleOut.missed}, complete ${scaleOut.completeEvents}/${scaleOut.write.committed}, server µs/delivery A ${scaleOut.serverCpuMicrosPerDelivery[0]} B ${scaleOut.serverCpuMicrosPerDelivery[1]}`);
    await c.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Result

  const byName = (name: string) => latency.find((r) => r.name === name);
  const ratios = [
    latencyRatio(byName('connections'), byName('baseline')),
    latencyRatio(byName('multiplexed'), byName('baseline')),
    latencyRatio(byName('multiplexed'), byName('connections')),
    latencyRatio(byName('artifact-id'), byName('connections')),
    latencyRatio(byName('cross'), byName('cross-baseline')),
    latencyRatio(byName('cross'), byName('connections')),
  ].filter((r): r is LatencyRatio => r !== null);
  const result = {
    benchmark: 'events',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: secondsSince(runStart),
    git,
    machine: machineInfo(),
    loadAverage: { start: loadAverageAtStart, end: round(os.loadavg()[0]!, 2) },
    options: {
      scale,
      subscribers: SUBSCRIBERS,
      events: EVENTS,
      warmupEvents: WARMUP,
      backend: BACKEND,
      perConnection: PER_CONNECTION,
      rates: RATES,
      stepSeconds: STEP_SECONDS,
      writers: WRITERS,
      maxInFlight: MAX_IN_FLIGHT,
      gapMs: GAP_MS,
      scenarios: [...selected],
      poolMax: args['pool-max'] ? Number(args['pool-max']) : 'server default (10)',
      subscriptionBuffer: args['subscription-buffer'] ? Number(args['subscription-buffer']) : 'server default (1000)',
      scaleOutSubscriptions: SCALE_OUT_SUBSCRIPTIONS,
      scaleOutPerConnection: SCALE_OUT_PER_CONNECTION,
      scaleOutRate: SCALE_OUT_RATE,
    },
    backend: { sql: a.sqlBackend, postgresVersion, embedder: 'hashing', serversInOwnProcesses: true },
    dataset: {
      subscribers: SUBSCRIBERS,
      writers: writerKeys.length,
      peopleSeconds,
      eventType: 'ARTIFACT_CREATED of an ORG note (createArtifact)',
      selection: 'subscription { events { cursor type occurredAt artifact { id title } } }',
    },
    latency,
    ratios,
    throughput: throughput.map((t) => ({
      ...t,
      committedRatioToWithoutSubscribers: flatOutWithoutSubscribers ? round(t.flatOut.write.committedPerSecond / flatOutWithoutSubscribers.write.committedPerSecond) : null,
    })),
    flatOutWithoutSubscribers,
    scaleOut,
    /** Subscriptions still held by the server after their clients disconnected, released by a flush event each time. */
    lingeringAfterClose: lingering,
    process: { peakRssMiB: peakRssMiB() },
  };
  const file = await writeResult('events', startedAt, result);
  printSummary(latency, ratios, throughput, flatOutWithoutSubscribers);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), file)}\n`);
} catch (error) {
  await cleanup();
  throw error;
}
await cleanup();
