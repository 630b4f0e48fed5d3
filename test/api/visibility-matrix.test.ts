/**
 * The access model as a table, through the GraphQL API: every visibility × owner role ×
 * viewer role × viewer's relation to the artifact, asserting what `artifact(id)`, `node(id)`,
 * `artifacts` and the writes (`updateArtifact`, `shareArtifact`, `deleteArtifact`) answer.
 *
 * The expected results come from the rule written out below (ARCHITECTURE.md, "Access
 * model"), never from src: an artifact is visible iff it is live AND (PUBLIC, or the caller is
 * in its org AND (ORG, or the caller owns it, or GROUP and the caller is a MEMBER or ADMIN of a
 * group it is shared with)). Writes: owner or ADMIN of the artifact's org, with a writing role
 * (ADMIN / REVIEWER / MEMBER); a disallowed write is FORBIDDEN on a visible artifact and
 * NOT_FOUND on an invisible one (invisible reads exactly like missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, createOrgAdmin, ok, type Actor } from '../support/actors.ts';
import { uniqueSuffix } from '../support/backends.ts';
import { ADMIN_KEY, gql, startTestServer, type TestServer } from '../support/server.ts';

type Role = 'ADMIN' | 'REVIEWER' | 'MEMBER' | 'AGENT' | 'READER';
type Visibility = 'PRIVATE' | 'GROUP' | 'ORG' | 'PUBLIC';
type Relation = 'owner itself' | 'in shared group (MEMBER)' | 'in shared group (ADMIN)' | 'same org, not in group' | 'other org';
type WriteOutcome = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';

const ROLES: readonly Role[] = ['ADMIN', 'REVIEWER', 'MEMBER', 'AGENT', 'READER'];
const OWNER_ROLES: readonly Role[] = ['MEMBER', 'ADMIN', 'REVIEWER'];
const VISIBILITIES: readonly Visibility[] = ['PRIVATE', 'GROUP', 'ORG', 'PUBLIC'];
const VIEWER_RELATIONS: readonly Exclude<Relation, 'owner itself'>[] = [
  'in shared group (MEMBER)',
  'in shared group (ADMIN)',
  'same org, not in group',
  'other org',
];

// ---------------------------------------------------------------------------------------------
// The rule, written independently of src.
// ---------------------------------------------------------------------------------------------

/** Who reads a live artifact of each visibility. The viewer's org role plays no part. */
const READERS: Readonly<Record<Visibility, readonly Relation[]>> = {
  PRIVATE: ['owner itself'],
  GROUP: ['owner itself', 'in shared group (MEMBER)', 'in shared group (ADMIN)'],
  ORG: ['owner itself', 'in shared group (MEMBER)', 'in shared group (ADMIN)', 'same org, not in group'],
  PUBLIC: ['owner itself', 'in shared group (MEMBER)', 'in shared group (ADMIN)', 'same org, not in group', 'other org'],
};

/** Roles that write artifacts directly (AGENT contributes, READER reads). */
const WRITING_ROLES: readonly Role[] = ['ADMIN', 'REVIEWER', 'MEMBER'];

function readsLive(visibility: Visibility, relation: Relation): boolean {
  return READERS[visibility].includes(relation);
}

/** The answer to a write (update / share / delete) on a live artifact. */
function writeOutcome(visibility: Visibility, relation: Relation, role: Role): WriteOutcome {
  if (!readsLive(visibility, relation)) return 'NOT_FOUND';
  if (!WRITING_ROLES.includes(role)) return 'FORBIDDEN';
  if (relation === 'owner itself') return 'OK';
  if (role === 'ADMIN' && relation !== 'other org') return 'OK';
  return 'FORBIDDEN';
}

/** Whether `includeDeleted: true` lists a deleted artifact: owner or ADMIN of its org, and only if visible when live. */
function listsWhenDeleted(visibility: Visibility, relation: Relation, role: Role): boolean {
  const ownerOrOrgAdmin = relation === 'owner itself' || (role === 'ADMIN' && relation !== 'other org');
  return ownerOrOrgAdmin && readsLive(visibility, relation);
}

// ---------------------------------------------------------------------------------------------
// The cells.
// ---------------------------------------------------------------------------------------------

interface Cell {
  name: string;
  visibility: Visibility;
  ownerRole: Role;
  viewerRole: Role;
  relation: Relation;
}

const CELLS: Cell[] = [];
for (const visibility of VISIBILITIES) {
  for (const ownerRole of OWNER_ROLES) {
    const base = `${visibility} × ${ownerRole}-owned`;
    CELLS.push({ name: `${base} × ${ownerRole} owner itself`, visibility, ownerRole, viewerRole: ownerRole, relation: 'owner itself' });
    for (const viewerRole of ROLES) {
      for (const relation of VIEWER_RELATIONS) {
        CELLS.push({ name: `${base} × ${viewerRole} viewer ${relation}`, visibility, ownerRole, viewerRole, relation });
      }
    }
  }
}

