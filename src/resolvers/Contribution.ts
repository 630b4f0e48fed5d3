import type { ContributionRecord } from '../store/records.ts';
import { toGlobalId } from './ids.ts';
import type { AutoApproveRuleResolvers, ContributionResolvers, NearDuplicateResolvers } from './types.generated.ts';

/** `Contribution` fields that differ from the record; users and artifacts load through DataLoaders. */
export const Contribution: ContributionResolvers = {
  id: (c) => toGlobalId('Contribution', c.id),
  contributor: async (c, _args, { loaders }) => {
    const user = await loaders.user.load(c.contributorId);
    if (!user) throw new Error(`contribution ${c.id} has no contributor row`);
    return user;
  },
  reviewer: (c, _args, { loaders }) => (c.reviewerId ? loaders.user.load(c.reviewerId) : null),
  artifact: (c, _args, { loaders }) => (c.artifactId ? loaders.artifact.load(c.artifactId) : null),
  nearDuplicates: (c: ContributionRecord) => c.nearDuplicates,
};

/** `NearDuplicate.artifact`: null when the caller may not see it. */
export const NearDuplicate: NearDuplicateResolvers = {
  artifact: (d, _args, { loaders }) => loaders.artifact.load(d.artifactId),
};

/** `AutoApproveRule.updatedBy`. */
export const AutoApproveRule: AutoApproveRuleResolvers = {
  updatedBy: (rule, _args, { loaders }) => loaders.user.load(rule.updatedById),
};
