import { decodeEventCursor, encodeEventCursor } from '../../services/index.ts';
import { BadUserInputError } from '../../shared/errors.ts';
import { MAX_PAGE_SIZE } from '../pagination.ts';
import type { QueryResolvers } from '../types.generated.ts';

/** `Query.events`: the visible events after `after`, oldest first. */
export const events: NonNullable<QueryResolvers['events']> = async (_parent, args, { services, viewer }) => {
  const first = args.first ?? 100;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${first}).`, 'first');
  }
  const after = args.after == null ? undefined : decodeEventCursor(args.after);
  const page = await services.events.list(viewer, { after, types: args.types ?? null, first });
  const edges = page.items.map((node) => ({ cursor: encodeEventCursor(node.cursor), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? args.after ?? null } };
};
