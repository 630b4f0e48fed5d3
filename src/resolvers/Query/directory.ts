/** Lists of the caller's org: users, groups, collections and API keys. */
import { idOf } from '../ids.ts';
import { pageArgs, toConnection } from '../pagination.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.users`. */
export const users: NonNullable<QueryResolvers['users']> = async (_parent, args, { services, viewer }) => {
  const { first, after } = pageArgs(args.first, args.after);
  return toConnection(await services.users.list(viewer, { first, afterSeq: after }), (u) => u.seq);
};

/** `Query.groups`. */
export const groups: NonNullable<QueryResolvers['groups']> = async (_parent, args, { services, viewer }) => {
  const { first, after } = pageArgs(args.first, args.after);
  return toConnection(await services.groups.list(viewer, { first, afterSeq: after }), (g) => g.seq);
};

/** `Query.collections`. */
export const collections: NonNullable<QueryResolvers['collections']> = async (_parent, args, { services, viewer }) => {
  const { first, after } = pageArgs(args.first, args.after);
  return toConnection(await services.collections.list(viewer, { first, afterSeq: after }), (c) => c.seq);
};

/** `Query.apiKeys`. */
export const apiKeys: NonNullable<QueryResolvers['apiKeys']> = async (_parent, args, { services, viewer }) => {
  const { first, after } = pageArgs(args.first, args.after);
  const page = await services.apiKeys.list(viewer, {
    userId: args.userId ? idOf(args.userId, 'User', 'userId') : undefined,
    includeRevoked: args.includeRevoked ?? false,
    first,
    afterSeq: after,
  });
  return toConnection(page, (k) => k.seq);
};
