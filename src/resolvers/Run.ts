import type { ArtifactRecord } from '../store/records.ts';
import { toGlobalId } from './ids.ts';
import type { Loaders } from './loaders.ts';
import type { ContextItemResolvers, ContextPackageResolvers, RunResolvers } from './types.generated.ts';

/** Artifacts by id through the visibility-checking loader, leaving out what the caller cannot see. */
async function visibleArtifacts(loaders: Loaders, ids: readonly string[]): Promise<ArtifactRecord[]> {
  const found = await loaders.artifact.loadMany(ids);
  return found.filter((a): a is ArtifactRecord => a !== null && !(a instanceof Error));
}

/** `Run`: inputs, outputs and steps load through DataLoaders (one statement per list for all runs). */
export const Run: RunResolvers = {
  id: (run) => toGlobalId('Run', run.id),
  inputs: async (run, _args, { loaders }) => visibleArtifacts(loaders, await loaders.runInputs.load(run.id)),
  outputs: async (run, _args, { loaders }) => visibleArtifacts(loaders, await loaders.runOutputs.load(run.id)),
  steps: (run, _args, { loaders }) => loaders.runSteps.load(run.id),
  createdBy: (run, _args, { loaders }) => loaders.user.load(run.createdById),
};

/** `ContextPackage`: items whose artifact, relationship or run the caller cannot see are left out. */
export const ContextPackage: ContextPackageResolvers = {
  id: (pkg) => toGlobalId('ContextPackage', pkg.id),
  createdBy: (pkg, _args, { loaders }) => loaders.user.load(pkg.createdById),
  items: async (pkg, _args, { loaders }) => {
    const items = await loaders.contextItems.load(pkg.id);
    const visible = await Promise.all(
      items.map(async (item) => {
        if (item.artifactId) return (await loaders.artifact.load(item.artifactId)) !== null;
        if (item.relationshipId) return (await loaders.relationship.load(item.relationshipId)) !== null;
        if (item.runId) return (await loaders.run.load(item.runId)) !== null;
        return true;
      }),
    );
    return items.filter((_item, i) => visible[i]);
  },
};

/** `ContextItem`: the referenced object, or the memory record. */
export const ContextItem: ContextItemResolvers = {
  artifact: (item, _args, { loaders }) => (item.artifactId ? loaders.artifact.load(item.artifactId) : null),
  relationship: (item, _args, { loaders }) => (item.relationshipId ? loaders.relationship.load(item.relationshipId) : null),
  run: (item, _args, { loaders }) => (item.runId ? loaders.run.load(item.runId) : null),
  memory: (item) =>
    item.memoryUri
      ? { uri: item.memoryUri, source: item.memorySource, recordedBy: item.memoryRecordedBy, recordedAt: item.memoryRecordedAt }
      : null,
};
