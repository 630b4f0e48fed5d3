/**
 * The knowledge model through the real GraphQL API (HTTP and WebSocket), on the run's
 * backends: artifacts (fields, validation, revisions, optimistic concurrency, names,
 * deletion, filters, pagination), roles, groups, collections, org isolation and API keys.
 *
 * Every test makes its own users, groups, collections and names (unique per run), so the
 * tests are independent of each other and of other test files running in parallel.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrgAdmin, errorCode, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, wsClient, wsExecute, type TestServer } from '../support/server.ts';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const RUN = uniqueSuffix();
let counter = 0;
/** A name unique to this run and call (safe as a handle, group, collection or artifact name). */
const uniq = (prefix: string) => `${prefix}-${RUN}-${++counter}`;

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `fn` until `done` holds or `timeoutMs` passes; returns the last value. */
async function poll<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!done(value) && Date.now() < deadline) {
    await sleep(stepMs);
    value = await fn();
  }
  return value;
}

/** Every field of an artifact a client relies on (revisions are queried separately). */
const ARTIFACT = `id name kind title content contentDigest sizeBytes metadata tags codebase visibility revision
  createdAt updatedAt deletedAt collection { id name } sharedWithGroups { id name } owner { id handle }
  provenance { sourceAgentId mcpClientId sessionId contributionId runId }`;

const CREATE = `mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { ${ARTIFACT} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateArtifactInput!, $rev: Int) {
  updateArtifact(id: $id, input: $input, expectedRevision: $rev) { ${ARTIFACT} } }`;
const DELETE = `mutation ($id: ID!) { deleteArtifact(id: $id) { ${ARTIFACT} } }`;
const RESTORE = `mutation ($id: ID!) { restoreArtifact(id: $id) { ${ARTIFACT} } }`;
const SHARE = `mutation ($id: ID!, $visibility: Visibility!, $groupIds: [ID!]) {
  shareArtifact(id: $id, visibility: $visibility, groupIds: $groupIds) { id visibility sharedWithGroups { id name } } }`;
const GET = `query ($id: ID!) { artifact(id: $id) { ${ARTIFACT} } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on Artifact { ${ARTIFACT} } } }`;
const LIST = `query ($filter: ArtifactFilter, $first: Int, $after: String) {
  artifacts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name kind revision deletedAt createdAt } }
    pageInfo { hasNextPage endCursor } } }`;
const REVISIONS = `query ($id: ID!, $first: Int, $after: String) { artifact(id: $id) { revision
  revisions(first: $first, after: $after) {
    edges { cursor node { revision change contentDigest previousDigest name title content metadata tags codebase
      changedBy { id handle } changedAt } }
    pageInfo { hasNextPage endCursor } } } }`;
const CREATE_COLLECTION = `mutation ($input: CreateCollectionInput!) {
  createCollection(input: $input) { id name description createdBy { id } createdAt } }`;
const ADD_TO_COLLECTION = `mutation ($collectionId: ID!, $artifactIds: [ID!]!) {
  addToCollection(collectionId: $collectionId, artifactIds: $artifactIds) { id name } }`;
const COLLECTION_ARTIFACTS = `query ($id: ID!) { node(id: $id) { ... on Collection { id
  artifacts(first: 100) { edges { node { id } } pageInfo { hasNextPage } } } } }`;
const CREATE_GROUP = `mutation ($name: String!) { createGroup(input: { name: $name }) { id name members { role user { id handle } } } }`;
const ADD_MEMBER = `mutation ($groupId: ID!, $userId: ID!, $role: GroupRole) {
  addGroupMember(groupId: $groupId, userId: $userId, role: $role) { id members { role user { id } } } }`;
const REMOVE_MEMBER = `mutation ($groupId: ID!, $userId: ID!) {
  removeGroupMember(groupId: $groupId, userId: $userId) { id members { role user { id } } } }`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id handle displayName role } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id prefix name tier createdAt lastUsedAt revokedAt user { id } } } }`;
const REVOKE_KEY = `mutation ($id: ID!) { revokeApiKey(id: $id) { id prefix revokedAt } }`;
const API_KEYS = `query ($userId: ID, $includeRevoked: Boolean) { apiKeys(userId: $userId, includeRevoked: $includeRevoked, first: 100) {
  edges { node { id prefix name tier createdAt lastUsedAt revokedAt user { id } } } } }`;

let server: TestServer;
/** An ADMIN of `default` (not the bootstrap admin), with a key of the unlimited tier. */
let boss: Actor;
/** The ADMIN of a second org. */
let other: Actor;

/** Runs an operation that must succeed; returns `data`. */
const run = (key: string, query: string, variables?: Record<string, unknown>): Promise<any> => ok<any>(server, key, query, variables);
/** Runs an operation that must fail; returns the first error's code. */
const fail = (key: string, query: string, variables?: Record<string, unknown>) => errorCode(server, key, query, variables);

/**
 * Creates a user of `role` in the org of `adminKey` with a key of the unlimited tier (so a
 * rate limiter, once wired, cannot make this file flaky).
 */
async function makeActor(adminKey: string, role: string, prefix: string): Promise<Actor> {
  const handle = uniq(prefix);
  const user = (await run(adminKey, CREATE_USER, { input: { handle, role } })).createUser;
  const created = (await run(adminKey, CREATE_KEY, { input: { userId: user.id, name: `${handle} key`, tier: 'unlimited' } })).createApiKey;
  return { id: user.id, handle, role, key: created.key };
}

async function createArtifact(key: string, input: Record<string, unknown> = {}): Promise<any> {
  return (await run(key, CREATE, { input: { kind: 'fact', content: uniq('content'), ...input } })).createArtifact;
}

async function createCollection(key: string, name = uniq('collection'), description?: string): Promise<any> {
  return (await run(key, CREATE_COLLECTION, { input: { name, ...(description === undefined ? {} : { description }) } })).createCollection;
}

async function getArtifact(key: string, id: string): Promise<any> {
  return (await run(key, GET, { id })).artifact;
}

async function getNode(key: string, id: string): Promise<any> {
  return (await run(key, 'query ($id: ID!) { node(id: $id) { __typename id } }', { id })).node;
}

/** Ids of the visible artifacts matching `filter`, newest first (all pages). */
async function listIds(key: string, filter: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await run(key, LIST, { filter, first: 100, after })).artifacts;
    ids.push(...page.edges.map((e: any) => e.node.id as string));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

/** All revisions of a (live, visible) artifact, newest first. */
async function allRevisions(key: string, id: string): Promise<any[]> {
  return (await run(key, REVISIONS, { id, first: 100 })).artifact.revisions.edges.map((e: any) => e.node);
}

/** Ids of every node of a top-level connection (`users`, `groups`, `collections`), all pages. */
async function connectionIds(key: string, field: 'users' | 'groups' | 'collections'): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (
      await run(key, `query ($after: String) { ${field}(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, {
        after,
      })
    )[field];
    ids.push(...page.edges.map((e: any) => e.node.id as string));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  server = await startTestServer();
  boss = await makeActor(ADMIN_KEY, 'ADMIN', 'boss');
  other = await createOrgAdmin(server, uniq('other'));
});
afterAll(async () => server?.stop());

// ---------------------------------------------------------------------------------------------
// 1. Artifacts: fields, reads, validation
// ---------------------------------------------------------------------------------------------

