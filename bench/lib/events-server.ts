/**
 * The events benchmark's servers: each a real Hivegraph server in its own Node process
 * (bench/lib/events-server-child.ts), started with configuration variables and asked for its
 * CPU time, event-loop utilisation and open subscriptions between measurements.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage, ParentMessage, ServerStats } from './events-server-child.ts';

export type { ServerStats } from './events-server-child.ts';

/** A server running in a child process. */
export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  graphqlUrl: string;
  sqlBackend: string;
  /** Asks the child for its counters. */
  stats(): Promise<ServerStats>;
  /** Closes the server (draining its sockets) and waits for the process to exit. */
  stop(): Promise<void>;
}

const CHILD = path.join(import.meta.dirname, 'events-server-child.ts');

/** Forks a child and starts a server in it with `vars`; stdout and stderr are the benchmark's stderr. */
export async function spawnServer(name: string, vars: Record<string, string>): Promise<ServerProcess> {
  // HG_BENCH_SERVER_NODE_OPTIONS: extra Node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = process.env['HG_BENCH_SERVER_NODE_OPTIONS']?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = fork(CHILD, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [...process.execArgv, ...extra] });
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(prefixLines(name, chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefixLines(name, chunk)));
  const waiting: ((message: ChildMessage) => boolean)[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.on('message', (message: ChildMessage) => {
    const i = waiting.findIndex((accept) => accept(message));
    if (i >= 0) waiting.splice(i, 1);
  });
  const request = <T extends ChildMessage['type']>(message: ParentMessage, answer: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      if (exited) return reject(new Error(`server ${name} has exited`));
      waiting.push((m) => {
        if (m.type === 'error') reject(new Error(`server ${name}: ${m.message}`));
        else if (m.type === answer) resolve(m as Extract<ChildMessage, { type: T }>);
        else return false;
        return true;
      });
      child.send(message);
      void exit.then(() => reject(new Error(`server ${name} exited`)));
    });

  const ready = await request({ type: 'start', vars }, 'ready');
  return {
    name,
    pid: child.pid!,
    url: ready.url,
    graphqlUrl: ready.graphqlUrl,
    sqlBackend: ready.sqlBackend,
    stats: async () => (await request({ type: 'stats' }, 'stats')).stats,
    async stop() {
      if (exited) return;
      await request({ type: 'stop' }, 'stopped').catch(() => undefined);
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

function prefixLines(name: string, chunk: Buffer): string {
  return chunk
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `[server ${name}] ${line}\n`)
    .join('');
}

/** CPU and event-loop use of a server between two stats snapshots. */
export interface ServerLoad {
  /** CPU time over wall time, in % of one core. */
  cpuPercent: number;
  /** Share of the wall time its event loop was busy (0..1). */
  eventLoopUtilization: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Load of a server between `before` and `after`, taken `seconds` apart. */
export function serverLoad(before: ServerStats, after: ServerStats, seconds: number): ServerLoad {
  const cpuMicros = after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros;
  const active = after.eluActiveMs - before.eluActiveMs;
  const idle = after.eluIdleMs - before.eluIdleMs;
  return {
    cpuPercent: Math.round((cpuMicros / 1e6 / seconds) * 1000) / 10,
    eventLoopUtilization: Math.round((active / Math.max(1e-9, active + idle)) * 1000) / 1000,
    loopDelayP99Ms: Math.round(after.loopDelayP99Ms * 10) / 10,
    loopDelayMaxMs: Math.round(after.loopDelayMaxMs * 10) / 10,
  };
}
