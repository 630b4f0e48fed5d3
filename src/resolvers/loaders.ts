/**
 * Per-request DataLoaders: built fresh for every HTTP request and every subscription
 * operation, so caching never crosses callers. Every to-one and to-many field loads through
 * one of these, so a list of N objects costs a fixed number of statements.
 */
import DataLoader from 'dataloader';
import type { ArtifactScreening, Services, Viewer } from '../services/index.ts';
import type {
  ApiKeyUsageRecord,
  ArtifactRecord,
  ArtifactRevisionRecord,
  CollectionRecord,
  GroupMemberRecord,
  GroupRecord,
  RelationshipRecord,
  UserRecord,
  ContributionRecord,
  ContextPackageItemRecord,
  ContextPackageRecord,
  RunRecord,
  RunStepRecord,
} from '../store/records.ts';
import type { Direction } from '../store/records.ts';

/** The key of a revisions page load: one artifact and the page wanted. */
export interface RevisionsKey {
  artifactId: string;
  first: number;
  beforeRevision: number | undefined;
}

/** The key of a relationships page load. */
export interface RelationshipsKey {
  artifactId: string;
  types: readonly string[] | null;
  direction: Direction;
  first: number;
  afterSeq: number | undefined;
}

/** The key of a neighbours load: a (visible) root artifact and the traversal wanted. */
export interface NeighborsKey {
  root: ArtifactRecord;
  types: readonly string[] | null;
  direction: Direction;
  depth: number;
  first: number;
}

/**
 * A loader whose keys carry options: keys with the same options (the usual case, one list
 * field) share one batch call; `shapeOf` names the options, `run` loads one shape.
 */
function shapedLoader<K, V>(shapeOf: (key: K) => string, idOf: (key: K) => string, run: (keys: K[]) => Promise<V[]>) {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const shapes = new Map<string, K[]>();
      for (const key of keys) shapes.set(shapeOf(key), [...(shapes.get(shapeOf(key)) ?? []), key]);
      const results = new Map<K, V>();
      await Promise.all(
        [...shapes.values()].map(async (group) => {
          const values = await run(group);
          group.forEach((key, i) => results.set(key, values[i]!));
        }),
      );
      return keys.map((key) => results.get(key)!);
    },
    { cacheKeyFn: (key) => `${idOf(key)}|${shapeOf(key)}` },
  );
}

/** The loaders of one request. */
export interface Loaders {
  /** Users of the viewer's org by id; other orgs' users read as null. */
  user: DataLoader<string, UserRecord | null>;
  /**
   * Authors (owners, revision authors) of artifacts the viewer can already see, in any org:
   * the author of a PUBLIC artifact is part of its public record. Never use for lookups by
   * a client-supplied id.
   */
  author: DataLoader<string, UserRecord | null>;
  group: DataLoader<string, GroupRecord | null>;
  collection: DataLoader<string, CollectionRecord | null>;
  /** Visible, live artifacts by id. */
  artifact: DataLoader<string, ArtifactRecord | null>;
  /** Groups a user belongs to. */
  groupsOfUser: DataLoader<string, GroupRecord[]>;
  /** Members of a group. */
  membersOfGroup: DataLoader<string, GroupMemberRecord[]>;
  /** Group ids an artifact is shared with. */
  sharedGroupIds: DataLoader<string, string[]>;
  /** A page of an artifact's revisions (one more than asked, to tell if more exist). */
  revisions: DataLoader<RevisionsKey, ArtifactRevisionRecord[], string>;
  /** Relationships of an artifact (one more than asked, to tell if more exist). */
  relationships: DataLoader<RelationshipsKey, RelationshipRecord[], string>;
  /** Relationships whose both ends the viewer can see, by id. */
  relationship: DataLoader<string, RelationshipRecord | null>;
  /** Ids of an artifact's visible neighbours, nearest first. */
  neighbors: DataLoader<NeighborsKey, string[], string>;
  /** Usage per billing period of a key (ADMIN only). */
  apiKeyUsage: DataLoader<string, ApiKeyUsageRecord[]>;
  /** Contributions the viewer may read, by id. */
  contribution: DataLoader<string, ContributionRecord | null>;
  /** Screening of the contribution an (already visible) artifact came from, by contribution id. */
  screening: DataLoader<string, ArtifactScreening | null>;
  /** Runs of the viewer's org, by id. */
  run: DataLoader<string, RunRecord | null>;
  /** Input / output artifact ids of a run, in order (resolve through `artifact`). */
  runInputs: DataLoader<string, string[]>;
  runOutputs: DataLoader<string, string[]>;
  /** Steps of a run, in order. */
  runSteps: DataLoader<string, RunStepRecord[]>;
  /** Context package versions of the viewer's org, by id. */
  contextPackage: DataLoader<string, ContextPackageRecord | null>;
  /** Items of a package version, in order. */
  contextItems: DataLoader<string, ContextPackageItemRecord[]>;
}

