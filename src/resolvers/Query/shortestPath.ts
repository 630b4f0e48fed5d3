import type { ArtifactRecord } from '../../store/records.ts';
import { idOf } from '../ids.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.shortestPath`: the artifacts along a shortest visible path, or null. */
export const shortestPath: NonNullable<QueryResolvers['shortestPath']> = async (_parent, args, { services, viewer, loaders }) => {
  const ids = await services.graph.shortestPath(viewer, idOf(args.from, 'Artifact', 'from'), idOf(args.to, 'Artifact', 'to'), {
    types: args.types ?? null,
    maxDepth: args.maxDepth ?? 6,
  });
  if (!ids) return null;
  const artifacts = await loaders.artifact.loadMany(ids);
  // Re-checked against SQL: if any step became invisible meanwhile, there is no visible path.
  if (artifacts.some((a) => a === null || a instanceof Error)) return null;
  return artifacts as ArtifactRecord[];
};
