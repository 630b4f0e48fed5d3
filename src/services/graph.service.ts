/**
 * Relationships and traversal. Relationships are rows in SQL (with referential integrity),
 * written with their graph-outbox row in one transaction; traversal (neighbours, shortest
 * path) runs on the graph store — FalkorDB in server mode, SQL in the embedded default — as
 * breadth-first hops that only ever step onto artifacts the caller can see, so a path never
 * passes through an invisible or deleted artifact.
 */
import { checkBatchSize, forItem, forItemSync, MAX_BATCH_ITEMS } from '../shared/batch.ts';
import { BadUserInputError, ConflictError, NotFoundError, ServiceUnavailableError } from '../shared/errors.ts';
import type { ArtifactRecord, Direction, RelationshipRecord } from '../store/records.ts';
import { getArtifactsByIds, lockVisibleArtifact } from '../store/repositories/artifacts.repo.ts';
import { getGroupsByUserIds } from '../store/repositories/groups.repo.ts';
import { appendEvent } from '../store/repositories/events.repo.ts';
import {
  deleteRelationship,
  enqueueGraphChange,
  getVisibleRelationshipsByIds,
  insertRelationship,
  listRelationshipsOf,
  lockRelationship,
} from '../store/repositories/relationships.repo.ts';
import type { GraphStore, Queryable, SqlClient, TraversalViewer } from '../store/types.ts';
import { assertCanModifyArtifact } from './access.ts';
import type { GraphProjector } from './graph-projector.ts';
import { validMetadata } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** Deepest `neighbors` traversal. */
export const MAX_NEIGHBOR_DEPTH = 4;
/** Deepest `shortestPath` search. */
export const MAX_PATH_DEPTH = 8;

const TYPE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** A relationship to create (decoded ids). */
export interface RelateRequest {
  fromId: string;
  toId: string;
  type: string;
  properties?: unknown;
}

/** Options of a neighbours query. */
export interface NeighborOptions {
  types?: readonly string[] | null;
  direction: Direction;
  depth: number;
  first: number;
}

/** Relationship and traversal operations. */
export interface GraphService {
  /** Both ends must be visible, live artifacts of one org; the caller must be allowed to change `from`. */
  relate(viewer: Viewer, input: RelateRequest): Promise<RelationshipRecord>;
  /**
   * 1–{@link MAX_BATCH_ITEMS} relationships in one transaction, all or none.
   * @throws the first failing item's error, with `extensions.index`
   */
  relateMany(viewer: Viewer, inputs: readonly RelateRequest[]): Promise<RelationshipRecord[]>;
  /** The caller must be allowed to change the relationship's `from` artifact. */
  unrelate(viewer: Viewer, id: string): Promise<boolean>;
  /** Relationships whose both ends the viewer can see, by id, in key order. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(RelationshipRecord | undefined)[]>;
  /** Relationships of (visible) artifacts to other visible artifacts, newest first. One statement. */
  relationshipsOf(
    viewer: Viewer,
    artifactIds: readonly string[],
    options: { types?: readonly string[] | null; direction: Direction; first: number; afterSeq?: number | undefined },
  ): Promise<RelationshipRecord[][]>;
  /**
   * Ids of the visible artifacts within `depth` hops of each root, nearest first, at most
   * `first` each. One graph query per hop level for all roots together.
   */
  neighbors(viewer: Viewer, roots: readonly ArtifactRecord[], options: NeighborOptions): Promise<string[][]>;
  /** Ids along a shortest path of visible artifacts, or null when there is none within `maxDepth`. */
  shortestPath(viewer: Viewer, fromId: string, toId: string, options: { types?: readonly string[] | null; maxDepth: number }): Promise<string[] | null>;
}

