/**
 * Events: the durable log read by cursor (`Query.events`) and the live fan-out behind
 * `Subscription.events` and `contributionReviewed`.
 *
 * One hub per process listens on the events channel (Postgres LISTEN/NOTIFY, so commits made
 * through any instance arrive; PGlite notifies within the process). Per org with subscribers
 * it keeps a feed: on a notification it fetches the new events once (one statement) and the
 * records they are about once (src/services/event-records.ts: at most five statements, however
 * many subscribers), keeps a bounded buffer of recent ones and offers them to every subscriber,
 * which filters by type and visibility and queues a delivery: the event, the shared records and
 * what this subscriber may read of them. Offering goes through the subscribers in slices of
 * {@link SLICE}, yielding to the event loop between slices, so requests on the same instance
 * are served while a large feed fans out. Offering never waits for a subscriber: a slow one
 * only fills its own bounded queue, and when that overflows it is ended with an error that
 * names the cursor to resume from. A new subscription first replays from the database (in
 * batches, at the pace its client reads), then joins the live feed without gap or duplicate.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BadUserInputError, ServiceUnavailableError, UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { EventRecord, EventType, Page } from '../store/records.ts';
import { EVENTS_CHANNEL, fetchEvents, latestEventCursor, pruneEvents, prunedThrough } from '../store/repositories/events.repo.ts';
import { getGroupsByUserIds } from '../store/repositories/groups.repo.ts';
import { activeKeyIds } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { readableFor, readEventRecords, type EventDelivery, type EventRecords } from './event-records.ts';
import { canSeeEvent, type EventViewer } from './event-visibility.ts';
import type { Viewer } from './viewer.ts';

/** Events fetched per statement. */
const BATCH = 500;
/** Recent events each org feed keeps for subscribers joining live. */
const FEED_BUFFER = 5000;
/** Subscribers offered new events per turn of the event loop. */
const SLICE = 100;
/** How often feeds poll without a notification, and refresh subscribers' groups and keys (ms). */
const REFRESH_MS = 5000;

/** The opaque, increasing string form of an event cursor (zero-padded, so it also sorts as text). */
export function encodeEventCursor(cursor: number): string {
  return String(cursor).padStart(16, '0');
}

/**
 * Parses a cursor from {@link encodeEventCursor}.
 * @throws BAD_USER_INPUT when it is not one
 */
export function decodeEventCursor(raw: string, field = 'after'): number {
  if (!/^\d{1,16}$/.test(raw)) throw new BadUserInputError(`${field} is not an event cursor this API returned.`, field);
  return Number(raw);
}

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Replay events after this cursor first; undefined starts at the newest event (live only). */
  after?: number | undefined;
  /** Only these types (all when empty). */
  types?: readonly EventType[] | null;
}

/** Event operations. */
export interface EventsService {
  /**
   * The events after `after` (oldest first) that `viewer` may see, at most `first`.
   * @throws BAD_USER_INPUT when `after` lies before what retention has kept
   */
  list(viewer: Viewer, args: { after?: number | undefined; types?: readonly EventType[] | null; first: number }): Promise<Page<EventRecord>>;
  /** Replays, then streams, the events `viewer` may see, in cursor order. End it with `return()`. */
  subscribe(viewer: Viewer, options: SubscribeOptions): AsyncIterableIterator<EventRecord>;
  /**
   * As {@link subscribe}, each event with the records it is about as the feed read them once
   * for all subscribers, and what `viewer` may read of them (what Subscription resolves from).
   */
  deliveries(viewer: Viewer, options: SubscribeOptions): AsyncIterableIterator<EventDelivery>;
  /** Starts listening for commits (the server calls it once). */
  start(): Promise<void>;
  /** Stops listening and ends every subscription. */
  stop(): Promise<void>;
  /** Deletes events older than the retention period; returns how many. */
  prune(): Promise<number>;
  /** Open subscriptions in this process (for /readyz and tests). */
  subscriptionCount(): number;
}