const READ = `query ($id: ID!, $tag: String!) {
  artifact(id: $id) { id visibility owner { id } }
  node(id: $id) { __typename id }
  artifacts(filter: { tags: [$tag] }, first: 5) { edges { node { id } } }
  withDeleted: artifacts(filter: { tags: [$tag], includeDeleted: true }, first: 5) { edges { node { id deletedAt } } }
}`;
const UPDATE = 'mutation ($id: ID!, $title: String) { updateArtifact(id: $id, input: { title: $title }) { id title revision } }';
const SHARE = `mutation ($id: ID!, $visibility: Visibility!, $groupIds: [ID!]) {
  shareArtifact(id: $id, visibility: $visibility, groupIds: $groupIds) { id visibility sharedWithGroups { id } }
}`;
const DELETE = 'mutation ($id: ID!) { deleteArtifact(id: $id) { id deletedAt } }';
const RESTORE = 'mutation ($id: ID!) { restoreArtifact(id: $id) { id deletedAt } }';
const CREATE = 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }';

interface Target {
  id: string;
  tag: string;
  ownerKey: string;
  ownerId: string;
  visibility: Visibility;
  /** Writes that actually succeeded (to check that nothing else changed). */
  revisionsAdded: number;
  title: string;
}

interface ReadResult {
  artifact: { id: string; visibility: string; owner: { id: string } } | null;
  node: { __typename: string; id: string } | null;
  artifacts: { edges: { node: { id: string } }[] };
  withDeleted: { edges: { node: { id: string; deletedAt: string | null } }[] };
}