/** Builds the loaders for one request of `viewer`. */
export function createLoaders(services: Services, viewer: Viewer): Loaders {
  const nullable = <T>(rows: (T | undefined)[]) => rows.map((r) => r ?? null);
  return {
    user: new DataLoader(async (ids) => nullable(await services.users.getByIds(viewer, ids))),
    author: new DataLoader(async (ids) => nullable(await services.users.getAuthorsByIds(ids))),
    group: new DataLoader(async (ids) => nullable(await services.groups.getByIds(viewer, ids))),
    collection: new DataLoader(async (ids) => nullable(await services.collections.getByIds(viewer, ids))),
    artifact: new DataLoader(async (ids) => nullable(await services.artifacts.getByIds(viewer, ids))),
    groupsOfUser: new DataLoader((ids) => services.groups.groupsOfUsers(viewer, ids)),
    membersOfGroup: new DataLoader((ids) => services.groups.membersOfGroups(viewer, ids)),
    sharedGroupIds: new DataLoader((ids) => services.artifacts.sharedGroupIds(ids)),
    screening: new DataLoader(async (ids) => nullable(await services.artifacts.screenings(ids))),
    revisions: shapedLoader(
      (k: RevisionsKey) => `${k.first}:${k.beforeRevision ?? ''}`,
      (k) => k.artifactId,
      (keys) => services.artifacts.revisions(keys.map((k) => k.artifactId), { first: keys[0]!.first, beforeRevision: keys[0]!.beforeRevision }),
    ),
    relationships: shapedLoader(
      (k: RelationshipsKey) => `${k.direction}:${k.first}:${k.afterSeq ?? ''}:${(k.types ?? []).join(',')}`,
      (k) => k.artifactId,
      (keys) => {
        const { types, direction, first, afterSeq } = keys[0]!;
        return services.graph.relationshipsOf(viewer, keys.map((k) => k.artifactId), { types, direction, first, afterSeq });
      },
    ),
    relationship: new DataLoader(async (ids) => nullable(await services.graph.getByIds(viewer, ids))),
    neighbors: shapedLoader(
      (k: NeighborsKey) => `${k.direction}:${k.depth}:${k.first}:${(k.types ?? []).join(',')}`,
      (k) => k.root.id,
      (keys) => {
        const { types, direction, depth, first } = keys[0]!;
        return services.graph.neighbors(viewer, keys.map((k) => k.root), { types, direction, depth, first });
      },
    ),
    apiKeyUsage: new DataLoader((ids) => services.apiKeys.usage(viewer, ids)),
    contribution: new DataLoader(async (ids) => nullable(await services.contributions.getByIds(viewer, ids))),
    run: new DataLoader(async (ids) => nullable(await services.runs.getByIds(viewer, ids))),
    runInputs: new DataLoader((ids) => services.runs.artifactIds(ids, 'INPUT')),
    runOutputs: new DataLoader((ids) => services.runs.artifactIds(ids, 'OUTPUT')),
    runSteps: new DataLoader((ids) => services.runs.steps(ids)),
    contextPackage: new DataLoader(async (ids) => nullable(await services.contextPackages.getByIds(viewer, ids))),
    contextItems: new DataLoader((ids) => services.contextPackages.items(ids)),
  };
}
