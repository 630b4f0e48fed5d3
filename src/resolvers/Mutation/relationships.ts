/** Relationship mutations. */
import { idOf } from '../ids.ts';
import type { MutationResolvers } from '../types.generated.ts';

/** `Mutation.relate`. */
export const relate: NonNullable<MutationResolvers['relate']> = (_parent, { input }, { services, viewer }) =>
  services.graph.relate(viewer, {
    fromId: idOf(input.fromId, 'Artifact', 'input.fromId'),
    toId: idOf(input.toId, 'Artifact', 'input.toId'),
    type: input.type,
    properties: input.properties,
  });

/** `Mutation.unrelate`. */
export const unrelate: NonNullable<MutationResolvers['unrelate']> = (_parent, args, { services, viewer }) =>
  services.graph.unrelate(viewer, idOf(args.id, 'Relationship', 'id'));
