/**
 * Collections: named sets of artifacts within an org. An artifact's name is unique within
 * its collection, so moving artifacts in can CONFLICT — deterministically, and then none move.
 */
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { CollectionRecord, Page } from '../store/records.ts';
import { lockVisibleArtifact, setArtifactsCollection } from '../store/repositories/artifacts.repo.ts';
import { appendEvent } from '../store/repositories/events.repo.ts';
import { getCollectionsByIds, insertCollection, listCollections } from '../store/repositories/collections.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { assertCanModifyArtifact, assertCanOrganise } from './access.ts';
import { FIELD_LIMITS, validText } from './validate.ts';
import type { Viewer } from './viewer.ts';

/** Collection operations. */
export interface CollectionsService {
  create(viewer: Viewer, input: { name: string; description?: string | null }): Promise<CollectionRecord>;
  /** Moves artifacts (that the viewer may change) into the collection; all or none. */
  addArtifacts(viewer: Viewer, collectionId: string, artifactIds: readonly string[]): Promise<CollectionRecord>;
  list(viewer: Viewer, page: { first: number; afterSeq?: number | undefined }): Promise<Page<CollectionRecord>>;
  /** Collections of the viewer's org by id, in key order. One statement. */
  getByIds(viewer: Viewer, ids: readonly string[]): Promise<(CollectionRecord | undefined)[]>;
}

/** Creates the collections service. */
export function createCollectionsService(deps: { sql: SqlClient }): CollectionsService {
  const { sql } = deps;
  return {
    async create(viewer, input) {
      assertCanOrganise(viewer, 'create collections');
      const name = validText(input.name, 'name', FIELD_LIMITS.name)!;
      const description = input.description == null ? null : input.description.trim() || null;
      return insertCollection(sql, { orgId: viewer.orgId, name, description, createdBy: viewer.userId }).catch((error: unknown) => {
        throw error instanceof ConflictError ? new ConflictError(`A collection named "${name}" already exists.`) : error;
      });
    },

    async addArtifacts(viewer, collectionId, artifactIds) {
      const ids = [...new Set(artifactIds)];
      try {
        return await sql.transaction(async (tx) => {
          const [collection] = await getCollectionsByIds(tx, viewer.orgId, [collectionId]);
          if (!collection) throw new NotFoundError('Collection');
          // Lock in id order, so concurrent moves of overlapping sets cannot deadlock.
          for (const id of [...ids].sort()) {
            const artifact = await lockVisibleArtifact(tx, viewer, id, false);
            if (!artifact) throw new NotFoundError('Artifact');
            assertCanModifyArtifact(viewer, artifact);
          }
          await setArtifactsCollection(tx, viewer.orgId, ids, collectionId);
          for (const artifactId of ids) {
            await appendEvent(tx, { orgId: viewer.orgId, type: 'ARTIFACT_UPDATED', actorId: viewer.userId, artifactId });
          }
          return collection;
        });
      } catch (error) {
        if (error instanceof ConflictError) {
          throw new ConflictError('An artifact with the same name is already in this collection; nothing was moved.', {
            constraint: 'artifacts_name_in_collection_key',
          });
        }
        throw error;
      }
    },

    list: (viewer, page) => listCollections(sql, viewer.orgId, page),
    getByIds: (viewer, ids) => getCollectionsByIds(sql, viewer.orgId, ids),
  };
}
