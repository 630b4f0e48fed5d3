import { asNode, fromGlobalId } from '../ids.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.node`: any object by global id; null when absent or invisible. */
export const node: NonNullable<QueryResolvers['node']> = async (_parent, args, { loaders, services, viewer }) => {
  const { type, id } = fromGlobalId(args.id);
  const mark = <T extends object>(record: T | null | undefined) => (record ? asNode(type, record) : null);
  switch (type) {
    case 'User':
      return mark(await loaders.user.load(id));
    case 'Group':
      return mark(await loaders.group.load(id));
    case 'Collection':
      return mark(await loaders.collection.load(id));
    case 'Artifact':
      return mark(await loaders.artifact.load(id));
    case 'Relationship':
      return mark(await loaders.relationship.load(id));
    case 'Contribution':
      return mark(await loaders.contribution.load(id));
    case 'Run':
      return mark(await loaders.run.load(id));
    case 'ContextPackage':
      return mark(await loaders.contextPackage.load(id));
    case 'ApiKey':
      // Keys are visible to their user and to ADMINs of the org only.
      return mark(await services.apiKeys.get(viewer, id));
    case 'SharingRule':
      // Rules are visible to their owner and to ADMINs of the org only.
      return mark((await services.sharingRules.getByIds(viewer, [id]))[0]);
  }
};
