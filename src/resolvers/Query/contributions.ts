import { pageArgs, toConnection } from '../pagination.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.contributions`: the review queue (or the caller's own), oldest first. */
export const contributions: NonNullable<QueryResolvers['contributions']> = async (_parent, args, { services, viewer, loaders }) => {
  const { first, after } = pageArgs(args.first, args.after);
  const page = await services.contributions.list(viewer, { status: args.status ?? null }, { first, afterSeq: after });
  for (const c of page.items) loaders.contribution.prime(c.id, c);
  return toConnection(page, (c) => c.seq);
};

/** `Query.autoApproveRules`. */
export const autoApproveRules: NonNullable<QueryResolvers['autoApproveRules']> = (_parent, _args, { services, viewer }) =>
  services.contributions.autoApproveRules(viewer);
