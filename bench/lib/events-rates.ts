/**
 * The events benchmark's throughput measurement: writes for a fixed time at a fixed rate (or
 * flat out), then waits for the subscribers to drain; reports events committed and delivered
 * per second, delivery latency under that load, lagging subscribers, and CPU use.
 */
import { DeliveryLog, type FanOutLatency } from './events-deliveries.ts';
import { between, sample, statementsPer, type LoadBetween } from './events-load.ts';
import type { Progress, Topology } from './events-scenarios.ts';
import type { SubscriberPool } from './events-subscribers.ts';
import { writeAtRate, writeFlatOut, type WriteRun } from './events-writers.ts';
import { round } from './harness.ts';

/** Result of one throughput step. */
export interface RateResult {
  /** Events per second asked for; null for the flat-out run. */
  targetRate: number | null;
  writers: number;
  subscriptions: number;
  seconds: number;
  write: Omit<WriteRun, 'ids'>;
  /** Deliveries expected: committed events × subscriptions still open at the end. */
  expectedDeliveries: number;
  deliveries: number;
  /** Deliveries that arrived within the write window, per second of it. */
  deliveredPerSecond: number;
  /** Events committed per second × subscriptions: the delivery rate that keeps up. */
  neededDeliveriesPerSecond: number;
  /** From the last commit to the last delivery (s); null when no subscribers. */
  drainSeconds: number | null;
  /** Events every open subscription received. */
  completeEvents: number;
  lagging: number;
  otherEnded: number;
  errorExamples: string[];
  latency: FanOutLatency | null;
  load: LoadBetween;
  /**
   * At least 90 % of the target rate committed (the server also takes the writes), no lagging
   * subscriber, every event delivered, and the deliveries drained within max(1 s, 10 % of the step).
   */
  keptUp: boolean;
  /** The server's most frequent SQL statements per committed event (first 80 characters). */
  statementsPerEvent: { statement: string; perEvent: number }[];
}

/**
 * Writes at `rate` events/s (or flat out with `writers` loops when rate is null) for `seconds`
 * to `t.writeTo`, with `pool` (or no subscribers) listening, then waits up to `drainTimeoutMs`
 * for every delivery.
 */
export async function measureRate(
  t: Topology,
  pool: SubscriberPool | undefined,
  options: { rate: number | null; writers: number; seconds: number; maxInFlight: number; drainTimeoutMs: number; setLog: (log: DeliveryLog) => void },
  progress: Progress,
): Promise<RateResult> {
  const log = new DeliveryLog();
  if (pool) pool.log = log;
  options.setLog(log);
  const a = await sample(t.subscribeTo);
  const common = { url: t.writeTo.graphqlUrl, keys: t.writerKeys, seconds: options.seconds, log };
  const run =
    options.rate === null
      ? await writeFlatOut({ ...common, writers: options.writers })
      : await writeAtRate({ ...common, rate: options.rate, maxInFlight: options.maxInFlight });
  let drainSeconds: number | null = null;
  let complete = 0;
  if (pool) {
    const deadline = performance.now() + options.drainTimeoutMs;
    for (const id of run.ids) {
      if (performance.now() >= deadline) break;
      const live = pool.subscriptions - pool.lagging - pool.otherEnded;
      await log.waitFor(id, live, Math.max(1, deadline - performance.now()));
    }
    const live = pool.subscriptions - pool.lagging - pool.otherEnded;
    complete = run.ids.filter((id) => log.receiptsOf(id) >= live).length;
    drainSeconds = round(Math.max(0, log.lastReceipt(run.ids) - run.endedAt) / 1000);
  }
  const b = await sample(t.subscribeTo);
  const subscriptions = pool ? pool.subscriptions - pool.lagging - pool.otherEnded : 0;
  const window = run.windowSeconds;
  const deliveries = log.deliveries;
  const { ids, ...write } = run;
  const lagging = pool?.lagging ?? 0;
  const result: RateResult = {
    targetRate: options.rate,
    writers: options.rate === null ? options.writers : options.maxInFlight,
    subscriptions,
    seconds: options.seconds,
    write,
    expectedDeliveries: run.committed * subscriptions,
    deliveries,
    deliveredPerSecond: round(log.arrivalsBetween(run.startedAt, run.startedAt + window * 1000) / window, 0),
    neededDeliveriesPerSecond: round(run.committedPerSecond * subscriptions, 0),
    drainSeconds,
    completeEvents: complete,
    lagging,
    otherEnded: pool?.otherEnded ?? 0,
    errorExamples: pool?.errorExamples ?? [],
    latency: pool ? log.latency(ids, subscriptions) : null,
    load: between(a, b),
    statementsPerEvent: statementsPer(a.server, b.server, run.committed),
    keptUp:
      (options.rate === null || run.committedPerSecond >= 0.9 * options.rate) &&
      (pool === undefined || (lagging === 0 && complete === run.committed && (drainSeconds ?? 0) <= Math.max(1, options.seconds * 0.1))),
  };
  progress(
    `  ${options.rate === null ? `flat out (${options.writers} writers)` : `${options.rate} events/s`}: committed ${run.committedPerSecond}/s` +
      (pool
        ? `, delivered ${result.deliveredPerSecond}/s of ${result.neededDeliveriesPerSecond}/s needed, p50 ${result.latency?.fromCommit.p50} / p99 ${result.latency?.fromCommit.p99} ms, ` +
          `drain ${drainSeconds} s, lagging ${lagging}, ${result.keptUp ? 'kept up' : 'DID NOT keep up'}`
        : '') +
      `; server CPU ${result.load.server.cpuPercent} %, ELU ${result.load.server.eventLoopUtilization}, Postgres CPU ${result.load.postgresCpuPercent ?? '–'} %`,
  );
  return result;
}
