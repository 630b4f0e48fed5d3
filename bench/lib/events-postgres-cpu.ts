/**
 * CPU time of the Postgres backends serving the benchmark's scratch database, read from
 * /proc/<pid>/stat of each backend `pg_stat_activity` lists for it (Postgres runs on the same
 * machine). Backends of other databases — other work on a shared server — are not counted.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** CPU seconds so far by backend pid. */
export type PostgresCpu = Map<number, number>;

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Returns a sampler of the CPU seconds of every backend connected to `database`. */
export function postgresCpuSampler(client: pg.Client, database: string): () => Promise<PostgresCpu> {
  return async () => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    const cpu: PostgresCpu = new Map();
    await Promise.all(
      rows.map(async ({ pid }) => {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
        if (!stat) return;
        // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
      }),
    );
    return cpu;
  };
}

/** CPU seconds spent between two samples by the backends present in both. */
export function postgresCpuSeconds(before: PostgresCpu, after: PostgresCpu): number {
  let seconds = 0;
  for (const [pid, t] of after) {
    const t0 = before.get(pid);
    seconds += t - (t0 ?? 0);
  }
  return seconds;
}
