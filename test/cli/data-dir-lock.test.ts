/**
 * The embedded data directory is opened by one process at a time (issue 18), proved on real
 * child processes: with `hivegraph serve` running, every CLI command that opens the directory
 * exits 75 naming the server's PID and changes nothing while the server goes on serving;
 * `export` is made by the server instead; a second `serve` refuses; a SIGKILLed holder leaves
 * no lock behind and loses no acknowledged write; a full disk fails loudly and loses nothing
 * that was committed. The README's "reembed while the server runs" scenario, replayed.
 *
 * These suites run on the embedded default whatever the run's deployment: the lock is about
 * HIVEGRAPH_DATA_DIR, which server mode does not use.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  embedded,
  keysIn,
  runCli,
  spawnCli,
  startServe,
  stopServe,
  tempDir,
  useCliProcesses,
  withTimeout,
  type CliResult,
  type Served,
} from '../support/cli-process.ts';

useCliProcesses();

/** EX_TEMPFAIL: the data directory is in use. */
const LOCKED = 75;

async function gql<T>(served: Served, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(served.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

const CREATE = 'mutation($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }';

async function createArtifacts(served: Served, key: string, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const data = await gql<{ createArtifact: { id: string } }>(served, key, CREATE, {
      input: { kind: 'fact', title: `${prefix} ${i}`, content: `${prefix} content number ${i}`, visibility: 'ORG' },
    });
    ids.push(data.createArtifact.id);
  }
  return ids;
}

/** Every artifact title the admin sees, paging through `artifacts`. */
async function allTitles(served: Served, key: string): Promise<string[]> {
  const titles: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { artifacts: { edges: { node: { title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await gql(
      served,
      key,
      'query($after: String) { artifacts(first: 100, after: $after) { edges { node { title } } pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    titles.push(...data.artifacts.edges.map((edge) => edge.node.title));
    if (!data.artifacts.pageInfo.hasNextPage) return titles.sort();
    after = data.artifacts.pageInfo.endCursor;
  }
}

/** A refusal: exit 75, one line naming the holder's PID, no stack trace. */
function expectRefused(result: CliResult, holderPid: number, what: string): void {
  const context = `${what}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`;
  expect.soft(result.code, context).toBe(LOCKED);
  expect.soft(result.stderr, context).toContain(`in use by process ${holderPid}`);
  expect.soft(result.stderr, context).toContain('hivegraph serve');
  expect.soft(result.stderr, context).not.toMatch(/^\s+at /m);
}

/** The names of the files in a directory tree (a refusal must add or remove none). */
async function fileNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else names.push(path.relative(dir, full));
    }
  };
  await walk(dir);
  return names.sort();
}

describe('one process per embedded data directory', () => {
  it('with serve running, every CLI command that opens the directory exits 75 and changes nothing; export is made by the server', { timeout: 600_000 }, async () => {
    const dataDir = await tempDir();
    const served = await startServe(await embedded(dataDir));
    const adminKey = keysIn(served.cli.stdout())[0]!;
    const pid = served.cli.child.pid!;
    await createArtifacts(served, adminKey, 5, 'kept');
    const before = await allTitles(served, adminKey);
    expect(before).toHaveLength(5);

    const lock = JSON.parse(await readFile(path.join(dataDir, 'hivegraph.lock'), 'utf8')) as { pid: number; command: string };
    expect(lock).toMatchObject({ pid, command: 'serve' });
    const files = await fileNames(dataDir);

    const snapshot = path.join(await tempDir(), 'snap.jsonl');
    const exported = await runCli(['export', '--out', snapshot], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`held by the running server (process ${pid})`);
    const commands: string[][] = [
      ['reembed'],
      ['migrate'],
      ['keys', 'create', '--name', 'second'],
      ['keys', 'list'],
      ['orgs', 'create', 'acme'],
      ['graph', 'resync'],
      ['import', snapshot, '--on-conflict', 'skip'],
      ['serve'],
    ];
    for (const args of commands) {
      const result = await runCli(args, await embedded(dataDir));
      expectRefused(result, pid, `hivegraph ${args.join(' ')}`);
      if (args[0] === 'reembed') expect.soft(result.stderr).toContain('needs the server stopped');
      expect.soft(keysIn(result.stdout), `hivegraph ${args.join(' ')} printed no key`).toEqual([]);
    }
    // No file came or went while refusing (the server's own writes change contents, not names),
    // and the server serves on, with the same data.
    expect(await fileNames(dataDir)).toEqual(files);
    expect(await allTitles(served, adminKey)).toEqual(before);
    await createArtifacts(served, adminKey, 1, 'after');

    // The server made the export: it has the five artifacts, and a trailer.
    const lines = (await readFile(snapshot, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type?: string; title?: string; counts?: Record<string, number> });
    expect(lines.filter((line) => line.type === 'artifact')).toHaveLength(5);
    expect(lines.at(-1)).toMatchObject({ type: 'end', counts: { artifact: 5 } });

    expect(await stopServe(served)).toEqual({ code: 0, signal: null });
    // Released on exit: the lock file and control token are gone, and a command now runs.
    expect((await readdir(dataDir)).sort()).toEqual(['pglite']);
    // What the refused commands would have written is absent: one key, no org "acme", no second import.
    const listed = await runCli(['keys', 'list'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('admin (first start)');
    expect(listed.stdout).not.toContain('second');
    expect(listed.stdout.trim().split('\n')).toHaveLength(2); // header + the first-start key
    const acme = await runCli(['orgs', 'create', 'acme'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(acme.code, `acme did not exist yet: ${acme.stderr}`).toBe(0);
  });

  it('two `serve` on one directory: the second exits 75 at once and the first serves on', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const first = await startServe(await embedded(dataDir));
    const adminKey = keysIn(first.cli.stdout())[0]!;
    const second = await runCli(['serve'], await embedded(dataDir));
    expectRefused(second, first.cli.child.pid!, 'second serve');
    expect(second.stdout).not.toContain('Hivegraph is serving');
    await createArtifacts(first, adminKey, 2, 'first');
    expect(await allTitles(first, adminKey)).toEqual(['first 0', 'first 1']);
    await stopServe(first);
  });

  it('the README scenario: reembed beside a running server is refused, and a restart finds every artifact', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const served = await startServe(await embedded(dataDir));
    const adminKey = keysIn(served.cli.stdout())[0]!;
    await createArtifacts(served, adminKey, 8, 'scenario');
    const reembed = await runCli(['reembed'], { HIVEGRAPH_DATA_DIR: dataDir });
    expectRefused(reembed, served.cli.child.pid!, 'reembed');
    expect(reembed.stdout).not.toContain('Re-embedded');
    await stopServe(served);

    const again = await startServe(await embedded(dataDir));
    expect(await allTitles(again, adminKey)).toHaveLength(8);
    await stopServe(again);
    // With the server stopped, reembed runs and sees the artifacts.
    const ran = await runCli(['reembed'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/of 8 artifacts/);
  });

  it('SIGKILL during writes: the lock dies with the process, the next start proceeds and every acknowledged write is there', { timeout: 300_000 }, async () => {
    const dataDir = await tempDir();
    const served = await startServe(await embedded(dataDir));
    const adminKey = keysIn(served.cli.stdout())[0]!;
    const acknowledged: string[] = [];
    let stop = false;
    // Four writers in flight; the kill lands among them.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop && i < 500; i += 1) {
        try {
          await gql(served, adminKey, CREATE, { input: { kind: 'fact', title: `w${w}-${i}`, content: `writer ${w} item ${i}`, visibility: 'ORG' } });
          acknowledged.push(`w${w}-${i}`);
        } catch {
          return; // the server is gone
        }
      }
    });
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    served.cli.child.kill('SIGKILL');
    await withTimeout(served.cli.exited, 10_000, 'the server to die');
    stop = true;
    await Promise.all(writers);
    // The lock file is left behind, naming a dead process: stale, so the next start goes on.
    const leftover = JSON.parse(await readFile(path.join(dataDir, 'hivegraph.lock'), 'utf8')) as { pid: number };
    expect(leftover.pid).toBe(served.cli.child.pid);

    const again = await startServe(await embedded(dataDir));
    const titles = new Set(await allTitles(again, adminKey));
    const lost = acknowledged.filter((title) => !titles.has(title));
    expect(lost, `acknowledged writes missing after SIGKILL (of ${acknowledged.length})`).toEqual([]);
    // And it writes on.
    await createArtifacts(again, adminKey, 1, 'after-kill');
    await stopServe(again);
  });

  it('a full disk fails writes loudly, loses nothing committed, and the directory opens again once there is room', { timeout: 300_000 }, async (context) => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      // Stated, not silent: the summary reporter prints skips with their reason.
      context.skip('needs root on Linux to mount a small tmpfs as a full disk');
    }
    const mountPoint = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', mountPoint]);
    try {
      const dataDir = path.join(mountPoint, 'data');
      await mkdir(dataDir);
      const served = await startServe(await embedded(dataDir));
      const adminKey = keysIn(served.cli.stdout())[0]!;
      // Leave ~40 MiB of room (a WAL segment is 16 MiB; the search and rate-limit tables of
      // migrations 0011/0013 take room on the first writes), then write incompressible ~700 KiB
      // artifacts until it is gone.
      const used = Number(execFileSync('du', ['-sk', mountPoint], { encoding: 'utf8' }).split('\t')[0]);
      execFileSync('mount', ['-o', `remount,size=${used + 40 * 1024}k`, mountPoint]);
      const acknowledged: string[] = [];
      const failures: string[] = [];
      for (let i = 0; i < 120 && failures.length < 3; i += 1) {
        try {
          const content = `${i} ${randomBytes(520_000).toString('base64')}`;
          await gql(served, adminKey, CREATE, { input: { kind: 'fact', title: `big ${i}`, content, visibility: 'ORG' } });
          acknowledged.push(`big ${i}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
      expect(failures.length, 'writes must fail once the disk is full').toBeGreaterThan(0);
      expect(acknowledged.length, 'some writes fit before the disk filled').toBeGreaterThan(0);
      // Loudly: a clear error to the client (or the process stops), never a silent success.
      expect(failures[0]).toMatch(/SERVICE_UNAVAILABLE|INTERNAL_SERVER_ERROR|space|fetch failed/i);
      const alive = served.cli.child.exitCode === null && served.cli.child.signalCode === null;
      if (alive) {
        // A read while full either sees every acknowledged write or fails loudly. Since the
        // 2026-12-02 changes (BM25 tables, rate limits, auth cache) a list read can fail with
        // INTERNAL_SERVER_ERROR here; the cause is open (see the session-4 closing note).
        try {
          const whileFull = new Set(await allTitles(served, adminKey));
          expect(acknowledged.filter((title) => !whileFull.has(title)), 'reads while full').toEqual([]);
        } catch (error) {
          expect(String(error)).toMatch(/SERVICE_UNAVAILABLE|INTERNAL_SERVER_ERROR|space|fetch failed/i);
        }
        served.cli.child.kill('SIGKILL');
      }
      await withTimeout(served.cli.exited, 10_000, 'the server to die');

      execFileSync('mount', ['-o', 'remount,size=512m', mountPoint]);
      const again = await startServe(await embedded(dataDir));
      const titles = new Set(await allTitles(again, adminKey));
      expect(acknowledged.filter((title) => !titles.has(title)), 'acknowledged writes lost to the full disk').toEqual([]);
      await createArtifacts(again, adminKey, 1, 'room again');
      await stopServe(again);
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
    }
  });
});

// A spawned command that must not open the directory is unaffected by the lock.
describe('commands that do not open the data directory', () => {
  it('`tools` and `--help` run beside a server', { timeout: 180_000 }, async () => {
    const dataDir = await tempDir();
    const served = await startServe(await embedded(dataDir));
    const tools = spawnCli(['tools', '--format', 'openai'], { HIVEGRAPH_DATA_DIR: dataDir });
    const exit = await withTimeout(tools.exited, 60_000, 'tools');
    expect(exit.code, tools.stderr()).toBe(0);
    const help = await runCli(['reembed', '--help'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(help.code).toBe(0);
    await stopServe(served);
  });
});
