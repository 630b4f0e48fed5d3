import { toGlobalId } from './ids.ts';
import { BadUserInputError } from '../shared/errors.ts';
import type { ArtifactRecord } from '../store/records.ts';
import { MAX_PAGE_SIZE, pageArgs, toConnection } from './pagination.ts';
import type { ArtifactResolvers, ArtifactRevisionResolvers, ProvenanceResolvers } from './types.generated.ts';

/** `Artifact` fields that differ from the record; related objects load through DataLoaders. */
export const Artifact: ArtifactResolvers = {
  id: (artifact) => toGlobalId('Artifact', artifact.id),
  owner: async (artifact, _args, { loaders }) => {
    // Through `author`, which also finds the owner of a PUBLIC artifact of another org.
    const owner = await loaders.author.load(artifact.ownerId);
    if (!owner) throw new Error(`artifact ${artifact.id} has no owner row`);
    return owner;
  },
  collection: (artifact, _args, { loaders, viewer }) =>
    artifact.collectionId && artifact.orgId === viewer.orgId ? loaders.collection.load(artifact.collectionId) : null,
  sharedWithGroups: async (artifact, _args, { loaders, viewer }) => {
    if (artifact.orgId !== viewer.orgId) return [];
    const ids = await loaders.sharedGroupIds.load(artifact.id);
    const groups = await loaders.group.loadMany(ids);
    return groups.filter((g): g is Exclude<typeof g, Error | null> => g !== null && !(g instanceof Error));
  },
  provenance: (artifact) => artifact,
  screening: (artifact, _args, { loaders }) => (artifact.contributionId ? loaders.screening.load(artifact.contributionId) : null),
  producedBy: (artifact, _args, { loaders, viewer }) => (artifact.runId && artifact.orgId === viewer.orgId ? loaders.run.load(artifact.runId) : null),
  relationships: async (artifact, args, { loaders }) => {
    const { first, after } = pageArgs(args.first, args.after);
    // A deleted artifact is not part of the graph: like neighbours, it has no relationships to show.
    if (artifact.deletedAt) return toConnection({ items: [], hasNextPage: false }, () => 0);
    const rows = await loaders.relationships.load({
      artifactId: artifact.id,
      types: args.types ?? null,
      direction: args.direction ?? 'BOTH',
      first,
      afterSeq: after,
    });
    return toConnection({ items: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => r.seq);
  },
  neighbors: async (artifact, args, { loaders }) => {
    if (artifact.deletedAt) return [];
    const first = args.first ?? 50;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, 'first');
    }
    const ids = await loaders.neighbors.load({
      root: artifact,
      types: args.types ?? null,
      direction: args.direction ?? 'BOTH',
      depth: args.depth ?? 1,
      first,
    });
    // Re-checked against SQL, the system of record: a projection that lags cannot show more.
    const artifacts = await loaders.artifact.loadMany(ids);
    return artifacts.filter((a): a is ArtifactRecord => a !== null && !(a instanceof Error));
  },
  revisions: async (artifact, args, { loaders }) => {
    const { first, after } = pageArgs(args.first, args.after);
    const rows = await loaders.revisions.load({ artifactId: artifact.id, first, beforeRevision: after });
    return toConnection({ items: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => r.revision);
  },
};

/** Provenance ids are global ids of the objects they name. */
export const Provenance: ProvenanceResolvers = {
  sourceAgentId: (a) => (a.sourceAgentId ? toGlobalId('User', a.sourceAgentId) : null),
  mcpClientId: (a) => a.mcpClientId,
  sessionId: (a) => a.sessionId,
  contributionId: (a) => (a.contributionId ? toGlobalId('Contribution', a.contributionId) : null),
  runId: (a) => (a.runId ? toGlobalId('Run', a.runId) : null),
};

/** `ArtifactRevision.changedBy` through the user loader; `sharingRuleId` as a global id. */
export const ArtifactRevision: ArtifactRevisionResolvers = {
  sharingRuleId: (revision) => (revision.sharingRuleId ? toGlobalId('SharingRule', revision.sharingRuleId) : null),
  changedBy: async (revision, _args, { loaders }) => {
    const user = await loaders.author.load(revision.changedBy);
    if (!user) throw new Error(`revision author ${revision.changedBy} has no user row`);
    return user;
  },
};
