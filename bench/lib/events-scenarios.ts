/**
 * The events benchmark's topologies (who subscribes where, who writes where), opening and
 * closing subscriber pools, and the latency measurement: one event at a time, the next only
 * after every subscriber has received the previous one (then a short jittered gap), so the
 * benchmark's own process is idle at each commit and every timestamp is clean. The throughput
 * measurement is in events-rates.ts.
 */
import { DeliveryLog, type FanOutLatency } from './events-deliveries.ts';
import { between, sample, statementsPer, type LoadBetween } from './events-load.ts';
import type { ServerProcess } from './events-server.ts';
import { openSubscribers, type Selection, type SubscriberPool } from './events-subscribers.ts';
import { writeEvent } from './events-writers.ts';
import { round } from './harness.ts';

/** Progress lines on stderr. */
export type Progress = (message: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `server` holds `count` subscriptions; throws after `timeoutMs`. */
export async function awaitSubscriptions(server: ServerProcess, count: number, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { subscriptions } = await server.stats();
    if (subscriptions === count) return;
    if (performance.now() > deadline) throw new Error(`server ${server.name} holds ${subscriptions} subscriptions, expected ${count}`);
    await sleep(100);
  }
}

/** Where subscribers connect and writers write, and with which keys. */
export interface Topology {
  /** The server the subscribers connect to (and whose load is sampled). */
  subscribeTo: ServerProcess;
  /** The server the writers send mutations to (the same one, or another instance). */
  writeTo: ServerProcess;
  /** One key per connection. */
  subscriberKeys: readonly string[];
  perConnection: number;
  selection: Selection;
  writerKeys: readonly string[];
}

/** Opens the topology's subscriptions and waits until the server holds all of them. */
export async function openPool(t: Topology, log: DeliveryLog, progress: Progress): Promise<SubscriberPool> {
  const before = (await t.subscribeTo.stats()).subscriptions;
  const pool = await openSubscribers({ wsUrl: t.subscribeTo.graphqlUrl.replace(/^http/, 'ws'), keys: t.subscriberKeys, perConnection: t.perConnection, selection: t.selection, log });
  await awaitSubscriptions(t.subscribeTo, before + pool.subscriptions);
  progress(`  ${pool.subscriptions} subscriptions on ${pool.connections} connections open in ${pool.openSeconds} s`);
  return pool;
}

/** Flush events written by {@link closePool} so far (see there). */
export const lingering = { flushEvents: 0, subscriptionsSeen: 0 };

/**
 * Closes `pool` and waits until the server has let go of its subscriptions. Before commit
 * 0127617 a subscription whose client disconnected stayed registered in the events service
 * until the next event reached it (the resolver's async-generator wrapper queued `return()`
 * behind its pending `next()`); so if they linger after a second, this writes one flush event
 * to release them (and counts it), rather than letting them take the next scenario's first event.
 */
export async function closePool(t: Topology, pool: SubscriberPool): Promise<void> {
  await pool.close();
  const released = await awaitSubscriptions(t.subscribeTo, 0, 1000).then(
    () => true,
    () => false,
  );
  if (released) return;
  lingering.subscriptionsSeen += (await t.subscribeTo.stats()).subscriptions;
  lingering.flushEvents += 1;
  await writeEvent(t.writeTo.graphqlUrl, t.writerKeys[0]!, new DeliveryLog());
  await awaitSubscriptions(t.subscribeTo, 0, 60_000);
}

/** Writes `count` events one at a time and waits until each has reached every subscriber. */
async function writeAndWait(t: Topology, pool: SubscriberPool, count: number, gapMs: number, timeoutMs: number): Promise<{ ids: string[]; timeouts: number }> {
  const ids: string[] = [];
  let timeouts = 0;
  for (let i = 0; i < count; i += 1) {
    const id = await writeEvent(t.writeTo.graphqlUrl, t.writerKeys[i % t.writerKeys.length]!, pool.log);
    ids.push(id);
    const live = pool.subscriptions - pool.lagging - pool.otherEnded;
    if (!(await pool.log.waitFor(id, live, timeoutMs))) timeouts += 1;
    // A jittered gap, so commits do not fall into step with the server's timers.
    await sleep(gapMs * (0.5 + Math.random()));
  }
  return { ids, timeouts };
}

