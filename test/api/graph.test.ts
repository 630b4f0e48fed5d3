/**
 * Relationships and traversal through the real GraphQL API, on the run's backends (FalkorDB
 * in server mode, the embedded SQL graph store otherwise): relate/unrelate and their access
 * rules, Artifact.relationships, Artifact.neighbors, Query.shortestPath, the visibility rule
 * inside traversal (a path never passes through an artifact the caller cannot see), batching
 * of graph calls, tenant isolation of the projection, and the projection lag in /readyz.
 *
 * Projection is asynchronous right after commit: after every mutation, and before any
 * traversal read, `settle()` drains the projector (a no-op for the embedded store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphProjector } from '../../src/services/graph-projector.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { FalkorGraphStore } from '../../src/store/graph/falkordb.store.ts';
import type { GraphStore } from '../../src/store/types.ts';
import { createOrgAdmin, errorCode, ok, type Actor } from '../support/actors.ts';
import { backends, uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const RUN = uniqueSuffix();
let counter = 0;
const uniq = (prefix: string) => `${prefix}-${RUN}-${++counter}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** No rate limiting in this file: it makes many requests with few keys. */
const ENV = { HIVEGRAPH_RATE_LIMITS: 'standard=unlimited,unlimited=unlimited' };
/** Whether test servers of this run use FalkorDB (a projected graph store). */
const PROJECTED = Boolean(backends().falkordbUrl);
const NOT_PROJECTED = 'the embedded graph store reads the SQL rows: there is no projection to race (needs FalkorDB)';

/** The record id (uuid) inside a global id. */
const rid = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

const CREATE = `mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }`;
const SHARE = `mutation ($id: ID!, $visibility: Visibility!, $groupIds: [ID!]) {
  shareArtifact(id: $id, visibility: $visibility, groupIds: $groupIds) { id visibility } }`;
const DELETE = `mutation ($id: ID!) { deleteArtifact(id: $id) { id deletedAt } }`;
const RESTORE = `mutation ($id: ID!) { restoreArtifact(id: $id) { id deletedAt } }`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_GROUP = `mutation ($name: String!) { createGroup(input: { name: $name }) { id } }`;
const ADD_MEMBER = `mutation ($groupId: ID!, $userId: ID!) { addGroupMember(groupId: $groupId, userId: $userId) { id } }`;
const REMOVE_MEMBER = `mutation ($groupId: ID!, $userId: ID!) { removeGroupMember(groupId: $groupId, userId: $userId) { id } }`;
const RELATIONSHIP = `id type properties createdAt createdBy { id } from { id } to { id }`;
const RELATE = `mutation ($input: RelateInput!) { relate(input: $input) { ${RELATIONSHIP} } }`;
const UNRELATE = `mutation ($id: ID!) { unrelate(id: $id) }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on Relationship { ${RELATIONSHIP} } } }`;
const RELATIONSHIPS = `query ($id: ID!, $types: [String!], $direction: Direction, $first: Int, $after: String) {
  artifact(id: $id) { relationships(types: $types, direction: $direction, first: $first, after: $after) {
    edges { cursor node { id type from { id } to { id } } } pageInfo { hasNextPage endCursor } } } }`;
const NEIGHBORS = `query ($id: ID!, $types: [String!], $direction: Direction, $depth: Int, $first: Int) {
  artifact(id: $id) { neighbors(types: $types, direction: $direction, depth: $depth, first: $first) { id } } }`;
const PATH = `query ($from: ID!, $to: ID!, $types: [String!], $maxDepth: Int) {
  shortestPath(from: $from, to: $to, types: $types, maxDepth: $maxDepth) { id } }`;

let server: TestServer;
/** An ADMIN of `default` (not the bootstrap admin). */
let boss: Actor;
let alice: Actor;
let bob: Actor;
let carol: Actor;
let agent: Actor;
let reader: Actor;
/** The ADMIN of a second org. */
let other: Actor;

const run = (key: string, query: string, variables?: Record<string, unknown>): Promise<any> => ok<any>(server, key, query, variables);
const fail = (key: string, query: string, variables?: Record<string, unknown>) => errorCode(server, key, query, variables);

/** Waits until every committed change is applied to the graph store (see the drain() case below). */
async function settle(target: TestServer = server): Promise<void> {
  await target.services.projector.drain();
  for (let i = 0; i < 200 && (await target.services.projector.lag()) > 0; i += 1) {
    await sleep(10);
    await target.services.projector.drain();
  }
}

async function makeActor(adminKey: string, role: string, prefix: string, target: TestServer = server): Promise<Actor> {
  const handle = uniq(prefix);
  const user = (await ok<any>(target, adminKey, CREATE_USER, { input: { handle, role } })).createUser;
  const { key } = (await ok<any>(target, adminKey, CREATE_KEY, { input: { userId: user.id, name: `${handle} key` } })).createApiKey;
  return { id: user.id, handle, role, key };
}

/** Creates an artifact (ORG unless `input` says otherwise) and returns its global id. */
async function art(key: string, input: Record<string, unknown> = {}, target: TestServer = server): Promise<string> {
  return (await ok<any>(target, key, CREATE, { input: { kind: 'fact', content: uniq('content'), visibility: 'ORG', ...input } })).createArtifact.id;
}

async function relate(key: string, fromId: string, toId: string, type = 'LINKS', properties?: unknown, target: TestServer = server): Promise<any> {
  return (await ok<any>(target, key, RELATE, { input: { fromId, toId, type, ...(properties === undefined ? {} : { properties }) } })).relate;
}

async function share(key: string, id: string, visibility: string, groupIds?: string[]): Promise<void> {
  await run(key, SHARE, { id, visibility, ...(groupIds ? { groupIds } : {}) });
}

async function neighbors(key: string, id: string, args: Record<string, unknown> = {}, target: TestServer = server): Promise<string[]> {
  const data = await ok<any>(target, key, NEIGHBORS, { id, ...args });
  return data.artifact.neighbors.map((a: { id: string }) => a.id);
}

async function path(key: string, from: string, to: string, args: Record<string, unknown> = {}, target: TestServer = server): Promise<string[] | null> {
  const data = await ok<any>(target, key, PATH, { from, to, ...args });
  return data.shortestPath === null ? null : data.shortestPath.map((a: { id: string }) => a.id);
}

async function relationshipsPage(key: string, id: string, args: Record<string, unknown> = {}): Promise<any> {
  return (await run(key, RELATIONSHIPS, { id, ...args })).artifact.relationships;
}

