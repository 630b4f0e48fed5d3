/**
 * The events log and subscriptions on the run's backends, through real WebSockets
 * (graphql-ws): every state change appends an event; Query.events pages the visible ones;
 * Subscription.events replays from a cursor then streams live, in order, and a client that
 * reconnects with its last cursor gets exactly what it missed; visibility is checked per
 * subscriber per event; contributionReviewed; a slow subscriber is ended with a resume cursor
 * without delaying others; a revoked key ends its subscriptions.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriberLaggingError } from '../../src/services/index.ts';
import type { EventRecord } from '../../src/store/records.ts';
import { createActor, errorCode, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, wsClient, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix().replace(/[^a-z0-9]/gi, '');
let n = 0;
const word = (p: string) => `${p}${RUN}x${++n}`.toLowerCase();

const EVENT = 'cursor type actor { handle } artifactId artifact { id title } relationshipId contribution { id status }';
const EVENTS = `query ($after: String, $types: [EventType!], $first: Int) {
  events(after: $after, types: $types, first: $first) { edges { cursor node { ${EVENT} } } pageInfo { hasNextPage endCursor } } }`;
const CREATE = 'mutation ($t: String!, $v: Visibility) { createArtifact(input: { kind: "note", title: $t, content: $t, visibility: $v }) { id } }';

interface Ev {
  cursor: string;
  type: string;
  actor: { handle: string } | null;
  artifactId: string | null;
  artifact: { id: string; title: string } | null;
  relationshipId: string | null;
  contribution: { id: string; status: string } | null;
}

let server: TestServer;
let member: Actor;
let other: Actor;
const clients: Client[] = [];

async function create(key: string, title: string, visibility = 'ORG'): Promise<string> {
  return (await ok<{ createArtifact: { id: string } }>(server, key, CREATE, { t: title, v: visibility })).createArtifact.id;
}

async function latestCursor(key: string): Promise<string> {
  let after: string | null = null;
  for (;;) {
    const page: { events: { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await ok(server, key, EVENTS, {
      after,
      first: 100,
    });
    after = page.events.pageInfo.endCursor ?? after;
    if (!page.events.pageInfo.hasNextPage) return after ?? '0';
  }
}

/** A live subscription collecting events (and its error, if any). */
function subscribe(key: string, variables: Record<string, unknown>, query = `subscription ($after: String, $types: [EventType!]) { events(after: $after, types: $types) { ${EVENT} } }`) {
  const client = wsClient(server, key);
  clients.push(client);
  const received: Ev[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe<{ events: Ev }>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data?.events) received.push(result.data.events);
      },
      error: (error) => errors.push(error),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    received,
    errors,
    client,
    isCompleted: () => completed,
    async waitFor(count: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline && errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toEqual([]);
      expect(received.length, `received ${received.map((e) => e.type).join(',')}`).toBeGreaterThanOrEqual(count);
      return received;
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'default=100000/1', HIVEGRAPH_SUBSCRIPTION_BUFFER: '20' });
  member = await createActor(server, ADMIN_KEY, `evmember-${RUN}`, 'MEMBER');
  other = await createActor(server, ADMIN_KEY, `evother-${RUN}`, 'MEMBER');
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.stop();
});

