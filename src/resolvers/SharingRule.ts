import { toGlobalId } from './ids.ts';
import type { SharingRuleResolvers } from './types.generated.ts';

/** `SharingRule` fields that differ from the record. */
export const SharingRule: SharingRuleResolvers = {
  id: (rule) => toGlobalId('SharingRule', rule.id),
  // The key is one of the owner's; absent when this installation does not have it (after an import).
  apiKey: async (rule, _args, { services, viewer }) => (rule.apiKeyId ? ((await services.apiKeys.get(viewer, rule.apiKeyId)) ?? null) : null),
  hasApiKey: (rule) => rule.apiKeyId !== null,
  sharedWithGroups: async (rule, _args, { loaders }) =>
    (await loaders.group.loadMany(rule.sharedWithGroupIds)).filter((g): g is Exclude<typeof g, Error | null> => g !== null && !(g instanceof Error)),
  owner: async (rule, _args, { loaders }) => {
    const user = await loaders.user.load(rule.ownerId);
    if (!user) throw new Error(`sharing rule ${rule.id} has no owner row`);
    return user;
  },
};
