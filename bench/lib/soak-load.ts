/**
 * The soak workload (issue 16), shared by `npm run bench -- --only soak` (bench/soak.bench.ts,
 * 10 minutes by default) and its short CI form (test/server/soak.test.ts): one real Hivegraph
 * server in a child process (bench/lib/events-server-child.ts, so its RSS, heap and event-loop
 * delay are its own), loopback only, driven for `seconds` by
 *
 *  - `clients` HTTP clients in closed loops of mixed operations — reads (artifact by id,
 *    artifacts page, neighbors, events page), searches (HYBRID, VECTOR, TEXT), similar, writes
 *    (createArtifact, updateArtifact, relate, contribute + approveContribution);
 *  - `subscribers` graphql-ws subscriptions to `events` (as the admin, who sees every event),
 *    each counting the distinct cursors it receives.
 *
 * It samples the server every `sampleSeconds` (RSS, V8 heap in use, event-loop delay p99 and
 * max since the last sample, open subscriptions) and returns latencies per operation, errors by code, and how many of
 * the events written while the subscriptions were open each subscriber got.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { seededRandom, summarize, type LatencyStats } from './harness.ts';
import { spawnServer, type ServerStats } from './events-server.ts';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Configuration variables of the server (backends, data dir, bootstrap key…). */
  vars: Record<string, string>;
  adminKey: string;
  seconds: number;
  clients: number;
  subscribers: number;
  sampleSeconds: number;
  /** Artifacts created before the clock starts (the working set reads pick from). */
  seedArtifacts: number;
  seed: number;
  log?: (message: string) => void;
}

/** One sample of the server. */
export interface SoakSample {
  atSeconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  subscriptions: number;
  requests: number;
}

/** What a soak run measured. */
export interface SoakReport {
  backend: string;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  operations: Record<string, LatencyStats>;
  /** Failed requests by error code (`network` for a transport failure). */
  errors: Record<string, number>;
  /** Failed requests by operation and code. */
  errorsByOperation: Record<string, Record<string, number>>;
  samples: SoakSample[];
  /** Events acknowledged to the writers while every subscription was open. */
  eventsWritten: number;
  /** Per subscriber: distinct event cursors received in that window. */
  eventsReceived: { min: number; max: number };
  subscriptionsEnded: number;
  subscriptionErrors: string[];
}

const Q = {
  create: 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }',
  update: 'mutation ($id: ID!, $c: String) { updateArtifact(id: $id, input: { content: $c }) { id revision } }',
  relate: 'mutation ($input: RelateInput!) { relate(input: $input) { id } }',
  contribute: 'mutation ($input: ContributeInput!) { contribute(input: $input) { id status } }',
  approve: 'mutation ($id: ID!) { approveContribution(id: $id) { id } }',
  artifact: 'query ($id: ID!) { artifact(id: $id) { id title content revision tags relationships(first: 10) { edges { node { id type } } } } }',
  list: 'query { artifacts(first: 20) { edges { node { id title } } pageInfo { hasNextPage } } }',
  neighbors: 'query ($id: ID!) { artifact(id: $id) { neighbors(depth: 2, first: 20) { id title } } }',
  events: 'query { events(first: 50) { edges { cursor node { type } } } }',
  search: 'query ($q: String!, $m: SearchMode) { search(query: $q, mode: $m, first: 10) { score artifact { id title } } }',
  similar: 'query ($id: ID!) { similar(id: $id, first: 10) { score artifact { id } } }',
};

const WORDS = ['cache', 'latency', 'index', 'graph', 'vector', 'deploy', 'schema', 'queue', 'replica', 'retry', 'budget', 'token', 'shard', 'lock', 'audit'];