/** A subscriber that fell too far behind: resubscribe with `after: resumeAfter`. */
export class SubscriberLaggingError extends ServiceUnavailableError {
  readonly resumeAfter: number;
  constructor(resumeAfter: number) {
    super('This subscription fell too far behind and was ended; subscribe again with `after: extensions.resumeAfter`.', {
      extensions: { resumeAfter: encodeEventCursor(resumeAfter) },
    });
    this.resumeAfter = resumeAfter;
  }
}

interface Subscriber {
  viewer: Viewer;
  access: EventViewer;
  types: ReadonlySet<EventType> | undefined;
  /** Newest cursor queued (or skipped) so far. */
  cursor: number;
  /** Cursor of the last event handed to the consumer (the resume point). */
  delivered: number;
  live: boolean;
  queue: EventDelivery[];
  error: Error | undefined;
  done: boolean;
  wake: (() => void) | undefined;
}

/** An event of a feed with the records of the batch it was fetched in. */
interface FeedItem {
  event: EventRecord;
  records: EventRecords;
}

interface Feed {
  orgId: string;
  subscribers: Set<Subscriber>;
  /** The buffer holds every event of the org with cursor in (bufferFrom, head]. */
  bufferFrom: number;
  head: number;
  buffer: FeedItem[];
  pulling: Promise<void> | undefined;
  again: boolean;
}