/** All relationship ids of an artifact (every page), newest first. */
async function allRelationshipIds(key: string, id: string, args: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = await relationshipsPage(key, id, { ...args, first: 2, after });
    ids.push(...page.edges.map((e: any) => e.node.id as string));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

/** A reference breadth-first search: visible nodes by distance from `root` (within `depth`), not including root. */
function referenceLayers(
  edges: readonly { from: string; to: string; type: string }[],
  root: string,
  options: { direction?: 'OUT' | 'IN' | 'BOTH'; types?: string[]; depth: number; visible?: (id: string) => boolean },
): Map<string, number> {
  const direction = options.direction ?? 'BOTH';
  const visible = options.visible ?? (() => true);
  const distance = new Map<string, number>([[root, 0]]);
  let frontier = [root];
  for (let level = 1; level <= options.depth && frontier.length > 0; level += 1) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const e of edges) {
        if (options.types && !options.types.includes(e.type)) continue;
        const targets: string[] = [];
        if (direction !== 'IN' && e.from === n) targets.push(e.to);
        if (direction !== 'OUT' && e.to === n) targets.push(e.from);
        for (const m of targets) {
          if (!visible(m) || distance.has(m)) continue;
          distance.set(m, level);
          next.push(m);
        }
      }
    }
    frontier = next;
  }
  distance.delete(root);
  return distance;
}

/** The documented order of `neighbors`: nearest first, then by id. */
function orderOf(layers: Map<string, number>): string[] {
  return [...layers].sort(([a, da], [b, db]) => da - db || (rid(a) < rid(b) ? -1 : rid(a) > rid(b) ? 1 : 0)).map(([id]) => id);
}

beforeAll(async () => {
  server = await startTestServer(ENV);
  boss = await makeActor(ADMIN_KEY, 'ADMIN', 'boss');
  [alice, bob, carol, agent, reader] = await Promise.all([
    makeActor(boss.key, 'MEMBER', 'alice'),
    makeActor(boss.key, 'MEMBER', 'bob'),
    makeActor(boss.key, 'MEMBER', 'carol'),
    makeActor(boss.key, 'AGENT', 'agent'),
    makeActor(boss.key, 'READER', 'reader'),
  ]);
  other = await createOrgAdmin(server, uniq('other'));
  process.stdout.write(`[graph.test] backends: sql=${server.sqlBackend} graph=${server.graphBackend}\n`);
});
afterAll(async () => server?.stop());

// ---------------------------------------------------------------------------------------------
// 1. relate / unrelate
// ---------------------------------------------------------------------------------------------

