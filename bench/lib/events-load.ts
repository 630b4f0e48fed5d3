/**
 * What the events benchmark samples around a measurement: the server's CPU time, event-loop
 * utilisation and SQL statements (from its child process), this process's CPU time (the
 * WebSocket clients and writers), the whole machine's CPU, and — on Postgres — the CPU of the
 * backends serving the scratch database.
 */
import os from 'node:os';
import { postgresCpuSeconds, type PostgresCpu } from './events-postgres-cpu.ts';
import { serverLoad, type ServerLoad, type ServerProcess, type ServerStats } from './events-server.ts';
import { round } from './harness.ts';

/** A point in time as the benchmark samples it. */
export interface Sample {
  at: number;
  server: ServerStats;
  bench: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  postgres: PostgresCpu | undefined;
}

let samplePostgres: (() => Promise<PostgresCpu>) | undefined;

/** Makes every measurement also sample the CPU of the database's Postgres backends. */
export function measurePostgresCpu(sampler: () => Promise<PostgresCpu>): void {
  samplePostgres = sampler;
}

/** CPU use between two samples. */
export interface LoadBetween {
  seconds: number;
  server: ServerLoad;
  /** This process (the WebSocket clients and the writers), % of one core. */
  benchCpuPercent: number;
  /** The whole machine (every process, also others' work), % of all cores. */
  machineCpuPercent: number;
  /** The Postgres backends of the benchmark's database, % of one core (null on PGlite). */
  postgresCpuPercent: number | null;
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export async function sample(server: ServerProcess): Promise<Sample> {
  return { at: performance.now(), server: await server.stats(), bench: process.cpuUsage(), machine: machineTimes(), postgres: await samplePostgres?.() };
}

export function between(a: Sample, b: Sample): LoadBetween {
  const seconds = (b.at - a.at) / 1000;
  const benchMicros = b.bench.user + b.bench.system - a.bench.user - a.bench.system;
  return {
    seconds: round(seconds),
    server: serverLoad(a.server, b.server, seconds),
    benchCpuPercent: round((benchMicros / 1e6 / seconds) * 100, 1),
    machineCpuPercent: round(((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)) * 100, 1),
    postgresCpuPercent: a.postgres && b.postgres ? round((postgresCpuSeconds(a.postgres, b.postgres) / seconds) * 100, 1) : null,
  };
}
/** The `top` most frequent statements between two samples, per event. */
export function statementsPer(a: ServerStats, b: ServerStats, events: number, top = 6): { statement: string; perEvent: number }[] {
  const all = Object.entries(b.statements)
    .map(([statement, n]) => ({ statement, perEvent: round((n - (a.statements[statement] ?? 0)) / Math.max(1, events), 2) }))
    .filter((s) => s.perEvent > 0)
    .sort((x, y) => y.perEvent - x.perEvent);
  return [{ statement: '(all statements)', perEvent: round(all.reduce((sum, s) => sum + s.perEvent, 0), 2) }, ...all.slice(0, top)];
}
