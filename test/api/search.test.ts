/**
 * Hybrid search and `similar` through the real GraphQL API, on the run's SQL backend (PGlite
 * in the embedded run, Postgres + pgvector in server mode), with the hashing embedder (fast,
 * deterministic). What is proved:
 *
 * - read-your-writes: created / updated / deleted / restored artifacts are found (or not) by
 *   both legs as soon as the mutation returns;
 * - visibility in every mode: an artifact the caller may not see never appears, even when it
 *   is the best match by far, and `similar` neither reveals it nor accepts it as the source;
 * - the filter and visibility apply before each leg's LIMIT: a selective filter still fills
 *   `first`;
 * - every ArtifactFilter field, in every mode; ranks and scores (RRF k = 20); title above
 *   content; websearch syntax; input errors; one SQL statement per search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, createOrgAdmin, errorCode, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const RUN = uniqueSuffix().replace(/[^a-z0-9]/gi, '');
let counter = 0;
/** A word no other test uses: the hashing embedder and full text both key on it. */
const word = (prefix: string) => `${prefix}${RUN}x${++counter}`.toLowerCase();
const MODES = ['HYBRID', 'VECTOR', 'TEXT'] as const;

const CREATE = `mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id title } }`;
const SEARCH = `query ($q: String!, $mode: SearchMode, $filter: ArtifactFilter, $first: Int) {
  search(query: $q, mode: $mode, filter: $filter, first: $first) { score vectorRank textRank artifact { id title content } } }`;
const SIMILAR = `query ($id: ID!, $first: Int, $filter: ArtifactFilter) {
  similar(id: $id, first: $first, filter: $filter) { score vectorRank textRank artifact { id title } } }`;

interface Hit {
  score: number;
  vectorRank: number | null;
  textRank: number | null;
  artifact: { id: string; title: string | null; content?: string };
}

let server: TestServer;
let statements: string[] = [];
let admin: Actor;
let member: Actor;
let outsider: Actor;
let otherOrg: Actor;
let groupId: string;

async function create(key: string, input: Record<string, unknown>): Promise<string> {
  const data = await ok<{ createArtifact: { id: string } }>(server, key, CREATE, { input: { kind: 'note', visibility: 'ORG', ...input } });
  return data.createArtifact.id;
}

async function search(key: string, q: string, mode: string, extra: { filter?: unknown; first?: number } = {}): Promise<Hit[]> {
  const data = await ok<{ search: Hit[] }>(server, key, SEARCH, { q, mode, ...extra });
  return data.search;
}

const ids = (hits: Hit[]) => hits.map((h) => h.artifact.id);

