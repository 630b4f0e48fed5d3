import { encodeEventCursor } from '../services/index.ts';
import { toGlobalId } from './ids.ts';
import type { EventResolvers } from './types.generated.ts';

/** `Event`: the subject objects load through DataLoaders, so they obey visibility again. */
export const Event: EventResolvers = {
  cursor: (e) => encodeEventCursor(e.cursor),
  actor: (e, _args, { loaders }) => (e.actorId ? loaders.user.load(e.actorId) : null),
  artifact: (e, _args, { loaders }) => (e.artifactId ? loaders.artifact.load(e.artifactId) : null),
  artifactId: (e) => (e.artifactId ? toGlobalId('Artifact', e.artifactId) : null),
  relationship: (e, _args, { loaders }) => (e.relationshipId ? loaders.relationship.load(e.relationshipId) : null),
  relationshipId: (e) => (e.relationshipId ? toGlobalId('Relationship', e.relationshipId) : null),
  contribution: (e, _args, { loaders }) => (e.contributionId ? loaders.contribution.load(e.contributionId) : null),
  run: (e, _args, { loaders }) => (e.runId ? loaders.run.load(e.runId) : null),
};