describe('the events log', () => {
  it('every state change appends one event, in order, readable with Query.events', async () => {
    const start = await latestCursor(member.key);
    const a = await create(member.key, word('ev'));
    const b = await create(member.key, word('ev'));
    await ok(server, member.key, 'mutation ($id: ID!) { updateArtifact(id: $id, input: { content: "changed" }) { id } }', { id: a });
    const rel = await ok<{ relate: { id: string } }>(server, member.key, 'mutation ($a: ID!, $b: ID!) { relate(input: { fromId: $a, toId: $b, type: "CITES" }) { id } }', { a, b });
    await ok(server, member.key, 'mutation ($id: ID!) { unrelate(id: $id) }', { id: rel.relate.id });
    await ok(server, member.key, 'mutation ($id: ID!) { deleteArtifact(id: $id) { id } }', { id: b });
    await ok(server, member.key, 'mutation ($id: ID!) { restoreArtifact(id: $id) { id } }', { id: b });
    const page = await ok<{ events: { edges: { cursor: string; node: Ev }[] } }>(server, member.key, EVENTS, { after: start, first: 100 });
    const mine = page.events.edges.map((e) => e.node).filter((e) => [a, b].includes(e.artifactId ?? '') || e.relationshipId === rel.relate.id);
    expect(mine.map((e) => e.type)).toEqual([
      'ARTIFACT_CREATED',
      'ARTIFACT_CREATED',
      'ARTIFACT_UPDATED',
      'RELATIONSHIP_CREATED',
      'RELATIONSHIP_DELETED',
      'ARTIFACT_DELETED',
      'ARTIFACT_UPDATED',
    ]);
    expect(mine.every((e) => e.actor?.handle === member.handle)).toBe(true);
    const cursors = page.events.edges.map((e) => e.cursor);
    expect([...cursors].sort()).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    // Filtered by type, and paged.
    const created = await ok<{ events: { edges: { node: Ev }[]; pageInfo: { hasNextPage: boolean } } }>(server, member.key, EVENTS, {
      after: start,
      types: ['RELATIONSHIP_CREATED'],
      first: 1,
    });
    expect(created.events.edges.map((e) => e.node.relationshipId)).toEqual([rel.relate.id]);
  });

  it('a failed mutation appends nothing', async () => {
    const start = await latestCursor(member.key);
    const id = await create(member.key, word('stale'));
    const stale = await server.services.auth.authenticate(`Bearer ${member.key}`);
    await expect(server.services.artifacts.update(stale, Buffer.from(id, 'base64url').toString().split(':')[1]!, { content: 'x' }, 7)).rejects.toThrow(/revision/);
    const page = await ok<{ events: { edges: { node: Ev }[] } }>(server, member.key, EVENTS, { after: start });
    expect(page.events.edges.map((e) => e.node.type)).toEqual(['ARTIFACT_CREATED']);
  });

  it('nobody sees events about artifacts they cannot see (a relationship: either end)', async () => {
    const start = await latestCursor(ADMIN_KEY);
    const hidden = await create(member.key, word('hidden'), 'PRIVATE');
    const shown = await create(member.key, word('shown'), 'ORG');
    await ok(server, member.key, 'mutation ($a: ID!, $b: ID!) { relate(input: { fromId: $a, toId: $b, type: "SEES" }) { id } }', { a: shown, b: hidden });
    const asOther = await ok<{ events: { edges: { node: Ev }[] } }>(server, other.key, EVENTS, { after: start });
    expect(asOther.events.edges.map((e) => e.node.artifactId)).toEqual([shown]);
    const asOwner = await ok<{ events: { edges: { node: Ev }[] } }>(server, member.key, EVENTS, { after: start });
    expect(asOwner.events.edges.map((e) => e.node.type)).toEqual(['ARTIFACT_CREATED', 'ARTIFACT_CREATED', 'RELATIONSHIP_CREATED']);
  });

  it('a malformed cursor or first over 100 is BAD_USER_INPUT', async () => {
    expect(await errorCode(server, member.key, EVENTS, { after: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
    expect(await errorCode(server, member.key, EVENTS, { first: 101 })).toBe('BAD_USER_INPUT');
  });
});

describe('Subscription.events', () => {
  it('replays after the cursor, then streams live, in order, without duplicates', async () => {
    const start = await latestCursor(member.key);
    const before = [await create(member.key, word('r')), await create(member.key, word('r'))];
    const sub = subscribe(member.key, { after: start });
    await sub.waitFor(2);
    const live = [await create(member.key, word('l')), await create(member.key, word('l'))];
    const got = await sub.waitFor(4);
    expect(got.map((e) => e.artifactId)).toEqual([...before, ...live]);
    expect(got.map((e) => e.artifact?.id)).toEqual([...before, ...live]);
    expect([...got.map((e) => e.cursor)].sort()).toEqual(got.map((e) => e.cursor));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sub.received).toHaveLength(4);
    await sub.close();
  });

  it('a client that disconnects and resumes with its last cursor receives exactly the missed events, in order', async () => {
    const start = await latestCursor(member.key);
    const first = subscribe(member.key, { after: start });
    const seen = [await create(member.key, word('s')), await create(member.key, word('s'))];
    await first.waitFor(2);
    const last = first.received.at(-1)!.cursor;
    await first.close();
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push(await create(member.key, word('m')));
    const resumed = subscribe(member.key, { after: last });
    await resumed.waitFor(5);
    expect(resumed.received.map((e) => e.artifactId)).toEqual(missed);
    const after = await create(member.key, word('after'));
    await resumed.waitFor(6);
    expect(resumed.received.map((e) => e.artifactId)).toEqual([...missed, after]);
    expect(first.received.map((e) => e.artifactId)).toEqual(seen);
    await resumed.close();
  });

  it('without a cursor it starts with the next event; types filter; each subscriber sees only what it may', async () => {
    const mine = subscribe(member.key, { types: ['ARTIFACT_CREATED'] });
    const theirs = subscribe(other.key, {});
    await new Promise((resolve) => setTimeout(resolve, 300)); // both subscribed
    const priv = await create(member.key, word('p'), 'PRIVATE');
    const pub = await create(member.key, word('o'), 'ORG');
    await ok(server, member.key, 'mutation ($id: ID!) { updateArtifact(id: $id, input: { content: "c" }) { id } }', { id: pub });
    await mine.waitFor(2);
    await theirs.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mine.received.map((e) => [e.type, e.artifactId])).toEqual([
      ['ARTIFACT_CREATED', priv],
      ['ARTIFACT_CREATED', pub],
    ]);
    expect(theirs.received.map((e) => [e.type, e.artifactId])).toEqual([
      ['ARTIFACT_CREATED', pub],
      ['ARTIFACT_UPDATED', pub],
    ]);
    await mine.close();
    await theirs.close();
  });

  it('a client that stops a subscription is unregistered at once, even in a quiet org', async () => {
    // Earlier tests closed their subscriptions: once those are gone the count is 0.
    const settle = Date.now() + 5000;
    while (server.services.events.subscriptionCount() > 0 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = server.services.events.subscriptionCount();
    expect(before).toBe(0);
    const sub = subscribe(member.key, {});
    const deadline = Date.now() + 5000;
    while (server.services.events.subscriptionCount() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.services.events.subscriptionCount()).toBe(before + 1);
    await sub.close();
    const until = Date.now() + 5000;
    while (server.services.events.subscriptionCount() > before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.services.events.subscriptionCount()).toBe(before);
  });

  it('contributionReviewed delivers approvals to the org', async () => {
    const agent = await createActor(server, ADMIN_KEY, `evagent-${RUN}`, 'AGENT');
    const client = wsClient(server, other.key);
    clients.push(client);
    const reviewed: { id: string; status: string }[] = [];
    const dispose = client.subscribe<{ contributionReviewed: { id: string; status: string } }>(
      { query: 'subscription { contributionReviewed { id status } }' },
      { next: (r) => r.data && reviewed.push(r.data.contributionReviewed), error: () => undefined, complete: () => undefined },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const c = await ok<{ contribute: { id: string } }>(server, agent.key, 'mutation { contribute(input: { kind: "note", content: "reviewed soon", visibility: ORG }) { id } }');
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { approveContribution(id: $id) { id } }', { id: c.contribute.id });
    const deadline = Date.now() + 10_000;
    while (reviewed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reviewed).toEqual([{ id: c.contribute.id, status: 'APPROVED' }]);
    dispose();
  });

  it('a revoked API key ends its subscriptions', { timeout: 20_000 }, async () => {
    const temp = await createActor(server, ADMIN_KEY, `evtemp-${RUN}`, 'MEMBER');
    const sub = subscribe(temp.key, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    const keys = await ok<{ apiKeys: { edges: { node: { id: string } }[] } }>(server, ADMIN_KEY, 'query ($u: ID!) { apiKeys(userId: $u) { edges { node { id } } } }', { u: temp.id });
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: keys.apiKeys.edges[0]!.node.id });
    const deadline = Date.now() + 12_000;
    while (sub.errors.length === 0 && !sub.isCompleted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(JSON.stringify(sub.errors)).toMatch(/UNAUTHENTICATED|revoked|4401/);
  });
});

describe('slow subscribers (service level)', () => {
  it('one that stops reading is ended with a resume cursor; the others get every event meanwhile', async () => {
    const viewer = await server.services.auth.authenticate(`Bearer ${member.key}`);
    const slow = server.services.events.subscribe(viewer, { types: ['ARTIFACT_CREATED'] });
    const fast = server.services.events.subscribe(viewer, { types: ['ARTIFACT_CREATED'] });
    // Start both (the first next() registers them), and keep reading only the fast one.
    const slowFirst = slow.next();
    const fastFirst = fast.next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The fast one reads as events arrive.
    const fastGot: EventRecord[] = [];
    const reading = (async () => {
      fastGot.push((await fastFirst).value!);
      while (fastGot.length < 30) fastGot.push((await fast.next()).value!);
    })();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await create(member.key, word('burst')));
    await reading;
    expect(fastGot.map((e) => Buffer.from(`Artifact:${e.artifactId}`).toString('base64url'))).toEqual(ids);
    // The slow one got its first event, then fell more than 20 behind.
    const firstSlow = (await slowFirst).value!;
    const error = await slow.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SubscriberLaggingError);
    const lag = error as SubscriberLaggingError;
    expect(lag.code).toBe('SERVICE_UNAVAILABLE');
    expect(lag.resumeAfter).toBe(firstSlow.cursor);
    expect(lag.extensions['resumeAfter']).toBe(String(firstSlow.cursor).padStart(16, '0'));
    // Resuming from the cursor delivers the rest.
    const resumed = server.services.events.subscribe(viewer, { after: lag.resumeAfter, types: ['ARTIFACT_CREATED'] });
    const rest = [];
    while (rest.length < 29) rest.push((await resumed.next()).value!);
    expect(rest.map((e) => e.cursor)).toEqual(fastGot.slice(1).map((e) => e.cursor));
    await fast.return!();
    await resumed.return!();
  });
});

describe('retention', () => {
  it('prunes events older than the retention period; resuming from before them is BAD_USER_INPUT, after them works', async () => {
    const id = await create(member.key, word('old'));
    const cursor = (await ok<{ events: { edges: { cursor: string; node: Ev }[] } }>(server, member.key, EVENTS, { after: null, first: 100 }))
      .events.edges.find((e) => e.node.artifactId === id)!.cursor;
    await server.sql.query(`UPDATE events SET occurred_at = now() - interval '40 days' WHERE cursor <= $1`, [Number(cursor)]);
    expect(await server.services.events.prune()).toBeGreaterThan(0);
    expect(await errorCode(server, member.key, EVENTS, { after: null })).toBe('BAD_USER_INPUT');
    const sub = subscribe(member.key, { after: '0' });
    const deadline = Date.now() + 5000;
    while (sub.errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.stringify(sub.errors)).toMatch(/deleted by retention/);
    const fresh = await create(member.key, word('fresh'));
    const page = await ok<{ events: { edges: { node: Ev }[] } }>(server, member.key, EVENTS, { after: cursor });
    expect(page.events.edges.map((e) => e.node.artifactId)).toContain(fresh);
  });
});
