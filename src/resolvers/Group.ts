import { toGlobalId } from './ids.ts';
import type { GroupMemberResolvers, GroupResolvers } from './types.generated.ts';

/** `Group` fields that differ from the record. */
export const Group: GroupResolvers = {
  id: (group) => toGlobalId('Group', group.id),
  members: (group, _args, { loaders }) => loaders.membersOfGroup.load(group.id),
};

/** `GroupMember.user` through the user loader. */
export const GroupMember: GroupMemberResolvers = {
  user: async (member, _args, { loaders }) => {
    const user = await loaders.user.load(member.userId);
    if (!user) throw new Error(`group member ${member.userId} has no user row`);
    return user;
  },
};