/** Creates the graph service. */
export function createGraphService(deps: { sql: SqlClient; graph: GraphStore; projector: GraphProjector }): GraphService {
  const { sql, graph, projector } = deps;

  function checkTypes(types: readonly string[] | null | undefined): void {
    for (const type of types ?? []) {
      if (!TYPE.test(type)) throw new BadUserInputError(`"${type.slice(0, 80)}" is not a relationship type (a letter, then letters, digits or _; at most 64).`, 'types');
    }
  }

  /** A graph being rebuilt from SQL is incomplete: say so rather than answer from it. */
  function assertTraversable(orgId: string): void {
    if (projector.isRebuilding(orgId)) throw new ServiceUnavailableError('The graph is being rebuilt from the system of record; try again shortly.');
  }

  async function traversalViewer(viewer: Viewer): Promise<TraversalViewer> {
    const [groups] = await getGroupsByUserIds(sql, viewer.orgId, [viewer.userId]);
    return { orgId: viewer.orgId, userId: viewer.userId, groupIds: (groups ?? []).map((g) => g.id) };
  }

  /** Checks a relate request without I/O; returns its properties' JSON text. */
  function validateRelate(input: RelateRequest): string {
    if (!TYPE.test(input.type)) {
      throw new BadUserInputError('type must be a letter followed by letters, digits or _ (at most 64), e.g. DEPENDS_ON.', 'type');
    }
    const propertiesJson = validMetadata(input.properties, 'properties');
    if (input.fromId === input.toId) {
      throw new BadUserInputError('A relationship connects two different artifacts: fromId and toId are the same.', 'toId');
    }
    return propertiesJson;
  }

  /** Writes one relationship with its outbox entry and event, in `tx`. */
  async function writeRelate(tx: Queryable, viewer: Viewer, input: RelateRequest, propertiesJson: string): Promise<RelationshipRecord> {
    const from = await lockVisibleArtifact(tx, viewer, input.fromId, false);
    if (!from) throw new NotFoundError('Artifact');
    assertCanModifyArtifact(viewer, from);
    const [to] = await getArtifactsByIds(tx, viewer, [input.toId]);
    if (!to) throw new NotFoundError('Artifact');
    if (to.orgId !== from.orgId) throw new BadUserInputError('A relationship connects artifacts of one org.', 'toId');
    let created: RelationshipRecord;
    try {
      created = await insertRelationship(tx, {
        orgId: from.orgId,
        fromId: from.id,
        toId: to.id,
        type: input.type,
        propertiesJson,
        createdBy: viewer.userId,
      });
    } catch (error) {
      throw error instanceof ConflictError
        ? new ConflictError(`These artifacts are already related by ${input.type}.`, { constraint: 'relationships_org_id_from_id_to_id_type_key' })
        : error;
    }
    await enqueueGraphChange(tx, from.orgId, 'relationship', created.id);
    await appendEvent(tx, {
      orgId: from.orgId,
      type: 'RELATIONSHIP_CREATED',
      actorId: viewer.userId,
      relationshipId: created.id,
      fromArtifactId: created.fromId,
      toArtifactId: created.toId,
    });
    return created;
  }

  return {
    async relate(viewer, input) {
      const propertiesJson = validateRelate(input);
      const relationship = await sql.transaction((tx) => writeRelate(tx, viewer, input, propertiesJson));
      projector.kick();
      return relationship;
    },

    async relateMany(viewer, inputs) {
      checkBatchSize(inputs.length);
      const properties = inputs.map((input, index) => forItemSync(index, () => validateRelate(input)));
      const relationships = await sql.transaction(async (tx) => {
        const created: RelationshipRecord[] = [];
        for (const [index, input] of inputs.entries()) created.push(await forItem(index, () => writeRelate(tx, viewer, input, properties[index]!)));
        return created;
      });
      projector.kick();
      return relationships;
    },

    async unrelate(viewer, id) {
      await sql.transaction(async (tx) => {
        const relationship = await lockRelationship(tx, viewer.orgId, id);
        // A relationship the caller cannot see (either end invisible) reads as absent, for every role.
        const [visible] = relationship ? await getVisibleRelationshipsByIds(tx, viewer, [id]) : [undefined];
        if (!relationship || !visible) throw new NotFoundError('Relationship');
        const from = await lockVisibleArtifact(tx, viewer, relationship.fromId, false);
        if (!from) throw new NotFoundError('Relationship');
        assertCanModifyArtifact(viewer, from);
        await deleteRelationship(tx, id);
        await enqueueGraphChange(tx, relationship.orgId, 'relationship', id);
        await appendEvent(tx, {
          orgId: relationship.orgId,
          type: 'RELATIONSHIP_DELETED',
          actorId: viewer.userId,
          relationshipId: id,
          fromArtifactId: relationship.fromId,
          toArtifactId: relationship.toId,
        });
      });
      projector.kick();
      return true;
    },

    getByIds: (viewer, ids) => getVisibleRelationshipsByIds(sql, viewer, ids),

    async relationshipsOf(viewer, artifactIds, options) {
      checkTypes(options.types);
      return listRelationshipsOf(sql, viewer, artifactIds, options);
    },

    async neighbors(viewer, roots, options) {
      checkTypes(options.types);
      if (!Number.isInteger(options.depth) || options.depth < 1 || options.depth > MAX_NEIGHBOR_DEPTH) {
        throw new BadUserInputError(`depth must be between 1 and ${MAX_NEIGHBOR_DEPTH}.`, 'depth');
      }
      const tv = await traversalViewer(viewer);
      const results = new Map<string, string[]>(roots.map((r) => [r.id, []]));
      // Per root: what it has reached, and its current frontier. Roots may be PUBLIC
      // artifacts of other orgs: each org's roots expand in that org's graph.
      const seen = new Map<string, Set<string>>(roots.map((r) => [r.id, new Set([r.id])]));
      let frontier = new Map<string, string[]>(roots.map((r) => [r.id, [r.id]]));
      const orgOf = new Map(roots.map((r) => [r.id, r.orgId]));
      for (let level = 1; level <= options.depth && frontier.size > 0; level += 1) {
        const byOrg = new Map<string, Set<string>>();
        for (const [root, nodes] of frontier) {
          const set = byOrg.get(orgOf.get(root)!) ?? new Set<string>();
          for (const n of nodes) set.add(n);
          byOrg.set(orgOf.get(root)!, set);
        }
        const adjacency = new Map<string, string[]>();
        for (const [orgId, nodes] of byOrg) {
          assertTraversable(orgId);
          const edges = await graph.expand(orgId, [...nodes], { types: options.types ?? null, direction: options.direction, viewer: tv });
          for (const e of edges) {
            const list = adjacency.get(e.from);
            if (list) list.push(e.to);
            else adjacency.set(e.from, [e.to]);
          }
        }
        const next = new Map<string, string[]>();
        for (const [root, nodes] of frontier) {
          const reached = seen.get(root)!;
          const out = results.get(root)!;
          const layer = new Set<string>();
          for (const n of nodes) for (const m of adjacency.get(n) ?? []) if (!reached.has(m)) layer.add(m);
          // Nearest first; within one distance, by id, so results are deterministic.
          for (const m of [...layer].sort()) {
            reached.add(m);
            if (out.length < options.first) out.push(m);
          }
          if (out.length < options.first && layer.size > 0) next.set(root, [...layer]);
        }
        frontier = next;
      }
      return roots.map((r) => results.get(r.id)!);
    },

    async shortestPath(viewer, fromId, toId, options) {
      checkTypes(options.types);
      if (!Number.isInteger(options.maxDepth) || options.maxDepth < 1 || options.maxDepth > MAX_PATH_DEPTH) {
        throw new BadUserInputError(`maxDepth must be between 1 and ${MAX_PATH_DEPTH}.`, 'maxDepth');
      }
      const [from, to] = await getArtifactsByIds(sql, viewer, [fromId, toId]);
      if (!from || !to || from.orgId !== to.orgId) return null;
      if (from.id === to.id) return [from.id];
      assertTraversable(from.orgId);
      const tv = await traversalViewer(viewer);
      // Bidirectional breadth-first search over visible artifacts; relationships are followed
      // in both directions. Each side keeps every reached node's parent and distance; a whole
      // level is scanned before answering, so the meeting chosen gives a shortest path.
      const parents = [new Map<string, string | null>([[from.id, null]]), new Map<string, string | null>([[to.id, null]])];
      const distance = [new Map<string, number>([[from.id, 0]]), new Map<string, number>([[to.id, 0]])];
      const frontiers = [[from.id], [to.id]];
      for (let hops = 0; hops < options.maxDepth; hops += 1) {
        const side = frontiers[0]!.length <= frontiers[1]!.length ? 0 : 1;
        const edges = await graph.expand(from.orgId, frontiers[side]!, { types: options.types ?? null, direction: 'BOTH', viewer: tv });
        const [mine, mineDistance] = [parents[side]!, distance[side]!];
        const otherDistance = distance[1 - side]!;
        const next: string[] = [];
        let best: { node: string; length: number } | undefined;
        // A plain code-unit order (not localeCompare): deterministic and ~10× cheaper on 10k+ edges.
        const byEnds = (a: { from: string; to: string }, b: { from: string; to: string }) =>
          a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
        for (const e of [...edges].sort(byEnds)) {
          if (mine.has(e.to)) continue;
          mine.set(e.to, e.from);
          mineDistance.set(e.to, mineDistance.get(e.from)! + 1);
          next.push(e.to);
          const rest = otherDistance.get(e.to);
          if (rest !== undefined) {
            const length = mineDistance.get(e.to)! + rest;
            if (!best || length < best.length) best = { node: e.to, length };
          }
        }
        if (best) return joinPath(parents[0]!, parents[1]!, best.node);
        if (next.length === 0) return null;
        frontiers[side] = next;
      }
      return null;
    },
  };
}

/** The path from the forward search's root through `meeting` to the backward search's root. */
function joinPath(forward: Map<string, string | null>, backward: Map<string, string | null>, meeting: string): string[] {
  const head: string[] = [];
  for (let n: string | null | undefined = meeting; n; n = forward.get(n)) head.unshift(n);
  for (let n = backward.get(meeting); n; n = backward.get(n)) head.push(n);
  return head;
}