/** Runs the soak and returns what it measured; the server is stopped before it returns. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const rand = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const text = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const server = await spawnServer('soak', options.vars);
  const wsUrl = server.graphqlUrl.replace(/^http/, 'ws');
  const latencies: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  const errorsByOperation: Record<string, Record<string, number>> = {};
  let requests = 0;

  /** One request, timed; resolves to `data` or undefined after counting the error. */
  const call = async (op: string, key: string, query: string, variables?: Record<string, unknown>): Promise<any> => {
    const started = performance.now();
    let code: string | undefined;
    let data: unknown;
    try {
      const res = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      if (body.errors?.length) code = body.errors[0]?.extensions?.code ?? `HTTP ${res.status}`;
      else data = body.data;
    } catch {
      code = 'network';
    }
    requests += 1;
    (latencies[op] ??= []).push(performance.now() - started);
    if (code) {
      errors[code] = (errors[code] ?? 0) + 1;
      const byOp = (errorsByOperation[op] ??= {});
      byOp[code] = (byOp[code] ?? 0) + 1;
      return undefined;
    }
    return data;
  };

  const subscriptions: { client: Client; cursors: Set<string>; dispose: () => void }[] = [];
  const subscriptionErrors: string[] = [];
  let subscriptionsEnded = 0;
  try {
    // The working set, and an agent for contributions.
    const ids: string[] = [];
    for (let i = 0; i < options.seedArtifacts; i += 10) {
      const inputs = Array.from({ length: Math.min(10, options.seedArtifacts - i) }, () => ({ kind: 'fact', title: text(3), content: text(30), tags: [pick(WORDS)], visibility: 'ORG' }));
      const data = await call('seed', options.adminKey, 'mutation ($inputs: [CreateArtifactInput!]!) { createArtifacts(inputs: $inputs) { id } }', { inputs });
      if (data) ids.push(...(data.createArtifacts as { id: string }[]).map((a) => a.id));
    }
    const agent = await call('seed', options.adminKey, 'mutation { createUser(input: { handle: "soak-agent", role: AGENT }) { id } }');
    const agentKey = (await call('seed', options.adminKey, 'mutation ($u: ID!) { createApiKey(input: { userId: $u, name: "soak" }) { key } }', { u: agent.createUser.id })).createApiKey.key as string;
    if (ids.length === 0) throw new Error(`could not seed the working set: ${JSON.stringify(errors)}`);
    delete latencies['seed'];

    // Subscribers, each on its own connection.
    for (let s = 0; s < options.subscribers; s += 1) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${options.adminKey}` }, retryAttempts: 0, lazy: false });
      const cursors = new Set<string>();
      const dispose = client.subscribe<{ events: { cursor: string } }>(
        { query: 'subscription { events { cursor type artifactId } }' },
        {
          next: (result) => {
            if (result.data?.events) cursors.add(result.data.events.cursor);
            else if (subscriptionErrors.length < 5) subscriptionErrors.push(JSON.stringify(result.errors).slice(0, 300));
          },
          error: (error) => {
            subscriptionsEnded += 1;
            if (subscriptionErrors.length < 5) subscriptionErrors.push(String((error as Error)?.message ?? JSON.stringify(error)).slice(0, 300));
          },
          complete: () => {
            subscriptionsEnded += 1;
          },
        },
      );
      subscriptions.push({ client, cursors, dispose });
    }
    // Wait until the server holds every subscription before the window opens.
    for (let tries = 0; tries < 100 && (await server.stats()).subscriptions < options.subscribers; tries += 1) await new Promise((r) => setTimeout(r, 100));
    for (const s of subscriptions) s.cursors.clear();

    const samples: SoakSample[] = [];
    const t0 = performance.now();
    const sample = async () => {
      const stats: ServerStats = await server.stats();
      const s: SoakSample = {
        atSeconds: Math.round((performance.now() - t0) / 100) / 10,
        rssMiB: stats.rssMiB,
        heapUsedMiB: stats.heapUsedMiB,
        loopDelayP99Ms: Math.round(stats.loopDelayP99Ms * 10) / 10,
        loopDelayMaxMs: Math.round(stats.loopDelayMaxMs * 10) / 10,
        subscriptions: stats.subscriptions,
        requests,
      };
      samples.push(s);
      log(`t=${s.atSeconds}s rss ${s.rssMiB} MiB heap ${s.heapUsedMiB} MiB loop p99 ${s.loopDelayP99Ms} ms, ${s.subscriptions} subscriptions, ${requests} requests, errors ${JSON.stringify(errors)}`);
    };
    await sample();
    const sampler = setInterval(() => void sample().catch(() => undefined), options.sampleSeconds * 1000);

    let eventsWritten = 0;
    const pending: string[] = [];
    const deadline = t0 + options.seconds * 1000;
    const loop = async () => {
      while (performance.now() < deadline) {
        const r = rand();
        if (r < 0.12) await call('artifact', options.adminKey, Q.artifact, { id: pick(ids) });
        else if (r < 0.2) await call('artifacts', options.adminKey, Q.list);
        else if (r < 0.28) await call('neighbors', options.adminKey, Q.neighbors, { id: pick(ids) });
        else if (r < 0.32) await call('events', options.adminKey, Q.events);
        else if (r < 0.4) await call('search HYBRID', options.adminKey, Q.search, { q: text(2), m: 'HYBRID' });
        else if (r < 0.46) await call('search VECTOR', options.adminKey, Q.search, { q: text(2), m: 'VECTOR' });
        else if (r < 0.52) await call('search TEXT', options.adminKey, Q.search, { q: text(2), m: 'TEXT' });
        else if (r < 0.56) await call('similar', options.adminKey, Q.similar, { id: pick(ids) });
        else if (r < 0.68) {
          const data = await call('createArtifact', options.adminKey, Q.create, { input: { kind: 'fact', title: text(3), content: text(40), tags: [pick(WORDS)], visibility: 'ORG' } });
          if (data) {
            ids.push(data.createArtifact.id);
            eventsWritten += 1;
          }
        } else if (r < 0.8) {
          if (await call('updateArtifact', options.adminKey, Q.update, { id: pick(ids), c: text(40) })) eventsWritten += 1;
        } else if (r < 0.9) {
          const from = pick(ids);
          const to = pick(ids);
          if (from !== to && (await call('relate', options.adminKey, Q.relate, { input: { fromId: from, toId: to, type: pick(['CITES', 'DEPENDS_ON', 'SUPPORTS']) } }))) eventsWritten += 1;
        } else if (r < 0.96 || pending.length === 0) {
          const data = await call('contribute', agentKey, Q.contribute, { input: { kind: 'note', title: text(3), content: `${text(30)} ${Math.floor(rand() * 1e9)}`, visibility: 'ORG' } });
          if (data) {
            eventsWritten += 1;
            if (data.contribute.status === 'PENDING') pending.push(data.contribute.id);
          }
        } else {
          const id = pending.splice(Math.floor(rand() * pending.length), 1)[0]!;
          // ARTIFACT_CREATED and CONTRIBUTION_APPROVED (ORG: the admin subscribers see the artifact).
          if (await call('approveContribution', options.adminKey, Q.approve, { id })) eventsWritten += 2;
        }
      }
    };
    await Promise.all(Array.from({ length: options.clients }, loop));
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    // Let the last events reach every subscriber (at most 10 s).
    for (let tries = 0; tries < 100 && subscriptions.some((s) => s.cursors.size < eventsWritten); tries += 1) await new Promise((r) => setTimeout(r, 100));
    await sample();
    const received = subscriptions.map((s) => s.cursors.size);
    return {
      backend: server.sqlBackend,
      seconds: Math.round(elapsed * 10) / 10,
      requests,
      requestsPerSecond: Math.round((requests / elapsed) * 10) / 10,
      operations: Object.fromEntries(Object.entries(latencies).map(([op, values]) => [op, summarize(values)])),
      errors,
      errorsByOperation,
      samples,
      eventsWritten,
      eventsReceived: { min: received.length ? Math.min(...received) : 0, max: received.length ? Math.max(...received) : 0 },
      subscriptionsEnded,
      subscriptionErrors,
    };
  } finally {
    for (const s of subscriptions) s.dispose();
    await Promise.all(subscriptions.map((s) => s.client.dispose()));
    await server.stop();
  }
}

/**
 * The bounds a soak must stay within. Memory is compared trough to trough — the lowest sample
 * after warm-up (20–45 % of the run) against the lowest of the last quarter — so a garbage
 * collection that happens to land before one sample and not another is not read as growth,
 * while a leak, which raises every trough, is.
 */
export interface SoakBounds {
  /** RSS troughs may rise by at most this (MiB)… */
  rssGrowthMiB: number;
  /** …and V8 heap troughs by at most this (MiB). */
  heapGrowthMiB: number;
}

/** The sample warm-up ends with: the first one at or after 20 % of the run. */
export function warmSample(report: SoakReport): SoakSample {
  return report.samples.find((s) => s.atSeconds >= report.seconds * 0.2) ?? report.samples[0]!;
}

/** Lowest RSS and heap after warm-up and in the last quarter of the run. */
export function memoryTroughs(report: SoakReport): { warm: { rssMiB: number; heapUsedMiB: number }; end: { rssMiB: number; heapUsedMiB: number } } {
  const within = (from: number, to: number) => report.samples.filter((s) => s.atSeconds >= report.seconds * from && s.atSeconds <= report.seconds * to);
  const trough = (samples: SoakSample[], fallback: SoakSample) => {
    const list = samples.length > 0 ? samples : [fallback];
    return { rssMiB: Math.min(...list.map((s) => s.rssMiB)), heapUsedMiB: Math.min(...list.map((s) => s.heapUsedMiB)) };
  };
  return { warm: trough(within(0.2, 0.45), warmSample(report)), end: trough(within(0.75, 2), report.samples.at(-1)!) };
}

/** What broke: server errors, network failures, lost events, growth past the bounds. */
export function soakViolations(report: SoakReport, bounds: SoakBounds): string[] {
  const broken: string[] = [];
  const unexpected = Object.entries(report.errors).filter(([code]) => code !== 'CONFLICT');
  if (unexpected.length > 0) broken.push(`errors other than CONFLICT (a duplicate relate): ${JSON.stringify(Object.fromEntries(unexpected))}`);
  if (report.subscriptionsEnded > 0) broken.push(`${report.subscriptionsEnded} subscriptions ended: ${report.subscriptionErrors.join(' | ')}`);
  if (report.eventsReceived.min < report.eventsWritten) broken.push(`a subscriber got ${report.eventsReceived.min} of the ${report.eventsWritten} events written`);
  const { warm, end } = memoryTroughs(report);
  if (end.rssMiB - warm.rssMiB > bounds.rssGrowthMiB) broken.push(`RSS troughs rose ${end.rssMiB - warm.rssMiB} MiB after warm-up (${warm.rssMiB} → ${end.rssMiB}), bound ${bounds.rssGrowthMiB}`);
  if (end.heapUsedMiB - warm.heapUsedMiB > bounds.heapGrowthMiB) broken.push(`heap troughs rose ${end.heapUsedMiB - warm.heapUsedMiB} MiB after warm-up (${warm.heapUsedMiB} → ${end.heapUsedMiB}), bound ${bounds.heapGrowthMiB}`);
  return broken;
}
