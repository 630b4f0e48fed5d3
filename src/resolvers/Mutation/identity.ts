/** Identity mutations: users, groups, API keys. */
import { idOf } from '../ids.ts';
import type { MutationResolvers } from '../types.generated.ts';

/** `Mutation.createUser` (ADMIN only). */
export const createUser: NonNullable<MutationResolvers['createUser']> = (_parent, { input }, { services, viewer }) =>
  services.users.create(viewer, input);

/** `Mutation.createGroup`. */
export const createGroup: NonNullable<MutationResolvers['createGroup']> = (_parent, { input }, { services, viewer }) =>
  services.groups.create(viewer, input.name);

/** `Mutation.addGroupMember`. */
export const addGroupMember: NonNullable<MutationResolvers['addGroupMember']> = (_parent, args, { services, viewer, loaders }) => {
  const groupId = idOf(args.groupId, 'Group', 'groupId');
  loaders.membersOfGroup.clear(groupId);
  return services.groups.addMember(viewer, groupId, idOf(args.userId, 'User', 'userId'), args.role ?? 'MEMBER');
};

/** `Mutation.removeGroupMember`. */
export const removeGroupMember: NonNullable<MutationResolvers['removeGroupMember']> = (_parent, args, { services, viewer, loaders }) => {
  const groupId = idOf(args.groupId, 'Group', 'groupId');
  loaders.membersOfGroup.clear(groupId);
  return services.groups.removeMember(viewer, groupId, idOf(args.userId, 'User', 'userId'));
};

/** `Mutation.createApiKey`: the key is in this response only. */
export const createApiKey: NonNullable<MutationResolvers['createApiKey']> = (_parent, { input }, { services, viewer }) =>
  services.apiKeys.create(viewer, { userId: idOf(input.userId, 'User', 'input.userId'), name: input.name, tier: input.tier ?? null });

/** `Mutation.revokeApiKey`. */
export const revokeApiKey: NonNullable<MutationResolvers['revokeApiKey']> = (_parent, args, { services, viewer }) =>
  services.apiKeys.revoke(viewer, idOf(args.id, 'ApiKey', 'id'));
