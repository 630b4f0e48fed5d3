/**
 * The eval CLI (`npm run eval`): exit codes for usage errors, bad datasets and unreachable
 * servers, and a small run on its own in-process server (hashing embedder, a subset) that
 * writes the result JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalResult } from '../../eval/harness.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MINI = path.join(ROOT, 'eval', 'datasets', 'hivegraph-mini');
const CLI = path.join(ROOT, 'eval', 'run.ts');

/** Runs the CLI in a child process without the run's server URLs (so it starts its own embedded server). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['DATABASE_URL'];
  delete env['FALKORDB_URL'];
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('eval CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hg-eval-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 64 on usage errors and 0 with --help', async () => {
    expect((await cli([])).code).toBe(64);
    expect((await cli(['--dataset', MINI, '--modes', 'FUZZY'])).stderr).toMatch(/--modes takes HYBRID, VECTOR, TEXT/);
    expect((await cli(['--dataset', MINI, '--url', 'http://127.0.0.1:1'])).code).toBe(64); // no --key
    expect((await cli(['--dataset', MINI, '--max-docs', '0'])).code).toBe(64);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--dataset DIR/);
  });

  it('exits 65 on a bad dataset, naming the file', async () => {
    const result = await cli(['--dataset', path.join(dir, 'missing')]);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/bad dataset: .*missing: not a directory/);
  });

  it('exits 69 when the server cannot be reached', async () => {
    const result = await cli(['--dataset', MINI, '--url', 'http://127.0.0.1:9', '--key', 'whatever-key-123456']);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('runs a subset on its own in-process server and writes the JSON', async () => {
    const json = path.join(dir, 'subset.json');
    const result = await cli(['--dataset', MINI, '--embedder', 'hashing', '--max-queries', '4', '--max-docs', '30', '--modes', 'text,VECTOR', '--json', json]);
    expect(result.code, result.stderr).toBe(0);
    // nDCG@10, its ratio to the reference BM25, recall@100.
    expect(result.stdout).toMatch(/\| TEXT \| \d\.\d{4} \| (\d\.\d{3}|–) \| \d\.\d{4} \|/);
    expect(result.stdout).toMatch(/\| reference BM25 \| \d\.\d{4} \| 1\.000 \|/);
    const written = JSON.parse(await readFile(json, 'utf8')) as EvalResult;
    expect(written.server).toMatchObject({ mode: 'in-process', sql: 'pglite', embedder: expect.stringMatching(/^hashing/) });
    // The 4 queries judge 9 documents; 21 others fill the budget of 30.
    expect(written.dataset).toMatchObject({ ingestedDocs: 30, queries: 4 });
    expect(written.modes.map((m) => m.mode)).toEqual(['TEXT', 'VECTOR']);
    expect(written.reference).toMatchObject({ documents: 30, name: expect.stringContaining('BM25') });
    expect(written.machine.cpus).toBeGreaterThan(0);
  });
});
