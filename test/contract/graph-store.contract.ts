/**
 * The GraphStore contract: every graph store must pass these. Connection basics (round trip,
 * health, close) and the traversal semantics both stores share: one breadth-first hop
 * (`expand`) in each direction, type filters, the visibility rule applied to every neighbour
 * (never to the frontier), deleted artifacts never reached, tenant isolation, and — for
 * projected stores only — the write side the projector uses (idempotent upserts, deletes,
 * reset).
 *
 * The embedded `sql` store answers from the SQL rows; the `falkordb` store from a projection
 * of them. So every traversal case builds its fixture the same way for both: through the real
 * services on a fresh, migrated SQL database (orgs, users, groups, memberships, artifacts,
 * shares, relationships), then the projector drains the outbox into the graph store under
 * test (a no-op for the embedded store). Each `seed` makes new orgs, so cases are isolated.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services, type Viewer } from '../../src/services/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Visibility } from '../../src/store/records.ts';
import type { ExpandedEdge, ExpandOptions, GraphStore, SqlClient, TraversalViewer } from '../../src/store/types.ts';
import { uniqueSuffix } from '../support/backends.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/**
 * A graph to build, by readable keys. Users belong to org `org` unless told otherwise;
 * artifacts belong to their owner's org; relationships connect artifacts of one org.
 */
export interface GraphFixture {
  users: Record<string, { org?: string; role?: 'ADMIN' | 'MEMBER' }>;
  /** Groups with their members (user keys); the group is in its members' org (or `org`). */
  groups?: Record<string, { org?: string; members: string[] }>;
  artifacts: Record<string, { owner: string; visibility?: Visibility; groups?: string[]; deleted?: boolean }>;
  relationships?: Record<string, { from: string; to: string; type: string }>;
}

/** A seeded fixture: record ids by key, and traversal viewers. */
export interface SeededGraph {
  org(key: string): string;
  user(key: string): string;
  group(key: string): string;
  /** An artifact's id. */
  id(key: string): string;
  /** A relationship's id. */
  rel(key: string): string;
  /** The key of any seeded id (artifact, relationship, user, group, org), for readable assertions. */
  keyOf(id: string): string;
  /** The traversal viewer of a user: their org, id and (unless overridden) their fixture groups. */
  viewer(userKey: string, overrides?: { groupIds?: readonly string[] }): TraversalViewer;
}

/** What each harness gives the contract. */
export interface GraphStoreHarness {
  name: 'falkordb' | 'sql';
  /** Shown in the suite title when one store runs over several SQL backends. */
  label?: string;
  /** Whether the store keeps its own projected copy (write-side cases run only then). */
  projected: boolean;
  /**
   * Opens a store with its own graph namespace and its own, fresh SQL database;
   * `seed` builds a fixture in that database and makes the store reflect it;
   * `close` releases the store and removes its backing data.
   */
  open(): Promise<{ store: GraphStore; seed: (fixture: GraphFixture) => Promise<SeededGraph>; close: () => Promise<void> }>;
}

/**
 * Builds fixtures through the real services on `sql` (already migrated), then drains the
 * graph outbox into `graph`. `close` stops the projector and drops every graph it projected.
 */
