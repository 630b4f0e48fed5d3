/**
 * The `hivegraph` command as a user runs it: every case spawns `node bin/hivegraph.js …` as a
 * real child process (no mocks) against the embedded default (PGlite + embedded graph store)
 * in a fresh temporary HIVEGRAPH_DATA_DIR, and talks to it over HTTP on 127.0.0.1.
 * The process plumbing is test/support/cli-process.ts.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../../src/config/config.ts';
import {
  embedded,
  expectAdmin,
  expectCleanFailure,
  keysIn,
  occupiedPort,
  output,
  postGraphQL,
  runCli,
  startServe,
  stopServe,
  tempDir,
  useCliProcesses,
} from '../support/cli-process.ts';

useCliProcesses();

// ---------------------------------------------------------------------------- the cases

describe('hivegraph serve (embedded default)', () => {
  it('first start prints the admin key, serves GraphQL and /readyz, stops on SIGTERM, and keeps its data across a restart', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const first = await startServe(await embedded(dataDir));

    const printed = keysIn(first.cli.stdout());
    expect(printed, output(first.cli)).toHaveLength(1);
    const adminKey = printed[0]!;
    await expectAdmin(first.graphqlUrl, adminKey);

    const anonymous = await postGraphQL(first.graphqlUrl, '{ me { handle } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const ready = await fetch(`${first.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { status: string; checks: { sql: { backend: string }; graph: { backend: string } } };
    expect(readiness.status).toBe('ready');
    expect(readiness.checks.sql.backend).toBe('pglite');
    expect(readiness.checks.graph.backend).toBe('sql');

    const stopped = await stopServe(first);
    // Soft, so the restart below is still checked when the shutdown is wrong.
    expect.soft(stopped, `serve should exit 0 on SIGTERM\n${output(first.cli)}`).toEqual({ code: 0, signal: null });

    const second = await startServe(await embedded(dataDir));
    expect(keysIn(second.cli.stdout()), 'no key is printed after the first start').toEqual([]);
    await expectAdmin(second.graphqlUrl, adminKey);
    const stoppedAgain = await stopServe(second);
    expect.soft(stoppedAgain, `serve should exit 0 on SIGTERM\n${output(second.cli)}`).toEqual({ code: 0, signal: null });
  });

  it('HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: nothing is printed and that exact key is the admin key', { timeout: 180_000 }, async () => {
    const bootstrapKey = randomBytes(16).toString('hex'); // 32 characters
    const served = await startServe(await embedded(await tempDir(), { HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: bootstrapKey }));
    expect(keysIn(served.cli.stdout())).toEqual([]);
    expect(served.cli.stdout()).not.toContain('Admin API key');
    await expectAdmin(served.graphqlUrl, bootstrapKey);
    const wrong = await postGraphQL(served.graphqlUrl, '{ me { handle } }', `${bootstrapKey}x`);
    expect(wrong.status).toBe(401);
    await stopServe(served);
  });

  it('a first start that fails after bootstrapping still leaves a way to see the admin key', { timeout: 180_000 }, async () => {
    // Start-up bootstraps (generating the admin key) before it binds the port. If binding
    // fails, the key must not be lost: the next successful start has to print one.
    const dataDir = await tempDir();
    const blocked = await runCli(['serve'], { HIVEGRAPH_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(await occupiedPort()) });
    expect(blocked.code, blocked.stderr).toBe(69);

    const served = await startServe(await embedded(dataDir));
    const printed = keysIn(served.cli.stdout());
    expect(printed, `the admin key of this data dir was never shown to anyone\n${output(served.cli)}`).toHaveLength(1);
    await expectAdmin(served.graphqlUrl, printed[0]!);
    await stopServe(served);
  });
});

describe('bad configuration stops start-up with one clear message and no stack trace', () => {
  it('DATABASE_URL that is not a URL → 78', { timeout: 120_000 }, async () => {
    const result = await runCli(['serve'], await embedded(await tempDir(), { DATABASE_URL: 'not a url' }));
    expectCleanFailure(result, 78, ['DATABASE_URL']);
  });

  it('two bad variables → 78, both named in one message', { timeout: 120_000 }, async () => {
    const result = await runCli(['serve'], { HIVEGRAPH_DATA_DIR: await tempDir(), PORT: 'abc', HIVEGRAPH_LOG_LEVEL: 'loud' });
    expectCleanFailure(result, 78, ['PORT', 'HIVEGRAPH_LOG_LEVEL']);
    const messages = result.stderr.split('\n').filter((line) => line.startsWith('hivegraph:'));
    expect(messages, 'one message').toHaveLength(1);
  });

  it('unreachable Postgres → 69, "Cannot reach Postgres", password not shown', { timeout: 120_000 }, async () => {
    const result = await runCli(
      ['serve'],
      await embedded(await tempDir(), { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/nothing' }),
    );
    expectCleanFailure(result, 69, ['Cannot reach Postgres']);
    expect(result.stderr).not.toContain('secret');
    expect(result.stdout).not.toContain('secret');
  });

  it('port already in use → 69, "already in use"', { timeout: 180_000 }, async () => {
    const port = await occupiedPort();
    const result = await runCli(['serve'], { HIVEGRAPH_DATA_DIR: await tempDir(), HOST: '127.0.0.1', PORT: String(port) });
    expectCleanFailure(result, 69, ['already in use']);
  });

  it('unreachable FalkorDB → 69, "Cannot reach FalkorDB"', { timeout: 180_000 }, async () => {
    const result = await runCli(['serve'], await embedded(await tempDir(), { FALKORDB_URL: 'falkor://127.0.0.1:1' }));
    expectCleanFailure(result, 69, ['Cannot reach FalkorDB']);
  });
});

describe('hivegraph migrate', () => {
  it('applies the migrations on a fresh data dir, then reports the database up to date', { timeout: 180_000 }, async () => {
    const vars = { HIVEGRAPH_DATA_DIR: await tempDir() };
    const first = await runCli(['migrate'], vars);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Applied [1-9]\d* migration\(s\); now at \S+\.$/m);
    expect(first.stderr).toMatch(/^applied \d+_\w+$/m);

    const second = await runCli(['migrate'], vars);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
    expect(second.stderr).not.toMatch(/^applied /m);
  });
});

describe('hivegraph keys create', () => {
  it('creates a working admin key on a bootstrapped data dir; an unknown --user → 65', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const bootstrapped = await startServe(await embedded(dataDir));
    const [firstKey] = keysIn(bootstrapped.cli.stdout());
    expect(firstKey).toBeDefined();
    await stopServe(bootstrapped); // a finished run: the data dir is free again

    const created = await runCli(['keys', 'create', '--name', 'ci'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^hg_[A-Za-z0-9_-]{43}\n$/);
    const newKey = created.stdout.trim();
    expect(newKey).not.toBe(firstKey);
    expect(created.stderr).not.toContain(newKey);

    const unknownUser = await runCli(['keys', 'create', '--name', 'x', '--user', 'nosuchuser'], { HIVEGRAPH_DATA_DIR: dataDir });
    expectCleanFailure(unknownUser, 65, ['nosuchuser']);
    expect(unknownUser.stdout).toBe('');

    const served = await startServe(await embedded(dataDir));
    await expectAdmin(served.graphqlUrl, newKey);
    await stopServe(served);

    // keys list shows both keys (never the keys themselves); keys revoke by prefix stops one working.
    const listed = await runCli(['keys', 'list'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+PREFIX\s+USER\s+NAME\s+TIER\s+CREATED\s+LAST USED$/m);
    expect(listed.stdout).toContain(newKey.slice(0, 8));
    expect(listed.stdout).not.toContain(newKey);
    const json = await runCli(['keys', 'list', '--json'], { HIVEGRAPH_DATA_DIR: dataDir });
    const keys = JSON.parse(json.stdout) as { prefix: string; handle: string; name: string }[];
    expect(keys.map((k) => k.name)).toContain('ci');
    expect(keys.every((k) => k.handle === 'admin')).toBe(true);
    const revoked = await runCli(['keys', 'revoke', newKey.slice(0, 8)], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked key "ci" \(prefix /);
    const afterRevoke = await runCli(['keys', 'list'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(afterRevoke.stdout).not.toContain(newKey.slice(0, 8));
    const withRevoked = await runCli(['keys', 'list', '--all'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(withRevoked.stdout).toContain(newKey.slice(0, 8));
    expectCleanFailure(await runCli(['keys', 'revoke', 'nosuchkey'], { HIVEGRAPH_DATA_DIR: dataDir }), 65, ['nosuchkey']);
    const again = await startServe(await embedded(dataDir));
    const denied = await postGraphQL(again.graphqlUrl, '{ me { handle } }', newKey);
    expect(denied.status).toBe(401);
    await stopServe(again);
  });

  it('without --name → 64', { timeout: 120_000 }, async () => {
    const result = await runCli(['keys', 'create'], { HIVEGRAPH_DATA_DIR: await tempDir() });
    expectCleanFailure(result, 64, ['--name']);
    expect(result.stdout).toBe('');
  });
});

describe('hivegraph orgs create and graph resync', () => {
  it('creates an org whose printed ADMIN key works and sees nothing of the default org; a taken name → 65', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const created = await runCli(['orgs', 'create', 'acme'], { HIVEGRAPH_DATA_DIR: dataDir });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^hg_[A-Za-z0-9_-]{43}\n$/);
    const key = created.stdout.trim();
    const again = await runCli(['orgs', 'create', 'acme'], { HIVEGRAPH_DATA_DIR: dataDir });
    expectCleanFailure(again, 65, ['acme']);
    const badName = await runCli(['orgs', 'create', 'Not An Org'], { HIVEGRAPH_DATA_DIR: dataDir });
    expectCleanFailure(badName, 65, ['org name']);

    const served = await startServe(await embedded(dataDir));
    const me = await postGraphQL(served.graphqlUrl, '{ me { handle role } users { edges { node { handle } } } }', key);
    expect(me.body).toEqual({ data: { me: { handle: 'admin', role: 'ADMIN' }, users: { edges: [{ node: { handle: 'admin' } }] } } });
    await stopServe(served);
  });

  it('graph resync on the embedded store says there is nothing to rebuild', { timeout: 120_000 }, async () => {
    const result = await runCli(['graph', 'resync'], { HIVEGRAPH_DATA_DIR: await tempDir() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/nothing to resync/);
  });
});

describe('embedding models and hivegraph reembed', () => {
  it('a start with another model refuses (78) naming reembed; reembed moves every artifact with progress; then the new model serves search', { timeout: 360_000 }, async () => {
    const dataDir = await tempDir();
    const key = randomBytes(16).toString('hex');
    const first = await startServe(await embedded(dataDir, { HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key }));
    for (let i = 0; i < 5; i++) {
      const created = await postGraphQL(
        first.graphqlUrl,
        `mutation { createArtifact(input: { kind: "note", title: "Runbook ${i}", content: "restart the ingest worker ${i}", visibility: ORG }) { id } }`,
        key,
      );
      expect(created.body.errors).toBeUndefined();
    }
    await stopServe(first);

    const other = { HIVEGRAPH_EMBEDDING_DIMENSION: '128' };
    const refused = await runCli(['serve'], await embedded(dataDir, { HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key, ...other }));
    expectCleanFailure(refused, 78, ['hivegraph reembed', '384 dimensions', '128 dimensions']);

    const reembedded = await runCli(['reembed', '--batch-size', '2'], { HIVEGRAPH_DATA_DIR: dataDir, ...other });
    expect(reembedded.code, reembedded.stderr).toBe(0);
    expect(reembedded.stderr).toMatch(/^reembed: 5\/5 artifacts \(100%\)/m);
    expect(reembedded.stdout).toMatch(/^Re-embedded 5 of 5 artifacts in [\d.]+ s; the HNSW index is built\. Active model: hashing model "hashing-v1" \(128 dimensions/m);

    const again = await runCli(['reembed'], { HIVEGRAPH_DATA_DIR: dataDir, ...other });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Re-embedded 0 of 5 artifacts/m);

    const served = await startServe(await embedded(dataDir, { HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key, ...other }));
    const ready = (await (await fetch(`${served.baseUrl}/readyz`)).json()) as { checks: { embedder: { backend: string; dimension: number } } };
    expect(ready.checks.embedder).toMatchObject({ backend: 'hashing', dimension: 128 });
    const { body } = await postGraphQL(served.graphqlUrl, '{ search(query: "ingest worker 3", mode: VECTOR, first: 1) { artifact { title } } }', key);
    expect(body.errors).toBeUndefined();
    expect((body.data as unknown as { search: { artifact: { title: string } }[] }).search[0]?.artifact.title).toBe('Runbook 3');
    await stopServe(served);

    // The old model is now the different one.
    const old = await runCli(['serve'], await embedded(dataDir, { HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key }));
    expectCleanFailure(old, 78, ['hivegraph reembed']);
  });

  it('with nothing configured, serve uses the local model when its weights are installed, else hashing with a warning', { timeout: 240_000 }, async () => {
    const modelPresent = await access(path.join(DEFAULT_MODEL_DIR, 'onnx', 'model.onnx')).then(() => true, () => false);
    const served = await startServe(await embedded(await tempDir(), { HIVEGRAPH_EMBEDDER: 'auto' }));
    const ready = (await (await fetch(`${served.baseUrl}/readyz`)).json()) as { checks: { embedder: { backend: string; status: string } } };
    expect(ready.checks.embedder.status).toBe('up');
    if (modelPresent) {
      expect(ready.checks.embedder.backend).toBe('local');
      expect(served.cli.stderr() + served.cli.stdout()).not.toMatch(/degraded/);
    } else {
      expect(ready.checks.embedder.backend).toBe('hashing');
      expect(served.cli.stderr() + served.cli.stdout()).toMatch(/Semantic search is degraded/);
    }
    await stopServe(served);
    const missing = await startServe(await embedded(await tempDir(), { HIVEGRAPH_EMBEDDER: 'auto', HIVEGRAPH_MODEL_DIR: await tempDir() }));
    expect(missing.cli.stderr() + missing.cli.stdout()).toMatch(/Semantic search is degraded: no local model at .*scripts\/models\.sh/);
    await stopServe(missing);
    const forced = await runCli(['serve'], await embedded(await tempDir(), { HIVEGRAPH_EMBEDDER: 'local', HIVEGRAPH_MODEL_DIR: await tempDir() }));
    expectCleanFailure(forced, 69, ['scripts/models.sh']);
  });
});

describe('hivegraph usage', () => {
  it('--help exits 0 and lists the commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code, result.stderr).toBe(0);
    for (const command of ['serve', 'migrate', 'keys', 'orgs', 'graph']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('an unknown command exits 64', async () => {
    const result = await runCli(['no-such-command']);
    expectCleanFailure(result, 64, ['no-such-command']);
  });
});
