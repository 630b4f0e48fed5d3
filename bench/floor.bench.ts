/**
 * GraphQL floor benchmark: requests per second of our server for `{ __typename }` and for
 * `artifact(id)` against a plain Apollo Server 5 "hello" on express 5, driven by the same
 * closed-loop HTTP generator (bench/lib/http-load.ts) in the same run. Each server runs in a
 * child process of its own; rounds alternate between the targets so machine noise falls on all
 * of them alike.
 *
 *   node bench/floor.bench.ts [--seconds 10] [--rounds 3] [--connections 8] [--backend both|pglite|postgres] [--quiet]
 *
 * `postgres` needs DATABASE_URL (a scratch database is created and dropped). Results:
 * bench/results/floor-<ISO time>.json; see docs/benchmarks.md ("The GraphQL floor").
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnServer, type ServerProcess } from './lib/events-server.ts';
import { createGraphQLClient } from './lib/graphql-client.ts';
import { createProgress, gitInfo, machineInfo, round, secondsSince, writeResult } from './lib/harness.ts';
import { runLoad, type LoadResult, type LoadTarget } from './lib/http-load.ts';
import { ensureDatabase, type BenchDatabase } from './lib/search-dataset.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    backend: { type: 'string', default: 'both' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const KEY = 'bench-floor-admin-key-0123456789abcdef';
const runStart = performance.now();
const startedAt = new Date();
const loadAtStart = round(os.loadavg()[0]!, 2);
const progress = args.quiet ? () => undefined : createProgress(runStart);

const wanted = args.backend === 'both' ? ['pglite', 'postgres'] : [args.backend];
const backends = wanted.filter((b) => b !== 'postgres' || process.env.DATABASE_URL);
if (wanted.includes('postgres') && !process.env.DATABASE_URL) progress('postgres skipped: DATABASE_URL is not set');

/** Forks the Apollo "hello" baseline and waits for its URL. */
async function spawnApolloHello(): Promise<{ graphqlUrl: string; stop: () => Promise<void> }> {
  const child = fork(path.join(import.meta.dirname, 'lib', 'apollo-hello-child.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { graphqlUrl: string }) => resolve(m.graphqlUrl));
    child.once('exit', (code) => reject(new Error(`apollo hello exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { graphqlUrl, stop: async () => (child.send({ type: 'stop' }), await exited) };
}

const graphqlBody = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
const hasData = (field: string) => (body: string) => body.includes(`"${field}"`) && !body.includes('"errors"');

const cleanups: (() => Promise<void>)[] = [];
try {
  progress(`floor benchmark: ${ROUNDS} rounds × ${SECONDS} s per target, ${CONNECTIONS} connections, backends ${backends.join(', ')}`);
  const hello = await spawnApolloHello();
  cleanups.push(hello.stop);
  const targets: Record<string, LoadTarget> = {
    'apollo hello': { url: hello.graphqlUrl, body: graphqlBody('{ hello }'), check: hasData('hello') },
  };
  const servers: Record<string, string> = {};
  for (const backend of backends) {
    let database: BenchDatabase | undefined;
    const vars: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: KEY, HIVEGRAPH_EMBEDDER: 'hashing', HIVEGRAPH_RATE_LIMITS: 'standard=unlimited,high=unlimited', HIVEGRAPH_LOG_LEVEL: 'warn' };
    if (backend === 'postgres') {
      database = await ensureDatabase(process.env.DATABASE_URL!, `hg_bench_floor_${startedAt.getTime()}`);
      const db = database;
      cleanups.push(() => db.drop());
      vars.DATABASE_URL = database.url;
    } else {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-floor-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      vars.HIVEGRAPH_DATA_DIR = dir;
    }
    const server: ServerProcess = await spawnServer(backend, vars);
    cleanups.push(() => server.stop());
    servers[backend] = server.sqlBackend;
    const api = createGraphQLClient(server.graphqlUrl);
    const created = await api.request<{ createArtifact: { id: string } }>(KEY, 'mutation($i: CreateArtifactInput!) { createArtifact(input: $i) { id } }', {
      i: { title: 'The floor', content: 'One artifact read again and again by the floor benchmark.', kind: 'NOTE', tags: ['bench'] },
    });
    const auth = { authorization: `Bearer ${KEY}` };
    targets[`${backend} { __typename }`] = { url: server.graphqlUrl, body: graphqlBody('{ __typename }'), headers: auth, check: hasData('__typename') };
    targets[`${backend} artifact(id)`] = {
      url: server.graphqlUrl,
      body: graphqlBody('query($id: ID!) { artifact(id: $id) { id title kind tags revision createdAt } }', { id: created.createArtifact.id }),
      headers: auth,
      check: hasData('title'),
    };
  }

  const names = Object.keys(targets);
  for (const name of names) await runLoad(targets[name]!, { connections: CONNECTIONS, seconds: 1 }); // warm-up
  const rounds: Record<string, LoadResult[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      const result = await runLoad(targets[name]!, { connections: CONNECTIONS, seconds: SECONDS });
      rounds[name]!.push(result);
      progress(`round ${r + 1}/${ROUNDS} ${name}: ${result.requestsPerSecond} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const baseline = median(rounds['apollo hello']!.map((x) => x.requestsPerSecond));
  const summary = names.map((name) => {
    const rs = rounds[name]!;
    const rps = median(rs.map((x) => x.requestsPerSecond));
    return {
      target: name,
      medianRequestsPerSecond: rps,
      medianLatencyP50Ms: median(rs.map((x) => x.latency.p50)),
      medianLatencyP99Ms: median(rs.map((x) => x.latency.p99)),
      errors: rs.reduce((s, x) => s + x.errors, 0),
      ratioToApolloHello: round(rps / baseline, 3),
      rounds: rs,
    };
  });
  const result = {
    benchmark: 'floor',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: secondsSince(runStart),
    git: gitInfo(),
    machine: { ...machineInfo(), loadAverage1m: { start: loadAtStart, end: round(os.loadavg()[0]!, 2) } },
    options: { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, backends, servers },
    ratioDefinition: 'median requests/s of the target ÷ median requests/s of the plain Apollo Server 5 "hello" on express 5, same generator, same run',
    summary,
  };
  const file = await writeResult('floor', startedAt, result);
  console.log('\n| target | req/s (median) | p50 ms | p99 ms | ÷ Apollo hello |\n| --- | ---: | ---: | ---: | ---: |');
  for (const s of summary) console.log(`| ${s.target} | ${s.medianRequestsPerSecond} | ${s.medianLatencyP50Ms} | ${s.medianLatencyP99Ms} | ${s.ratioToApolloHello} |`);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
