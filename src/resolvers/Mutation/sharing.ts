/** The visibility chain's settings: sharing rules, session overrides, the caller's default. */
import { idOf, idsOf } from '../ids.ts';
import type { MutationResolvers } from '../types.generated.ts';

/** `Mutation.setSharingRule`: creates a rule of the caller, or replaces rule `input.id`. */
export const setSharingRule: NonNullable<MutationResolvers['setSharingRule']> = (_parent, { input }, { services, viewer }) =>
  services.sharingRules.set(viewer, {
    id: input.id ? idOf(input.id, 'SharingRule', 'input.id') : null,
    codebase: input.codebase ?? null,
    tag: input.tag ?? null,
    kind: input.kind ?? null,
    apiKeyId: input.apiKeyId ? idOf(input.apiKeyId, 'ApiKey', 'input.apiKeyId') : null,
    visibility: input.visibility,
    groupIds: idsOf(input.groupIds, 'Group', 'input.groupIds'),
    priority: input.priority ?? 0,
  });

/** `Mutation.deleteSharingRule`. */
export const deleteSharingRule: NonNullable<MutationResolvers['deleteSharingRule']> = (_parent, args, { services, viewer }) =>
  services.sharingRules.delete(viewer, idOf(args.id, 'SharingRule', 'id'));

/** `Mutation.updateMe`: the caller's display name and default visibility. */
export const updateMe: NonNullable<MutationResolvers['updateMe']> = async (_parent, { input }, { services, viewer, loaders }) => {
  const user = await services.users.updateMe(viewer, input);
  loaders.user.clear(user.id).prime(user.id, user);
  return user;
};

/** `Mutation.setSessionVisibility`: this instance's in-memory override for one session of the caller. */
export const setSessionVisibility: NonNullable<MutationResolvers['setSessionVisibility']> = (_parent, args, { services, viewer }) =>
  services.sharingRules.setSessionVisibility(viewer, args.sessionId, args.visibility, idsOf(args.groupIds, 'Group', 'groupIds'));
