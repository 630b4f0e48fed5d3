import type { QueryResolvers } from '../types.generated.ts';

/** `Query.sharingRules`: the caller's own, oldest first; an ADMIN gets the org's. */
export const sharingRules: NonNullable<QueryResolvers['sharingRules']> = (_parent, _args, { services, viewer }) => services.sharingRules.list(viewer);
