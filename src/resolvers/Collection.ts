import { toGlobalId } from './ids.ts';
import { pageArgs, toConnection } from './pagination.ts';
import type { CollectionResolvers } from './types.generated.ts';

/** `Collection` fields that differ from the record. */
export const Collection: CollectionResolvers = {
  id: (collection) => toGlobalId('Collection', collection.id),
  createdBy: async (collection, _args, { loaders }) => {
    const user = await loaders.user.load(collection.createdBy);
    if (!user) throw new Error(`collection ${collection.id} has no creator row`);
    return user;
  },
  artifacts: async (collection, args, { services, viewer }) => {
    const { first, after } = pageArgs(args.first, args.after);
    const page = await services.artifacts.list(viewer, { collectionId: collection.id }, { first, afterSeq: after });
    return toConnection(page, (a) => a.seq);
  },
};
