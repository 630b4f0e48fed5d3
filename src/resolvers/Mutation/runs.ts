/** Run and context package mutations. */
import type { ContextItemInput } from '../../services/index.ts';
import { idOf, idsOf } from '../ids.ts';
import type { ContextItemInput as GqlContextItemInput, MutationResolvers } from '../types.generated.ts';

/** `Mutation.startRun`. */
export const startRun: NonNullable<MutationResolvers['startRun']> = (_parent, { input }, { services, viewer }) =>
  services.runs.start(viewer, {
    name: input.name,
    inputIds: idsOf(input.inputIds, 'Artifact', 'input.inputIds'),
    manifest: input.manifest,
    status: input.status ?? null,
  });

/** `Mutation.setRunStatus`. */
export const setRunStatus: NonNullable<MutationResolvers['setRunStatus']> = (_parent, args, { services, viewer }) =>
  services.runs.setStatus(viewer, idOf(args.id, 'Run', 'id'), args.status);

/** `Mutation.completeRun`. */
export const completeRun: NonNullable<MutationResolvers['completeRun']> = (_parent, args, { services, viewer }) =>
  services.runs.complete(viewer, idOf(args.id, 'Run', 'id'), {
    status: args.status,
    outputIds: idsOf(args.outputIds, 'Artifact', 'outputIds'),
    ...(args.diagnostics !== undefined ? { diagnostics: args.diagnostics } : {}),
  });

/** `Mutation.addRunStep`. */
export const addRunStep: NonNullable<MutationResolvers['addRunStep']> = (_parent, args, { services, viewer }) =>
  services.runs.addStep(viewer, idOf(args.runId, 'Run', 'runId'), { name: args.input.name, status: args.input.status ?? null, detail: args.input.detail });

/** `Mutation.updateRunStep`. */
export const updateRunStep: NonNullable<MutationResolvers['updateRunStep']> = (_parent, args, { services, viewer }) =>
  services.runs.updateStep(viewer, idOf(args.runId, 'Run', 'runId'), args.position, {
    status: args.status,
    ...(args.detail !== undefined ? { detail: args.detail } : {}),
  });

/** Decodes the global ids of context item inputs. */
function items(list: readonly GqlContextItemInput[] | null | undefined): ContextItemInput[] {
  return (list ?? []).map((item, i) => ({
    artifactId: item.artifactId ? idOf(item.artifactId, 'Artifact', `items[${i}].artifactId`) : null,
    relationshipId: item.relationshipId ? idOf(item.relationshipId, 'Relationship', `items[${i}].relationshipId`) : null,
    runId: item.runId ? idOf(item.runId, 'Run', `items[${i}].runId`) : null,
    memory: item.memory ?? null,
    note: item.note ?? null,
  }));
}

/** `Mutation.createContextPackage`. */
export const createContextPackage: NonNullable<MutationResolvers['createContextPackage']> = (_parent, { input }, { services, viewer }) =>
  services.contextPackages.create(viewer, { name: input.name, description: input.description ?? null, items: items(input.items) });

/** `Mutation.addToContextPackage`. */
export const addToContextPackage: NonNullable<MutationResolvers['addToContextPackage']> = (_parent, args, { services, viewer }) =>
  services.contextPackages.add(viewer, args.name, items(args.items));
