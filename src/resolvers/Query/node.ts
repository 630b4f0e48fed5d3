import { asNode, fromGlobalId } from '../ids.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.node`: any object by global id; null when absent or invisible. */
export const node: NonNullable<QueryResolvers['node']> = async (_parent, args, { loaders }) => {
  const { type, id } = fromGlobalId(args.id);
  switch (type) {
    case 'User': {
      const user = await loaders.user.load(id);
      return user ? asNode('User', user) : null;
    }
  }
};
