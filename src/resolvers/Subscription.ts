/**
 * Subscriptions over graphql-ws. Each delivered event gets fresh DataLoaders, so the objects
 * it resolves are read (and visibility-checked) at delivery time, not cached from the start.
 */
import type { ContributionRecord, EventRecord } from '../store/records.ts';
import { decodeEventCursor } from '../services/index.ts';
import type { GraphQLContext } from './context.ts';
import { createLoaders } from './loaders.ts';
import type { SubscriptionResolvers } from './types.generated.ts';

/**
 * Passes `source` items through, refreshing the context's loaders before each. A hand-made
 * iterator, not an async generator: when the client stops the subscription, `return()` must
 * end the source at once (a generator suspended in `await next()` would only notice at the
 * next event, keeping a stopped subscriber registered in a quiet org).
 */
function withFreshLoaders<T>(source: AsyncIterableIterator<T>, context: GraphQLContext): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      const result = await source.next();
      if (!result.done) context.loaders = createLoaders(context.services, context.viewer);
      return result;
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** `Subscription.events` and `Subscription.contributionReviewed`. */
export const Subscription: SubscriptionResolvers = {
  events: {
    subscribe: (_parent, args, context) => {
      const after = args.after == null ? undefined : decodeEventCursor(args.after);
      const source = context.services.events.subscribe(context.viewer, { after, types: args.types ?? null });
      return withFreshLoaders(source, context) as AsyncIterable<unknown> as AsyncIterable<{ events: EventRecord }>;
    },
    resolve: (event: EventRecord) => event,
  },
  contributionReviewed: {
    subscribe: (_parent, _args, context) => {
      const source = context.services.events.subscribe(context.viewer, { types: ['CONTRIBUTION_APPROVED', 'CONTRIBUTION_REJECTED'] });
      return withFreshLoaders(source, context) as AsyncIterable<unknown> as AsyncIterable<{ contributionReviewed: ContributionRecord }>;
    },
    resolve: async (event: EventRecord, _args: unknown, context: GraphQLContext) => {
      const contribution = event.contributionId ? await context.loaders.contribution.load(event.contributionId) : null;
      if (!contribution) throw new Error(`contribution ${event.contributionId} of a visible event is not readable`);
      return contribution;
    },
  },
};