describe('relate and unrelate', () => {
  it('relate returns the relationship; properties round-trip exactly; node(id) returns the same', async () => {
    const a = await art(alice.key);
    const b = await art(bob.key);
    // Key order deliberately unsorted; unicode, nesting, nulls, numbers.
    const properties = { zeta: 1, alpha: { nested: [1, 'two', { deep: true, none: null }], ключ: 'значение', emoji: '🚀' }, b: [], a: {}, weight: 0.75 };
    const created = await relate(alice.key, a, b, 'DEPENDS_ON', properties);
    expect(created.id).toEqual(expect.any(String));
    expect(created.type).toBe('DEPENDS_ON');
    expect(created.from.id).toBe(a);
    expect(created.to.id).toBe(b);
    expect(created.createdBy.id).toBe(alice.id);
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    expect(JSON.stringify(created.properties)).toBe(JSON.stringify(properties));

    const viaNode = (await run(bob.key, NODE, { id: created.id })).node;
    expect(viaNode.__typename).toBe('Relationship');
    expect(viaNode).toEqual({ __typename: 'Relationship', ...created });
    expect(JSON.stringify(viaNode.properties)).toBe(JSON.stringify(properties));

    const listed = await relationshipsPage(alice.key, a);
    expect(listed.edges.map((e: any) => e.node.id)).toEqual([created.id]);
  });

  it('properties default to {}; a non-object is BAD_USER_INPUT', async () => {
    const [a, b, c] = [await art(alice.key), await art(alice.key), await art(alice.key)];
    expect((await relate(alice.key, a, b)).properties).toEqual({});
    for (const properties of [[1, 2], 'text', 42, true]) {
      expect(await fail(alice.key, RELATE, { input: { fromId: a, toId: c, type: 'LINKS', properties } }), JSON.stringify(properties)).toBe('BAD_USER_INPUT');
    }
  });

  it('a malformed type is BAD_USER_INPUT; a letter then letters, digits or _ up to 64 is accepted', async () => {
    const [a, b] = [await art(alice.key), await art(alice.key)];
    for (const type of ['', '1ABC', '_X', 'has space', 'a-b', 'DÉPEND', 'X'.repeat(65), 'A;DROP']) {
      expect(await fail(alice.key, RELATE, { input: { fromId: a, toId: b, type } }), JSON.stringify(type)).toBe('BAD_USER_INPUT');
    }
    expect((await relate(alice.key, a, b, `T${'x'.repeat(63)}`)).type).toHaveLength(64);
    expect((await relate(alice.key, a, b, 'a1_B')).type).toBe('a1_B');
  });

  it('the same (from, to, type) twice is CONFLICT; another type or the reverse direction is fine', async () => {
    const [a, b] = [await art(alice.key), await art(alice.key)];
    await relate(alice.key, a, b, 'CITES');
    expect(await fail(alice.key, RELATE, { input: { fromId: a, toId: b, type: 'CITES' } })).toBe('CONFLICT');
    expect(await fail(boss.key, RELATE, { input: { fromId: a, toId: b, type: 'CITES' } })).toBe('CONFLICT');
    await relate(alice.key, a, b, 'DEPENDS_ON');
    await relate(alice.key, b, a, 'CITES');
    expect((await relationshipsPage(alice.key, a, { first: 10 })).edges).toHaveLength(3);
  });

  it('both ends must exist, be visible and live: NOT_FOUND otherwise', async () => {
    const mine = await art(alice.key);
    const absent = Buffer.from(`Artifact:00000000-0000-4000-8000-000000000000`).toString('base64url');
    const bobsPrivate = await art(bob.key, { visibility: 'PRIVATE' });
    const deleted = await art(alice.key);
    await run(alice.key, DELETE, { id: deleted });
    const input = (fromId: string, toId: string) => ({ input: { fromId, toId, type: 'LINKS' } });
    expect(await fail(alice.key, RELATE, input(mine, absent))).toBe('NOT_FOUND');
    expect(await fail(alice.key, RELATE, input(absent, mine))).toBe('NOT_FOUND');
    expect(await fail(alice.key, RELATE, input(mine, bobsPrivate))).toBe('NOT_FOUND');
    expect(await fail(alice.key, RELATE, input(bobsPrivate, mine))).toBe('NOT_FOUND');
    expect(await fail(alice.key, RELATE, input(mine, deleted))).toBe('NOT_FOUND');
    expect(await fail(alice.key, RELATE, input(deleted, mine))).toBe('NOT_FOUND');
    // An ADMIN does not read private notes either.
    expect(await fail(boss.key, RELATE, input(mine, bobsPrivate))).toBe('NOT_FOUND');
    // Not an artifact id at all.
    expect(await fail(alice.key, RELATE, input(mine, alice.id))).toBe('BAD_USER_INPUT');
    // Nothing was written.
    expect((await relationshipsPage(alice.key, mine)).edges).toEqual([]);
  });

  it('the caller must be able to change `from`: a MEMBER relating from another’s ORG artifact is FORBIDDEN, to it is fine', async () => {
    const alices = await art(alice.key);
    const bobs = await art(bob.key);
    expect(await fail(alice.key, RELATE, { input: { fromId: bobs, toId: alices, type: 'LINKS' } })).toBe('FORBIDDEN');
    const created = await relate(alice.key, alices, bobs);
    expect(created.to.id).toBe(bobs);
    // An ADMIN of the org may change anyone's artifact.
    expect((await relate(boss.key, bobs, alices)).createdBy.id).toBe(boss.id);
  });

  it('AGENT and READER: FORBIDDEN on a visible `from`, NOT_FOUND on an invisible one', async () => {
    const visible = await art(alice.key);
    const target = await art(alice.key);
    const invisible = await art(alice.key, { visibility: 'PRIVATE' });
    for (const actor of [agent, reader]) {
      expect(await fail(actor.key, RELATE, { input: { fromId: visible, toId: target, type: 'LINKS' } }), actor.role).toBe('FORBIDDEN');
      expect(await fail(actor.key, RELATE, { input: { fromId: invisible, toId: target, type: 'LINKS' } }), actor.role).toBe('NOT_FOUND');
    }
  });

  it('relating to a PUBLIC artifact of another org is BAD_USER_INPUT; from one is FORBIDDEN (read-only outside its org)', async () => {
    const mine = await art(alice.key);
    const theirs = await art(other.key, { visibility: 'PUBLIC' });
    expect(await fail(alice.key, RELATE, { input: { fromId: mine, toId: theirs, type: 'LINKS' } })).toBe('BAD_USER_INPUT');
    expect(await fail(boss.key, RELATE, { input: { fromId: mine, toId: theirs, type: 'LINKS' } })).toBe('BAD_USER_INPUT');
    const publicMine = await art(alice.key, { visibility: 'PUBLIC' });
    expect(await fail(other.key, RELATE, { input: { fromId: publicMine, toId: theirs, type: 'LINKS' } })).toBe('FORBIDDEN');
    expect((await relationshipsPage(alice.key, mine)).edges).toEqual([]);
  });

  it('unrelate: FORBIDDEN for a non-writer of `from`, NOT_FOUND for another org; the owner of `from` or an ADMIN may', async () => {
    const a = await art(alice.key);
    const b = await art(bob.key);
    const r1 = await relate(alice.key, a, b);
    // bob owns `to`, not `from`; carol sees both ends; READER and AGENT never write.
    for (const actor of [bob, carol, reader, agent]) expect(await fail(actor.key, UNRELATE, { id: r1.id }), actor.handle).toBe('FORBIDDEN');
    expect(await fail(other.key, UNRELATE, { id: r1.id })).toBe('NOT_FOUND');
    expect(await fail(alice.key, UNRELATE, { id: a })).toBe('BAD_USER_INPUT'); // an artifact id, not a relationship id
    expect((await run(alice.key, NODE, { id: r1.id })).node.id).toBe(r1.id);

    expect((await run(alice.key, UNRELATE, { id: r1.id })).unrelate).toBe(true);
    expect((await run(alice.key, NODE, { id: r1.id })).node).toBeNull();
    expect(await fail(alice.key, UNRELATE, { id: r1.id })).toBe('NOT_FOUND');
    expect((await relationshipsPage(alice.key, a)).edges).toEqual([]);

    const r2 = await relate(alice.key, a, b);
    expect((await run(boss.key, UNRELATE, { id: r2.id })).unrelate).toBe(true);
    // The same triple can be related again after unrelate.
    await relate(alice.key, a, b);
  });

  it('unrelate of a relationship the caller cannot see (one end invisible to them) is NOT_FOUND, not FORBIDDEN or done', async () => {
    // alice relates her ORG artifact to her own PRIVATE one: bob and the ADMIN can see `from` only.
    const a = await art(alice.key);
    const secret = await art(alice.key, { visibility: 'PRIVATE' });
    const r = await relate(alice.key, a, secret);
    expect((await run(bob.key, NODE, { id: r.id })).node).toBeNull();
    expect((await run(boss.key, NODE, { id: r.id })).node).toBeNull();
    // Existence must not leak: the same answer as for an id that does not exist.
    // (undefined below means the call succeeded: the relationship was deleted by someone who cannot see it.)
    expect.soft(await fail(bob.key, UNRELATE, { id: r.id }), 'MEMBER who sees only `from`').toBe('NOT_FOUND');
    expect.soft(await fail(boss.key, UNRELATE, { id: r.id }), 'ADMIN who sees only `from`').toBe('NOT_FOUND');
    expect((await run(alice.key, NODE, { id: r.id })).node?.id, 'the relationship is still there').toBe(r.id);
  });

  it('node(id) of a relationship is null for callers who cannot see both ends, and for other orgs', async () => {
    const a = await art(alice.key);
    const b = await art(bob.key);
    const r = await relate(alice.key, a, b);
    await share(bob.key, b, 'PRIVATE');
    expect((await run(alice.key, NODE, { id: r.id })).node).toBeNull();
    expect((await run(bob.key, NODE, { id: r.id })).node.id).toBe(r.id);
    expect((await run(other.key, NODE, { id: r.id })).node).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Artifact.relationships
// ---------------------------------------------------------------------------------------------

describe('Artifact.relationships', () => {
  let hub: string;
  let out: any[];
  let incoming: any[];
  beforeAll(async () => {
    hub = await art(alice.key);
    const targets = await Promise.all(Array.from({ length: 3 }, () => art(alice.key)));
    const sources = await Promise.all(Array.from({ length: 2 }, () => art(bob.key)));
    out = [];
    incoming = [];
    // Created one by one so creation order (newest first) is well defined, types interleaved.
    out.push(await relate(alice.key, hub, targets[0]!, 'CITES'));
    incoming.push(await relate(bob.key, sources[0]!, hub, 'DEPENDS_ON'));
    out.push(await relate(alice.key, hub, targets[1]!, 'DEPENDS_ON'));
    incoming.push(await relate(bob.key, sources[1]!, hub, 'CITES'));
    out.push(await relate(alice.key, hub, targets[2]!, 'CITES'));
  });
  const ids = (rs: any[]) => rs.map((r) => r.id as string);
  const newestFirst = (rs: any[]) => ids(rs).reverse();
  const all = () => [out[0], incoming[0], out[1], incoming[1], out[2]];

  it('BOTH (the default) lists every relationship, newest first, with from/to', async () => {
    const page = await relationshipsPage(alice.key, hub, { first: 20 });
    expect(page.edges.map((e: any) => e.node.id)).toEqual(newestFirst(all()));
    expect(page.pageInfo.hasNextPage).toBe(false);
    for (const { node } of page.edges) expect([node.from.id, node.to.id]).toContain(hub);
  });

  it('direction OUT / IN select by which end the artifact is', async () => {
    expect(ids((await relationshipsPage(alice.key, hub, { direction: 'OUT' })).edges.map((e: any) => e.node))).toEqual(newestFirst(out));
    expect(ids((await relationshipsPage(alice.key, hub, { direction: 'IN' })).edges.map((e: any) => e.node))).toEqual(newestFirst(incoming));
  });

  it('types filter; an unknown type gives nothing; a malformed type is BAD_USER_INPUT', async () => {
    const cites = all().filter((r) => r.type === 'CITES');
    expect((await relationshipsPage(alice.key, hub, { types: ['CITES'] })).edges.map((e: any) => e.node.id)).toEqual(newestFirst(cites));
    expect((await relationshipsPage(alice.key, hub, { types: ['CITES'], direction: 'IN' })).edges.map((e: any) => e.node.id)).toEqual([incoming[1].id]);
    expect((await relationshipsPage(alice.key, hub, { types: ['CITES', 'DEPENDS_ON'] })).edges).toHaveLength(5);
    expect((await relationshipsPage(alice.key, hub, { types: ['NOPE'] })).edges).toEqual([]);
    expect(await fail(alice.key, RELATIONSHIPS, { id: hub, types: ['no spaces'] })).toBe('BAD_USER_INPUT');
  });

  it('paginates with cursors: pages of 2 cover everything once, in order', async () => {
    const first = await relationshipsPage(alice.key, hub, { first: 2 });
    expect(first.edges.map((e: any) => e.node.id)).toEqual(newestFirst(all()).slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.pageInfo.endCursor).toBe(first.edges[1].cursor);
    expect(await allRelationshipIds(alice.key, hub)).toEqual(newestFirst(all()));
    expect(await allRelationshipIds(alice.key, hub, { direction: 'OUT' })).toEqual(newestFirst(out));
    const empty = await relationshipsPage(alice.key, hub, { first: 0 });
    expect(empty.edges).toEqual([]);
    expect(await fail(alice.key, RELATIONSHIPS, { id: hub, first: 101 })).toBe('BAD_USER_INPUT');
    expect(await fail(alice.key, RELATIONSHIPS, { id: hub, after: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
  });

  it('a relationship whose other end is invisible (PRIVATE of someone else) or deleted is not listed', async () => {
    const a = await art(alice.key);
    const hidden = await art(bob.key);
    const gone = await art(bob.key);
    const visible = await art(bob.key);
    const rHidden = await relate(alice.key, a, hidden);
    const rGone = await relate(alice.key, a, gone);
    const rVisible = await relate(alice.key, a, visible);
    await share(bob.key, hidden, 'PRIVATE');
    await run(bob.key, DELETE, { id: gone });
    expect(await allRelationshipIds(alice.key, a)).toEqual([rVisible.id]);
    expect(await allRelationshipIds(bob.key, a)).toEqual([rVisible.id, rHidden.id]);
    await run(bob.key, RESTORE, { id: gone });
    expect(await allRelationshipIds(alice.key, a)).toEqual([rVisible.id, rGone.id]);
  });

  it('relationships of a deleted artifact its owner lists (includeDeleted) answer without errors', async () => {
    const tag = uniq('tag');
    const a = await art(alice.key, { tags: [tag] });
    const b = await art(alice.key);
    await relate(alice.key, a, b);
    await run(alice.key, DELETE, { id: a });
    const res = await errorCode(
      server,
      alice.key,
      `query ($tag: String!) { artifacts(filter: { tags: [$tag], includeDeleted: true }) {
        edges { node { id deletedAt relationships { edges { node { id from { id } to { id } } } } } } } }`,
      { tag },
    );
    expect(res, 'a listed relationship of a deleted artifact must not fail to resolve its ends').toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// 3. neighbors
// ---------------------------------------------------------------------------------------------

describe('Artifact.neighbors', () => {
  // R -> a1 -> b1 -> c1 -> d1 -> e1 ;  R -> a2 -> b2 ;  R -> a3 -> b1 ;  x -> R (IN) ;  a2 -CITES-> y
  const edges: { from: string; to: string; type: string }[] = [];
  const node: Record<string, string> = {};
  beforeAll(async () => {
    for (const name of ['R', 'a1', 'a2', 'a3', 'b1', 'b2', 'c1', 'd1', 'e1', 'x', 'y']) node[name] = await art(alice.key);
    const spec: [string, string, string][] = [
      ['R', 'a1', 'LINKS'], ['R', 'a2', 'LINKS'], ['R', 'a3', 'LINKS'], ['a1', 'b1', 'LINKS'], ['a2', 'b2', 'LINKS'],
      ['a3', 'b1', 'LINKS'], ['b1', 'c1', 'LINKS'], ['c1', 'd1', 'LINKS'], ['d1', 'e1', 'LINKS'], ['x', 'R', 'LINKS'], ['a2', 'y', 'CITES'],
    ];
    for (const [f, t, type] of spec) {
      await relate(alice.key, node[f]!, node[t]!, type);
      edges.push({ from: node[f]!, to: node[t]!, type });
    }
    await settle();
  });

  it('depth 1..4: every visible artifact within depth, nearest first, then by id; never the root', async () => {
    for (const depth of [1, 2, 3, 4]) {
      const expected = orderOf(referenceLayers(edges, node['R']!, { depth }));
      const got = await neighbors(alice.key, node['R']!, { depth });
      expect(got, `depth ${depth}`).toEqual(expected);
      expect(got).not.toContain(node['R']);
    }
    // Depth 1 is the default; depth 4 reaches d1 (distance 4) but not e1 (distance 5).
    expect(new Set(await neighbors(alice.key, node['R']!))).toEqual(new Set([node['a1'], node['a2'], node['a3'], node['x']]));
    const deep = await neighbors(alice.key, node['R']!, { depth: 4 });
    expect(deep).toContain(node['d1']);
    expect(deep).not.toContain(node['e1']);
    // b1 is reached twice (via a1 and via a3) and listed once; x (an IN edge) is at distance 1 under BOTH.
    expect(new Set(deep).size).toBe(deep.length);
    expect(deep.indexOf(node['b1']!)).toBeLessThan(deep.indexOf(node['c1']!));
    expect(deep.indexOf(node['x']!)).toBeLessThan(deep.indexOf(node['b1']!));
  });

  it('`first` caps the result, keeping the nearest', async () => {
    const full = orderOf(referenceLayers(edges, node['R']!, { depth: 4 }));
    expect(await neighbors(alice.key, node['R']!, { depth: 4, first: 3 })).toEqual(full.slice(0, 3));
    expect(await neighbors(alice.key, node['R']!, { depth: 4, first: 5 })).toEqual(full.slice(0, 5));
    expect(await neighbors(alice.key, node['R']!, { depth: 4, first: 0 })).toEqual([]);
    expect(await fail(alice.key, NEIGHBORS, { id: node['R'], first: 101 })).toBe('BAD_USER_INPUT');
  });

  it('direction OUT / IN / BOTH', async () => {
    for (const direction of ['OUT', 'IN', 'BOTH'] as const) {
      for (const depth of [1, 3]) {
        expect(await neighbors(alice.key, node['R']!, { direction, depth }), `${direction} ${depth}`).toEqual(
          orderOf(referenceLayers(edges, node['R']!, { direction, depth })),
        );
      }
    }
    expect(await neighbors(alice.key, node['R']!, { direction: 'IN' })).toEqual([node['x']]);
    expect(await neighbors(alice.key, node['e1']!, { direction: 'OUT', depth: 4 })).toEqual([]);
    expect(await neighbors(alice.key, node['e1']!, { direction: 'IN', depth: 4 })).toEqual([node['d1'], node['c1'], node['b1'], ...[node['a1']!, node['a3']!].sort((p, q) => (rid(p) < rid(q) ? -1 : 1))]);
  });

  it('types filter the relationships followed', async () => {
    expect(await neighbors(alice.key, node['a2']!, { types: ['CITES'] })).toEqual([node['y']]);
    expect(await neighbors(alice.key, node['R']!, { types: ['CITES'], depth: 4 })).toEqual([]);
    expect(await neighbors(alice.key, node['R']!, { types: ['LINKS', 'CITES'], depth: 2 })).toEqual(orderOf(referenceLayers(edges, node['R']!, { depth: 2 })));
    expect(await neighbors(alice.key, node['R']!, { types: ['LINKS'], depth: 2 })).toEqual(
      orderOf(referenceLayers(edges, node['R']!, { depth: 2, types: ['LINKS'] })),
    );
    expect(await fail(alice.key, NEIGHBORS, { id: node['R'], types: ['bad type'] })).toBe('BAD_USER_INPUT');
  });

  it('depth outside 1–4 is BAD_USER_INPUT', async () => {
    for (const depth of [0, 5, -1, 100]) expect(await fail(alice.key, NEIGHBORS, { id: node['R'], depth }), String(depth)).toBe('BAD_USER_INPUT');
  });

  it('cycles: each artifact once, the root never', async () => {
    const [p, q, r] = [await art(alice.key), await art(alice.key), await art(alice.key)];
    await relate(alice.key, p, q);
    await relate(alice.key, q, r);
    await relate(alice.key, r, p);
    await relate(alice.key, q, p);
    await settle();
    const got = await neighbors(alice.key, p, { depth: 4 });
    expect(new Set(got)).toEqual(new Set([q, r]));
    expect(got).toHaveLength(2);
  });

  it('a PUBLIC artifact seen from another org: only PUBLIC neighbours, in its own org’s graph', async () => {
    const pub1 = await art(alice.key, { visibility: 'PUBLIC' });
    const pub2 = await art(alice.key, { visibility: 'PUBLIC' });
    const orgOnly = await art(alice.key);
    await relate(alice.key, pub1, pub2);
    await relate(alice.key, pub1, orgOnly);
    await relate(alice.key, orgOnly, pub2, 'CITES');
    await settle();
    expect(await neighbors(other.key, pub1, { depth: 2 })).toEqual([pub2]);
    expect(new Set(await neighbors(alice.key, pub1))).toEqual(new Set([pub2, orgOnly]));
    expect(await path(other.key, pub1, pub2)).toEqual([pub1, pub2]);
    expect(await path(other.key, pub1, orgOnly)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Access inside traversal
// ---------------------------------------------------------------------------------------------

describe('access inside traversal: a path never passes through an artifact the caller cannot see', () => {
  /** A (alice) → B (bob) → C (alice), all ORG to begin with. */
  async function chain() {
    const A = await art(alice.key);
    const B = await art(bob.key);
    const C = await art(alice.key);
    await relate(alice.key, A, B);
    await relate(bob.key, B, C);
    await settle();
    return { A, B, C };
  }

  it('B PRIVATE of another user: no neighbours through it, no path through it — until another visible route exists', async () => {
    const { A, B, C } = await chain();
    expect(await path(carol.key, A, C)).toEqual([A, B, C]);
    await share(bob.key, B, 'PRIVATE');
    await settle();
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([]);
    expect(await neighbors(carol.key, A, { depth: 4 })).not.toContain(C);
    expect(await path(carol.key, A, C)).toBeNull();
    expect(await path(carol.key, A, C, { maxDepth: 8 })).toBeNull();
    expect(await path(alice.key, A, C)).toBeNull(); // the owner of both ends cannot see B either
    expect(await path(bob.key, A, C)).toEqual([A, B, C]);
    expect(new Set(await neighbors(bob.key, A, { depth: 2 }))).toEqual(new Set([B, C]));

    // Another, longer, visible route: A → D → E → C.
    const D = await art(alice.key);
    const E = await art(carol.key);
    await relate(alice.key, A, D);
    await relate(alice.key, D, E);
    await relate(carol.key, E, C);
    await settle();
    expect(await path(carol.key, A, C)).toEqual([A, D, E, C]);
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([D, E]);
    expect((await neighbors(carol.key, A, { depth: 3 })).at(-1)).toBe(C);
    expect(await path(carol.key, A, C, { maxDepth: 2 })).toBeNull();
    // Bob can see B: his shortest path is still through it.
    expect(await path(bob.key, A, C)).toEqual([A, B, C]);
  });

  it('GROUP: joining B’s group makes the path appear, leaving makes it disappear', async () => {
    const { A, B, C } = await chain();
    const group = (await run(bob.key, CREATE_GROUP, { name: uniq('group') })).createGroup.id;
    await share(bob.key, B, 'GROUP', [group]);
    await settle();
    expect(await path(carol.key, A, C)).toBeNull();
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([]);

    await run(bob.key, ADD_MEMBER, { groupId: group, userId: carol.id });
    await settle();
    expect(await path(carol.key, A, C)).toEqual([A, B, C]);
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([B, C]);
    expect(await path(alice.key, A, C)).toBeNull(); // not a member

    await run(bob.key, REMOVE_MEMBER, { groupId: group, userId: carol.id });
    await settle();
    expect(await path(carol.key, A, C)).toBeNull();
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([]);
  });

  it('deleting B removes the path for everyone; restoring B brings it back', async () => {
    const { A, B, C } = await chain();
    await run(bob.key, DELETE, { id: B });
    await settle();
    for (const actor of [alice, bob, carol, boss]) {
      expect(await path(actor.key, A, C), actor.handle).toBeNull();
      expect(await neighbors(actor.key, A, { depth: 2 }), actor.handle).toEqual([]);
      expect(await path(actor.key, A, B), actor.handle).toBeNull();
    }
    await run(bob.key, RESTORE, { id: B });
    await settle();
    expect(await path(carol.key, A, C)).toEqual([A, B, C]);
    expect(await neighbors(carol.key, A, { depth: 2 })).toEqual([B, C]);
  });

  it('shareArtifact B → ORG (from PRIVATE or GROUP) brings the path', async () => {
    const { A, B, C } = await chain();
    const group = (await run(bob.key, CREATE_GROUP, { name: uniq('group') })).createGroup.id;
    await share(bob.key, B, 'PRIVATE');
    await settle();
    expect(await path(carol.key, A, C)).toBeNull();
    await share(bob.key, B, 'GROUP', [group]);
    await settle();
    expect(await path(carol.key, A, C)).toBeNull();
    await share(bob.key, B, 'ORG');
    await settle();
    expect(await path(carol.key, A, C)).toEqual([A, B, C]);
    await share(bob.key, B, 'PUBLIC');
    await settle();
    expect(await path(carol.key, A, C)).toEqual([A, B, C]);
  });

  it('randomized: every shortestPath and neighbours answer matches a reference BFS over what the caller can see', async () => {
    // A seeded random graph of 16 artifacts (alice's and bob's), some of bob's then made PRIVATE.
    let seed = 0x9e3779b9 ^ counter;
    const rnd = () => {
      seed |= 0;
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const owners = Array.from({ length: 16 }, (_, i) => (i % 3 === 2 ? bob : alice));
    const ids = await Promise.all(owners.map((o) => art(o.key)));
    const edges: { from: string; to: string; type: string }[] = [];
    const seen = new Set<string>();
    while (edges.length < 22) {
      const f = Math.floor(rnd() * ids.length);
      const t = Math.floor(rnd() * ids.length);
      const type = rnd() < 0.7 ? 'LINKS' : 'CITES';
      if (f === t || seen.has(`${f}>${t}:${type}`)) continue;
      seen.add(`${f}>${t}:${type}`);
      await relate(owners[f]!.key, ids[f]!, ids[t]!, type);
      edges.push({ from: ids[f]!, to: ids[t]!, type });
    }
    const hidden = new Set(ids.filter((_, i) => owners[i] === bob && rnd() < 0.5));
    for (const id of hidden) await share(bob.key, id, 'PRIVATE');
    await settle();

    const adjacent = (x: string, y: string, types?: string[]) =>
      edges.some((e) => (!types || types.includes(e.type)) && ((e.from === x && e.to === y) || (e.from === y && e.to === x)));
    for (const [viewer, visible] of [
      [alice, (id: string) => !hidden.has(id)],
      [bob, () => true],
    ] as const) {
      for (const types of [undefined, ['LINKS']]) {
        for (let i = 0; i < ids.length; i += 1) {
          const from = ids[i]!;
          if (!visible(from)) continue;
          const layers = referenceLayers(edges, from, { depth: 8, visible, ...(types ? { types } : {}) });
          for (let j = i; j < ids.length; j += 1) {
            const to = ids[j]!;
            const expected = from === to ? 0 : visible(to) ? layers.get(to) : undefined;
            const maxDepth = 4;
            const got = await path(viewer.key, from, to, { maxDepth, ...(types ? { types } : {}) });
            const label = `${viewer.handle} ${i}→${j} ${types ?? 'all'}`;
            if (expected === undefined || expected > maxDepth) {
              expect(got, label).toBeNull();
              continue;
            }
            expect(got, label).not.toBeNull();
            expect(got!.length - 1, label).toBe(expected);
            expect(got![0], label).toBe(from);
            expect(got!.at(-1), label).toBe(to);
            for (let k = 1; k < got!.length; k += 1) {
              expect(visible(got![k]!), label).toBe(true);
              expect(adjacent(got![k - 1]!, got![k]!, types), label).toBe(true);
            }
          }
          if (types === undefined && i % 4 === 0) {
            for (const depth of [1, 2, 3]) {
              expect(await neighbors(viewer.key, from, { depth, first: 100 }), `${viewer.handle} neighbors ${i} d${depth}`).toEqual(
                orderOf(referenceLayers(edges, from, { depth, visible })),
              );
            }
          }
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 5. shortestPath
// ---------------------------------------------------------------------------------------------

describe('Query.shortestPath', () => {
  // S→X1→X2→X3→T (SLOW, 4 hops), S→Z1→Z2→T (MID, 3 hops), T←Y1←S (FAST, 2 hops, against the arrows from T's side)
  const n: Record<string, string> = {};
  beforeAll(async () => {
    for (const name of ['S', 'X1', 'X2', 'X3', 'Z1', 'Z2', 'Y1', 'T', 'LONE']) n[name] = await art(alice.key);
    const spec: [string, string, string][] = [
      ['S', 'X1', 'SLOW'], ['X1', 'X2', 'SLOW'], ['X2', 'X3', 'SLOW'], ['X3', 'T', 'SLOW'],
      ['S', 'Z1', 'MID'], ['Z1', 'Z2', 'MID'], ['Z2', 'T', 'MID'],
      ['S', 'Y1', 'FAST'], ['T', 'Y1', 'FAST'],
    ];
    for (const [f, t, type] of spec) await relate(alice.key, n[f]!, n[t]!, type);
    await settle();
  });

  it('chooses the shortest of several routes, following relationships either way', async () => {
    expect(await path(alice.key, n['S']!, n['T']!)).toEqual([n['S'], n['Y1'], n['T']]);
    expect(await path(alice.key, n['T']!, n['S']!)).toEqual([n['T'], n['Y1'], n['S']]);
    // X2-X3-T-Z2 (3 hops) beats X2-X1-S-Z1-Z2 (4 hops).
    expect(await path(alice.key, n['X2']!, n['Z2']!)).toEqual([n['X2'], n['X3'], n['T'], n['Z2']]);
  });

  it('types restrict the relationships a path may use', async () => {
    expect(await path(alice.key, n['S']!, n['T']!, { types: ['SLOW', 'MID'] })).toEqual([n['S'], n['Z1'], n['Z2'], n['T']]);
    expect(await path(alice.key, n['S']!, n['T']!, { types: ['SLOW'] })).toEqual([n['S'], n['X1'], n['X2'], n['X3'], n['T']]);
    expect(await path(alice.key, n['S']!, n['T']!, { types: ['NOPE'] })).toBeNull();
    expect(await fail(alice.key, PATH, { from: n['S'], to: n['T'], types: ['not valid'] })).toBe('BAD_USER_INPUT');
  });

  it('maxDepth is respected: null when the shortest path is longer', async () => {
    expect(await path(alice.key, n['S']!, n['T']!, { maxDepth: 1 })).toBeNull();
    expect(await path(alice.key, n['S']!, n['T']!, { maxDepth: 2 })).toHaveLength(3);
    expect(await path(alice.key, n['S']!, n['T']!, { types: ['SLOW'], maxDepth: 3 })).toBeNull();
    expect(await path(alice.key, n['S']!, n['T']!, { types: ['SLOW'], maxDepth: 4 })).toHaveLength(5);
    expect(await path(alice.key, n['S']!, n['X1']!, { maxDepth: 1 })).toEqual([n['S'], n['X1']]);
  });

  it('maxDepth outside 1–8 is BAD_USER_INPUT', async () => {
    for (const maxDepth of [9, 0, -1]) expect(await fail(alice.key, PATH, { from: n['S'], to: n['T'], maxDepth }), String(maxDepth)).toBe('BAD_USER_INPUT');
    expect(await path(alice.key, n['S']!, n['T']!, { maxDepth: 8 })).toHaveLength(3);
  });

  it('from == to is [A]; no connection is null', async () => {
    expect(await path(alice.key, n['S']!, n['S']!)).toEqual([n['S']]);
    expect(await path(alice.key, n['S']!, n['LONE']!)).toBeNull();
  });

  it('invisible, deleted, absent or cross-org endpoints give null (never an error)', async () => {
    const secret = await art(bob.key, { visibility: 'PRIVATE' });
    const gone = await art(alice.key);
    await relate(bob.key, secret, n['S']!);
    await relate(alice.key, gone, n['S']!);
    await run(alice.key, DELETE, { id: gone });
    await settle();
    expect(await path(alice.key, n['S']!, secret)).toBeNull();
    expect(await path(alice.key, secret, n['S']!)).toBeNull();
    expect(await path(alice.key, secret, secret)).toBeNull();
    expect(await path(bob.key, secret, n['S']!)).toEqual([secret, n['S']]);
    expect(await path(alice.key, n['S']!, gone)).toBeNull();
    expect(await path(alice.key, gone, gone)).toBeNull();
    const absent = Buffer.from('Artifact:00000000-0000-4000-8000-000000000000').toString('base64url');
    expect(await path(alice.key, n['S']!, absent)).toBeNull();
    expect(await path(other.key, n['S']!, n['T']!)).toBeNull();
    const theirs = await art(other.key, { visibility: 'PUBLIC' });
    expect(await path(alice.key, n['S']!, theirs)).toBeNull();
    expect(await fail(alice.key, PATH, { from: n['S'], to: alice.id })).toBe('BAD_USER_INPUT');
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Tenant isolation
// ---------------------------------------------------------------------------------------------

describe('tenant isolation', () => {
  it('two orgs writing concurrently: each org’s traversal (and, in server mode, its graph) holds only its own artifacts', async () => {
    const orgs = await Promise.all([createOrgAdmin(server, uniq('tenant-a')), createOrgAdmin(server, uniq('tenant-b'))]);
    const built = await Promise.all(
      orgs.map(async (admin) => {
        const hub = await art(admin.key, { visibility: 'PUBLIC' });
        // Half PUBLIC: visibility alone would not keep them apart, only the graph structure does.
        const leaves = await Promise.all(Array.from({ length: 50 }, (_, i) => art(admin.key, { visibility: i % 2 === 0 ? 'PUBLIC' : 'ORG' })));
        const rels = await Promise.all(leaves.map((leaf, i) => relate(admin.key, hub, leaf, i % 2 === 0 ? 'LINKS' : 'CITES')));
        return { admin, hub, leaves, rels };
      }),
    );
    await settle();

    for (const [i, mine] of built.entries()) {
      const theirs = built[1 - i]!;
      const own = new Set([mine.hub, ...mine.leaves]);
      const got1 = await neighbors(mine.admin.key, mine.hub, { first: 100 });
      expect(new Set(got1)).toEqual(new Set(mine.leaves));
      const got2 = await neighbors(mine.admin.key, mine.leaves[0]!, { depth: 2, first: 100 });
      expect(got2).toHaveLength(50);
      for (const id of got2) expect(own.has(id)).toBe(true);
      expect(await path(mine.admin.key, mine.leaves[0]!, mine.leaves[49]!)).toEqual([mine.leaves[0], mine.hub, mine.leaves[49]]);
      // The other org's PUBLIC hub is visible to this org, but its traversal stays in its own org.
      const fromTheirs = await neighbors(mine.admin.key, theirs.hub, { first: 100, depth: 2 });
      expect(new Set(fromTheirs)).toEqual(new Set(theirs.leaves.filter((_, k) => k % 2 === 0)));
      expect(await path(mine.admin.key, mine.hub, theirs.hub)).toBeNull();
      expect((await relationshipsPage(mine.admin.key, mine.hub, { first: 100 })).edges).toHaveLength(50);
    }

    if (server.graph.backend === 'falkordb') {
      const falkor = server.graph as FalkorGraphStore;
      const prefix = server.config.graph.kind === 'falkordb' ? server.config.graph.graphPrefix : 'hivegraph';
      for (const { admin } of built) {
        const orgId = (await server.services.auth.authenticate(`Bearer ${admin.key}`)).orgId;
        const graphName = `${prefix}_${orgId}`;
        const nodes = await falkor.cypher<{ id: string; org: string }>(graphName, 'MATCH (n:Artifact) RETURN n.id AS id, n.org AS org');
        const sqlNodes = await server.sql.query<{ id: string }>('SELECT id FROM artifacts WHERE org_id = $1', [orgId]);
        expect(new Set(nodes.map((n) => n.id))).toEqual(new Set(sqlNodes.rows.map((r) => r.id)));
        expect(nodes).toHaveLength(51);
        expect(new Set(nodes.map((n) => n.org))).toEqual(new Set([orgId]));
        const rels = await falkor.cypher<{ id: string }>(graphName, 'MATCH ()-[r:REL]->() RETURN r.id AS id');
        const sqlRels = await server.sql.query<{ id: string }>('SELECT id FROM relationships WHERE org_id = $1', [orgId]);
        expect(new Set(rels.map((r) => r.id))).toEqual(new Set(sqlRels.rows.map((r) => r.id)));
        expect(rels).toHaveLength(50);
        expect(await server.graph.size(orgId)).toEqual({ nodes: 51, edges: 50 });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 7. /readyz
// ---------------------------------------------------------------------------------------------

describe('/readyz', () => {
  it('names the graph store; in server mode reports projectionLag, 0 after a drain', async () => {
    const a = await art(alice.key);
    await relate(alice.key, a, await art(alice.key));
    await settle();
    const body: any = await (await fetch(`${server.url}/readyz`)).json();
    expect(body.status).toBe('ready');
    expect(body.checks.graph.status).toBe('up');
    expect(body.checks.graph.backend).toBe(server.graphBackend);
    if (server.graph.projected) {
      expect(typeof body.checks.graph.projectionLag).toBe('number');
      expect(body.checks.graph.projectionLag).toBe(0);
    } else {
      expect(body.checks.graph.projectionLag).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 8. An instrumented server: batching of graph calls, and the projector under concurrency
// ---------------------------------------------------------------------------------------------

describe('instrumented graph store', () => {
  let counted: TestServer;
  let inner: GraphStore;
  const expandCalls: { orgId: string; frontier: number }[] = [];
  /** Milliseconds each kind of projector write waits before reaching the store (0: none). */
  const slowWrites = { upsertNodes: 0, upsertEdges: 0, deleteEdges: 0 };
  const setSlow = (ms: number, only?: keyof typeof slowWrites) => {
    for (const k of Object.keys(slowWrites) as (keyof typeof slowWrites)[]) slowWrites[k] = only === undefined || only === k ? ms : 0;
  };
  let admin: Actor;
  let elsewhere: Actor;

  beforeAll(async () => {
    counted = await startTestServer(ENV, {
      wrapGraph: (store) => {
        inner = store;
        const slow = async (what: keyof typeof slowWrites) => {
          if (slowWrites[what] > 0) await sleep(slowWrites[what]);
        };
        return {
          ...store,
          expand: async (orgId, frontier, options) => {
            expandCalls.push({ orgId, frontier: frontier.length });
            return store.expand(orgId, frontier, options);
          },
          upsertNodes: async (orgId, nodes) => {
            await slow('upsertNodes');
            return store.upsertNodes(orgId, nodes);
          },
          upsertEdges: async (orgId, edges) => {
            await slow('upsertEdges');
            return store.upsertEdges(orgId, edges);
          },
          deleteEdges: async (orgId, ids) => {
            await slow('deleteEdges');
            return store.deleteEdges(orgId, ids);
          },
        } satisfies GraphStore;
      },
    });
    admin = await makeActor(ADMIN_KEY, 'ADMIN', 'counter', counted);
    elsewhere = await createOrgAdmin(counted, uniq('elsewhere'));
  });
  afterAll(async () => counted?.stop());

  describe('batching', () => {
    const tag = uniq('batch');
    let ring: string[];
    beforeAll(async () => {
      // A ring of 50: every artifact has 2 neighbours at depth 1 and 2 more at depth 2.
      ring = await Promise.all(Array.from({ length: 50 }, () => art(admin.key, { tags: [tag] }, counted)));
      await Promise.all(ring.map((id, i) => relate(admin.key, id, ring[(i + 1) % ring.length]!, 'LINKS', undefined, counted)));
      await settle(counted);
    });

    const listing = (selection: string) => `query ($tag: String!) { artifacts(filter: { tags: [$tag] }, first: 100) {
      edges { node { id ${selection} } } } }`;

    async function countExpands(key: string, query: string, variables: Record<string, unknown>) {
      expandCalls.length = 0;
      const data = await ok<any>(counted, key, query, variables);
      return { data, calls: [...expandCalls] };
    }

    it('50 artifacts with neighbors (depth 1): exactly one expand call', async () => {
      const { data, calls } = await countExpands(admin.key, listing('neighbors { id }'), { tag });
      expect(data.artifacts.edges).toHaveLength(50);
      for (const { node } of data.artifacts.edges) expect(node.neighbors).toHaveLength(2);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.frontier).toBe(50);
    });

    it('… with depth 2: exactly two expand calls (one per level)', async () => {
      const { data, calls } = await countExpands(admin.key, listing('neighbors(depth: 2) { id }'), { tag });
      for (const { node } of data.artifacts.edges) expect(node.neighbors).toHaveLength(4);
      expect(calls).toHaveLength(2);
    });

    it('… with depth 4 and first: 3: no more levels than needed (one expand per level, stops when capped)', async () => {
      const { data, calls } = await countExpands(admin.key, listing('neighbors(depth: 4, first: 3) { id }'), { tag });
      for (const { node } of data.artifacts.edges) expect(node.neighbors).toHaveLength(3);
      expect(calls).toHaveLength(2);
    });

    it('relationships on 50 artifacts adds no graph calls (it is SQL)', async () => {
      const { data, calls } = await countExpands(admin.key, listing('relationships { edges { node { id from { id } to { id } } } }'), { tag });
      for (const { node } of data.artifacts.edges) expect(node.relationships.edges).toHaveLength(2);
      expect(calls).toEqual([]);
    });

    it('roots of two orgs (PUBLIC artifacts of another org listed too): one expand call per org and level', async () => {
      const pubs = await Promise.all(Array.from({ length: 5 }, () => art(elsewhere.key, { tags: [tag], visibility: 'PUBLIC' }, counted)));
      await relate(elsewhere.key, pubs[0]!, pubs[1]!, 'LINKS', undefined, counted);
      await settle(counted);
      const { data, calls } = await countExpands(admin.key, listing('neighbors { id }'), { tag });
      expect(data.artifacts.edges).toHaveLength(55);
      expect(calls).toHaveLength(2);
      expect(new Set(calls.map((c) => c.orgId)).size).toBe(2);
      const byId = new Map(data.artifacts.edges.map((e: any) => [e.node.id, e.node.neighbors.map((x: any) => x.id)]));
      expect(byId.get(pubs[0]!)).toEqual([pubs[1]]);
    });
  });

  describe('projector', () => {
    it('drain() returns only when every committed change is applied, even with a kicked run in flight', async (ctx) => {
      if (!PROJECTED) ctx.skip(NOT_PROJECTED);
      // Two mutations in quick succession: the first one's kick is running (slowly) when the second
      // commits, so the second is left for a follow-up run that starts just as drain() continues.
      // Which of the two claims the row first is a race; a few rounds make a wrong answer show.
      for (let round = 0; round < 8; round += 1) {
        const [a, b, c] = [await art(admin.key, {}, counted), await art(admin.key, {}, counted), await art(admin.key, {}, counted)];
        await settle(counted);
        setSlow(100);
        try {
          await relate(admin.key, a, b, 'LINKS', undefined, counted);
          await relate(admin.key, b, c, 'LINKS', undefined, counted);
          await counted.services.projector.drain();
          expect(await counted.services.projector.lag(), `outbox rows left after drain() (round ${round})`).toBe(0);
        } finally {
          setSlow(0);
          await settle(counted);
        }
      }
    });

    it('two projectors sharing the outbox (two instances) apply changes in commit order: an unrelated edge does not come back', async (ctx) => {
      if (!PROJECTED) ctx.skip(NOT_PROJECTED);
      const orgId = (await counted.services.auth.authenticate(`Bearer ${admin.key}`)).orgId;
      const a = await art(admin.key, {}, counted);
      const b = await art(admin.key, {}, counted);
      await settle(counted);
      // A second instance's projector, writing straight to the store (fast).
      const second = createGraphProjector({ sql: counted.sql, graph: inner, logger: createLogger('silent') });
      // This instance reads the edge's state (present), then is slow to write it.
      setSlow(500, 'upsertEdges');
      try {
        const r = await relate(admin.key, a, b, 'LINKS', undefined, counted); // this instance's projector picks it up, slowly
        await sleep(100);
        await ok<any>(counted, admin.key, UNRELATE, { id: r.id }); // committed while the first is still applying
        await second.drain(); // the other instance applies the unrelate first
      } finally {
        setSlow(0);
      }
      await settle(counted);
      await second.stop();
      expect(await counted.services.projector.lag()).toBe(0);
      const sqlEdges = (await counted.sql.query<{ n: number }>('SELECT count(*) AS n FROM relationships WHERE org_id = $1 AND from_id = $2', [orgId, rid(a)])).rows[0]!.n;
      expect(sqlEdges).toBe(0);
      expect(await neighbors(admin.key, a, {}, counted), 'a neighbour through a relationship that no longer exists').toEqual([]);
    });
  });
});
