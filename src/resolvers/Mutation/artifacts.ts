/** Artifact mutations: thin wrappers over the artifacts and collections services. */
import { idOf, idsOf } from '../ids.ts';
import { decodeBatch } from '../../shared/batch.ts';
import type { CreateArtifactInput, MutationResolvers } from '../types.generated.ts';

/** Decodes the global ids of a create input (`at`: where it is, for messages). */
function createInput(input: CreateArtifactInput, at: string) {
  return {
    ...input,
    collectionId: input.collectionId ? idOf(input.collectionId, 'Collection', `${at}.collectionId`) : null,
    sharedWithGroupIds: idsOf(input.sharedWithGroupIds, 'Group', `${at}.sharedWithGroupIds`),
    runId: input.runId ? idOf(input.runId, 'Run', `${at}.runId`) : null,
  };
}

/** `Mutation.createArtifact`. */
export const createArtifact: NonNullable<MutationResolvers['createArtifact']> = (_parent, { input }, { services, viewer }) =>
  services.artifacts.create(viewer, createInput(input, 'input'));

/** `Mutation.createArtifacts`: 1–100 in one transaction, all or none. */
export const createArtifacts: NonNullable<MutationResolvers['createArtifacts']> = (_parent, { inputs }, { services, viewer }) =>
  services.artifacts.createMany(viewer, decodeBatch(inputs, createInput));

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
