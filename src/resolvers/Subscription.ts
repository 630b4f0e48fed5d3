/**
 * Subscriptions over graphql-ws. The source yields deliveries: an event with the records it is
 * about, read once by the feed for every subscriber, and what this subscriber may read of them
 * (decided in memory by the same rules as the SQL reads). `resolve` primes the execution's
 * loaders with exactly those records, so `artifact`, `relationship`, `contribution`, `run` and
 * `actor` cost no statement per subscriber and obey the subscriber's visibility.
 *
 * Each execution needs fresh loaders: the server executes a delivery with a context of its own
 * (src/server/subscription-executor.ts), shared by the subscribers whose results are equal.
 */
import type { ContributionRecord, EventRecord } from '../store/records.ts';
import { decodeEventCursor, readableRecords, type EventDelivery } from '../services/index.ts';
import type { GraphQLContext } from './context.ts';
import type { Loaders } from './loaders.ts';
import type { SubscriptionResolvers } from './types.generated.ts';

/** Primes `loaders` with what the delivery's subscriber may read (null for what it may not). */
export function primeLoaders(loaders: Loaders, delivery: EventDelivery): void {
  const readable = readableRecords(delivery);
  for (const [id, artifact] of readable.artifacts) loaders.artifact.prime(id, artifact);
  if (readable.relationship) loaders.relationship.prime(...readable.relationship);
  if (readable.contribution) loaders.contribution.prime(...readable.contribution);
  if (readable.run) loaders.run.prime(...readable.run);
  if (readable.actor) loaders.user.prime(...readable.actor);
}

/** `Subscription.events` and `Subscription.contributionReviewed`. */
export const Subscription: SubscriptionResolvers = {
  events: {
    subscribe: (_parent, args, context) => {
      const after = args.after == null ? undefined : decodeEventCursor(args.after);
      const source = context.services.events.deliveries(context.viewer, { after, types: args.types ?? null });
      return source as AsyncIterable<unknown> as AsyncIterable<{ events: EventRecord }>;
    },
    resolve: (delivery: EventDelivery, _args: unknown, context: GraphQLContext) => {
      primeLoaders(context.loaders, delivery);
      return delivery.event;
    },
  },
  contributionReviewed: {
    subscribe: (_parent, _args, context) => {
      const source = context.services.events.deliveries(context.viewer, { types: ['CONTRIBUTION_APPROVED', 'CONTRIBUTION_REJECTED'] });
      return source as AsyncIterable<unknown> as AsyncIterable<{ contributionReviewed: ContributionRecord }>;
    },
    resolve: async (delivery: EventDelivery, _args: unknown, context: GraphQLContext) => {
      primeLoaders(context.loaders, delivery);
      const { event } = delivery;
      const contribution = event.contributionId ? await context.loaders.contribution.load(event.contributionId) : null;
      if (!contribution) throw new Error(`contribution ${event.contributionId} of a visible event is not readable`);
      return contribution;
    },
  },
};