/** Result of one latency scenario. */
export interface LatencyResult {
  name: string;
  description: string;
  subscriptions: number;
  connections: number;
  perConnection: number;
  selection: Selection;
  crossInstance: boolean;
  events: number;
  warmupEvents: number;
  /** Events some subscriber had not received within the timeout. */
  timeouts: number;
  lagging: number;
  otherEnded: number;
  errorExamples: string[];
  openSeconds: number;
  latency: FanOutLatency;
  load: LoadBetween;
  /** This process's CPU per delivery (µs): the clients' side of the cost. */
  benchCpuMicrosPerDelivery: number;
  /** Server CPU per delivery (µs); includes the server's share of the writes (at 1 subscriber, mostly that). */
  serverCpuMicrosPerDelivery: number;
  /** The same split into user and system (kernel: socket writes) time (µs). */
  serverUserMicrosPerDelivery: number;
  serverSystemMicrosPerDelivery: number;
  /** CPU of the database's Postgres backends per delivery (µs; null on PGlite, where it is inside the server's CPU). */
  postgresCpuMicrosPerDelivery: number | null;
  /** SQL statements the server sent per event: `(all statements)`, then the most frequent (first 80 characters). */
  statementsPerEvent: { statement: string; perEvent: number }[];
}

/** Measures commit → delivery latency with one event in flight at a time. */
export async function measureLatency(
  name: string,
  description: string,
  t: Topology,
  options: { events: number; warmup: number; gapMs: number; timeoutMs: number; setLog: (log: DeliveryLog) => void },
  progress: Progress,
): Promise<LatencyResult> {
  progress(`${name}: ${description}`);
  const log = new DeliveryLog();
  options.setLog(log);
  const pool = await openPool(t, log, progress);
  try {
    await writeAndWait(t, pool, options.warmup, options.gapMs, options.timeoutMs);
    const measuredLog = new DeliveryLog();
    pool.log = measuredLog;
    options.setLog(measuredLog);
    const a = await sample(t.subscribeTo);
    const { ids, timeouts } = await writeAndWait(t, pool, options.events, options.gapMs, options.timeoutMs);
    const b = await sample(t.subscribeTo);
    const load = between(a, b);
    const latency = measuredLog.latency(ids, pool.subscriptions);
    const deliveries = Math.max(1, latency.deliveries);
    const serverMicros = b.server.cpuUserMicros + b.server.cpuSystemMicros - a.server.cpuUserMicros - a.server.cpuSystemMicros;
    const benchMicros = b.bench.user + b.bench.system - a.bench.user - a.bench.system;
    const result: LatencyResult = {
      name,
      description,
      subscriptions: pool.subscriptions,
      connections: pool.connections,
      perConnection: t.perConnection,
      selection: t.selection,
      crossInstance: t.subscribeTo !== t.writeTo,
      events: ids.length,
      warmupEvents: options.warmup,
      timeouts,
      lagging: pool.lagging,
      otherEnded: pool.otherEnded,
      errorExamples: pool.errorExamples,
      openSeconds: pool.openSeconds,
      latency,
      load,
      benchCpuMicrosPerDelivery: round(benchMicros / deliveries, 1),
      serverCpuMicrosPerDelivery: round(serverMicros / deliveries, 1),
      serverUserMicrosPerDelivery: round((b.server.cpuUserMicros - a.server.cpuUserMicros) / deliveries, 1),
      serverSystemMicrosPerDelivery: round((b.server.cpuSystemMicros - a.server.cpuSystemMicros) / deliveries, 1),
      postgresCpuMicrosPerDelivery: load.postgresCpuPercent === null ? null : round((load.postgresCpuPercent / 100) * load.seconds * 1e6 / deliveries, 1),
      statementsPerEvent: statementsPer(a.server, b.server, ids.length),
    };
    const l = latency.fromCommit;
    progress(
      `  from ${latency.commitMarker}: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms; last subscriber p50 ${latency.lastFromCommit.p50} / p99 ${latency.lastFromCommit.p99} ms; ` +
        `${latency.complete}/${ids.length} complete; server CPU ${load.server.cpuPercent} %, ELU ${load.server.eventLoopUtilization}, Postgres CPU ${load.postgresCpuPercent ?? '–'} %`,
    );
    return result;
  } finally {
    await closePool(t, pool);
  }
}
