/**
 * Shared pieces of the benchmarks: latency statistics, a seeded random generator, a
 * description of the machine, and the JSON result file under bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Summary of one operation's latencies, in milliseconds. */
export interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted `values` (`q` in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50 / p99 / mean / min / max of `samples` (ms), rounded to 0.01 ms. */
export function summarize(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    mean: round(mean),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Rounds to `digits` decimals (default 2). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** mulberry32: a small, fast, seeded PRNG, so every run and both backends draw the same sample. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The machine a result was measured on. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  os: string;
  hostname: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(),
  };
}

/** `git rev-parse HEAD` plus whether the checkout had uncommitted changes (they may not be ours). */
export function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** bench/results/ */
export const RESULTS_DIR = path.join(import.meta.dirname, '..', 'results');

/**
 * Writes `bench/results/<name>-<ISO time>.json` (colons replaced, so the name is portable)
 * and returns its path.
 */
export async function writeResult(name: string, startedAt: Date, result: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Seconds since `since` (a performance.now() value), 2 decimals. */
export function secondsSince(since: number): number {
  return round((performance.now() - since) / 1000);
}

/** Logs a progress line with the elapsed time of the whole run. */
export function createProgress(runStart: number): (message: string) => void {
  return (message) => console.log(`[${((performance.now() - runStart) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

/** Formats a number of milliseconds for tables: 3 significant digits. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Peak resident set size of this process, in MiB. */
export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024, 0);
}
