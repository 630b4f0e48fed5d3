/** Relationship mutations. */
import { idOf } from '../ids.ts';
import { decodeBatch } from '../../shared/batch.ts';
import type { MutationResolvers, RelateInput } from '../types.generated.ts';

/** Decodes a relate input's ids (`at`: where it is, for messages). */
function relateInput(input: RelateInput, at: string) {
  return {
    fromId: idOf(input.fromId, 'Artifact', `${at}.fromId`),
    toId: idOf(input.toId, 'Artifact', `${at}.toId`),
    type: input.type,
    properties: input.properties,
  };
}

/** `Mutation.relate`. */
export const relate: NonNullable<MutationResolvers['relate']> = (_parent, { input }, { services, viewer }) =>
  services.graph.relate(viewer, relateInput(input, 'input'));

/** `Mutation.relateMany`: 1–100 in one transaction, all or none. */
export const relateMany: NonNullable<MutationResolvers['relateMany']> = (_parent, { inputs }, { services, viewer }) =>
  services.graph.relateMany(viewer, decodeBatch(inputs, relateInput));

/** `Mutation.unrelate`. */
export const unrelate: NonNullable<MutationResolvers['unrelate']> = (_parent, args, { services, viewer }) =>
  services.graph.unrelate(viewer, idOf(args.id, 'Relationship', 'id'));