export function createFixtureSeeder(sql: SqlClient, graph: GraphStore): { seed: (fixture: GraphFixture) => Promise<SeededGraph>; close: () => Promise<void> } {
  const services: Services = createServices({ sql, graph, logger: createLogger('silent'), maxContentBytes: 1_000_000 });
  const orgIds: string[] = [];

  async function seed(fixture: GraphFixture): Promise<SeededGraph> {
    const run = uniqueSuffix();
    const keys = new Map<string, string>();
    const ids = { org: new Map<string, string>(), user: new Map<string, string>(), group: new Map<string, string>(), id: new Map<string, string>(), rel: new Map<string, string>() };
    const admins = new Map<string, Viewer>();
    const viewers = new Map<string, Viewer>();
    const remember = (kind: keyof typeof ids, key: string, id: string) => {
      ids[kind].set(key, id);
      keys.set(id, key);
    };
    const orgOfUser = (userKey: string) => fixture.users[userKey]?.org ?? 'org';
    const viewerOf = (userKey: string) => {
      const viewer = viewers.get(userKey);
      if (!viewer) throw new Error(`fixture: unknown user ${userKey}`);
      return viewer;
    };

    // Orgs, each with its ADMIN, authenticated like any caller.
    const orgKeys = new Set<string>(['org', ...Object.values(fixture.users).map((u) => u.org ?? 'org')]);
    for (const orgKey of orgKeys) {
      const created = await services.orgs.create(`gs-${run}-${orgKey.toLowerCase()}`);
      remember('org', orgKey, created.org.id);
      orgIds.push(created.org.id);
      admins.set(orgKey, await services.auth.authenticate(`Bearer ${created.key}`));
    }
    // Users with their own keys.
    for (const [userKey, user] of Object.entries(fixture.users)) {
      const admin = admins.get(orgOfUser(userKey))!;
      const record = await services.users.create(admin, { handle: `${userKey}-${run}`, role: user.role ?? 'MEMBER' });
      const { key } = await services.apiKeys.create(admin, { userId: record.id, name: `${userKey} key` });
      viewers.set(userKey, await services.auth.authenticate(`Bearer ${key}`));
      remember('user', userKey, record.id);
    }
    // Groups (created by the org ADMIN, who then leaves unless listed).
    const groupsOfUser = new Map<string, string[]>();
    for (const [groupKey, group] of Object.entries(fixture.groups ?? {})) {
      const orgKey = group.org ?? (group.members[0] ? orgOfUser(group.members[0]) : 'org');
      const admin = admins.get(orgKey)!;
      const record = await services.groups.create(admin, `${groupKey}-${run}`);
      remember('group', groupKey, record.id);
      for (const member of group.members) {
        await services.groups.addMember(admin, record.id, ids.user.get(member)!, 'MEMBER');
        groupsOfUser.set(member, [...(groupsOfUser.get(member) ?? []), record.id]);
      }
      await services.groups.removeMember(admin, record.id, admin.userId);
    }
    // Artifacts: ORG first, so every owner can relate them; final visibility comes after.
    for (const [artifactKey, artifact] of Object.entries(fixture.artifacts)) {
      const record = await services.artifacts.create(viewerOf(artifact.owner), { kind: 'fact', title: artifactKey, content: `${artifactKey} ${run}`, visibility: 'ORG' });
      remember('id', artifactKey, record.id);
    }
    for (const [relKey, rel] of Object.entries(fixture.relationships ?? {})) {
      const from = fixture.artifacts[rel.from];
      if (!from) throw new Error(`fixture: unknown artifact ${rel.from}`);
      const record = await services.graph.relate(viewerOf(from.owner), { fromId: ids.id.get(rel.from)!, toId: ids.id.get(rel.to)!, type: rel.type });
      remember('rel', relKey, record.id);
    }
    for (const [artifactKey, artifact] of Object.entries(fixture.artifacts)) {
      const owner = viewerOf(artifact.owner);
      const id = ids.id.get(artifactKey)!;
      const visibility = artifact.visibility ?? 'ORG';
      if (visibility !== 'ORG') {
        await services.artifacts.share(owner, id, visibility, visibility === 'GROUP' ? (artifact.groups ?? []).map((g) => ids.group.get(g)!) : null);
      }
      if (artifact.deleted) await services.artifacts.delete(owner, id);
    }
    await services.projector.drain();

    const get = (kind: keyof typeof ids) => (key: string) => {
      const id = ids[kind].get(key);
      if (!id) throw new Error(`fixture: no ${kind} ${key}`);
      return id;
    };
    return {
      org: get('org'),
      user: get('user'),
      group: get('group'),
      id: get('id'),
      rel: get('rel'),
      keyOf: (id) => keys.get(id) ?? `?${id}`,
      viewer: (userKey, overrides = {}) => ({
        orgId: get('org')(orgOfUser(userKey)),
        userId: get('user')(userKey),
        groupIds: [...(overrides.groupIds ?? groupsOfUser.get(userKey) ?? [])],
      }),
    };
  }

  return {
    seed,
    async close() {
      await services.projector.stop();
      for (const orgId of orgIds) await graph.resetOrg(orgId).catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

/** Edges as sorted `from>to:relationship` strings of fixture keys. */
function readable(g: SeededGraph, edges: readonly ExpandedEdge[]): string[] {
  return edges.map((e) => `${g.keyOf(e.from)}>${g.keyOf(e.to)}:${g.keyOf(e.relationshipId)}`).sort();
}

/** Registers the contract suite for `harness`. */
export function defineGraphStoreContract(harness: GraphStoreHarness): void {
  describe(`GraphStore contract (${harness.label ?? harness.name})`, () => {
    let store: GraphStore;
    let seed: (fixture: GraphFixture) => Promise<SeededGraph>;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, seed, close } = await harness.open());
    });
    afterAll(async () => close?.());

    /** One hop from the keyed frontier, as readable edges. */
    async function hop(g: SeededGraph, orgKey: string, frontier: string[], options: Omit<ExpandOptions, 'viewer'> & { viewer: TraversalViewer }) {
      return readable(g, await store.expand(g.org(orgKey), frontier.map((k) => g.id(k)), options));
    }

    it('names its backend and says whether it is a projection', () => {
      expect(store.backend).toBe(harness.name);
      expect(store.projected).toBe(harness.projected);
    });

    it('reports health up with a measured round trip', async () => {
      const health = await store.health();
      expect(health.status).toBe('up');
      expect(health.backend).toBe(harness.name);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
      expect(health.detail).toBeTruthy();
    });

    it('answers many concurrent health probes', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, () => store.health()));
      expect(results.every((r) => r.status === 'up')).toBe(true);
    });

    describe('traversal: directions and types', () => {
      // A -DEPENDS_ON-> B -DEPENDS_ON-> E;  C -CITES-> A;  A -CITES-> D;  B -CITES-> A (a 2-cycle)
      let g: SeededGraph;
      let viewer: TraversalViewer;
      beforeAll(async () => {
        g = await seed({
          users: { u1: {} },
          artifacts: { A: { owner: 'u1' }, B: { owner: 'u1' }, C: { owner: 'u1' }, D: { owner: 'u1' }, E: { owner: 'u1' } },
          relationships: {
            ab: { from: 'A', to: 'B', type: 'DEPENDS_ON' },
            be: { from: 'B', to: 'E', type: 'DEPENDS_ON' },
            ca: { from: 'C', to: 'A', type: 'CITES' },
            ad: { from: 'A', to: 'D', type: 'CITES' },
            ba: { from: 'B', to: 'A', type: 'CITES' },
          },
        });
        viewer = g.viewer('u1');
      });

      it('OUT follows from → to only', async () => {
        expect(await hop(g, 'org', ['A'], { direction: 'OUT', viewer })).toEqual(['A>B:ab', 'A>D:ad']);
      });

      it('IN follows to → from only', async () => {
        expect(await hop(g, 'org', ['A'], { direction: 'IN', viewer })).toEqual(['A>B:ba', 'A>C:ca']);
      });

      it('BOTH follows either way, one row per relationship', async () => {
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', viewer })).toEqual(['A>B:ab', 'A>B:ba', 'A>C:ca', 'A>D:ad']);
      });

      it('a frontier of several artifacts returns each one’s edges, `from` being the frontier end', async () => {
        expect(await hop(g, 'org', ['A', 'B'], { direction: 'OUT', viewer })).toEqual(['A>B:ab', 'A>D:ad', 'B>A:ba', 'B>E:be']);
        expect(await hop(g, 'org', ['B', 'E'], { direction: 'IN', viewer })).toEqual(['B>A:ab', 'E>B:be']);
      });

      it('types filter the relationships followed; empty or null means all', async () => {
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: ['CITES'], viewer })).toEqual(['A>B:ba', 'A>C:ca', 'A>D:ad']);
        expect(await hop(g, 'org', ['A'], { direction: 'OUT', types: ['DEPENDS_ON'], viewer })).toEqual(['A>B:ab']);
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: ['DEPENDS_ON', 'CITES'], viewer })).toHaveLength(4);
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: [], viewer })).toHaveLength(4);
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: null, viewer })).toHaveLength(4);
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: ['NO_SUCH_TYPE'], viewer })).toEqual([]);
      });

      it('types match exactly (case-sensitive, no prefix match)', async () => {
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: ['cites'], viewer })).toEqual([]);
        expect(await hop(g, 'org', ['A'], { direction: 'BOTH', types: ['CITE'], viewer })).toEqual([]);
      });

      it('an empty frontier returns [] for every direction', async () => {
        for (const direction of ['OUT', 'IN', 'BOTH'] as const) {
          expect(await store.expand(g.org('org'), [], { direction, viewer })).toEqual([]);
        }
      });

      it('a frontier of unknown ids returns []', async () => {
        expect(await store.expand(g.org('org'), [randomUUID(), randomUUID()], { direction: 'BOTH', viewer })).toEqual([]);
      });

      it('an org without a graph returns [] (not an error)', async () => {
        const nobody = randomUUID();
        expect(await store.expand(nobody, [g.id('A')], { direction: 'BOTH', viewer: { ...viewer, orgId: nobody } })).toEqual([]);
        expect(await store.expand(nobody, [g.id('A')], { direction: 'OUT', viewer })).toEqual([]);
      });

      it('size() counts the org’s artifacts and relationships; an unknown org is empty', async () => {
        expect(await store.size(g.org('org'))).toEqual({ nodes: 5, edges: 5 });
        expect(await store.size(randomUUID())).toEqual({ nodes: 0, edges: 0 });
      });
    });

    describe('traversal: visibility of neighbours', () => {
      // Hub H (ORG, owned by u1) points to one artifact of each kind of visibility.
      let g: SeededGraph;
      beforeAll(async () => {
        g = await seed({
          users: { u1: {}, u2: {}, u3: {}, u4: {}, x1: { org: 'other' } },
          groups: { g1: { members: ['u3'] }, g2: { members: ['u4'] } },
          artifacts: {
            H: { owner: 'u1' },
            P1: { owner: 'u1', visibility: 'PRIVATE' },
            P2: { owner: 'u2', visibility: 'PRIVATE' },
            G1: { owner: 'u2', visibility: 'GROUP', groups: ['g1'] },
            O2: { owner: 'u2', visibility: 'ORG' },
            PUB: { owner: 'u2', visibility: 'PUBLIC' },
            DEL: { owner: 'u1', visibility: 'ORG', deleted: true },
            DELPUB: { owner: 'u2', visibility: 'PUBLIC', deleted: true },
            DELP1: { owner: 'u1', visibility: 'PRIVATE', deleted: true },
            X: { owner: 'x1', visibility: 'PUBLIC' },
          },
          relationships: {
            hp1: { from: 'H', to: 'P1', type: 'LINKS' },
            hp2: { from: 'H', to: 'P2', type: 'LINKS' },
            hg1: { from: 'H', to: 'G1', type: 'LINKS' },
            ho2: { from: 'H', to: 'O2', type: 'LINKS' },
            hpub: { from: 'H', to: 'PUB', type: 'LINKS' },
            hdel: { from: 'H', to: 'DEL', type: 'LINKS' },
            hdelpub: { from: 'H', to: 'DELPUB', type: 'LINKS' },
            hdelp1: { from: 'H', to: 'DELP1', type: 'LINKS' },
            // Edges *into* H from invisible artifacts: IN must hide them the same way.
            p2h: { from: 'P2', to: 'H', type: 'LINKS' },
            g1h: { from: 'G1', to: 'H', type: 'LINKS' },
          },
        });
      });

      const targets = async (viewer: TraversalViewer, direction: 'OUT' | 'IN' | 'BOTH' = 'OUT', frontier = ['H']) =>
        (await hop(g, 'org', frontier, { direction, viewer })).map((e) => e.split(':')[0]!.split('>')[1]!);

      it('the owner sees their PRIVATE neighbour; ORG and PUBLIC are visible to all of the org', async () => {
        expect(await targets(g.viewer('u1'))).toEqual(['O2', 'P1', 'PUB']);
      });

      it('a PRIVATE neighbour of another user is hidden, the edge is not returned', async () => {
        expect(await targets(g.viewer('u3'))).not.toContain('P2');
        expect(await targets(g.viewer('u2'))).toContain('P2');
        expect(await targets(g.viewer('u2'))).not.toContain('P1');
      });

      it('GROUP is visible to the owner and to viewers whose groupIds include a shared group only', async () => {
        expect(await targets(g.viewer('u2'))).toEqual(['G1', 'O2', 'P2', 'PUB']); // owner
        expect(await targets(g.viewer('u3'))).toEqual(['G1', 'O2', 'PUB']); // member of g1
        expect(await targets(g.viewer('u4'))).toEqual(['O2', 'PUB']); // member of another group
        expect(await targets(g.viewer('u1'))).not.toContain('G1'); // in no group
      });

      it('GROUP visibility follows TraversalViewer.groupIds (the viewer the service resolved), not a second lookup', async () => {
        // u3 is a member of g1 in SQL, but a traversal viewer without g1 must not see G1 …
        expect(await targets(g.viewer('u3', { groupIds: [] }))).toEqual(['O2', 'PUB']);
        // … and one naming g1 must, whatever the membership rows say.
        expect(await targets(g.viewer('u4', { groupIds: [g.group('g1')] }))).toEqual(['G1', 'O2', 'PUB']);
      });

      it('a viewer of another org sees only PUBLIC neighbours in this org’s graph', async () => {
        expect(await targets(g.viewer('x1'))).toEqual(['PUB']);
        expect(await targets(g.viewer('x1'), 'BOTH')).toEqual(['PUB']);
      });

      it('deleted artifacts are never neighbours, whatever their visibility and whoever asks', async () => {
        for (const user of ['u1', 'u2', 'u3', 'x1']) {
          const seen = await targets(g.viewer(user), 'BOTH');
          expect(seen, user).not.toContain('DEL');
          expect(seen, user).not.toContain('DELPUB');
          expect(seen, user).not.toContain('DELP1');
        }
      });

      it('IN hides edges whose other end is invisible, exactly like OUT', async () => {
        expect(await targets(g.viewer('u1'), 'IN')).toEqual([]);
        expect(await targets(g.viewer('u3'), 'IN')).toEqual(['G1']);
        expect(await targets(g.viewer('u2'), 'IN')).toEqual(['G1', 'P2']);
      });

      it('the frontier itself is not checked: an invisible frontier artifact still expands to visible neighbours', async () => {
        // P2 is PRIVATE to u2; u1 cannot see it, yet expanding from it finds H (ORG).
        expect(await targets(g.viewer('u1'), 'OUT', ['P2'])).toEqual(['H']);
        // A deleted frontier artifact also expands (the service never puts one there).
        expect(await targets(g.viewer('u1'), 'IN', ['DEL'])).toEqual(['H']);
      });

      it('an org’s graph never answers for another org: expanding org A’s ids in org B’s graph is empty', async () => {
        expect(await store.expand(g.org('other'), [g.id('H')], { direction: 'BOTH', viewer: g.viewer('u1') })).toEqual([]);
        expect(await store.expand(g.org('other'), [g.id('H')], { direction: 'BOTH', viewer: g.viewer('x1') })).toEqual([]);
        // X (PUBLIC, of the other org) has no edges at all.
        expect(await store.expand(g.org('org'), [g.id('X')], { direction: 'BOTH', viewer: g.viewer('u1') })).toEqual([]);
      });

      it('size() counts deleted artifacts too (they stay in SQL and in the projection)', async () => {
        expect(await store.size(g.org('org'))).toEqual({ nodes: 9, edges: 10 });
        expect(await store.size(g.org('other'))).toEqual({ nodes: 1, edges: 0 });
      });
    });

    if (harness.projected) {
      describe('write side (projected stores only: the projector’s operations)', () => {
        const viewerOf = (orgId: string) => ({ orgId, userId: randomUUID(), groupIds: [] as string[] });
        const node = (id: string, overrides: Partial<{ visibility: Visibility; deleted: boolean; ownerId: string; groupIds: string[] }> = {}) => ({
          id,
          visibility: overrides.visibility ?? ('ORG' as Visibility),
          ownerId: overrides.ownerId ?? randomUUID(),
          groupIds: overrides.groupIds ?? [],
          deleted: overrides.deleted ?? false,
        });

        it('[projected only] upsertEdges twice does not duplicate: size() and expand are unchanged', async () => {
          const org = randomUUID();
          try {
            const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
            await store.upsertNodes(org, [node(a), node(b), node(c)]);
            const edges = [
              { id: randomUUID(), fromId: a, toId: b, type: 'DEPENDS_ON' },
              { id: randomUUID(), fromId: b, toId: c, type: 'CITES' },
            ];
            await store.upsertEdges(org, edges);
            expect(await store.size(org)).toEqual({ nodes: 3, edges: 2 });
            await store.upsertEdges(org, edges);
            await store.upsertEdges(org, [edges[0]!]);
            expect(await store.size(org)).toEqual({ nodes: 3, edges: 2 });
            await store.upsertNodes(org, [node(a), node(b), node(c)]);
            expect(await store.size(org)).toEqual({ nodes: 3, edges: 2 });
            expect(await store.expand(org, [b], { direction: 'BOTH', viewer: viewerOf(org) })).toHaveLength(2);
          } finally {
            await store.resetOrg(org);
          }
        });

        it('[projected only] upsertNodes updates a node in place: deleting or hiding it removes it from traversal', async () => {
          const org = randomUUID();
          try {
            const [a, b] = [randomUUID(), randomUUID()];
            const owner = randomUUID();
            await store.upsertNodes(org, [node(a), node(b, { ownerId: owner })]);
            await store.upsertEdges(org, [{ id: randomUUID(), fromId: a, toId: b, type: 'LINKS' }]);
            const viewer = viewerOf(org);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer })).toHaveLength(1);
            await store.upsertNodes(org, [node(b, { ownerId: owner, visibility: 'PRIVATE' })]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer })).toEqual([]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer: { ...viewer, userId: owner } })).toHaveLength(1);
            const group = randomUUID();
            await store.upsertNodes(org, [node(b, { ownerId: owner, visibility: 'GROUP', groupIds: [group] })]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer })).toEqual([]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer: { ...viewer, groupIds: [group] } })).toHaveLength(1);
            await store.upsertNodes(org, [node(b, { ownerId: owner, deleted: true })]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer: { ...viewer, userId: owner } })).toEqual([]);
            await store.upsertNodes(org, [node(b, { ownerId: owner })]);
            expect(await store.expand(org, [a], { direction: 'OUT', viewer })).toHaveLength(1);
            expect(await store.size(org)).toEqual({ nodes: 2, edges: 1 });
          } finally {
            await store.resetOrg(org);
          }
        });

        it('[projected only] deleteEdges removes by id; absent ids and unknown orgs are ignored', async () => {
          const org = randomUUID();
          try {
            const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
            const [ab, ac] = [randomUUID(), randomUUID()];
            await store.upsertNodes(org, [node(a), node(b), node(c)]);
            await store.upsertEdges(org, [
              { id: ab, fromId: a, toId: b, type: 'LINKS' },
              { id: ac, fromId: a, toId: c, type: 'LINKS' },
            ]);
            await store.deleteEdges(org, [ab, randomUUID()]);
            expect(await store.size(org)).toEqual({ nodes: 3, edges: 1 });
            expect(await store.expand(org, [a], { direction: 'BOTH', viewer: viewerOf(org) })).toEqual([{ from: a, to: c, relationshipId: ac }]);
            await store.deleteEdges(org, [ab]); // again: harmless
            await store.deleteEdges(org, []);
            await store.deleteEdges(randomUUID(), [ac]); // another org's graph (absent): harmless, and leaves this one alone
            expect(await store.size(org)).toEqual({ nodes: 3, edges: 1 });
          } finally {
            await store.resetOrg(org);
          }
        });

        it('[projected only] resetOrg empties one org’s graph and leaves other orgs alone; unknown orgs are fine', async () => {
          const [org1, org2] = [randomUUID(), randomUUID()];
          try {
            for (const org of [org1, org2]) {
              const [a, b] = [randomUUID(), randomUUID()];
              await store.upsertNodes(org, [node(a), node(b)]);
              await store.upsertEdges(org, [{ id: randomUUID(), fromId: a, toId: b, type: 'LINKS' }]);
            }
            await store.resetOrg(org1);
            expect(await store.size(org1)).toEqual({ nodes: 0, edges: 0 });
            expect(await store.size(org2)).toEqual({ nodes: 2, edges: 1 });
            await store.resetOrg(org1); // twice: harmless
            await store.resetOrg(randomUUID());
            // The org can be projected again after a reset (indexes are recreated).
            const [a, b] = [randomUUID(), randomUUID()];
            await store.upsertNodes(org1, [node(a), node(b)]);
            await store.upsertEdges(org1, [{ id: randomUUID(), fromId: a, toId: b, type: 'LINKS' }]);
            expect(await store.expand(org1, [a], { direction: 'OUT', viewer: viewerOf(org1) })).toHaveLength(1);
          } finally {
            await store.resetOrg(org1);
            await store.resetOrg(org2);
          }
        });

        it('[projected only] a seeded org’s projection matches SQL; resetOrg empties it', async () => {
          const g = await seed({
            users: { u1: {} },
            artifacts: { A: { owner: 'u1' }, B: { owner: 'u1' } },
            relationships: { ab: { from: 'A', to: 'B', type: 'LINKS' } },
          });
          expect(await store.size(g.org('org'))).toEqual({ nodes: 2, edges: 1 });
          await store.resetOrg(g.org('org'));
          expect(await store.size(g.org('org'))).toEqual({ nodes: 0, edges: 0 });
          expect(await store.expand(g.org('org'), [g.id('A')], { direction: 'BOTH', viewer: g.viewer('u1') })).toEqual([]);
        });
      });
    } else {
      describe('write side (embedded store: projected = false, so the projector’s operations are no-ops)', () => {
        it('[embedded only] upsertNodes/upsertEdges/deleteEdges/resetOrg change nothing: traversal reads the SQL rows', async () => {
          const g = await seed({
            users: { u1: {} },
            artifacts: { A: { owner: 'u1' }, B: { owner: 'u1' } },
            relationships: { ab: { from: 'A', to: 'B', type: 'LINKS' } },
          });
          const org = g.org('org');
          const before = await store.size(org);
          await store.upsertNodes(org, [{ id: randomUUID(), visibility: 'ORG', ownerId: g.user('u1'), groupIds: [], deleted: false }]);
          await store.upsertEdges(org, [{ id: randomUUID(), fromId: g.id('A'), toId: g.id('A'), type: 'LINKS' }]);
          await store.deleteEdges(org, [g.rel('ab')]);
          await store.resetOrg(org);
          expect(await store.size(org)).toEqual(before);
          expect(readable(g, await store.expand(org, [g.id('A')], { direction: 'OUT', viewer: g.viewer('u1') }))).toEqual(['A>B:ab']);
        });
      });
    }
  });
}