/** Creates the events service. */
export function createEventsService(deps: {
  sql: SqlClient;
  logger: Logger;
  /** Most events a subscriber may have queued before it is ended (HIVEGRAPH_SUBSCRIPTION_BUFFER). */
  subscriberBuffer: number;
  /** Events older than this many days are pruned; 0 keeps them forever (HIVEGRAPH_EVENTS_RETENTION_DAYS). */
  retentionDays: number;
}): EventsService {
  const { sql, logger } = deps;
  const feeds = new Map<string, Feed>();
  let stopListening: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function checkResumable(orgId: string, after: number): Promise<void> {
    const pruned = await prunedThrough(sql, orgId);
    if (after < pruned) {
      throw new BadUserInputError(`Events up to cursor ${pruned} have been deleted by retention; resume from a newer cursor or start without one.`, 'after');
    }
  }

  async function accessOf(viewer: Viewer): Promise<EventViewer> {
    const [groups] = await getGroupsByUserIds(sql, viewer.orgId, [viewer.userId]);
    return { orgId: viewer.orgId, userId: viewer.userId, role: viewer.role, groupIds: new Set((groups ?? []).map((g) => g.id)) };
  }

  const wanted = (s: Subscriber, e: EventRecord) => (!s.types || s.types.has(e.type)) && canSeeEvent(s.access, e);
  const deliver = (s: Subscriber, event: EventRecord, records: EventRecords): EventDelivery => ({ event, records, readable: readableFor(s.access, event, records) });

  /** Fetches an org's events after `cursor` with their records (the records only when there are events). */
  async function fetchItems(orgId: string, cursor: number): Promise<FeedItem[]> {
    const events = await fetchEvents(sql, orgId, cursor, BATCH);
    if (events.length === 0) return [];
    const records = await readEventRecords(sql, orgId, events);
    return events.map((event) => ({ event, records }));
  }

  function wake(s: Subscriber): void {
    const resolve = s.wake;
    s.wake = undefined;
    resolve?.();
  }

  function end(s: Subscriber, error?: Error): void {
    if (s.done) return;
    s.done = true;
    s.error = error;
    for (const feed of feeds.values()) feed.subscribers.delete(s);
    wake(s);
  }

  /** Queues live events for a subscriber; never waits. */
  function offer(s: Subscriber, items: readonly FeedItem[]): void {
    if (!s.live || s.done) return;
    for (const { event, records } of items) {
      if (event.cursor <= s.cursor) continue;
      if (wanted(s, event)) s.queue.push(deliver(s, event, records));
      s.cursor = event.cursor;
    }
    if (s.queue.length > deps.subscriberBuffer) {
      s.queue.length = 0;
      end(s, new SubscriberLaggingError(s.delivered));
      return;
    }
    if (s.queue.length > 0) wake(s);
  }

  function feedFor(orgId: string, head: number): Feed {
    let feed = feeds.get(orgId);
    if (!feed) {
      feed = { orgId, subscribers: new Set(), bufferFrom: head, head, buffer: [], pulling: undefined, again: false };
      feeds.set(orgId, feed);
    }
    return feed;
  }

  /** Fetches the org's new events once and offers them to its subscribers. */
  function pull(feed: Feed): Promise<void> {
    if (feed.pulling) {
      feed.again = true;
      return feed.pulling;
    }
    feed.pulling = (async () => {
      try {
        do {
          feed.again = false;
          for (;;) {
            const items = await fetchItems(feed.orgId, feed.head);
            if (items.length === 0) break;
            feed.head = items[items.length - 1]!.event.cursor;
            feed.buffer.push(...items);
            if (feed.buffer.length > FEED_BUFFER) feed.bufferFrom = feed.buffer.splice(0, feed.buffer.length - FEED_BUFFER).at(-1)!.event.cursor;
            // In slices: the woken subscribers' deliveries run before the next turn, then the
            // event loop serves other work. Subscribers joining meanwhile find the items in the buffer.
            let offered = 0;
            for (const s of feed.subscribers) {
              offer(s, items);
              if (++offered % SLICE === 0) await nextTurn();
            }
            if (items.length < BATCH) break;
          }
        } while (feed.again);
      } catch (error) {
        logger.warn('could not fetch new events; retrying on the next notification or poll', { org: feed.orgId, error: String(error) });
      } finally {
        feed.pulling = undefined;
      }
    })();
    return feed.pulling;
  }

  /**
   * Replays from the database, at the pace the client reads, until the subscriber can join
   * the live feed: when the feed's buffer covers its cursor and what is left fits its queue.
   */
  async function replay(s: Subscriber, feed: Feed): Promise<void> {
    const room = Math.min(BATCH, deps.subscriberBuffer);
    for (;;) {
      while (s.queue.length >= room && !s.done) await new Promise<void>((resolve) => (s.wake = resolve));
      if (s.done) return;
      if (s.cursor >= feed.bufferFrom) {
        let pending = 0;
        for (const item of feed.buffer) if (item.event.cursor > s.cursor) pending++;
        if (s.queue.length + pending <= deps.subscriberBuffer) {
          s.live = true;
          offer(s, feed.buffer);
          return;
        }
      }
      const events = await fetchEvents(sql, feed.orgId, s.cursor, BATCH);
      if (events.length === 0) {
        // Nothing in the database after the cursor yet: the feed brings what comes next.
        s.live = true;
        offer(s, feed.buffer);
        return;
      }
      const kept = events.filter((e) => wanted(s, e));
      if (kept.length > 0) {
        const records = await readEventRecords(sql, feed.orgId, kept);
        if (s.done) return;
        for (const e of kept) s.queue.push(deliver(s, e, records));
      }
      s.cursor = events[events.length - 1]!.cursor;
      wake(s);
    }
  }

  /** Refreshes every subscriber's groups and ends those whose API key was revoked; polls feeds. */
  async function refresh(): Promise<void> {
    const all = [...feeds.values()].flatMap((f) => [...f.subscribers]);
    if (all.length > 0) {
      const active = await activeKeyIds(sql, [...new Set(all.map((s) => s.viewer.keyId))]);
      for (const s of all) if (!active.has(s.viewer.keyId)) end(s, new UnauthenticatedError('The API key of this subscription was revoked.'));
      for (const feed of feeds.values()) {
        const members = [...feed.subscribers];
        if (members.length === 0) continue;
        const userIds = [...new Set(members.map((s) => s.viewer.userId))];
        const groups = await getGroupsByUserIds(sql, feed.orgId, userIds);
        const byUser = new Map(userIds.map((id, i) => [id, new Set((groups[i] ?? []).map((g) => g.id))]));
        for (const s of members) s.access = { ...s.access, groupIds: byUser.get(s.viewer.userId) ?? new Set() };
      }
    }
    for (const [orgId, feed] of feeds) {
      if (feed.subscribers.size === 0 && !feed.pulling) feeds.delete(orgId);
      else void pull(feed);
    }
  }

  const service: EventsService = {
    async list(viewer, args) {
      const after = args.after ?? 0;
      await checkResumable(viewer.orgId, after);
      const access = await accessOf(viewer);
      const types = args.types && args.types.length > 0 ? new Set(args.types) : undefined;
      const items: EventRecord[] = [];
      let cursor = after;
      // Bounded scan: a viewer who sees little of a busy log gets a short page and a cursor to go on.
      for (let batches = 0; batches < 20 && items.length <= args.first; batches++) {
        const events = await fetchEvents(sql, viewer.orgId, cursor, BATCH, args.types);
        for (const e of events) {
          if ((!types || types.has(e.type)) && canSeeEvent(access, e)) items.push(e);
          cursor = e.cursor;
          if (items.length > args.first) break;
        }
        if (events.length < BATCH) break;
      }
      return { items: items.slice(0, args.first), hasNextPage: items.length > args.first };
    },

    subscribe(viewer, options) {
      const source = service.deliveries(viewer, options);
      const iterator: AsyncIterableIterator<EventRecord> = {
        async next() {
          const result = await source.next();
          return result.done ? { value: undefined, done: true } : { value: result.value.event, done: false };
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
    },

    deliveries(viewer, options) {
      const s: Subscriber = {
        viewer,
        access: { orgId: viewer.orgId, userId: viewer.userId, role: viewer.role, groupIds: new Set() },
        types: options.types && options.types.length > 0 ? new Set(options.types) : undefined,
        cursor: 0,
        delivered: 0,
        live: false,
        queue: [],
        error: undefined,
        done: false,
        wake: undefined,
      };
      const ready = (async () => {
        if (!stopListening) throw new ServiceUnavailableError('Subscriptions are not being served by this process.');
        s.access = await accessOf(viewer);
        let feed = feeds.get(viewer.orgId);
        if (!feed) feed = feedFor(viewer.orgId, await latestEventCursor(sql, viewer.orgId));
        feed.subscribers.add(s);
        if (options.after === undefined) {
          s.cursor = s.delivered = feed.head;
          s.live = true;
          return;
        }
        await checkResumable(viewer.orgId, options.after);
        s.cursor = s.delivered = options.after;
        void replay(s, feed).catch((error: unknown) => end(s, error instanceof Error ? error : new Error(String(error))));
      })();
      ready.catch((error: unknown) => end(s, error instanceof Error ? error : new Error(String(error))));

      const iterator: AsyncIterableIterator<EventDelivery> = {
        async next() {
          await ready.catch(() => undefined);
          for (;;) {
            const delivery = s.queue.shift();
            if (delivery) {
              s.delivered = delivery.event.cursor;
              if (!s.live) wake(s); // let the replay fetch more
              return { value: delivery, done: false };
            }
            if (s.done) {
              if (s.error) {
                const error = s.error;
                s.error = undefined;
                throw error;
              }
              return { value: undefined, done: true };
            }
            await new Promise<void>((resolve) => (s.wake = resolve));
          }
        },
        async return() {
          end(s);
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    async start() {
      stopListening = await sql.listen(
        EVENTS_CHANNEL,
        (payload) => {
          const orgId = payload.slice(0, payload.indexOf(':'));
          const feed = feeds.get(orgId);
          if (feed) void pull(feed);
        },
        () => {
          for (const feed of feeds.values()) void pull(feed);
        },
      );
      timer = setInterval(() => {
        refresh().catch((error: unknown) => logger.warn('subscription refresh failed', { error: String(error) }));
      }, REFRESH_MS);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      const stop = stopListening;
      stopListening = undefined;
      for (const feed of feeds.values()) for (const s of feed.subscribers) end(s);
      await Promise.all([...feeds.values()].map((f) => f.pulling));
      feeds.clear();
      await stop?.();
    },

    async prune() {
      if (deps.retentionDays <= 0) return 0;
      return pruneEvents(sql, new Date(Date.now() - deps.retentionDays * 86_400_000));
    },

    subscriptionCount: () => [...feeds.values()].reduce((n, f) => n + f.subscribers.size, 0),
  };
  return service;
}
