/** Artifact mutations: thin wrappers over the artifacts and collections services. */
import { idOf, idsOf } from '../ids.ts';
import type { MutationResolvers } from '../types.generated.ts';

/** `Mutation.createArtifact`. */
export const createArtifact: NonNullable<MutationResolvers['createArtifact']> = (_parent, { input }, { services, viewer }) =>
  services.artifacts.create(viewer, {
    ...input,
    collectionId: input.collectionId ? idOf(input.collectionId, 'Collection', 'input.collectionId') : null,
    sharedWithGroupIds: idsOf(input.sharedWithGroupIds, 'Group', 'input.sharedWithGroupIds'),
    runId: input.runId ? idOf(input.runId, 'Run', 'input.runId') : null,
  });

/** `Mutation.updateArtifact`: optimistic concurrency through `expectedRevision`. */
export const updateArtifact: NonNullable<MutationResolvers['updateArtifact']> = (_parent, args, { services, viewer }) =>
  services.artifacts.update(viewer, idOf(args.id, 'Artifact', 'id'), args.input, args.expectedRevision);

/** `Mutation.deleteArtifact` (soft). */
export const deleteArtifact: NonNullable<MutationResolvers['deleteArtifact']> = (_parent, args, { services, viewer }) =>
  services.artifacts.delete(viewer, idOf(args.id, 'Artifact', 'id'));

/** `Mutation.restoreArtifact`. */
export const restoreArtifact: NonNullable<MutationResolvers['restoreArtifact']> = (_parent, args, { services, viewer }) =>
  services.artifacts.restore(viewer, idOf(args.id, 'Artifact', 'id'));

/** `Mutation.shareArtifact`. */
export const shareArtifact: NonNullable<MutationResolvers['shareArtifact']> = (_parent, args, { services, viewer }) =>
  services.artifacts.share(viewer, idOf(args.id, 'Artifact', 'id'), args.visibility, idsOf(args.groupIds, 'Group', 'groupIds'));

/** `Mutation.createCollection`. */
export const createCollection: NonNullable<MutationResolvers['createCollection']> = (_parent, { input }, { services, viewer }) =>
  services.collections.create(viewer, input);

/** `Mutation.addToCollection`. */
export const addToCollection: NonNullable<MutationResolvers['addToCollection']> = (_parent, args, { services, viewer }) =>
  services.collections.addArtifacts(viewer, idOf(args.collectionId, 'Collection', 'collectionId'), idsOf(args.artifactIds, 'Artifact', 'artifactIds'));
