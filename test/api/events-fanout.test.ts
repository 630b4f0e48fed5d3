/**
 * Live fan-out at scale, on the run's backends through real WebSockets: the SQL statements an
 * event costs do not grow with the number of subscribers (counted, not timed: 1 vs 20 vs 50
 * subscribers selecting `cursor type actor { handle } artifact { id title }`), and subscribers
 * that share one execution still get only what each may see.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, wsClient, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix().replace(/[^a-z0-9]/gi, '').toLowerCase();
const SELECTION = 'subscription { events(types: [ARTIFACT_CREATED]) { cursor type actor { handle } artifact { id title } } }';
const CREATE = 'mutation ($t: String!) { createArtifact(input: { kind: "note", title: $t, content: $t, visibility: ORG }) { id } }';
const EVENTS_PER_ROUND = 3;

interface Received {
  cursor: string;
  type: string;
  actor: { handle: string } | null;
  artifact: { id: string; title: string } | null;
}

/** What the server does in the background, whatever the subscribers: left out of the count. */
const BACKGROUND = [
  /FROM api_keys k JOIN users u/, // authentication of the writer's requests
  /UPDATE api_keys SET last_used_at/,
  /api_key_usage/,
  /DELETE FROM events/,
  /FROM api_keys WHERE id = ANY/, // the subscriptions' 5-s refresh: revoked keys…
  /FROM group_members m JOIN groups g/, // …and groups
  /embedding_model_id IS DISTINCT FROM/,
  // The graph projection of each write runs after its commit, so it may end after the last
  // delivery: its statements (and every transaction's BEGIN / COMMIT) are left out.
  /^\s*(BEGIN|COMMIT|ROLLBACK)\b/,
  /graph_outbox/,
  /AS deleted/,
  /FROM relationships WHERE id = ANY/,
  /SELECT id FROM groups WHERE org_id/,
  /^SELECT pg_advisory_xact_lock\(\$1\)$/,
];

let server: TestServer;
let statements: string[] = [];
let recording = false;
const members: Actor[] = [];
const clients: Client[] = [];

function open(key: string, query = SELECTION) {
  const client = wsClient(server, key);
  clients.push(client);
  const received: Received[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<{ events: Received }>(
    { query },
    { next: (r) => (r.errors ? errors.push(...r.errors) : r.data && received.push(r.data.events)), error: (e) => errors.push(e), complete: () => undefined },
  );
  return {
    received,
    errors,
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Statements per event with `count` subscribers, and what each received. */
async function round(count: number): Promise<{ statements: string[]; received: Received[][] }> {
  const subs = members.slice(0, count).map((m) => open(m.key));
  await until(() => server.services.events.subscriptionCount() === count, `${count} subscriptions`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  statements = [];
  recording = true;
  const titles: string[] = [];
  for (let i = 0; i < EVENTS_PER_ROUND; i++) {
    titles.push(`fanout-${RUN}-${count}-${i}`);
    await ok(server, ADMIN_KEY, CREATE, { t: titles[i] });
  }
  await until(() => subs.every((s) => s.received.length >= EVENTS_PER_ROUND || s.errors.length > 0), `${count} subscribers to receive ${EVENTS_PER_ROUND} events`);
  recording = false;
  for (const s of subs) {
    expect(s.errors).toEqual([]);
    expect(s.received.map((e) => e.artifact?.title)).toEqual(titles);
  }
  await Promise.all(subs.map((s) => s.close()));
  await until(() => server.services.events.subscriptionCount() === 0, 'subscriptions to end');
  return { statements: statements.filter((s) => !BACKGROUND.some((re) => re.test(s))), received: subs.map((s) => s.received) };
}

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'default=100000/1' }, { onStatement: (text) => recording && statements.push(text) });
  for (let i = 0; i < 50; i++) members.push(await createActor(server, ADMIN_KEY, `fan${i}-${RUN}`, 'MEMBER'));
  // The graph projector works in the background on its own statements: keep them out of the count.
  await server.services.projector.drain();
  await server.services.projector.stop();
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.stop();
});

