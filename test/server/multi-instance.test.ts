/**
 * Several API instances on one Postgres: two real `hivegraph serve` processes share a fresh
 * database; an agent contributes and a reviewer approves through instance A, and a subscriber
 * connected to instance B sees the submission, the approval and the new artifact (events
 * travel by Postgres LISTEN/NOTIFY), and contributionReviewed fires on B too. Subscribers spread
 * over both instances get every write made through A exactly once, in order, and one that
 * disconnects from B resumes on A from its last cursor without gap or duplicate.
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
        'mutation { contribute(input: { kind: "runbook", title: "Failover drill", content: "Promote the replica, then repoint the service.", visibility: ORG }) { id status } }',
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

    it('subscribers on both instances get every write of A once, in order; one resumes on A after leaving B', { timeout: 90_000 }, async () => {
      const A = { graphqlUrl: a.graphqlUrl };
      const B = { graphqlUrl: b.graphqlUrl };
      const writer: Actor = await createActor(A, key, 'spread-writer', 'MEMBER');
      const watchers: Actor[] = [];
      for (let i = 0; i < 3; i++) watchers.push(await createActor(A, key, `spread-watcher-${i}`, 'MEMBER'));
      const query = 'subscription ($after: String) { events(after: $after, types: [ARTIFACT_CREATED]) { cursor artifact { title } } }';
      type Got = { cursor: string; artifact: { title: string } | null };
      const watch = (instance: { graphqlUrl: string }, actor: Actor, after?: string) => {
        const client = wsClient(instance, actor.key);
        clients.push(client);
        const got: Got[] = [];
        const errors: unknown[] = [];
        client.subscribe<{ events: Got }>({ query, variables: { after } }, { next: (r) => (r.data ? got.push(r.data.events) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => undefined });
        return { client, got, errors };
      };
      const waitUntil = async (condition: () => boolean, what: string) => {
        const deadline = Date.now() + 20_000;
        while (!condition()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      // Two subscriptions per watcher on each instance (12), and one that will move from B to A.
      const steady = watchers.flatMap((w) => [watch(A, w), watch(A, w), watch(B, w), watch(B, w)]);
      const mover = watch(B, watchers[0]!);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const titles = Array.from({ length: 10 }, (_, i) => `spread-${i}`);
      const write = (title: string) =>
        ok(A, writer.key, 'mutation ($t: String!) { createArtifact(input: { kind: "note", title: $t, content: $t, visibility: ORG }) { id } }', { t: title });
      for (const title of titles.slice(0, 5)) await write(title);
      await waitUntil(() => mover.got.length >= 5, 'the mover to receive 5 events on B');
      expect(mover.got.map((e) => e.artifact?.title)).toEqual(titles.slice(0, 5));
      await mover.client.dispose();
      for (const title of titles.slice(5)) await write(title);
      const resumed = watch(A, watchers[0]!, mover.got.at(-1)!.cursor);
      await waitUntil(() => resumed.got.length >= 5 && steady.every((s) => s.got.length >= 10), 'every subscriber to receive all 10 events');
      await new Promise((resolve) => setTimeout(resolve, 500)); // anything duplicated would arrive by now
      for (const s of [...steady, resumed]) expect(s.errors).toEqual([]);
      for (const s of steady) {
        expect(s.got.map((e) => e.artifact?.title)).toEqual(titles);
        const cursors = s.got.map((e) => e.cursor);
        expect([...cursors].sort()).toEqual(cursors);
      }
      // The same cursors whichever instance delivered them.
      expect(new Set(steady.map((s) => s.got.map((e) => e.cursor).join(','))).size).toBe(1);
      expect(resumed.got.map((e) => e.artifact?.title)).toEqual(titles.slice(5));
      expect([...mover.got, ...resumed.got].map((e) => e.cursor)).toEqual(steady[0]!.got.map((e) => e.cursor));
    });
  },
);
