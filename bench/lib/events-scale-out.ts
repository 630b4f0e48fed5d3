/**
 * The events benchmark's scale-out measurement: subscriptions spread over two instances on one
 * Postgres (half of the connections on each), writes at a fixed rate through the first; every
 * event must reach every subscription of both (LISTEN/NOTIFY carries commits to the second).
 */
import type { DeliveryLog } from './events-deliveries.ts';
import { between, sample, type LoadBetween } from './events-load.ts';
import { measureRate, type RateResult } from './events-rates.ts';
import { closePool, openPool, type Progress, type Topology } from './events-scenarios.ts';
import type { ServerProcess } from './events-server.ts';
import type { SubscriberPool } from './events-subscribers.ts';
import { round } from './harness.ts';

/** Result of the scale-out step. */
export interface ScaleOutResult extends RateResult {
  instances: number;
  connections: number;
  perConnection: number;
  /** Subscriptions on each instance. */
  subscriptionsPerInstance: number[];
  /** Deliveries expected but not received (0 = nothing missed). */
  missed: number;
  /** Load of the second instance (the step's `load` is the first's). */
  loadB: LoadBetween;
  /** Server CPU per delivery on each instance (µs). */
  serverCpuMicrosPerDelivery: number[];
}

/** One pool that is both pools (what measureRate needs of a pool). */
function combine(pools: SubscriberPool[]): SubscriberPool {
  return {
    get connections() {
      return pools.reduce((n, p) => n + p.connections, 0);
    },
    get subscriptions() {
      return pools.reduce((n, p) => n + p.subscriptions, 0);
    },
    get lagging() {
      return pools.reduce((n, p) => n + p.lagging, 0);
    },
    get otherEnded() {
      return pools.reduce((n, p) => n + p.otherEnded, 0);
    },
    get errorExamples() {
      return pools.flatMap((p) => p.errorExamples).slice(0, 5);
    },
    openSeconds: Math.max(...pools.map((p) => p.openSeconds)),
    get log() {
      return pools[0]!.log;
    },
    set log(log: DeliveryLog) {
      for (const p of pools) p.log = log;
    },
    async close() {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

/** Opens `keys.length` connections × `perConnection` over `a` and `b`, writes at `rate` to `a`. */
export async function measureScaleOut(
  servers: [ServerProcess, ServerProcess],
  base: Omit<Topology, 'subscribeTo' | 'writeTo'>,
  options: { rate: number; writers: number; seconds: number; maxInFlight: number; drainTimeoutMs: number; setLog: (log: DeliveryLog) => void },
  log: DeliveryLog,
  progress: Progress,
): Promise<ScaleOutResult> {
  const [a, b] = servers;
  const half = Math.ceil(base.subscriberKeys.length / 2);
  const onA: Topology = { ...base, subscribeTo: a, writeTo: a, subscriberKeys: base.subscriberKeys.slice(0, half) };
  const onB: Topology = { ...base, subscribeTo: b, writeTo: a, subscriberKeys: base.subscriberKeys.slice(half) };
  const poolA = await openPool(onA, log, progress);
  const poolB = await openPool(onB, log, progress);
  try {
    const b0 = await sample(b);
    const a0 = await sample(a);
    const result = await measureRate(onA, combine([poolA, poolB]), options, progress);
    const a1 = await sample(a);
    const b1 = await sample(b);
    const cpu = (x: typeof a0, y: typeof a0, deliveries: number) =>
      round((y.server.cpuUserMicros + y.server.cpuSystemMicros - x.server.cpuUserMicros - x.server.cpuSystemMicros) / Math.max(1, deliveries), 1);
    const perEvent = result.write.committed;
    return {
      ...result,
      instances: 2,
      connections: poolA.connections + poolB.connections,
      perConnection: base.perConnection,
      subscriptionsPerInstance: [poolA.subscriptions, poolB.subscriptions],
      missed: result.expectedDeliveries - result.deliveries,
      loadB: between(b0, b1),
      serverCpuMicrosPerDelivery: [cpu(a0, a1, perEvent * poolA.subscriptions), cpu(b0, b1, perEvent * poolB.subscriptions)],
    };
  } finally {
    await closePool(onA, poolA);
    await closePool(onB, poolB);
  }
}
