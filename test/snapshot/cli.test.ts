/**
 * `hivegraph export` and `hivegraph import` as a user runs them: real child processes
 * (`node bin/hivegraph.js …`). The source is always the embedded default (a PGlite data
 * directory); the target is the run's deployment — so in server mode this is the documented
 * move from the embedded default to Postgres + FalkorDB: export with no DATABASE_URL, import
 * with DATABASE_URL and FALKORDB_URL set.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';
import { seed } from './seed.ts';
import { comparableLines, openInstallation, runDeployment, type Installation } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/hivegraph.js', import.meta.url));
const STACK_FRAME = /^\s+at /m;
const deployment = runDeployment();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hivegraph ...args` with only `vars` of Hivegraph's configuration set. */
function hivegraph(args: string[], vars: Record<string, string>, cwd: string): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  delete env['NODE_ENV'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...env, HIVEGRAPH_EMBEDDER: 'hashing', ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe(`hivegraph export / import (embedded → ${deployment})`, { timeout: 300_000 }, () => {
  let dir: string;
  let source: Installation;
  let target: Installation;
  const run = (args: string[], inst: Installation) => hivegraph(args, inst.env, dir);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hg-snapshot-cli-'));
    source = await openInstallation('embedded');
    await seed(source);
    await source.detach();
    target = await openInstallation(deployment, { embedder: false });
    await target.detach();
  });

  afterAll(async () => {
    await target?.close();
    await source?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints usage with --help and refuses a wrong command line with 64', async () => {
    for (const command of ['export', 'import']) {
      const help = await run([command, '--help'], source);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: hivegraph ${command}`));
    }
    const cases: [string[], RegExp][] = [
      [['export'], /export needs --out FILE/],
      [['import'], /import needs exactly one FILE/],
      [['import', 'a.jsonl', '--on-conflict', 'merge'], /--on-conflict must be fail or skip/],
      [['import', path.join(dir, 'missing.jsonl')], /cannot read .*missing\.jsonl/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args, source);
      expect(result.code, args.join(' ')).toBe(64);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('exports, imports into a fresh installation, and exports the same records again', async () => {
    const first = path.join(dir, 'first.jsonl');
    const exported = await run(['export', '--out', first], source);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^Exported \d+ records \(.*\d+ artifacts.*\) to .*first\.jsonl/);
    expect(exported.stdout).toMatch(/Vectors of the hashing model "hashing-v1" are included\. API keys are not\./);

    const again = await run(['export', '--out', first], source);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/exists; use --force/);

    const imported = await run(['import', first], target);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^Imported \d+ records/);
    expect(imported.stdout).toMatch(/Restored \d+ vectors of the hashing model "hashing-v1"/);
    expect(imported.stdout).toMatch(/API keys are not part of snapshots: set HIVEGRAPH_BOOTSTRAP_ADMIN_KEY/);
    if (deployment === 'server') expect(imported.stdout).toMatch(/Rebuilt the FalkorDB graph: \d+ nodes, [1-9]\d* edges/);

    const second = path.join(dir, 'second.jsonl.gz');
    const reexported = await run(['export', '--out', second], target);
    expect(reexported.code, reexported.stderr).toBe(0);
    const firstText = await readFile(first, 'utf8');
    const secondText = gunzipSync(await readFile(second)).toString('utf8');
    const records = (text: string) => comparableLines(text).slice(1);
    expect(records(secondText)).toEqual(records(firstText));

    // `--out -` writes the snapshot to stdout and the summary to stderr.
    const piped = await run(['export', '--out', '-'], target);
    expect(piped.code).toBe(0);
    expect(records(piped.stdout)).toEqual(records(firstText));
    expect(piped.stderr).toMatch(/Exported \d+ records .* to stdout/);
  });

  it('rejects a conflicting, malformed or truncated file with 65 and the line, importing nothing; skip imports around conflicts', async () => {
    const file = path.join(dir, 'first.jsonl');
    const text = await readFile(file, 'utf8');
    const conflict = await run(['import', file], target);
    expect(conflict.code).toBe(65);
    expect(conflict.stderr).toMatch(/line 3: org \S+ already exists in the target/);
    expect(conflict.stderr).toMatch(/nothing was imported/);
    expect(conflict.stderr).not.toMatch(STACK_FRAME);

    const lines = text.trimEnd().split('\n');
    const truncated = path.join(dir, 'truncated.jsonl');
    await writeFile(truncated, `${lines.slice(0, -1).join('\n')}\n`);
    const cut = await run(['import', truncated], target);
    expect(cut.code).toBe(65);
    expect(cut.stderr).toMatch(new RegExp(`line ${lines.length}: the file ends without its end record: it is truncated`));

    const skipped = await run(['import', file, '--on-conflict', 'skip'], target);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/^Imported 0 records \(nothing\)/);
    expect(skipped.stdout).toMatch(/Skipped \d+ records the installation already had/);
  });
});
