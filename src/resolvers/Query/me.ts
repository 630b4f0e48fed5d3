import { UnauthenticatedError } from '../../shared/errors.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.me`: the caller's user. */
export const me: NonNullable<QueryResolvers['me']> = async (_parent, _args, { viewer, loaders }) => {
  const user = await loaders.user.load(viewer.userId);
  // The key authenticated a moment ago; a missing user means it was deleted in between.
  if (!user) throw new UnauthenticatedError('The user of this API key no longer exists.');
  return user;
};
