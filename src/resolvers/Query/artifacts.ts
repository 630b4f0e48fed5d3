import type { ArtifactFilterValues } from '../../services/index.ts';
import { BadUserInputError } from '../../shared/errors.ts';
import { idOf } from '../ids.ts';
import { pageArgs, toConnection } from '../pagination.ts';
import type { ArtifactFilter, QueryResolvers } from '../types.generated.ts';

/** Decodes the GraphQL filter into the service's filter values. */
export function filterValues(filter: ArtifactFilter | null | undefined): ArtifactFilterValues {
  if (!filter) return {};
  if (filter.metadata != null && (typeof filter.metadata !== 'object' || Array.isArray(filter.metadata))) {
    throw new BadUserInputError('filter.metadata must be a JSON object.', 'filter.metadata');
  }
  return {
    kinds: filter.kinds ?? null,
    tags: filter.tags ?? null,
    codebase: filter.codebase ?? null,
    collectionId: filter.collectionId ? idOf(filter.collectionId, 'Collection', 'filter.collectionId') : null,
    ownerId: filter.ownerId ? idOf(filter.ownerId, 'User', 'filter.ownerId') : null,
    visibility: filter.visibility ?? null,
    metadata: (filter.metadata as Record<string, unknown> | null | undefined) ?? null,
    contentDigest: filter.contentDigest ?? null,
    name: filter.name ?? null,
    includeDeleted: filter.includeDeleted ?? false,
    excludeFlagged: filter.excludeFlagged ?? false,
  };
}

/** `Query.artifact`: null when absent, deleted or invisible. */
export const artifact: NonNullable<QueryResolvers['artifact']> = (_parent, args, { loaders }) =>
  loaders.artifact.load(idOf(args.id, 'Artifact', 'id'));

/** `Query.artifacts`: visible artifacts, newest first, filtered in SQL. */
export const artifacts: NonNullable<QueryResolvers['artifacts']> = async (_parent, args, { services, viewer, loaders }) => {
  const { first, after } = pageArgs(args.first, args.after);
  const page = await services.artifacts.list(viewer, filterValues(args.filter), { first, afterSeq: after });
  for (const item of page.items) if (!item.deletedAt) loaders.artifact.prime(item.id, item);
  return toConnection(page, (a) => a.seq);
};