beforeAll(async () => {
  server = await startTestServer({ HIVEGRAPH_RATE_LIMITS: 'default=100000/1' }, { onStatement: (text) => statements.push(text) });
  admin = { id: '', handle: 'admin', role: 'ADMIN', key: ADMIN_KEY };
  member = await createActor(server, ADMIN_KEY, `member-${RUN}`, 'MEMBER');
  outsider = await createActor(server, ADMIN_KEY, `outsider-${RUN}`, 'MEMBER');
  otherOrg = await createOrgAdmin(server, `search-other-${RUN}`);
  const group = await ok<{ createGroup: { id: string } }>(server, ADMIN_KEY, 'mutation ($n: String!) { createGroup(input: { name: $n }) { id } }', {
    n: `search-group-${RUN}`,
  });
  groupId = group.createGroup.id;
  await ok(server, ADMIN_KEY, 'mutation ($g: ID!, $u: ID!) { addGroupMember(groupId: $g, userId: $u) { id } }', { g: groupId, u: member.id });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('read-your-writes', () => {
  it('a created artifact is found by both legs as soon as createArtifact returns', async () => {
    const term = word('fresh');
    const id = await create(member.key, { title: `Note about ${term}`, content: `The ${term} procedure is documented here.` });
    for (const mode of MODES) expect(ids(await search(member.key, term, mode)), mode).toContain(id);
    const [hit] = await search(member.key, term, 'HYBRID');
    expect(hit).toMatchObject({ vectorRank: 1, textRank: 1 });
  });

  it('an update is searchable at once: the new words are found, the old ones no longer match the text leg', async () => {
    const before = word('before');
    const after = word('after');
    const id = await create(member.key, { title: 'Changing note', content: `Mentions ${before} only.` });
    await ok(server, member.key, 'mutation ($id: ID!, $c: String!) { updateArtifact(id: $id, input: { content: $c }) { revision } }', {
      id,
      c: `Now it mentions ${after} instead.`,
    });
    expect(ids(await search(member.key, after, 'TEXT'))).toEqual([id]);
    expect(ids(await search(member.key, before, 'TEXT'))).toEqual([]);
    const vector = await search(member.key, after, 'VECTOR', { first: 1 });
    expect(ids(vector)).toEqual([id]);
    // Only the title changes: the vector is re-made from the new title and the stored content.
    const titled = word('titled');
    await ok(server, member.key, 'mutation ($id: ID!, $t: String!) { updateArtifact(id: $id, input: { title: $t }) { revision } }', { id, t: titled });
    expect(ids(await search(member.key, `${titled} ${after}`, 'VECTOR', { first: 1 }))).toEqual([id]);
    expect(ids(await search(member.key, titled, 'TEXT'))).toEqual([id]);
  });

  it('a deleted artifact disappears from every mode and comes back on restore; includeDeleted shows it to its owner', async () => {
    const term = word('gone');
    const id = await create(member.key, { title: term, content: `${term} content` });
    await ok(server, member.key, 'mutation ($id: ID!) { deleteArtifact(id: $id) { id } }', { id });
    for (const mode of MODES) expect(ids(await search(member.key, term, mode)), mode).not.toContain(id);
    for (const mode of MODES) {
      expect(ids(await search(member.key, term, mode, { filter: { includeDeleted: true } })), mode).toContain(id);
      expect(ids(await search(outsider.key, term, mode, { filter: { includeDeleted: true } })), mode).not.toContain(id);
    }
    await ok(server, member.key, 'mutation ($id: ID!) { restoreArtifact(id: $id) { id } }', { id });
    for (const mode of MODES) expect(ids(await search(member.key, term, mode)), mode).toContain(id);
  });
});

describe('visibility: an invisible artifact never appears, even as the best match', () => {
  let term: string;
  const created: Record<string, string> = {};

  beforeAll(async () => {
    term = word('secret');
    const text = (what: string) => ({ title: `${term} ${term}`, content: `${term} ${term} ${term} — ${what}` });
    // Exact matches that only some callers may see …
    created['private'] = await create(member.key, { ...text('private to member'), visibility: 'PRIVATE' });
    created['group'] = await create(admin.key, { ...text('shared with the group'), visibility: 'GROUP', sharedWithGroupIds: [groupId] });
    created['otherOrg'] = await create(otherOrg.key, { ...text('another org'), visibility: 'ORG' });
    created['public'] = await create(otherOrg.key, { ...text('public from another org'), visibility: 'PUBLIC' });
    // … and weaker matches everyone in the org may see.
    created['weak'] = await create(admin.key, { title: 'A weak match', content: `Only once: ${term}, among many other words here.` });
  });

  /** What each caller may see among `created`. */
  const expected = (who: string): string[] => {
    const seen: Record<string, string[]> = {
      member: ['private', 'group', 'public', 'weak'],
      outsider: ['public', 'weak'],
      otherOrg: ['otherOrg', 'public'],
    };
    return seen[who]!.map((k) => created[k]!);
  };

  for (const mode of MODES) {
    it(`${mode}: every caller gets exactly the matches it may see`, async () => {
      for (const [who, actor] of [['member', member], ['outsider', outsider], ['otherOrg', otherOrg]] as const) {
        const hits = ids(await search(actor.key, term, mode, { first: 100 }));
        const mine = hits.filter((id) => Object.values(created).includes(id));
        expect(new Set(mine), `${who} in ${mode}`).toEqual(new Set(expected(who)));
      }
    });
  }

  it('similar: an invisible source is NOT_FOUND, and invisible neighbours are left out', async () => {
    expect(await errorCode(server, outsider.key, SIMILAR, { id: created['private'] })).toBe('NOT_FOUND');
    expect(await errorCode(server, otherOrg.key, SIMILAR, { id: created['group'] })).toBe('NOT_FOUND');
    const fromWeak = await ok<{ similar: Hit[] }>(server, outsider.key, SIMILAR, { id: created['weak'], first: 100 });
    const found = ids(fromWeak.similar);
    expect(found).not.toContain(created['weak']);
    expect(found).not.toContain(created['private']);
    expect(found).not.toContain(created['group']);
    expect(found).not.toContain(created['otherOrg']);
    const asMember = ids((await ok<{ similar: Hit[] }>(server, member.key, SIMILAR, { id: created['weak'], first: 100 })).similar);
    expect(asMember).toEqual(expect.arrayContaining([created['private'], created['group']]));
  });

  it('after unsharing, the artifact vanishes from search at once', async () => {
    const t = word('unshare');
    const id = await create(admin.key, { title: t, content: t, visibility: 'GROUP', sharedWithGroupIds: [groupId] });
    expect(ids(await search(member.key, t, 'HYBRID'))).toContain(id);
    await ok(server, ADMIN_KEY, 'mutation ($id: ID!) { shareArtifact(id: $id, visibility: PRIVATE) { id } }', { id });
    for (const mode of MODES) expect(ids(await search(member.key, t, mode)), mode).not.toContain(id);
  });
});

describe('filters and visibility apply before each leg’s LIMIT', () => {
  it('when the best 150 matches are invisible, the visible weaker ones still fill `first` in every mode', async () => {
    const t = word('crowd');
    const scope = { metadata: { crowd: t } };
    const hidden: Promise<string>[] = [];
    for (let i = 0; i < 150; i++) {
      hidden.push(create(admin.key, { title: `${t} ${t} ${t}`, content: `${t} ${t} ${t} hidden ${i}`, visibility: 'PRIVATE', ...scope }));
    }
    const hiddenIds = new Set(await Promise.all(hidden));
    const visible: string[] = [];
    for (let i = 0; i < 12; i++) {
      visible.push(await create(admin.key, { title: `weak ${i}`, content: `${t} once, with plenty of unrelated filler words ${i}`, ...scope }));
    }
    for (const mode of MODES) {
      // Unscoped: nothing hidden leaks in.
      const hits = await search(member.key, t, mode, { first: 10 });
      expect(hits, mode).toHaveLength(10);
      for (const id of ids(hits)) expect(hiddenIds.has(id), `${mode} returned a hidden artifact`).toBe(false);
      // Scoped to these 162 artifacts, of which the 150 best matches are invisible: 10 visible ones.
      const scoped = ids(await search(member.key, t, mode, { first: 10, filter: scope }));
      expect(scoped, mode).toHaveLength(10);
      for (const id of scoped) expect(visible, mode).toContain(id);
      // The admin, who owns them all, gets the hidden (better) matches first.
      const own = ids(await search(admin.key, t, mode, { first: 10, filter: scope }));
      for (const id of own) expect(hiddenIds.has(id), `${mode}: the owner's best matches are the private ones`).toBe(true);
    }
  });

  it('every ArtifactFilter field narrows every mode', async () => {
    const t = word('filtered');
    const collection = await ok<{ createCollection: { id: string } }>(server, member.key, 'mutation ($n: String!) { createCollection(input: { name: $n }) { id } }', {
      n: `col-${t}`,
    });
    // Every artifact carries `scope`, so each case's result is exactly the artifacts it selects.
    const scope = { case: t };
    const base = { title: t, content: `${t} body`, metadata: scope };
    const a = await create(member.key, { ...base, kind: 'decision', tags: ['x', 'y'], codebase: 'repo-a', metadata: { ...scope, team: 'core', level: 2 }, name: `a-${t}` });
    const b = await create(member.key, { ...base, kind: 'fact', tags: ['x'], codebase: 'repo-b', collectionId: collection.createCollection.id, content: `${t} other body` });
    const c = await create(admin.key, { ...base, kind: 'fact', visibility: 'PUBLIC', content: `${t} third body` });
    const digestOfB = (await ok<{ artifact: { contentDigest: string } }>(server, member.key, 'query ($id: ID!) { artifact(id: $id) { contentDigest } }', { id: b })).artifact
      .contentDigest;
    const cases: [string, unknown, string[]][] = [
      ['kinds', { kinds: ['decision'] }, [a]],
      ['tags (all must match)', { tags: ['x', 'y'] }, [a]],
      ['codebase', { codebase: 'repo-b' }, [b]],
      ['collectionId', { collectionId: collection.createCollection.id }, [b]],
      ['ownerId', { ownerId: member.id }, [a, b]],
      ['visibility', { visibility: 'PUBLIC' }, [c]],
      ['metadata containment', { metadata: { team: 'core' } }, [a]],
      ['contentDigest', { contentDigest: digestOfB }, [b]],
      ['name', { name: `a-${t}` }, [a]],
    ];
    for (const mode of MODES) {
      for (const [label, filter, want] of cases) {
        const scoped = { ...(filter as Record<string, unknown>), metadata: { ...scope, ...((filter as { metadata?: object }).metadata ?? {}) } };
        const got = ids(await search(member.key, t, mode, { filter: scoped, first: 50 }));
        expect(new Set(got), `${mode} ${label}`).toEqual(new Set(want));
      }
    }
  });

  it('similar takes a filter too', async () => {
    const t = word('simfilter');
    const source = await create(member.key, { title: t, content: `${t} source` });
    const decision = await create(member.key, { title: t, content: `${t} decision`, kind: 'decision' });
    await create(member.key, { title: t, content: `${t} fact`, kind: 'fact' });
    const hits = await ok<{ similar: Hit[] }>(server, member.key, SIMILAR, { id: source, filter: { kinds: ['decision'] }, first: 100 });
    expect(ids(hits.similar)).toContain(decision);
    expect(hits.similar.every((h) => h.artifact.id !== source)).toBe(true);
  });
});

describe('ranking', () => {
  it('HYBRID scores are Σ 1/(20 + rank) over the legs, best first; VECTOR scores are cosine similarities', async () => {
    const t = word('rank');
    await create(member.key, { title: t, content: `${t} alpha` });
    await create(member.key, { title: 'unrelated title', content: `just one ${t} in a longer content about something else entirely` });
    await create(member.key, { title: 'no keyword', content: `${t.slice(0, -1)} close but not equal` });
    const hybrid = await search(member.key, t, 'HYBRID', { first: 20 });
    expect(hybrid.length).toBeGreaterThanOrEqual(2);
    for (const hit of hybrid) {
      const expected = (hit.vectorRank ? 1 / (20 + hit.vectorRank) : 0) + (hit.textRank ? 1 / (20 + hit.textRank) : 0);
      expect(hit.score).toBeCloseTo(expected, 12);
    }
    for (let i = 1; i < hybrid.length; i++) expect(hybrid[i - 1]!.score).toBeGreaterThanOrEqual(hybrid[i]!.score);
    const vector = await search(member.key, t, 'VECTOR', { first: 20 });
    vector.forEach((hit, i) => {
      expect(hit.vectorRank).toBe(i + 1);
      expect(hit.textRank).toBeNull();
      expect(hit.score).toBeLessThanOrEqual(1 + 1e-6);
      expect(hit.score).toBeGreaterThanOrEqual(-1 - 1e-6);
    });
    const text = await search(member.key, t, 'TEXT', { first: 20 });
    text.forEach((hit, i) => {
      expect(hit.textRank).toBe(i + 1);
      expect(hit.vectorRank).toBeNull();
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThan(1);
    });
  });

  it('the full-text leg weighs the title above the content', async () => {
    const t = word('weight');
    const inContent = await create(member.key, { title: 'something else', content: `${t} appears in the content` });
    const inTitle = await create(member.key, { title: `${t}`, content: 'the content does not say it' });
    expect(ids(await search(member.key, t, 'TEXT'))).toEqual([inTitle, inContent]);
  });

  it('websearch syntax: quoted phrases and -exclusions', async () => {
    const t = word('phrase');
    const both = await create(member.key, { title: 'p1', content: `${t} red apples grow here` });
    const apart = await create(member.key, { title: 'p2', content: `${t} apples that are red` });
    expect(ids(await search(member.key, `${t} "red apples"`, 'TEXT'))).toEqual([both]);
    expect(ids(await search(member.key, `${t} -grow`, 'TEXT'))).toEqual([apart]);
  });

  it('a plain query matches any of its words, ranking artifacts with more of them first; quotes restore all-words', async () => {
    const a = word('anyword');
    const b = word('anyword');
    const both = await create(member.key, { title: 'both', content: `${a} and ${b} together` });
    const onlyA = await create(member.key, { title: 'one', content: `just ${a} here` });
    const onlyB = await create(member.key, { title: 'other', content: `just ${b} there` });
    const hits = ids(await search(member.key, `${a} ${b}`, 'TEXT'));
    expect(hits[0]).toBe(both);
    expect(new Set(hits)).toEqual(new Set([both, onlyA, onlyB]));
    expect(ids(await search(member.key, `"${a}" "${b}"`, 'TEXT'))).toEqual([both]);
  });

  it('a query of stop words only finds nothing in the text leg and still answers in HYBRID', async () => {
    expect(await search(member.key, 'the and of', 'TEXT')).toEqual([]);
    const hybrid = await search(member.key, 'the and of', 'HYBRID', { first: 3 });
    expect(hybrid.every((h) => h.textRank === null)).toBe(true);
  });
});

describe('input errors', () => {
  it.each([
    ['empty query', { q: '   ', mode: 'HYBRID' }],
    ['query over 2000 characters', { q: 'x'.repeat(2001), mode: 'HYBRID' }],
    ['first = 0', { q: 'x', mode: 'HYBRID', first: 0 }],
    ['first = 101', { q: 'x', mode: 'TEXT', first: 101 }],
    ['a malformed filter id', { q: 'x', mode: 'VECTOR', filter: { collectionId: 'nope' } }],
  ])('%s → BAD_USER_INPUT', async (_label, variables) => {
    expect(await errorCode(server, member.key, SEARCH, variables)).toBe('BAD_USER_INPUT');
  });

  it('an unknown mode is a GraphQL validation error', async () => {
    expect(await errorCode(server, member.key, SEARCH, { q: 'x', mode: 'FUZZY' })).toBe('BAD_USER_INPUT');
  });

  it('similar: malformed id → BAD_USER_INPUT, unknown id → NOT_FOUND, first over 100 → BAD_USER_INPUT', async () => {
    expect(await errorCode(server, member.key, SIMILAR, { id: 'garbage' })).toBe('BAD_USER_INPUT');
    const unknown = Buffer.from('Artifact:00000000-0000-4000-8000-000000000000').toString('base64url');
    expect(await errorCode(server, member.key, SIMILAR, { id: unknown })).toBe('NOT_FOUND');
    const id = await create(member.key, { title: 'x', content: 'y' });
    expect(await errorCode(server, member.key, SIMILAR, { id, first: 101 })).toBe('BAD_USER_INPUT');
  });

  it('without a key → UNAUTHENTICATED', async () => {
    expect(await errorCode(server, '', SEARCH, { q: 'x' })).toBe('UNAUTHENTICATED');
  });
});

describe('one SQL statement per search', () => {
  it.each(MODES)('%s: the hits, with their artifacts, come from one statement', async (mode) => {
    const t = word('stmt');
    await create(member.key, { title: t, content: t });
    await search(member.key, t, mode); // warm: the key is cached after its first use
    statements = [];
    await ok(server, member.key, `query ($q: String!, $m: SearchMode) { search(query: $q, mode: $m) { score artifact { id title content tags owner { id } } } }`, {
      q: t,
      m: mode,
    });
    const searchStatements = statements.filter((s) => /vector_leg|text_leg/.test(s));
    expect(searchStatements).toHaveLength(1);
    const artifactReads = statements.filter((s) => /FROM artifacts a WHERE a\.id = ANY/.test(s));
    expect(artifactReads, 'artifacts are primed from the search row, not re-read').toHaveLength(0);
  });
});

describe('near-duplicate detection (for other services)', () => {
  it('finds visible near-copies above the threshold, flags exact copies, and never returns what the caller cannot see', async () => {
    const t = word('dup');
    const text = `Restart the ${t} worker when the queue is stuck for more than ten minutes`;
    const exact = await create(member.key, { title: 'Queue runbook', content: text });
    const near = await create(member.key, { title: 'Queue runbook', content: `${text} today` });
    const hidden = await create(admin.key, { title: 'Queue runbook', content: text, visibility: 'PRIVATE' });
    await create(member.key, { title: 'Other', content: `Something unrelated about ${word('other')} deployments` });

    const viewer = await server.services.auth.authenticate(`Bearer ${member.key}`);
    const found = await server.services.search.nearDuplicates(viewer, { title: 'Queue runbook', content: text }, { threshold: 0.9 });
    const byId = new Map(found.map((d) => [Buffer.from(`Artifact:${d.artifact.id}`).toString('base64url'), d]));
    expect(byId.get(exact)).toMatchObject({ exact: true });
    expect(byId.get(exact)!.similarity).toBeGreaterThan(0.999);
    expect(byId.get(near)).toMatchObject({ exact: false });
    expect(byId.get(near)!.similarity).toBeGreaterThanOrEqual(0.9);
    expect(byId.get(near)!.similarity).toBeLessThan(0.9999);
    expect(byId.has(hidden)).toBe(false);
    expect(found.every((d) => d.similarity >= 0.9)).toBe(true);
    for (let i = 1; i < found.length; i++) expect(found[i - 1]!.similarity).toBeGreaterThanOrEqual(found[i]!.similarity);

    const strict = await server.services.search.nearDuplicates(viewer, { title: 'Queue runbook', content: text }, { threshold: 0.9999 });
    expect(strict.map((d) => d.exact)).toEqual([true]);
  });
});
