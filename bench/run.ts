/**
 * `npm run bench`: runs every `bench/*.bench.ts`, one after the other, each in its own Node
 * process (so one benchmark's heap, WASM memory and timers never skew the next).
 *
 *   npm run bench                          # every benchmark, full size
 *   npm run bench -- --only graph          # only bench/graph.bench.ts (comma-separate several)
 *   npm run bench -- --only graph --scale 0.01   # a quick run (1k artifacts / 10k relationships)
 *
 * Every argument except `--only` is passed through to each benchmark. Each benchmark writes
 * its own JSON under bench/results/ (see bench/results/README.md).
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const here = import.meta.dirname;
const argv = process.argv.slice(2);
let only: string[] | undefined;
const passThrough: string[] = [];
for (let i = 0; i < argv.length; i += 1) {
  const arg = argv[i]!;
  if (arg === '--only') {
    only = (argv[i + 1] ?? '').split(',').filter(Boolean);
    i += 1;
  } else if (arg.startsWith('--only=')) {
    only = arg.slice('--only='.length).split(',').filter(Boolean);
  } else {
    passThrough.push(arg);
  }
}

const all = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const names = all.map((f) => f.slice(0, -'.bench.ts'.length));
const unknown = (only ?? []).filter((n) => !names.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${names.join(', ')}`);
  process.exit(2);
}
const selected = only ? names.filter((n) => only.includes(n)) : names;

const started = performance.now();
const failed: string[] = [];
for (const name of selected) {
  console.log(`\n=== bench: ${name} ${passThrough.join(' ')}`.trimEnd());
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(here, `${name}.bench.ts`), ...passThrough], { stdio: 'inherit' });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) failed.push(name);
}
console.log(`\n=== ${selected.length - failed.length}/${selected.length} benchmark(s) passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
