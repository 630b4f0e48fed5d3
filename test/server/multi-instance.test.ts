/**
 * Several API instances on one Postgres: two real `hivegraph serve` processes share a fresh
 * database; an agent contributes and a reviewer approves through instance A, and a subscriber
 * connected to instance B sees the submission, the approval and the new artifact (events
 * travel by Postgres LISTEN/NOTIFY), and contributionReviewed fires on B too.
 * Needs Postgres: in the embedded run it is skipped with the reason printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';
import { createActor, ok, type Actor } from '../support/actors.ts';
import { backends, createTestDatabase, describeIfAvailable, type TestDatabase } from '../support/backends.ts';
import { wsClient } from '../support/server.ts';

const BIN = fileURLToPath(new URL('../../bin/hivegraph.js', import.meta.url));
const SERVING = /Hivegraph is serving GraphQL at (\S+)/;

interface Instance {
  child: ChildProcess;
  graphqlUrl: string;
  output: () => string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `hivegraph serve` with `vars` (and no inherited Hivegraph configuration). */
async function serve(vars: Record<string, string>): Promise<Instance> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, ...vars, PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 45_000);
    const check = () => {
      const match = SERVING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return { child, graphqlUrl, output: () => output };
}

async function stop(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

const databaseUrl = backends().databaseUrl;

describeIfAvailable(
  'two API instances on one Postgres',
  databaseUrl ? undefined : 'needs Postgres (DATABASE_URL): LISTEN/NOTIFY fan-out between processes',
  () => {
    const key = randomBytes(16).toString('hex');
    let db: TestDatabase;
    let dataDir: string;
    let a: Instance;
    let b: Instance;
    const clients: Client[] = [];

    beforeAll(async () => {
      db = await createTestDatabase(databaseUrl!);
      dataDir = await mkdtemp(path.join(tmpdir(), 'hg-multi-'));
      const vars = { DATABASE_URL: db.url, HIVEGRAPH_BOOTSTRAP_ADMIN_KEY: key, HIVEGRAPH_EMBEDDER: 'hashing', HIVEGRAPH_DATA_DIR: dataDir, HOST: '127.0.0.1' };
      a = await serve(vars);
      b = await serve(vars);
    }, 120_000);

    afterAll(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await Promise.all([stop(a), stop(b)]);
      await db?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('an approval made through instance A reaches a subscriber of instance B, with the new artifact', { timeout: 60_000 }, async () => {
      const A = { graphqlUrl: a.graphqlUrl };
      const B = { graphqlUrl: b.graphqlUrl };
      const agent: Actor = await createActor(A, key, 'multi-agent', 'AGENT');
      const reviewer: Actor = await createActor(A, key, 'multi-reviewer', 'REVIEWER');
      const watcher: Actor = await createActor(A, key, 'multi-watcher', 'MEMBER');

      const events: { type: string; artifact: { title: string } | null; contribution: { id: string; status: string } | null }[] = [];
      const reviewed: { id: string; status: string }[] = [];
      const client = wsClient(B, watcher.key);
      clients.push(client);
      client.subscribe<{ events: (typeof events)[number] }>(
        { query: 'subscription { events { type artifact { title } contribution { id status } } }' },
        { next: (r) => r.data && events.push(r.data.events), error: (e) => events.push({ type: `error ${JSON.stringify(e)}`, artifact: null, contribution: null }), complete: () => undefined },
      );
      client.subscribe<{ contributionReviewed: { id: string; status: string } }>(
        { query: 'subscription { contributionReviewed { id status } }' },
        { next: (r) => r.data && reviewed.push(r.data.contributionReviewed), error: () => undefined, complete: () => undefined },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));

      const submitted = await ok<{ contribute: { id: string; status: string } }>(
        A,
        agent.key,
        'mutation { contribute(input: { kind: "runbook", title: "Failover drill", content: "Promote the replica, then repoint the service." }) { id status } }',
      );
      expect(submitted.contribute.status).toBe('PENDING');
      await ok(A, reviewer.key, 'mutation ($id: ID!) { approveContribution(id: $id, note: "ok") { id } }', { id: submitted.contribute.id });

      const deadline = Date.now() + 15_000;
      while ((events.length < 3 || reviewed.length < 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      // The watcher (a MEMBER) sees the approval and the new ORG artifact; the PENDING submission
      // is only for the contributor and reviewers.
      expect(events.map((e) => e.type)).toEqual(['ARTIFACT_CREATED', 'CONTRIBUTION_APPROVED']);
      expect(events[0]!.artifact).toEqual({ title: 'Failover drill' });
      expect(events[1]!.contribution).toEqual({ id: submitted.contribute.id, status: 'APPROVED' });
      expect(reviewed).toEqual([{ id: submitted.contribute.id, status: 'APPROVED' }]);

      // And the reviewer, subscribed on B from the start of the log, replays the submission too.
      const replayed: string[] = [];
      const reviewerClient = wsClient(B, reviewer.key);
      clients.push(reviewerClient);
      reviewerClient.subscribe<{ events: { type: string } }>(
        { query: 'subscription { events(after: "0") { type } }' },
        { next: (r) => r.data && replayed.push(r.data.events.type), error: () => undefined, complete: () => undefined },
      );
      const until = Date.now() + 10_000;
      while (replayed.length < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(replayed).toEqual(['CONTRIBUTION_SUBMITTED', 'ARTIFACT_CREATED', 'CONTRIBUTION_APPROVED']);
    });
  },
);