describe('fan-out cost', () => {
  it('statements per event stay the same for 1, 20 and 50 subscribers', { timeout: 120_000 }, async () => {
    const one = await round(1);
    const twenty = await round(20);
    const fifty = await round(50);
    const perEvent = (r: { statements: string[] }) => r.statements.length / EVENTS_PER_ROUND;
    process.stdout.write(`[events-fanout] statements per event: 1 subscriber ${perEvent(one)}, 20: ${perEvent(twenty)}, 50: ${perEvent(fifty)}\n`);
    // The feed's event fetches depend on timing (a notification, or the 5-s poll, may find
    // nothing new), not on subscribers: compared apart, with a bound.
    const fetches = (r: { statements: string[] }) => r.statements.filter((s) => /FROM events e/.test(s)).length;
    const rest = (r: { statements: string[] }) => r.statements.length - fetches(r);
    expect(rest(twenty)).toBe(rest(one));
    expect(rest(fifty)).toBe(rest(one));
    for (const r of [one, twenty, fifty]) expect(fetches(r)).toBeLessThanOrEqual(2 * EVENTS_PER_ROUND + 1);
    // The feed's own share: fetching the events and reading their records (artifact, actor).
    const feed = fifty.statements.filter((s) => /FROM events e|FROM artifacts a WHERE a\.id = ANY\(\$1::uuid\[\]\)$|FROM users WHERE/.test(s.replace(/\s+/g, ' ').trim()));
    process.stdout.write(`[events-fanout] of which the feed's (events, artifact, actor): ${feed.length / EVENTS_PER_ROUND}\n`);
    expect(feed.length).toBeGreaterThanOrEqual(EVENTS_PER_ROUND);
    expect(feed.length / EVENTS_PER_ROUND).toBeLessThanOrEqual(5);
    // No per-subscriber read of the artifact through the visibility predicate.
    expect(fifty.statements.filter((s) => /visibility = 'PUBLIC'/.test(s)).length).toBe(one.statements.filter((s) => /visibility = 'PUBLIC'/.test(s)).length);
  });
});

describe('shared executions keep per-subscriber visibility', () => {
  it('subscribers in and out of a group, on one document, each get only what they may see', { timeout: 60_000 }, async () => {
    const admin = await server.services.auth.authenticate(`Bearer ${ADMIN_KEY}`);
    const inside: Actor = await createActor(server, ADMIN_KEY, `inside-${RUN}`, 'MEMBER');
    const outside: Actor = await createActor(server, ADMIN_KEY, `outside-${RUN}`, 'MEMBER');
    const group = await server.services.groups.create(admin, `fanout-g-${RUN}`);
    const rawId = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;
    await server.services.groups.addMember(admin, group.id, rawId(inside.id), 'MEMBER');
    const query = 'subscription { events(types: [ARTIFACT_CREATED]) { type artifact { id title } } }';
    // Two subscriptions each, so each visibility class has more than one member.
    const subs = [open(inside.key, query), open(inside.key, query), open(outside.key, query), open(outside.key, query)];
    await until(() => server.services.events.subscriptionCount() === subs.length, 'subscriptions');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Refresh picks up the new membership within 5 s; the subscriptions above read it at start.
    const base = { kind: 'note', content: 'c' };
    const shared = await server.services.artifacts.create(admin, { ...base, name: `g-${RUN}`, title: `group-${RUN}`, visibility: 'GROUP', sharedWithGroupIds: [group.id] });
    const everyone = await server.services.artifacts.create(admin, { ...base, name: `o-${RUN}`, title: `org-${RUN}`, visibility: 'ORG' });
    await until(() => subs.slice(0, 2).every((s) => s.received.length >= 2) && subs.slice(2).every((s) => s.received.length >= 1), 'deliveries');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const titles = (s: (typeof subs)[number]) => s.received.map((e) => e.artifact?.title);
    for (const s of subs) expect(s.errors).toEqual([]);
    expect(titles(subs[0]!)).toEqual([`group-${RUN}`, `org-${RUN}`]);
    expect(titles(subs[1]!)).toEqual([`group-${RUN}`, `org-${RUN}`]);
    expect(titles(subs[2]!)).toEqual([`org-${RUN}`]);
    expect(titles(subs[3]!)).toEqual([`org-${RUN}`]);
    expect(shared.id).not.toBe(everyone.id);
    await Promise.all(subs.map((s) => s.close()));
  });

  it('a document that reads per viewer (the owner) still resolves for each subscriber', { timeout: 60_000 }, async () => {
    const query = 'subscription { events(types: [ARTIFACT_CREATED]) { artifact { title owner { handle } } } }';
    const subs = [open(members[0]!.key, query), open(members[1]!.key, query)];
    await until(() => server.services.events.subscriptionCount() === subs.length, 'subscriptions');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const title = `owned-${RUN}`;
    await ok(server, members[2]!.key, CREATE, { t: title });
    await until(() => subs.every((s) => s.received.length >= 1 || s.errors.length > 0), 'deliveries');
    for (const s of subs) {
      expect(s.errors).toEqual([]);
      expect(s.received).toEqual([{ artifact: { title, owner: { handle: members[2]!.handle } } }]);
    }
    await Promise.all(subs.map((s) => s.close()));
  });
});