describe('visibility matrix', () => {
  let server: TestServer;
  const owners = new Map<Role, Actor>();
  const viewers = new Map<string, Actor>();
  let sharedGroupId = '';
  const readTargets = new Map<string, Target>();
  const writeTargets = new Map<string, Target>();
  const deletedTargets = new Map<string, Target>();
  const startedAt = Date.now();

  const viewerKey = (role: Role, relation: Relation) => `${role}|${relation}`;
  const targetKey = (visibility: Visibility, ownerRole: Role) => `${visibility}|${ownerRole}`;
  const viewerOf = (cell: Pick<Cell, 'ownerRole' | 'viewerRole' | 'relation'>): Actor =>
    cell.relation === 'owner itself' ? owners.get(cell.ownerRole)! : viewers.get(viewerKey(cell.viewerRole, cell.relation))!;

  beforeAll(async () => {
    server = await startTestServer();
    const serverUpAt = Date.now();
    const other = await createOrgAdmin(server, `otherorg-${uniqueSuffix()}`);

    // Actors: three owners and one viewer per role × relation.
    await Promise.all([
      ...OWNER_ROLES.map(async (role) => owners.set(role, await createActor(server, ADMIN_KEY, `owner-${role.toLowerCase()}`, role))),
      ...ROLES.flatMap((role) =>
        VIEWER_RELATIONS.map(async (relation) => {
          const handle = `v-${role.toLowerCase()}-${relation.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
          const adminKey = relation === 'other org' ? other.key : ADMIN_KEY;
          viewers.set(viewerKey(role, relation), await createActor(server, adminKey, handle, role));
        }),
      ),
    ]);

    // Groups: the shared group, another group of the same org (membership there must not
    // count) and a group of the other org.
    const group = async (key: string, name: string) =>
      (await ok<{ createGroup: { id: string } }>(server, key, 'mutation ($name: String!) { createGroup(input: { name: $name }) { id } }', { name }))
        .createGroup.id;
    const [shared, elsewhere, theirs] = await Promise.all([group(ADMIN_KEY, 'shared'), group(ADMIN_KEY, 'elsewhere'), group(other.key, 'theirs')]);
    sharedGroupId = shared;
    const addMember = (key: string, groupId: string, userId: string, role: 'MEMBER' | 'ADMIN') =>
      ok(server, key, 'mutation ($g: ID!, $u: ID!, $r: GroupRole) { addGroupMember(groupId: $g, userId: $u, role: $r) { id } }', {
        g: groupId,
        u: userId,
        r: role,
      });
    await Promise.all(
      ROLES.flatMap((role) => [
        addMember(ADMIN_KEY, shared, viewers.get(viewerKey(role, 'in shared group (MEMBER)'))!.id, 'MEMBER'),
        addMember(ADMIN_KEY, shared, viewers.get(viewerKey(role, 'in shared group (ADMIN)'))!.id, 'ADMIN'),
        addMember(ADMIN_KEY, elsewhere, viewers.get(viewerKey(role, 'same org, not in group'))!.id, 'MEMBER'),
        addMember(other.key, theirs, viewers.get(viewerKey(role, 'other org'))!.id, 'MEMBER'),
      ]),
    );

    // Artifacts: per owner × visibility one to read, one to write to, one to delete.
    const create = async (owner: Actor, visibility: Visibility, purpose: string): Promise<Target> => {
      const tag = `m-${purpose}-${visibility.toLowerCase()}-${owner.role.toLowerCase()}`;
      const title = `${purpose} ${visibility} by ${owner.handle}`;
      const input = {
        kind: 'fact',
        title,
        content: `content of ${tag}`,
        tags: [tag],
        visibility,
        ...(visibility === 'GROUP' ? { sharedWithGroupIds: [shared] } : {}),
      };
      const { createArtifact } = await ok<{ createArtifact: { id: string } }>(server, owner.key, CREATE, { input });
      return { id: createArtifact.id, tag, ownerKey: owner.key, ownerId: owner.id, visibility, revisionsAdded: 0, title };
    };
    await Promise.all(
      VISIBILITIES.flatMap((visibility) =>
        OWNER_ROLES.map(async (ownerRole) => {
          const owner = owners.get(ownerRole)!;
          readTargets.set(targetKey(visibility, ownerRole), await create(owner, visibility, 'read'));
          writeTargets.set(targetKey(visibility, ownerRole), await create(owner, visibility, 'write'));
          const doomed = await create(owner, visibility, 'deleted');
          await ok(server, owner.key, DELETE, { id: doomed.id });
          deletedTargets.set(targetKey(visibility, ownerRole), doomed);
        }),
      ),
    );
    process.stdout.write(
      `[visibility-matrix] SQL=${server.sqlBackend}, graph=${server.graphBackend}: ${CELLS.length} cells ` +
        `(${CELLS.length} read + ${CELLS.length * 3} write + ${CELLS.length} deleted checks), server up in ${serverUpAt - startedAt} ms, data set up in ${Date.now() - serverUpAt} ms\n`,
    );
  });

  afterAll(async () => {
    process.stdout.write(`[visibility-matrix] total ${Date.now() - startedAt} ms\n`);
    await server?.stop();
  });

  it('has one cell per visibility × owner role × (owner itself | viewer role × relation)', () => {
    expect(CELLS).toHaveLength(VISIBILITIES.length * OWNER_ROLES.length * (1 + ROLES.length * VIEWER_RELATIONS.length));
    expect(new Set(CELLS.map((c) => c.name)).size).toBe(CELLS.length);
  });

  describe('reads of live artifacts', () => {
    for (const cell of CELLS) it(`${cell.name} × read`, async () => {
      const target = readTargets.get(targetKey(cell.visibility, cell.ownerRole))!;
      const data = await ok<ReadResult>(server, viewerOf(cell).key, READ, { id: target.id, tag: target.tag });
      if (readsLive(cell.visibility, cell.relation)) {
        expect(data.artifact).toEqual({ id: target.id, visibility: cell.visibility, owner: { id: target.ownerId } });
        expect(data.node).toEqual({ __typename: 'Artifact', id: target.id });
        expect(data.artifacts.edges.map((e) => e.node.id)).toEqual([target.id]);
        expect(data.withDeleted.edges.map((e) => e.node)).toEqual([{ id: target.id, deletedAt: null }]);
      } else {
        expect(data.artifact).toBeNull();
        expect(data.node).toBeNull();
        expect(data.artifacts.edges).toEqual([]);
        expect(data.withDeleted.edges).toEqual([]);
      }
    });
  });

  describe('writes to live artifacts', () => {
    /** Runs a write as the cell's viewer and checks its outcome; returns whether it succeeded. */
    async function expectWrite<D extends Record<string, unknown>>(
      cell: Cell,
      field: string,
      query: string,
      variables: Record<string, unknown>,
    ): Promise<D | undefined> {
      const expected = writeOutcome(cell.visibility, cell.relation, cell.viewerRole);
      const res = await gql<D>(server, query, { key: viewerOf(cell).key, variables });
      const code = res.body.errors?.[0]?.extensions?.['code'];
      const outcome = res.body.errors ? code : 'OK';
      expect(outcome, `${field}: ${JSON.stringify(res.body.errors?.[0]?.message ?? null)}`).toBe(expected);
      if (outcome !== 'OK') {
        expect(res.body.data?.[field] ?? null).toBeNull();
        return undefined;
      }
      return res.body.data as D;
    }

    for (const cell of CELLS) it(`${cell.name} × updateArtifact`, async () => {
      const target = writeTargets.get(targetKey(cell.visibility, cell.ownerRole))!;
      const title = `updated by ${cell.name}`;
      const data = await expectWrite<{ updateArtifact: { id: string; title: string; revision: number } }>(cell, 'updateArtifact', UPDATE, {
        id: target.id,
        title,
      });
      if (data) {
        target.revisionsAdded += 1;
        target.title = title;
        expect(data.updateArtifact).toEqual({ id: target.id, title, revision: 1 + target.revisionsAdded });
      }
    });

    for (const cell of CELLS) it(`${cell.name} × shareArtifact`, async () => {
      const target = writeTargets.get(targetKey(cell.visibility, cell.ownerRole))!;
      // Re-shares with the same settings: a success changes nothing, so cells don't interfere.
      const groupIds = cell.visibility === 'GROUP' ? [sharedGroupId] : null;
      const data = await expectWrite<{ shareArtifact: { id: string; visibility: string; sharedWithGroups: { id: string }[] } }>(
        cell,
        'shareArtifact',
        SHARE,
        { id: target.id, visibility: cell.visibility, groupIds },
      );
      if (data) {
        expect(data.shareArtifact).toEqual({ id: target.id, visibility: cell.visibility, sharedWithGroups: (groupIds ?? []).map((id) => ({ id })) });
      }
    });

    for (const cell of CELLS) it(`${cell.name} × deleteArtifact`, async () => {
      const target = writeTargets.get(targetKey(cell.visibility, cell.ownerRole))!;
      const data = await expectWrite<{ deleteArtifact: { id: string; deletedAt: string | null } }>(cell, 'deleteArtifact', DELETE, {
        id: target.id,
      });
      if (data) {
        target.revisionsAdded += 1;
        expect(data.deleteArtifact.id).toBe(target.id);
        expect(data.deleteArtifact.deletedAt).not.toBeNull();
        // Put it back (as its owner) for the next cell.
        const restored = await ok<{ restoreArtifact: { id: string; deletedAt: string | null } }>(server, target.ownerKey, RESTORE, {
          id: target.id,
        });
        target.revisionsAdded += 1;
        expect(restored.restoreArtifact).toEqual({ id: target.id, deletedAt: null });
      }
    });

    it('refused writes changed nothing: revisions, title, visibility and shares are as the successful writes left them', async () => {
      for (const [key, target] of writeTargets) {
        const data = await ok<{ artifact: { revision: number; title: string; visibility: string; deletedAt: string | null; sharedWithGroups: { id: string }[] } | null }>(
          server,
          target.ownerKey,
          'query ($id: ID!) { artifact(id: $id) { revision title visibility deletedAt sharedWithGroups { id } } }',
          { id: target.id },
        );
        expect(data.artifact, key).toEqual({
          revision: 1 + target.revisionsAdded,
          title: target.title,
          visibility: target.visibility,
          deletedAt: null,
          sharedWithGroups: target.visibility === 'GROUP' ? [{ id: sharedGroupId }] : [],
        });
      }
    });
  });

  describe('deleted artifacts', () => {
    const DELETED_READ = `query ($id: ID!, $tag: String!) {
      artifact(id: $id) { id }
      node(id: $id) { id }
      artifacts(filter: { tags: [$tag] }, first: 5) { edges { node { id } } }
      withDeleted: artifacts(filter: { tags: [$tag], includeDeleted: true }, first: 5) { edges { node { id deletedAt } } }
    }`;

    for (const cell of CELLS) it(`${cell.name} × deleted: invisible; includeDeleted lists it to owner / org ADMIN only`, async () => {
      const target = deletedTargets.get(targetKey(cell.visibility, cell.ownerRole))!;
      const data = await ok<Omit<ReadResult, 'artifact'> & { artifact: { id: string } | null }>(server, viewerOf(cell).key, DELETED_READ, {
        id: target.id,
        tag: target.tag,
      });
      expect(data.artifact).toBeNull();
      expect(data.node).toBeNull();
      expect(data.artifacts.edges).toEqual([]);
      const listed = data.withDeleted.edges.map((e) => e.node);
      if (listsWhenDeleted(cell.visibility, cell.relation, cell.viewerRole)) {
        expect(listed).toHaveLength(1);
        expect(listed[0]!.id).toBe(target.id);
        expect(listed[0]!.deletedAt).not.toBeNull();
      } else {
        expect(listed).toEqual([]);
      }
    });

    it.each(OWNER_ROLES)('updateArtifact on a deleted artifact is NOT_FOUND, even for its %s owner and the org ADMIN', async (ownerRole) => {
      const target = deletedTargets.get(targetKey('ORG', ownerRole))!;
      for (const key of [target.ownerKey, viewers.get(viewerKey('ADMIN', 'same org, not in group'))!.key]) {
        const res = await gql(server, UPDATE, { key, variables: { id: target.id, title: 'zombie' } });
        expect(res.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      }
    });
  });
});
