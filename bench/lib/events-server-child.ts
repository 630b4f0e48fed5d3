/**
 * Child-process entry of the events benchmark: runs one real Hivegraph server (startServer)
 * in its own Node process, so its event loop and CPU are measured apart from the benchmark's
 * WebSocket clients. Spawned by `spawnServer()` (bench/lib/events-server.ts) with an IPC
 * channel; never run by hand.
 *
 * Messages from the parent: `{ type: 'start', vars }` (configuration variables as for
 * `loadConfig`), `{ type: 'stats' }`, `{ type: 'stop' }`. Answers: `ready` (with the URLs),
 * `stats` (CPU time, event-loop utilisation, open subscriptions, SQL statements sent), `stopped`,
 * `error`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { createLogger } from '../../src/shared/logger.ts';

/** What the child reports on `{ type: 'stats' }`. */
export interface ServerStats {
  /** process.cpuUsage() since the child started, in microseconds. */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** performance.eventLoopUtilization() since the child started (cumulative idle/active ms). */
  eluIdleMs: number;
  eluActiveMs: number;
  /** Event-loop delay percentiles since the last stats request (ms), then reset. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Subscriptions the events service holds right now. */
  subscriptions: number;
  /** Resident memory (MiB). */
  rssMiB: number;
  /** V8 heap in use (MiB), after the last garbage collection V8 chose to run. */
  heapUsedMiB: number;
  /** SQL statements sent since the child started, by their first 80 characters (white space collapsed). */
  statements: Record<string, number>;
}

/** Messages the child sends. */
export type ChildMessage =
  | { type: 'ready'; url: string; graphqlUrl: string; sqlBackend: string }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/** Messages the child accepts. */
export type ParentMessage = { type: 'start'; vars: Record<string, string> } | { type: 'stats' } | { type: 'stop' };

const send = (message: ChildMessage) => process.send?.(message);
let server: RunningServer | undefined;
const delay = monitorEventLoopDelay({ resolution: 1 });
const statements: Record<string, number> = {};
const countStatement = (text: string) => {
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  statements[key] = (statements[key] ?? 0) + 1;
};
delay.enable();

process.on('message', (message: ParentMessage) => {
  void handle(message).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
});
process.on('disconnect', () => {
  // The benchmark went away (crash or Ctrl-C): close the server and leave.
  void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'start': {
      server = await startServer({ config: loadConfig({}, message.vars), logger: createLogger('warn'), sql: { onStatement: countStatement } });
      send({ type: 'ready', url: server.url, graphqlUrl: server.graphqlUrl, sqlBackend: server.sql.backend });
      return;
    }
    case 'stats': {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      send({
        type: 'stats',
        stats: {
          cpuUserMicros: cpu.user,
          cpuSystemMicros: cpu.system,
          eluIdleMs: elu.idle,
          eluActiveMs: elu.active,
          loopDelayP50Ms: delay.percentile(50) / 1e6,
          loopDelayP99Ms: delay.percentile(99) / 1e6,
          loopDelayMaxMs: delay.max / 1e6,
          subscriptions: server?.services.events.subscriptionCount() ?? 0,
          rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
          heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
          statements: { ...statements },
        },
      });
      delay.reset();
      return;
    }
    case 'stop': {
      await server?.close();
      server = undefined;
      send({ type: 'stopped' });
      process.disconnect();
      return;
    }
  }
}
