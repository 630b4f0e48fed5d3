/**
 * Per-request DataLoaders: built fresh for every HTTP request and every subscription
 * operation, so caching never crosses callers. Every to-one and to-many field loads through
 * one of these, so a list of N objects costs a fixed number of statements.
 */
import DataLoader from 'dataloader';
import type { Services, Viewer } from '../services/index.ts';
import type {
  ApiKeyUsageRecord,
  ArtifactRecord,
  ArtifactRevisionRecord,
  CollectionRecord,
  GroupMemberRecord,
  GroupRecord,
  UserRecord,
} from '../store/records.ts';

/** The key of a revisions page load: one artifact and the page wanted. */
export interface RevisionsKey {
  artifactId: string;
  first: number;
  beforeRevision: number | undefined;
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
  /** Usage per billing period of a key (ADMIN only). */
  apiKeyUsage: DataLoader<string, ApiKeyUsageRecord[]>;
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
    revisions: new DataLoader(
      async (keys) => {
        // Keys asking for the same page shape (the usual case: one list field) share a statement.
        const shapes = new Map<string, RevisionsKey[]>();
        for (const key of keys) {
          const shape = `${key.first}:${key.beforeRevision ?? ''}`;
          shapes.set(shape, [...(shapes.get(shape) ?? []), key]);
        }
        const results = new Map<RevisionsKey, ArtifactRevisionRecord[]>();
        await Promise.all(
          [...shapes.values()].map(async (group) => {
            const { first, beforeRevision } = group[0]!;
            const pages = await services.artifacts.revisions(
              group.map((k) => k.artifactId),
              { first, beforeRevision },
            );
            group.forEach((key, i) => results.set(key, pages[i] ?? []));
          }),
        );
        return keys.map((key) => results.get(key) ?? []);
      },
      { cacheKeyFn: (key) => `${key.artifactId}:${key.first}:${key.beforeRevision ?? ''}` },
    ),
    apiKeyUsage: new DataLoader((ids) => services.apiKeys.usage(viewer, ids)),
  };
}
