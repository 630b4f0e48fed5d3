import { toGlobalId } from './ids.ts';
import type { UserResolvers } from './types.generated.ts';

/** `User` fields that differ from the record. */
export const User: UserResolvers = {
  id: (user) => toGlobalId('User', user.id),
  groups: (user, _args, { loaders }) => loaders.groupsOfUser.load(user.id),
};