describe('artifacts: create and read', () => {
  let author: Actor;
  beforeAll(async () => {
    author = await makeActor(boss.key, 'MEMBER', 'author');
  });

  it('createArtifact returns every field; artifact(id) and node(id) return the same', async () => {
    const collection = await createCollection(author.key);
    const content = `Grüße ${uniq('x')} 👋 — 日本語のテキスト\nsecond line\twith a tab`;
    // Key order deliberately not sorted (jsonb would sort by length, then bytes).
    const metadata = {
      zeta: 1,
      alpha: { nested: [1, 'two', { deep: true, none: null }], ключ: 'значение', emoji: '🚀' },
      b: [],
      a: {},
      longerKeyName: 1.5,
      x: false,
      'with space': 'ok',
    };
    const input = {
      name: uniq('name'),
      kind: 'code_pattern',
      title: 'A title ✓',
      content,
      metadata,
      tags: ['alpha', 'βeta', 'gamma'],
      codebase: 'github.com/acme/repo',
      collectionId: collection.id,
      visibility: 'ORG',
      sessionId: 'session-42',
      mcpClientId: 'claude-code/1.0',
    };
    const created = (await run(author.key, CREATE, { input })).createArtifact;

    expect(created.id).toEqual(expect.any(String));
    expect(created.name).toBe(input.name);
    expect(created.kind).toBe('code_pattern');
    expect(created.title).toBe('A title ✓');
    expect(created.content).toBe(content);
    expect(created.contentDigest).toBe(sha256(content));
    expect(created.contentDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(created.sizeBytes).toBe(Buffer.byteLength(content, 'utf8'));
    expect(created.sizeBytes).toBeGreaterThan(content.length); // the multibyte case really is one
    expect(JSON.stringify(created.metadata)).toBe(JSON.stringify(metadata));
    expect(created.tags).toEqual(['alpha', 'βeta', 'gamma']);
    expect(created.codebase).toBe('github.com/acme/repo');
    expect(created.collection).toEqual({ id: collection.id, name: collection.name });
    expect(created.visibility).toBe('ORG');
    expect(created.sharedWithGroups).toEqual([]);
    expect(created.owner).toEqual({ id: author.id, handle: author.handle });
    expect(created.provenance).toEqual({
      sourceAgentId: null,
      mcpClientId: 'claude-code/1.0',
      sessionId: 'session-42',
      contributionId: null,
      runId: null,
    });
    expect(created.revision).toBe(1);
    expect(created.deletedAt).toBeNull();
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    expect(created.updatedAt).toBe(created.createdAt);

    const fetched = await getArtifact(author.key, created.id);
    expect(fetched).toEqual(created);
    expect(JSON.stringify(fetched.metadata)).toBe(JSON.stringify(metadata));

    const node = (await run(author.key, NODE, { id: created.id })).node;
    expect(node).toEqual({ __typename: 'Artifact', ...created });

    // Another member of the org reads the ORG artifact identically.
    const reader = await makeActor(boss.key, 'MEMBER', 'reader');
    expect(await getArtifact(reader.key, created.id)).toEqual(created);
  });

  it('an ASCII artifact with only the required fields gets defaults: no name, {} metadata, no tags, PRIVATE', async () => {
    const content = 'plain ascii content';
    const created = (await run(author.key, CREATE, { input: { kind: 'fact', content } })).createArtifact;
    expect(created).toMatchObject({
      name: null,
      title: null,
      content,
      contentDigest: sha256(content),
      sizeBytes: content.length,
      metadata: {},
      tags: [],
      codebase: null,
      collection: null,
      visibility: 'PRIVATE',
      revision: 1,
      provenance: { sessionId: null, mcpClientId: null },
    });
    expect(created.contentDigest).toBe('sha256:' + createHash('sha256').update(Buffer.from(content, 'utf8')).digest('hex'));
  });

  it('empty content is allowed and hashes to the SHA-256 of the empty string with size 0', async () => {
    const created = await createArtifact(author.key, { content: '' });
    expect(created.content).toBe('');
    expect(created.sizeBytes).toBe(0);
    expect(created.contentDigest).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('updateArtifact keeps provenance and createdAt, recomputes digest and size, keeps untouched fields exactly', async () => {
    const metadata = { z: { y: [3, 2, 1] }, a: 'first' };
    const created = await createArtifact(author.key, {
      name: uniq('upd'),
      title: 'old title',
      codebase: 'cb-old',
      tags: ['t1'],
      metadata,
      sessionId: 'sess-upd',
      mcpClientId: 'mcp-upd',
    });
    const content = '€ euro sign and ascii';
    const updated = (await run(author.key, UPDATE, { id: created.id, input: { content } })).updateArtifact;
    expect(updated.revision).toBe(2);
    expect(updated.content).toBe(content);
    expect(updated.contentDigest).toBe(sha256(content));
    expect(updated.sizeBytes).toBe(Buffer.byteLength(content, 'utf8'));
    expect(updated.provenance).toEqual(created.provenance);
    expect(updated.provenance.sessionId).toBe('sess-upd');
    expect(updated.provenance.mcpClientId).toBe('mcp-upd');
    expect(updated.createdAt).toBe(created.createdAt);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(JSON.stringify(updated.metadata)).toBe(JSON.stringify(metadata));
    expect(updated).toMatchObject({ name: created.name, title: 'old title', codebase: 'cb-old', tags: ['t1'], owner: created.owner });

    // null clears optional fields; provenance still does not move.
    const cleared = (await run(author.key, UPDATE, { id: created.id, input: { title: null, codebase: null, tags: null } })).updateArtifact;
    expect(cleared).toMatchObject({ title: null, codebase: null, tags: [], revision: 3, content });
    expect(cleared.provenance).toEqual(created.provenance);
    expect(await getArtifact(author.key, created.id)).toEqual(cleared);
  });

  describe('validation: BAD_USER_INPUT and nothing written', () => {
    let writer: Actor;
    let groupId: string;
    beforeAll(async () => {
      writer = await makeActor(boss.key, 'MEMBER', 'validator');
      groupId = (await run(writer.key, CREATE_GROUP, { name: uniq('vgroup') })).createGroup.id;
    });
    const count = async () => (await listIds(writer.key, { ownerId: writer.id, includeDeleted: true })).length;

    it.each<[string, Record<string, unknown>]>([
      ['an empty kind', { kind: '' }],
      ['a kind with a space', { kind: 'bad kind' }],
      ['a kind with a slash', { kind: 'bad/kind' }],
      ['a kind starting with a digit', { kind: '1fact' }],
      ['a kind of 65 characters', { kind: 'k'.repeat(65) }],
      ['metadata that is an array', { metadata: [1, 2, 3] }],
      ['metadata that is a string', { metadata: 'text' }],
      ['metadata that is a number', { metadata: 42 }],
      ['GROUP visibility without groups', { visibility: 'GROUP' }],
      ['GROUP visibility with an empty group list', { visibility: 'GROUP', sharedWithGroupIds: [] }],
      ['65 tags', { tags: Array.from({ length: 65 }, (_, i) => `tag-${i}`) }],
      ['a blank tag', { tags: ['fine', '   '] }],
      ['NUL in content', { content: 'before\u0000after' }],
      ['a blank name', { name: '   ' }],
      ['a name with a newline', { name: 'two\nlines' }],
      ['a malformed collection id', { collectionId: 'not-an-id' }],
    ])('rejects %s', async (_case, overrides) => {
      const before = await count();
      const code = await fail(writer.key, CREATE, { input: { kind: 'fact', content: uniq('valid content'), ...overrides } });
      expect(code).toBe('BAD_USER_INPUT');
      expect(await count()).toBe(before);
    });

    it('rejects sharedWithGroupIds on a non-GROUP visibility', async () => {
      const before = await count();
      expect(await fail(writer.key, CREATE, { input: { kind: 'fact', content: 'x', visibility: 'ORG', sharedWithGroupIds: [groupId] } })).toBe(
        'BAD_USER_INPUT',
      );
      expect(await count()).toBe(before);
    });

    it('the counter above does see writes: a valid create with 64 tags adds exactly one', async () => {
      const before = await count();
      const created = await createArtifact(writer.key, { tags: Array.from({ length: 64 }, (_, i) => `tag-${i}`) });
      expect(created.tags).toHaveLength(64);
      expect(await count()).toBe(before + 1);
    });

    it('rejects invalid updates without changing the artifact', async () => {
      const created = await createArtifact(writer.key, { metadata: { keep: 'me' } });
      for (const input of [{ metadata: [1] }, { content: 'a\u0000b' }, { content: null }, { tags: ['  '] }, { name: '' }]) {
        expect(await fail(writer.key, UPDATE, { id: created.id, input }), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      }
      expect(await fail(writer.key, UPDATE, { id: created.id, input: { title: 't' }, rev: 0 })).toBe('BAD_USER_INPUT');
      expect(await getArtifact(writer.key, created.id)).toEqual(created);
      expect(await allRevisions(writer.key, created.id)).toHaveLength(1);
    });
  });
});

describe('content size limit (HIVEGRAPH_MAX_CONTENT_BYTES=1000)', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ HIVEGRAPH_MAX_CONTENT_BYTES: '1000' });
  });
  afterAll(async () => small?.stop());

  const count = async () =>
    ((await ok<any>(small, ADMIN_KEY, LIST, { filter: { includeDeleted: true }, first: 100 })).artifacts.edges as unknown[]).length;

  it('accepts exactly 1000 bytes and rejects 1001 bytes (counted in UTF-8, not characters), writing nothing', async () => {
    const before = await count();
    const tooLong = await gql(small, CREATE, { key: ADMIN_KEY, variables: { input: { kind: 'fact', content: 'a'.repeat(1001) } } });
    expect(tooLong.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    // 999 + 1 characters, but 999 + 2 bytes.
    const multibyte = 'a'.repeat(999) + 'é';
    expect(multibyte.length).toBe(1000);
    const tooManyBytes = await gql(small, CREATE, { key: ADMIN_KEY, variables: { input: { kind: 'fact', content: multibyte } } });
    expect(tooManyBytes.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);

    const exact = 'b'.repeat(998) + 'é'; // 1000 bytes
    const created = (await ok<any>(small, ADMIN_KEY, CREATE, { input: { kind: 'fact', content: exact } })).createArtifact;
    expect(created.sizeBytes).toBe(1000);
    expect(created.contentDigest).toBe(sha256(exact));
    expect(await count()).toBe(before + 1);

    // The limit applies to updates too, and a rejected update changes nothing.
    const update = await gql(small, UPDATE, { key: ADMIN_KEY, variables: { id: created.id, input: { content: 'c'.repeat(1001) } } });
    expect(update.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect((await ok<any>(small, ADMIN_KEY, GET, { id: created.id })).artifact).toEqual(created);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Revisions and optimistic concurrency
// ---------------------------------------------------------------------------------------------

describe('revisions', () => {
  let owner: Actor;
  beforeAll(async () => {
    owner = await makeActor(boss.key, 'MEMBER', 'reviser');
  });

  it('create → update content → update metadata → delete → restore gives revisions 5..1 with the right chain', async () => {
    const m1 = { version: 1, b: { a: 'x' } };
    const m2 = { version: 2, list: ['é', 1], a: null };
    const c1 = uniq('first content');
    const c2 = uniq('second content ✓');
    const created = await createArtifact(owner.key, { content: c1, metadata: m1, visibility: 'ORG', title: 'T', tags: ['r'] });
    const r2 = (await run(owner.key, UPDATE, { id: created.id, input: { content: c2 } })).updateArtifact;
    expect(r2.revision).toBe(2);
    const r3 = (await run(owner.key, UPDATE, { id: created.id, input: { metadata: m2 } })).updateArtifact;
    expect(r3.revision).toBe(3);
    expect(r3.contentDigest).toBe(sha256(c2));
    const r4 = (await run(boss.key, DELETE, { id: created.id })).deleteArtifact; // an org ADMIN deletes
    expect(r4.revision).toBe(4);
    expect(r4.deletedAt).not.toBeNull();
    const r5 = (await run(owner.key, RESTORE, { id: created.id })).restoreArtifact; // the owner restores
    expect(r5.revision).toBe(5);
    expect(r5.deletedAt).toBeNull();

    const data = (await run(owner.key, REVISIONS, { id: created.id, first: 20 })).artifact;
    expect(data.revision).toBe(5);
    const revs = data.revisions.edges.map((e: any) => e.node);
    expect(revs.map((r: any) => r.revision)).toEqual([5, 4, 3, 2, 1]);
    expect(revs.map((r: any) => r.change)).toEqual(['RESTORED', 'DELETED', 'UPDATED', 'UPDATED', 'CREATED']);
    const d1 = sha256(c1);
    const d2 = sha256(c2);
    expect(revs.map((r: any) => r.contentDigest)).toEqual([d2, d2, d2, d2, d1]);
    expect(revs.map((r: any) => r.previousDigest)).toEqual([d2, d2, d2, d1, null]);
    expect(revs.map((r: any) => r.content)).toEqual([c2, c2, c2, c2, c1]);
    expect(revs.map((r: any) => JSON.stringify(r.metadata))).toEqual([m2, m2, m2, m1, m1].map((m) => JSON.stringify(m)));
    expect(revs.map((r: any) => r.changedBy.id)).toEqual([owner.id, boss.id, owner.id, owner.id, owner.id]);
    expect(revs.every((r: any) => r.title === 'T' && JSON.stringify(r.tags) === '["r"]')).toBe(true);
    const times = revs.map((r: any) => Date.parse(r.changedAt));
    for (let i = 1; i < times.length; i++) expect(times[i - 1]).toBeGreaterThanOrEqual(times[i]!);
    expect(data.revisions.pageInfo.hasNextPage).toBe(false);
  });

  it('pages revisions with first: 2 and the cursors it returns', async () => {
    const created = await createArtifact(owner.key);
    for (let i = 0; i < 4; i++) await run(owner.key, UPDATE, { id: created.id, input: { content: `v${i + 2}` } });
    const seen: number[] = [];
    const pages: { revisions: number[]; hasNextPage: boolean }[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const conn: any = (await run(owner.key, REVISIONS, { id: created.id, first: 2, after })).artifact.revisions;
      const revisions = conn.edges.map((e: any) => e.node.revision as number);
      pages.push({ revisions, hasNextPage: conn.pageInfo.hasNextPage });
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)?.cursor ?? null);
      seen.push(...revisions);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { revisions: [5, 4], hasNextPage: true },
      { revisions: [3, 2], hasNextPage: true },
      { revisions: [1], hasNextPage: false },
    ]);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    expect(await fail(owner.key, REVISIONS, { id: created.id, first: 101 })).toBe('BAD_USER_INPUT');
    expect(await fail(owner.key, REVISIONS, { id: created.id, first: 2, after: 'garbage' })).toBe('BAD_USER_INPUT');
  });

  it('updateArtifact without expectedRevision always succeeds and adds a revision each time', async () => {
    const created = await createArtifact(owner.key);
    for (let i = 2; i <= 4; i++) {
      const updated = (await run(owner.key, UPDATE, { id: created.id, input: { title: `t${i}` } })).updateArtifact;
      expect(updated.revision).toBe(i);
    }
    // Also when the update changes nothing: every update adds a revision.
    const same = (await run(owner.key, UPDATE, { id: created.id, input: { title: 't4' } })).updateArtifact;
    expect(same.revision).toBe(5);
    // An input that sets no field at all is no update (issue 20): BAD_USER_INPUT, no revision.
    expect(await fail(owner.key, UPDATE, { id: created.id, input: {} })).toBe('BAD_USER_INPUT');
    expect(await allRevisions(owner.key, created.id)).toHaveLength(5);
  });

  it('a matching expectedRevision succeeds; a stale or future one is CONFLICT and changes nothing', async () => {
    const created = await createArtifact(owner.key, { content: 'v1', metadata: { k: 1 } });
    const v2 = (await run(owner.key, UPDATE, { id: created.id, input: { content: 'v2' }, rev: 1 })).updateArtifact;
    expect(v2.revision).toBe(2);
    const before = await getArtifact(owner.key, created.id);
    const revisionsBefore = await allRevisions(owner.key, created.id);

    expect(await fail(owner.key, UPDATE, { id: created.id, input: { content: 'stale', metadata: { k: 2 } }, rev: 1 })).toBe('CONFLICT');
    expect(await fail(owner.key, UPDATE, { id: created.id, input: { content: 'future' }, rev: 3 })).toBe('CONFLICT');

    const after = await getArtifact(owner.key, created.id);
    expect(after).toEqual(before);
    expect(after.content).toBe('v2');
    expect(after.revision).toBe(2);
    expect(await allRevisions(owner.key, created.id)).toEqual(revisionsBefore);
    expect(revisionsBefore).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Real concurrency
// ---------------------------------------------------------------------------------------------

describe('concurrency over separate HTTP requests', () => {
  let owner: Actor;
  beforeAll(async () => {
    owner = await makeActor(boss.key, 'MEMBER', 'racer');
  });

  it('8 concurrent updates with the same expectedRevision: exactly one wins, 7 CONFLICT, one new revision', async () => {
    const created = await createArtifact(owner.key, { content: 'start' });
    const attempts = Array.from({ length: 8 }, (_, i) => `writer ${i}`);
    const results = await Promise.all(
      attempts.map((content) => gql<any>(server, UPDATE, { key: owner.key, variables: { id: created.id, input: { content }, rev: 1 } })),
    );
    const winners = results.filter((r) => !r.body.errors);
    const codes = results.filter((r) => r.body.errors).map((r) => r.body.errors?.[0]?.extensions?.['code']);
    expect(winners).toHaveLength(1);
    expect(codes).toEqual(Array(7).fill('CONFLICT'));
    const winner = winners[0]!.body.data.updateArtifact;
    expect(winner.revision).toBe(2);

    const final = await getArtifact(owner.key, created.id);
    expect(final.revision).toBe(2);
    expect(final.content).toBe(winner.content);
    const revisions = await allRevisions(owner.key, created.id);
    expect(revisions.map((r) => [r.revision, r.change])).toEqual([
      [2, 'UPDATED'],
      [1, 'CREATED'],
    ]);
    expect(revisions[0].content).toBe(winner.content);
  });

  it('6 concurrent createArtifact calls with the same name (no collection): exactly one succeeds, 5 CONFLICT', async () => {
    const name = uniq('race-name');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        gql<any>(server, CREATE, { key: owner.key, variables: { input: { kind: 'fact', name, content: `racer ${i}` } } }),
      ),
    );
    const winners = results.filter((r) => !r.body.errors);
    const codes = results.filter((r) => r.body.errors).map((r) => r.body.errors?.[0]?.extensions?.['code']);
    expect(winners).toHaveLength(1);
    expect(codes).toEqual(Array(5).fill('CONFLICT'));
    expect(await listIds(owner.key, { name, includeDeleted: true })).toEqual([winners[0]!.body.data.createArtifact.id]);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Names
// ---------------------------------------------------------------------------------------------

describe('artifact names', () => {
  let a: Actor;
  let b: Actor;
  beforeAll(async () => {
    a = await makeActor(boss.key, 'MEMBER', 'namer-a');
    b = await makeActor(boss.key, 'MEMBER', 'namer-b');
  });

  it('are unique within the org outside collections, also across owners and visibilities', async () => {
    const name = uniq('org-name');
    await createArtifact(a.key, { name, visibility: 'PRIVATE' });
    expect(await fail(a.key, CREATE, { input: { kind: 'fact', content: 'x', name } })).toBe('CONFLICT');
    expect(await fail(b.key, CREATE, { input: { kind: 'fact', content: 'x', name, visibility: 'ORG' } })).toBe('CONFLICT');
  });

  it('are unique within a collection; the same name in two collections, and outside them, is fine', async () => {
    const name = uniq('coll-name');
    const c1 = await createCollection(a.key);
    const c2 = await createCollection(a.key);
    const in1 = await createArtifact(a.key, { name, collectionId: c1.id });
    const in2 = await createArtifact(a.key, { name, collectionId: c2.id });
    const outside = await createArtifact(a.key, { name });
    expect([in1.collection.id, in2.collection.id, outside.collection]).toEqual([c1.id, c2.id, null]);
    expect(await fail(a.key, CREATE, { input: { kind: 'fact', content: 'x', name, collectionId: c1.id } })).toBe('CONFLICT');
    expect(await fail(b.key, CREATE, { input: { kind: 'fact', content: 'x', name, collectionId: c2.id } })).toBe('CONFLICT');
  });

  it('the same name in another org is fine', async () => {
    const name = uniq('cross-org');
    await createArtifact(a.key, { name });
    const theirs = await createArtifact(other.key, { name });
    expect(theirs.name).toBe(name);
  });

  it('renaming onto a taken name is CONFLICT and changes nothing', async () => {
    const taken = uniq('taken');
    await createArtifact(a.key, { name: taken });
    const mine = await createArtifact(a.key, { name: uniq('mine') });
    expect(await fail(a.key, UPDATE, { id: mine.id, input: { name: taken } })).toBe('CONFLICT');
    expect(await getArtifact(a.key, mine.id)).toEqual(mine);
  });

  it('addToCollection with a clashing name is CONFLICT and moves nothing (all or none)', async () => {
    const name = uniq('clash');
    const target = await createCollection(a.key);
    const inside = await createArtifact(a.key, { name, collectionId: target.id });
    const clashing = await createArtifact(a.key, { name });
    const innocent = await createArtifact(a.key, { name: uniq('innocent') });

    expect(await fail(a.key, ADD_TO_COLLECTION, { collectionId: target.id, artifactIds: [innocent.id, clashing.id] })).toBe('CONFLICT');
    expect((await getArtifact(a.key, inside.id)).collection?.id).toBe(target.id);
    expect((await getArtifact(a.key, clashing.id)).collection).toBeNull();
    expect((await getArtifact(a.key, innocent.id)).collection).toBeNull();
    expect(await listIds(a.key, { collectionId: target.id })).toEqual([inside.id]);

    // Without the clash the move works.
    await run(a.key, ADD_TO_COLLECTION, { collectionId: target.id, artifactIds: [innocent.id] });
    expect((await getArtifact(a.key, innocent.id)).collection?.id).toBe(target.id);
  });

  it('deleted artifacts keep their name: re-creating it is CONFLICT, and restore works', async () => {
    const name = uniq('kept');
    const created = await createArtifact(a.key, { name });
    await run(a.key, DELETE, { id: created.id });
    expect(await fail(a.key, CREATE, { input: { kind: 'fact', content: 'x', name } })).toBe('CONFLICT');
    const restored = (await run(a.key, RESTORE, { id: created.id })).restoreArtifact;
    expect(restored.name).toBe(name);
    expect(restored.deletedAt).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Deletion
// ---------------------------------------------------------------------------------------------

describe('soft deletion', () => {
  let owner: Actor;
  let peer: Actor;
  beforeAll(async () => {
    owner = await makeActor(boss.key, 'MEMBER', 'deleter');
    peer = await makeActor(boss.key, 'MEMBER', 'peer');
  });

  it('a deleted artifact vanishes from artifact, node, artifacts and Collection.artifacts; restore brings it back', async () => {
    const collection = await createCollection(owner.key);
    const created = await createArtifact(owner.key, { collectionId: collection.id, visibility: 'ORG', name: uniq('del') });
    const inCollection = async (key: string) =>
      (await run(key, COLLECTION_ARTIFACTS, { id: collection.id })).node.artifacts.edges.map((e: any) => e.node.id);
    for (const key of [owner.key, peer.key]) {
      expect(await getArtifact(key, created.id)).not.toBeNull();
      expect(await inCollection(key)).toEqual([created.id]);
    }

    const deleted = (await run(owner.key, DELETE, { id: created.id })).deleteArtifact;
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.revision).toBe(2);

    for (const key of [owner.key, peer.key, boss.key]) {
      expect(await getArtifact(key, created.id)).toBeNull();
      expect(await getNode(key, created.id)).toBeNull();
      expect(await listIds(key, { collectionId: collection.id })).toEqual([]);
      expect(await listIds(key, { name: created.name })).toEqual([]);
      expect(await inCollection(key)).toEqual([]);
    }

    const restored = (await run(owner.key, RESTORE, { id: created.id })).restoreArtifact;
    expect(restored.deletedAt).toBeNull();
    expect(restored.revision).toBe(3);
    for (const key of [owner.key, peer.key]) {
      expect((await getArtifact(key, created.id))?.id).toBe(created.id);
      expect((await getNode(key, created.id))?.id).toBe(created.id);
      expect(await listIds(key, { collectionId: collection.id })).toEqual([created.id]);
      expect(await inCollection(key)).toEqual([created.id]);
    }
  });

  it('includeDeleted shows a deleted ORG artifact to its owner and to an org ADMIN, not to another MEMBER', async () => {
    const name = uniq('trash');
    const created = await createArtifact(owner.key, { name, visibility: 'ORG' });
    await run(owner.key, DELETE, { id: created.id });
    const withDeleted = async (key: string) =>
      (await run(key, LIST, { filter: { name, includeDeleted: true }, first: 10 })).artifacts.edges.map((e: any) => e.node);

    const ownerView = await withDeleted(owner.key);
    expect(ownerView.map((n: any) => n.id)).toEqual([created.id]);
    expect(ownerView[0].deletedAt).not.toBeNull();
    expect((await withDeleted(boss.key)).map((n: any) => n.id)).toEqual([created.id]);
    expect(await withDeleted(peer.key)).toEqual([]);
    expect(await withDeleted(other.key)).toEqual([]);
    // Without includeDeleted nobody sees it.
    expect(await listIds(owner.key, { name })).toEqual([]);
    expect(await listIds(boss.key, { name })).toEqual([]);
  });

  it('restoring a live artifact and deleting twice are NOT_FOUND; a deleted artifact cannot be updated', async () => {
    const created = await createArtifact(owner.key);
    expect(await fail(owner.key, RESTORE, { id: created.id })).toBe('NOT_FOUND');
    await run(owner.key, DELETE, { id: created.id });
    expect(await fail(owner.key, DELETE, { id: created.id })).toBe('NOT_FOUND');
    expect(await fail(owner.key, UPDATE, { id: created.id, input: { content: 'zombie' } })).toBe('NOT_FOUND');
    // A peer cannot restore it (a deleted artifact is invisible to them).
    expect(await fail(peer.key, RESTORE, { id: created.id })).toBe('NOT_FOUND');
    const restored = (await run(owner.key, RESTORE, { id: created.id })).restoreArtifact;
    expect(restored.revision).toBe(3);
    expect(await allRevisions(owner.key, created.id)).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Filters and pagination
// ---------------------------------------------------------------------------------------------

describe('artifacts(filter:) and pagination', () => {
  let f: Actor;
  let g: Actor;
  const u = uniq('flt');
  const kA = `kA-${u}`;
  const kB = `kB-${u}`;
  const kC = `kC-${u}`;
  const t1 = `t1-${u}`;
  const t2 = `t2-${u}`;
  const t3 = `t3-${u}`;
  const cb1 = `cb1-${u}`;
  const cb2 = `cb2-${u}`;
  const team = `team-${u}`;
  let c1: any;
  let a1: any, a2: any, a3: any, a4: any, a5: any;

  beforeAll(async () => {
    f = await makeActor(boss.key, 'MEMBER', 'filter-f');
    g = await makeActor(boss.key, 'MEMBER', 'filter-g');
    c1 = await createCollection(f.key);
    a1 = await createArtifact(f.key, {
      name: `n1-${u}`,
      kind: kA,
      tags: [t1, t2],
      codebase: cb1,
      metadata: { team, nested: { lvl: 1, arr: [1, 2] } },
      visibility: 'ORG',
      collectionId: c1.id,
    });
    a2 = await createArtifact(f.key, { name: `n2-${u}`, kind: kB, tags: [t1], codebase: cb1, metadata: { team: `${team}-y`, nested: { lvl: 2 } } });
    a3 = await createArtifact(f.key, { kind: kC, tags: [t2, t3], codebase: cb2, metadata: { team }, visibility: 'PUBLIC', collectionId: c1.id });
    a4 = await createArtifact(g.key, { kind: kA, tags: [t1, t2, t3], codebase: cb2, metadata: { team, nested: { lvl: 1 } }, visibility: 'ORG' });
    a5 = await createArtifact(f.key, { kind: kA, tags: [t1], codebase: cb1, visibility: 'ORG' });
    await run(f.key, DELETE, { id: a5.id });
  });

  const as = (actor: () => Actor, filter: Record<string, unknown>) => listIds(actor().key, filter);
  const F = () => f;
  const G = () => g;

  it('kinds: any of the given kinds', async () => {
    expect(await as(F, { kinds: [kA] })).toEqual([a4.id, a1.id]);
    expect(await as(F, { kinds: [kA, kC] })).toEqual([a4.id, a3.id, a1.id]);
    expect(await as(F, { kinds: [`nope-${u}`] })).toEqual([]);
  });

  it('tags: all of the given tags must match', async () => {
    expect(await as(F, { tags: [t1] })).toEqual([a4.id, a2.id, a1.id]);
    expect(await as(F, { tags: [t1, t2] })).toEqual([a4.id, a1.id]);
    expect(await as(F, { tags: [t2, t3] })).toEqual([a4.id, a3.id]);
    expect(await as(F, { tags: [t1, t2, t3] })).toEqual([a4.id]);
  });

  it('codebase, collectionId, ownerId, visibility', async () => {
    expect(await as(F, { codebase: cb1 })).toEqual([a2.id, a1.id]);
    expect(await as(F, { codebase: cb2 })).toEqual([a4.id, a3.id]);
    expect(await as(F, { collectionId: c1.id })).toEqual([a3.id, a1.id]);
    expect(await as(F, { ownerId: g.id })).toEqual([a4.id]);
    expect(await as(F, { ownerId: f.id })).toEqual([a3.id, a2.id, a1.id]);
    expect(await as(F, { ownerId: f.id, visibility: 'PRIVATE' })).toEqual([a2.id]);
    expect(await as(F, { ownerId: f.id, visibility: 'ORG' })).toEqual([a1.id]);
    expect(await as(F, { ownerId: f.id, visibility: 'PUBLIC' })).toEqual([a3.id]);
    expect(await as(F, { ownerId: f.id, visibility: 'GROUP' })).toEqual([]);
  });

  it('metadata: JSON containment, including nested objects and arrays', async () => {
    expect(await as(F, { metadata: { team } })).toEqual([a4.id, a3.id, a1.id]);
    expect(await as(F, { metadata: { team, nested: { lvl: 1 } } })).toEqual([a4.id, a1.id]);
    expect(await as(F, { metadata: { nested: { arr: [2] }, team } })).toEqual([a1.id]);
    expect(await as(F, { metadata: { team: `${team}-y` } })).toEqual([a2.id]);
    expect(await as(F, { metadata: { team, nested: { lvl: 3 } } })).toEqual([]);
    expect(await fail(f.key, LIST, { filter: { metadata: [1] } })).toBe('BAD_USER_INPUT');
  });

  it('contentDigest and name', async () => {
    expect(await as(F, { contentDigest: sha256(a2.content) })).toEqual([a2.id]);
    expect(await as(F, { contentDigest: a3.contentDigest })).toEqual([a3.id]);
    expect(await as(F, { name: `n1-${u}` })).toEqual([a1.id]);
    expect(await as(F, { name: `n9-${u}` })).toEqual([]);
  });

  it('includeDeleted adds the caller’s deleted artifacts', async () => {
    expect(await as(F, { ownerId: f.id, includeDeleted: true })).toEqual([a5.id, a3.id, a2.id, a1.id]);
    expect(await as(F, { kinds: [kA], includeDeleted: true })).toEqual([a5.id, a4.id, a1.id]);
    expect(await as(F, { kinds: [kA], includeDeleted: false })).toEqual([a4.id, a1.id]);
    expect(await as(G, { kinds: [kA], includeDeleted: true })).toEqual([a4.id, a1.id]);
  });

  it('combined filters narrow together; visibility applies to every filter', async () => {
    expect(await as(F, { kinds: [kA], tags: [t1, t2], codebase: cb2 })).toEqual([a4.id]);
    expect(await as(F, { kinds: [kA], codebase: cb1, collectionId: c1.id, metadata: { team } })).toEqual([a1.id]);
    expect(await as(F, { kinds: [kA, kB, kC], ownerId: f.id, tags: [t1] })).toEqual([a2.id, a1.id]);
    expect(await as(F, { kinds: [kB], codebase: cb2 })).toEqual([]);
    // g does not see f's PRIVATE a2.
    expect(await as(G, { tags: [t1] })).toEqual([a4.id, a1.id]);
    expect(await as(G, { contentDigest: a2.contentDigest })).toEqual([]);
    expect(await as(G, { name: a2.name })).toEqual([]);
  });

  it('pages 25 artifacts 10 at a time: newest first, no duplicates, no gaps, hasNextPage false at the end', async () => {
    const codebase = uniq('paged');
    const createdIds: string[] = [];
    for (let i = 0; i < 25; i++) createdIds.push((await createArtifact(f.key, { codebase, title: `#${i}` })).id);
    const pages: any[][] = [];
    const flags: boolean[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const conn: any = (await run(f.key, LIST, { filter: { codebase }, first: 10, after })).artifacts;
      pages.push(conn.edges);
      flags.push(conn.pageInfo.hasNextPage);
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)?.cursor ?? null);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(flags).toEqual([true, true, false]);
    const ids = pages.flat().map((e: any) => e.node.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual([...createdIds].reverse());
    const cursors = pages.flat().map((e: any) => e.cursor);
    expect(new Set(cursors).size).toBe(25);
    const times = pages.flat().map((e: any) => Date.parse(e.node.createdAt));
    for (let i = 1; i < times.length; i++) expect(times[i - 1]).toBeGreaterThanOrEqual(times[i]!);
  });

  it('first above 100 or negative and a garbage cursor are BAD_USER_INPUT; first: 0 is an empty page', async () => {
    expect(await fail(f.key, LIST, { first: 101 })).toBe('BAD_USER_INPUT');
    expect(await fail(f.key, LIST, { first: -1 })).toBe('BAD_USER_INPUT');
    expect(await fail(f.key, LIST, { first: 10, after: 'garbage' })).toBe('BAD_USER_INPUT');
    expect(await fail(f.key, LIST, { first: 10, after: Buffer.from('User:1').toString('base64url') })).toBe('BAD_USER_INPUT');
    const hundred = (await run(f.key, LIST, { first: 100 })).artifacts;
    expect(hundred.edges.length).toBeGreaterThan(0);
    const empty = (await run(f.key, LIST, { filter: { ownerId: f.id }, first: 0 })).artifacts;
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo.endCursor).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Roles
// ---------------------------------------------------------------------------------------------

describe('roles', () => {
  let owner: Actor;
  let peer: Actor;
  let orgArtifact: any;
  let privateArtifact: any;
  beforeAll(async () => {
    owner = await makeActor(boss.key, 'MEMBER', 'role-owner');
    peer = await makeActor(boss.key, 'MEMBER', 'role-peer');
    orgArtifact = await createArtifact(owner.key, { visibility: 'ORG', name: uniq('role-org') });
    privateArtifact = await createArtifact(owner.key, { visibility: 'PRIVATE', name: uniq('role-private') });
  });

  it.each(['READER', 'AGENT'])('%s cannot create, update or delete artifacts but reads what is visible to them', async (role) => {
    const actor = await makeActor(boss.key, role, role.toLowerCase());
    const before = await getArtifact(owner.key, orgArtifact.id);
    expect(await fail(actor.key, CREATE, { input: { kind: 'fact', content: 'nope' } })).toBe('FORBIDDEN');
    expect(await fail(actor.key, UPDATE, { id: orgArtifact.id, input: { content: 'nope' } })).toBe('FORBIDDEN');
    expect(await fail(actor.key, DELETE, { id: orgArtifact.id })).toBe('FORBIDDEN');
    expect(await getArtifact(owner.key, orgArtifact.id)).toEqual(before);
    expect(await listIds(actor.key, { ownerId: actor.id, includeDeleted: true })).toEqual([]);

    expect((await getArtifact(actor.key, orgArtifact.id))?.id).toBe(orgArtifact.id);
    expect((await getNode(actor.key, orgArtifact.id))?.id).toBe(orgArtifact.id);
    expect(await listIds(actor.key, { name: orgArtifact.name })).toEqual([orgArtifact.id]);
    expect(await getArtifact(actor.key, privateArtifact.id)).toBeNull();
    expect(await listIds(actor.key, { name: privateArtifact.name })).toEqual([]);
  });

  it('a MEMBER cannot update, delete or share another member’s (visible) ORG artifact: FORBIDDEN', async () => {
    const before = await getArtifact(owner.key, orgArtifact.id);
    expect(await fail(peer.key, UPDATE, { id: orgArtifact.id, input: { content: 'hijack' } })).toBe('FORBIDDEN');
    expect(await fail(peer.key, DELETE, { id: orgArtifact.id })).toBe('FORBIDDEN');
    expect(await fail(peer.key, SHARE, { id: orgArtifact.id, visibility: 'PUBLIC' })).toBe('FORBIDDEN');
    expect(await getArtifact(owner.key, orgArtifact.id)).toEqual(before);
  });

  it('an org ADMIN can update, share, delete and restore a member’s ORG artifact', async () => {
    const target = await createArtifact(owner.key, { visibility: 'ORG' });
    const updated = (await run(boss.key, UPDATE, { id: target.id, input: { content: 'edited by admin' } })).updateArtifact;
    expect(updated).toMatchObject({ content: 'edited by admin', revision: 2, owner: { id: owner.id } });
    const shared = (await run(boss.key, SHARE, { id: target.id, visibility: 'PUBLIC' })).shareArtifact;
    expect(shared.visibility).toBe('PUBLIC');
    expect((await run(boss.key, DELETE, { id: target.id })).deleteArtifact.deletedAt).not.toBeNull();
    expect((await run(boss.key, RESTORE, { id: target.id })).restoreArtifact.deletedAt).toBeNull();
    const revisions = await allRevisions(owner.key, target.id);
    expect(revisions.map((r) => r.changedBy.id)).toEqual([boss.id, boss.id, boss.id, owner.id]);
  });

  it('a MEMBER touching another member’s PRIVATE artifact gets NOT_FOUND (invisible reads as absent)', async () => {
    expect(await fail(peer.key, UPDATE, { id: privateArtifact.id, input: { content: 'x' } })).toBe('NOT_FOUND');
    expect(await fail(peer.key, DELETE, { id: privateArtifact.id })).toBe('NOT_FOUND');
    expect(await fail(peer.key, SHARE, { id: privateArtifact.id, visibility: 'ORG' })).toBe('NOT_FOUND');
    expect(await getArtifact(peer.key, privateArtifact.id)).toBeNull();
    expect(await getNode(peer.key, privateArtifact.id)).toBeNull();
    // An ADMIN administers but does not read private notes.
    expect(await getArtifact(boss.key, privateArtifact.id)).toBeNull();
    expect(await fail(boss.key, UPDATE, { id: privateArtifact.id, input: { content: 'x' } })).toBe('NOT_FOUND');
    expect((await getArtifact(owner.key, privateArtifact.id)).revision).toBe(1);
  });

  it('only an ADMIN can createUser; a duplicate handle is CONFLICT; a bad handle is BAD_USER_INPUT', async () => {
    for (const role of ['MEMBER', 'REVIEWER', 'READER', 'AGENT']) {
      const actor = await makeActor(boss.key, role, `cu-${role.toLowerCase()}`);
      expect(await fail(actor.key, CREATE_USER, { input: { handle: uniq('x'), role: 'MEMBER' } }), role).toBe('FORBIDDEN');
    }
    const handle = uniq('dup');
    const created = (await run(boss.key, CREATE_USER, { input: { handle, displayName: ' Dup User ', role: 'READER' } })).createUser;
    expect(created).toMatchObject({ handle, displayName: 'Dup User', role: 'READER' });
    expect(await fail(boss.key, CREATE_USER, { input: { handle, role: 'MEMBER' } })).toBe('CONFLICT');
    expect(await fail(ADMIN_KEY, CREATE_USER, { input: { handle, role: 'ADMIN' } })).toBe('CONFLICT');
    expect(await fail(boss.key, CREATE_USER, { input: { handle: 'has space', role: 'MEMBER' } })).toBe('BAD_USER_INPUT');
    // The same handle in another org is a different user.
    expect((await run(other.key, CREATE_USER, { input: { handle, role: 'MEMBER' } })).createUser.handle).toBe(handle);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Groups
// ---------------------------------------------------------------------------------------------

describe('groups', () => {
  let gadmin: Actor; // creates the group, so its group ADMIN
  let member: Actor;
  let outsider: Actor;
  beforeAll(async () => {
    gadmin = await makeActor(boss.key, 'MEMBER', 'gadmin');
    member = await makeActor(boss.key, 'MEMBER', 'gmember');
    outsider = await makeActor(boss.key, 'MEMBER', 'goutsider');
  });

  const membersOf = (group: any) =>
    group.members.map((m: any) => [m.user.id, m.role]).sort((x: string[], y: string[]) => (x[0]! < y[0]! ? -1 : 1));
  const sorted = (pairs: [string, string][]) => [...pairs].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const myGroups = async (key: string) => (await run(key, '{ me { groups { id name } } }')).me.groups.map((g: any) => g.id);

  it('createGroup makes the creator its first ADMIN; a duplicate name is CONFLICT', async () => {
    const name = uniq('group');
    const group = (await run(gadmin.key, CREATE_GROUP, { name })).createGroup;
    expect(group.name).toBe(name);
    expect(group.members).toEqual([{ role: 'ADMIN', user: { id: gadmin.id, handle: gadmin.handle } }]);
    expect(await fail(member.key, CREATE_GROUP, { name })).toBe('CONFLICT');
    expect(await connectionIds(member.key, 'groups')).toContain(group.id);
  });

  it('group ADMINs and org ADMINs manage members; plain MEMBERs get FORBIDDEN; User.groups follows', async () => {
    const group = (await run(gadmin.key, CREATE_GROUP, { name: uniq('managed') })).createGroup;
    // A plain member of the org (not in the group) may not add anyone, not even themselves.
    expect(await fail(outsider.key, ADD_MEMBER, { groupId: group.id, userId: outsider.id })).toBe('FORBIDDEN');

    const added = (await run(gadmin.key, ADD_MEMBER, { groupId: group.id, userId: member.id })).addGroupMember;
    expect(membersOf(added)).toEqual(sorted([[gadmin.id, 'ADMIN'], [member.id, 'MEMBER']]));
    expect(await myGroups(member.key)).toContain(group.id);
    const viaNode = (await run(boss.key, 'query ($id: ID!) { node(id: $id) { ... on User { groups { id } } } }', { id: member.id })).node;
    expect(viaNode.groups.map((g: any) => g.id)).toContain(group.id);

    // A group MEMBER is not a group ADMIN.
    expect(await fail(member.key, ADD_MEMBER, { groupId: group.id, userId: outsider.id })).toBe('FORBIDDEN');
    expect(await fail(member.key, REMOVE_MEMBER, { groupId: group.id, userId: gadmin.id })).toBe('FORBIDDEN');
    expect(await fail(outsider.key, REMOVE_MEMBER, { groupId: group.id, userId: member.id })).toBe('FORBIDDEN');

    // The org ADMIN (not in the group) adds and removes.
    const byBoss = (await run(boss.key, ADD_MEMBER, { groupId: group.id, userId: outsider.id })).addGroupMember;
    expect(membersOf(byBoss)).toEqual(sorted([[gadmin.id, 'ADMIN'], [member.id, 'MEMBER'], [outsider.id, 'MEMBER']]));
    expect(await myGroups(outsider.key)).toContain(group.id);
    const removedByBoss = (await run(boss.key, REMOVE_MEMBER, { groupId: group.id, userId: outsider.id })).removeGroupMember;
    expect(membersOf(removedByBoss)).toEqual(sorted([[gadmin.id, 'ADMIN'], [member.id, 'MEMBER']]));
    expect(await myGroups(outsider.key)).not.toContain(group.id);

    // The group ADMIN removes; promoting makes a member a group ADMIN.
    const removed = (await run(gadmin.key, REMOVE_MEMBER, { groupId: group.id, userId: member.id })).removeGroupMember;
    expect(membersOf(removed)).toEqual([[gadmin.id, 'ADMIN']]);
    expect(await myGroups(member.key)).not.toContain(group.id);
    await run(gadmin.key, ADD_MEMBER, { groupId: group.id, userId: member.id, role: 'ADMIN' });
    const byPromoted = (await run(member.key, ADD_MEMBER, { groupId: group.id, userId: outsider.id })).addGroupMember;
    expect(membersOf(byPromoted)).toEqual(sorted([[gadmin.id, 'ADMIN'], [member.id, 'ADMIN'], [outsider.id, 'MEMBER']]));
  });

  it('removing a member removes their access to GROUP artifacts shared with the group at once', async () => {
    const group = (await run(gadmin.key, CREATE_GROUP, { name: uniq('access') })).createGroup;
    await run(gadmin.key, ADD_MEMBER, { groupId: group.id, userId: member.id });
    const name = uniq('group-art');
    const artifact = await createArtifact(gadmin.key, { name, visibility: 'GROUP', sharedWithGroupIds: [group.id] });
    expect(artifact.visibility).toBe('GROUP');
    expect(artifact.sharedWithGroups).toEqual([{ id: group.id, name: group.name }]);

    expect((await getArtifact(member.key, artifact.id))?.id).toBe(artifact.id);
    expect(await listIds(member.key, { name })).toEqual([artifact.id]);
    expect(await listIds(member.key, { visibility: 'GROUP', name })).toEqual([artifact.id]);
    expect(await getArtifact(outsider.key, artifact.id)).toBeNull();
    expect(await listIds(outsider.key, { name })).toEqual([]);

    await run(gadmin.key, REMOVE_MEMBER, { groupId: group.id, userId: member.id });
    expect(await getArtifact(member.key, artifact.id)).toBeNull();
    expect(await getNode(member.key, artifact.id)).toBeNull();
    expect(await listIds(member.key, { name })).toEqual([]);
    expect(await fail(member.key, UPDATE, { id: artifact.id, input: { content: 'x' } })).toBe('NOT_FOUND');
    // The owner keeps access.
    expect((await getArtifact(gadmin.key, artifact.id))?.id).toBe(artifact.id);
  });

  it('shareArtifact / createArtifact with a group of another org is NOT_FOUND and changes nothing', async () => {
    const foreign = (await run(other.key, CREATE_GROUP, { name: uniq('foreign') })).createGroup;
    const mine = await createArtifact(gadmin.key, { visibility: 'ORG' });
    expect(await fail(gadmin.key, SHARE, { id: mine.id, visibility: 'GROUP', groupIds: [foreign.id] })).toBe('NOT_FOUND');
    expect(await getArtifact(gadmin.key, mine.id)).toEqual(mine);
    const name = uniq('foreign-art');
    expect(await fail(gadmin.key, CREATE, { input: { kind: 'fact', content: 'x', name, visibility: 'GROUP', sharedWithGroupIds: [foreign.id] } })).toBe(
      'NOT_FOUND',
    );
    expect(await listIds(gadmin.key, { name, includeDeleted: true })).toEqual([]);
    // Sharing GROUP with no groups is BAD_USER_INPUT.
    expect(await fail(gadmin.key, SHARE, { id: mine.id, visibility: 'GROUP', groupIds: [] })).toBe('BAD_USER_INPUT');
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Collections
// ---------------------------------------------------------------------------------------------

describe('collections', () => {
  let owner: Actor;
  let peer: Actor;
  beforeAll(async () => {
    owner = await makeActor(boss.key, 'MEMBER', 'curator');
    peer = await makeActor(boss.key, 'MEMBER', 'browser');
  });

  it('createCollection returns it, collections lists it, a duplicate name is CONFLICT', async () => {
    const name = uniq('shelf');
    const created = await createCollection(owner.key, name, '  A shelf  ');
    expect(created).toMatchObject({ name, description: 'A shelf', createdBy: { id: owner.id } });
    expect(await connectionIds(peer.key, 'collections')).toContain(created.id);
    expect(await fail(peer.key, CREATE_COLLECTION, { input: { name } })).toBe('CONFLICT');
    const reader = await makeActor(boss.key, 'READER', 'c-reader');
    expect(await fail(reader.key, CREATE_COLLECTION, { input: { name: uniq('nope') } })).toBe('FORBIDDEN');
  });

  it('addToCollection moves artifacts in; Collection.artifacts shows each viewer only what they can see', async () => {
    const collection = await createCollection(owner.key);
    const shared = await createArtifact(owner.key, { visibility: 'ORG' });
    const secret = await createArtifact(owner.key, { visibility: 'PRIVATE' });
    const result = (await run(owner.key, ADD_TO_COLLECTION, { collectionId: collection.id, artifactIds: [shared.id, secret.id] })).addToCollection;
    expect(result).toEqual({ id: collection.id, name: collection.name });
    expect((await getArtifact(owner.key, secret.id)).collection).toEqual({ id: collection.id, name: collection.name });

    const view = async (key: string) => (await run(key, COLLECTION_ARTIFACTS, { id: collection.id })).node.artifacts.edges.map((e: any) => e.node.id);
    expect(await view(owner.key)).toEqual([secret.id, shared.id]);
    expect(await view(peer.key)).toEqual([shared.id]);
    expect(await view(boss.key)).toEqual([shared.id]);
    expect(await listIds(peer.key, { collectionId: collection.id })).toEqual([shared.id]);
  });

  it('addToCollection of someone else’s artifact: FORBIDDEN when visible, NOT_FOUND when not; nothing moves', async () => {
    const collection = await createCollection(peer.key);
    const visible = await createArtifact(owner.key, { visibility: 'ORG' });
    const hidden = await createArtifact(owner.key, { visibility: 'PRIVATE' });
    expect(await fail(peer.key, ADD_TO_COLLECTION, { collectionId: collection.id, artifactIds: [visible.id] })).toBe('FORBIDDEN');
    expect(await fail(peer.key, ADD_TO_COLLECTION, { collectionId: collection.id, artifactIds: [hidden.id] })).toBe('NOT_FOUND');
    expect((await getArtifact(owner.key, visible.id)).collection).toBeNull();
    expect((await getArtifact(owner.key, hidden.id)).collection).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 10. Org isolation
// ---------------------------------------------------------------------------------------------

describe('org isolation', () => {
  let author: Actor;
  let group: any;
  let collection: any;
  const kind = `iso-${RUN}`;
  const arts: Record<'PRIVATE' | 'GROUP' | 'ORG' | 'PUBLIC', any> = {} as never;
  beforeAll(async () => {
    author = await makeActor(boss.key, 'MEMBER', 'iso-author');
    group = (await run(author.key, CREATE_GROUP, { name: uniq('iso-group') })).createGroup;
    collection = await createCollection(author.key);
    arts.PRIVATE = await createArtifact(author.key, { kind, visibility: 'PRIVATE' });
    arts.GROUP = await createArtifact(author.key, { kind, visibility: 'GROUP', sharedWithGroupIds: [group.id] });
    arts.ORG = await createArtifact(author.key, { kind, visibility: 'ORG' });
    arts.PUBLIC = await createArtifact(author.key, { kind, visibility: 'PUBLIC', collectionId: collection.id, name: uniq('public') });
  });

  it('another org’s ADMIN sees no ORG, GROUP or PRIVATE artifact of `default`, by id, node or list', async () => {
    for (const v of ['PRIVATE', 'GROUP', 'ORG'] as const) {
      expect(await getArtifact(other.key, arts[v].id), v).toBeNull();
      expect(await getNode(other.key, arts[v].id), v).toBeNull();
    }
    expect(await listIds(other.key, { kinds: [kind] })).toEqual([arts.PUBLIC.id]);
    expect(await listIds(other.key, { kinds: [kind], includeDeleted: true })).toEqual([arts.PUBLIC.id]);
    expect(await listIds(other.key, { ownerId: author.id })).toEqual([arts.PUBLIC.id]);
  });

  it('sees PUBLIC artifacts read-only: updates, deletes and shares are FORBIDDEN; others’ are NOT_FOUND', async () => {
    const seen = await getArtifact(other.key, arts.PUBLIC.id);
    expect(seen).toMatchObject({ id: arts.PUBLIC.id, content: arts.PUBLIC.content, visibility: 'PUBLIC', owner: { id: author.id } });
    expect(seen.collection).toBeNull(); // the collection belongs to the other org
    expect((await getNode(other.key, arts.PUBLIC.id))?.id).toBe(arts.PUBLIC.id);

    expect(await fail(other.key, UPDATE, { id: arts.PUBLIC.id, input: { content: 'defaced' } })).toBe('FORBIDDEN');
    expect(await fail(other.key, DELETE, { id: arts.PUBLIC.id })).toBe('FORBIDDEN');
    expect(await fail(other.key, SHARE, { id: arts.PUBLIC.id, visibility: 'PRIVATE' })).toBe('FORBIDDEN');
    for (const v of ['PRIVATE', 'GROUP', 'ORG'] as const) {
      expect(await fail(other.key, UPDATE, { id: arts[v].id, input: { content: 'x' } }), v).toBe('NOT_FOUND');
      expect(await fail(other.key, DELETE, { id: arts[v].id }), v).toBe('NOT_FOUND');
    }
    const otherCollection = await createCollection(other.key);
    expect(await fail(other.key, ADD_TO_COLLECTION, { collectionId: otherCollection.id, artifactIds: [arts.PUBLIC.id] })).toBe('FORBIDDEN');
    expect(await getArtifact(author.key, arts.PUBLIC.id)).toEqual(arts.PUBLIC);
  });

  it('sees no users, groups or collections of `default`', async () => {
    const users = await connectionIds(other.key, 'users');
    expect(users).not.toContain(author.id);
    expect(users).not.toContain(boss.id);
    expect(users).toContain(other.id);
    expect(await connectionIds(other.key, 'groups')).not.toContain(group.id);
    expect(await connectionIds(other.key, 'collections')).not.toContain(collection.id);
    expect(await getNode(other.key, author.id)).toBeNull();
    expect(await getNode(other.key, group.id)).toBeNull();
    expect(await getNode(other.key, collection.id)).toBeNull();
    // ...and cannot reach them through mutations either.
    const theirGroup = (await run(other.key, CREATE_GROUP, { name: uniq('their') })).createGroup;
    expect(await fail(other.key, ADD_MEMBER, { groupId: theirGroup.id, userId: author.id })).toBe('NOT_FOUND');
    expect(await fail(other.key, ADD_MEMBER, { groupId: group.id, userId: other.id })).toBe('NOT_FOUND');
    expect(await fail(other.key, CREATE_KEY, { input: { userId: author.id, name: 'steal' } })).toBe('NOT_FOUND');
    // The other way round, too.
    expect(await getNode(author.key, other.id)).toBeNull();
    expect(await getNode(author.key, theirGroup.id)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// 11. API keys
// ---------------------------------------------------------------------------------------------

describe('API keys', () => {
  it('createApiKey returns the key once; apiKeys lists its 8-character prefix and never the key', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'keyed');
    const created = (await run(boss.key, CREATE_KEY, { input: { userId: m.id, name: 'laptop', tier: 'high' } })).createApiKey;
    expect(created.key).toMatch(/^hg_/);
    expect(created.apiKey).toMatchObject({ prefix: created.key.slice(0, 8), name: 'laptop', tier: 'high', lastUsedAt: null, revokedAt: null, user: { id: m.id } });
    expect((await gql<any>(server, '{ me { id } }', { key: created.key })).body.data.me.id).toBe(m.id);

    for (const key of [boss.key, m.key]) {
      const res = await gql(server, API_KEYS, { key, variables: { userId: m.id } });
      expect(res.body.errors).toBeUndefined();
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(created.key);
      expect(text).not.toContain(m.key);
      const listed = (res.body.data as any).apiKeys.edges.map((e: any) => e.node);
      expect(listed.find((k: any) => k.id === created.apiKey.id)).toMatchObject({ prefix: created.key.slice(0, 8), name: 'laptop' });
      expect(listed.map((k: any) => k.prefix)).toContain(m.key.slice(0, 8));
    }
    // There is no field that would return the key again.
    expect((await gql(server, '{ apiKeys { edges { node { key } } } }', { key: boss.key })).body.errors?.[0]?.extensions?.['code']).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('a MEMBER creates keys for themselves in their own tier, not for others, and cannot choose a tier', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'selfkey');
    const peer = await makeActor(boss.key, 'MEMBER', 'selfkey-peer');
    const own = (await run(m.key, CREATE_KEY, { input: { userId: m.id, name: 'own' } })).createApiKey;
    expect(own.apiKey.user.id).toBe(m.id);
    expect(own.apiKey.tier).toBe('unlimited'); // the tier of the key m used
    expect((await gql<any>(server, '{ me { id } }', { key: own.key })).body.data.me.id).toBe(m.id);
    expect(await fail(m.key, CREATE_KEY, { input: { userId: peer.id, name: 'theirs' } })).toBe('FORBIDDEN');
    expect(await fail(m.key, CREATE_KEY, { input: { userId: m.id, name: 'vip', tier: 'high' } })).toBe('FORBIDDEN');
    // A MEMBER sees only their own keys.
    expect(await fail(m.key, API_KEYS, { userId: peer.id })).toBe('FORBIDDEN');
    const mine = (await run(m.key, API_KEYS, {})).apiKeys.edges.map((e: any) => e.node.user.id);
    expect(new Set(mine)).toEqual(new Set([m.id]));
    // Another member's key reads as absent.
    const peerKeyId = (await run(boss.key, API_KEYS, { userId: peer.id })).apiKeys.edges[0].node.id;
    expect(await fail(m.key, REVOKE_KEY, { id: peerKeyId })).toBe('NOT_FOUND');
    expect(await getNode(m.key, peerKeyId)).toBeNull();
    expect(await getNode(boss.key, peerKeyId)).toEqual({ __typename: 'ApiKey', id: peerKeyId });
    expect(await getNode(m.key, own.apiKey.id)).toEqual({ __typename: 'ApiKey', id: own.apiKey.id });
  });

  it('revokeApiKey: the next HTTP request with the key is 401 UNAUTHENTICATED; listings show it only with includeRevoked', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'revoked');
    const second = (await run(m.key, CREATE_KEY, { input: { userId: m.id, name: 'to revoke' } })).createApiKey;
    expect((await gql(server, '{ me { id } }', { key: second.key })).status).toBe(200);
    const revoked = (await run(m.key, REVOKE_KEY, { id: second.apiKey.id })).revokeApiKey;
    expect(revoked.revokedAt).not.toBeNull();
    const res = await gql(server, '{ me { id } }', { key: second.key });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeUndefined();
    // m's other key still works.
    expect((await gql(server, '{ me { id } }', { key: m.key })).status).toBe(200);
    const active = (await run(boss.key, API_KEYS, { userId: m.id })).apiKeys.edges.map((e: any) => e.node.id);
    expect(active).not.toContain(second.apiKey.id);
    const all = (await run(boss.key, API_KEYS, { userId: m.id, includeRevoked: true })).apiKeys.edges.map((e: any) => e.node);
    expect(all.find((k: any) => k.id === second.apiKey.id)?.revokedAt).toBe(revoked.revokedAt);
  });

  /**
   * Opens a non-lazy WebSocket with a fresh key of a new MEMBER, runs one operation, revokes
   * the key over HTTP, runs another operation and reports what happened to it and the socket.
   */
  async function revokeUnderOpenSocket() {
    const m = await makeActor(boss.key, 'MEMBER', 'ws');
    const created = (await run(m.key, CREATE_KEY, { input: { userId: m.id, name: 'socket' } })).createApiKey;
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    let closedWith!: (code: number) => void;
    const closed = new Promise<number>((resolve) => (closedWith = resolve));
    const client = wsClient(server, created.key, {
      lazy: false,
      onNonLazyError: () => undefined,
      on: { connected: () => connected(), closed: (event) => closedWith((event as CloseEvent).code) },
    });
    try {
      await isConnected;
      const before = await wsExecute(client, '{ me { handle } }');
      await run(m.key, REVOKE_KEY, { id: created.apiKey.id });
      const after = await wsExecute<any>(client, '{ me { handle } }').then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      const closeCode = await Promise.race([closed, sleep(5000).then(() => 'still open after 5 s')]);
      await sleep(100); // let the server finish handling the refused operation
      return { handle: m.handle, before, after, closeCode };
    } finally {
      await client.dispose();
    }
  }

  it('revoking a key refuses the next operation of an open WebSocket connection and closes it with 4401', async () => {
    const { handle, before, after, closeCode } = await revokeUnderOpenSocket();
    expect(before).toEqual({ data: { me: { handle } } });
    if ('result' in after) {
      // Refused with an error rather than by the close alone: then it must say why, with no data.
      expect(after.result.data?.me ?? null).toBeNull();
      expect(after.result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    expect(closeCode).toBe(4401);
  });

  it('a key revoked under an open WebSocket is not reported as an internal error on stderr [ws revocation logging]', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { closeCode } = await revokeUnderOpenSocket();
      expect(closeCode).toBe(4401);
      const messages = spy.mock.calls.map((call) => call.map(String).join(' '));
      expect(messages.filter((m) => /Internal error occurred/.test(m))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('lastUsedAt is set after the key is used', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'lastused');
    const keyOf = async () => (await run(boss.key, API_KEYS, { userId: m.id })).apiKeys.edges[0].node;
    const before = await keyOf();
    expect(before.lastUsedAt).toBeNull();
    await run(m.key, '{ me { id } }');
    const after = await poll(keyOf, (k) => k.lastUsedAt !== null, 5000);
    expect(after.lastUsedAt).not.toBeNull();
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(after.createdAt));
    expect(Date.parse(after.lastUsedAt)).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('a non-ADMIN querying ApiKey.usage gets FORBIDDEN', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'nousage');
    expect(await fail(m.key, '{ apiKeys { edges { node { id usage { period requests } } } } }')).toBe('FORBIDDEN');
  });

  it('ApiKey.usage counts requests per key per calendar month (YYYY-MM, UTC) for ADMINs [usage counting]', async () => {
    const m = await makeActor(boss.key, 'MEMBER', 'usage');
    for (let i = 0; i < 3; i++) await run(m.key, '{ me { id } }');
    const period = new Date().toISOString().slice(0, 7);
    const usageOf = async () =>
      (await run(boss.key, `query ($u: ID) { apiKeys(userId: $u) { edges { node { usage { period requests } } } } }`, { u: m.id })).apiKeys
        .edges[0].node.usage;
    // Counts are flushed in batches (every few seconds): wait for them.
    const usage = await poll(usageOf, (rows: any[]) => rows.some((r) => r.requests >= 3), 15_000, 250);
    expect(usage).toEqual([{ period, requests: 3 }]);
  }, 30_000);
});
