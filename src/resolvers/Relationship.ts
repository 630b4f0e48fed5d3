import { toGlobalId } from './ids.ts';
import type { RelationshipResolvers } from './types.generated.ts';

/** `Relationship` fields; both ends load through the (visibility-checking) artifact loader. */
export const Relationship: RelationshipResolvers = {
  id: (relationship) => toGlobalId('Relationship', relationship.id),
  from: async (relationship, _args, { loaders }) => {
    const artifact = await loaders.artifact.load(relationship.fromId);
    // Relationships are only ever returned when both ends are visible; a change in between is absent.
    if (!artifact) throw new Error(`relationship ${relationship.id}: its from artifact is no longer visible`);
    return artifact;
  },
  to: async (relationship, _args, { loaders }) => {
    const artifact = await loaders.artifact.load(relationship.toId);
    if (!artifact) throw new Error(`relationship ${relationship.id}: its to artifact is no longer visible`);
    return artifact;
  },
  createdBy: async (relationship, _args, { loaders }) => {
    const user = await loaders.author.load(relationship.createdBy);
    if (!user) throw new Error(`relationship ${relationship.id} has no creator row`);
    return user;
  },
};
