/**
 * The events benchmark's record of what was committed and what arrived where: for each event
 * (keyed by the global id of the artifact its mutation created) the moments it was committed
 * — as the writer saw the HTTP response, as a LISTEN connection of the benchmark saw the
 * NOTIFY, and the transaction's own `occurredAt` — and the receipt time at every subscriber.
 *
 * Times are `performance.now()` of this process (ms); `occurredAt` is wall-clock time from
 * Postgres (ms resolution), compared with `performance.timeOrigin + performance.now()`.
 */
import { round, summarize, type LatencyStats } from './harness.ts';

/** One event as the benchmark saw it. */
interface EventTrace {
  /** When the writer sent the mutation and when its response arrived. */
  sentAt?: number;
  respondedAt?: number;
  cursor?: number;
  /** Transaction start, wall clock (epoch ms). */
  occurredAtEpochMs?: number;
  /** Receipt times at subscribers. */
  receipts: number[];
}

/** Latency statistics of a set of events, by commit marker. */
export interface FanOutLatency {
  /**
   * What `fromCommit` measures from: `notify` (Postgres: the NOTIFY as the benchmark's own
   * LISTEN connection received it, i.e. just after the commit) or `response` (PGlite: the
   * mutation's HTTP response, which the server sends only when its event loop is free, so under
   * fan-out it can arrive after the deliveries and understate them).
   */
  commitMarker: 'notify' | 'response';
  /** Over all (event, subscriber) pairs: receipt − commit. */
  fromCommit: LatencyStats;
  /** Per event: the last subscriber's receipt − commit. */
  lastFromCommit: LatencyStats;
  /** Per event: the first subscriber's receipt − commit. */
  firstFromCommit: LatencyStats;
  events: number;
  /** Events every live subscriber received. */
  complete: number;
  deliveries: number;
  /** Over all (event, subscriber) pairs: receipt − HTTP response of the mutation. */
  fromResponse: LatencyStats;
  /** Per event: the last subscriber's receipt − HTTP response. */
  lastFromResponse: LatencyStats;
  /** Per event: the first subscriber's receipt − HTTP response. */
  firstFromResponse: LatencyStats;
  /** Over all pairs: receipt − NOTIFY seen by the benchmark's own LISTEN (Postgres only; null on PGlite). */
  fromNotify: LatencyStats | null;
  lastFromNotify: LatencyStats | null;
  /** Over all pairs: receipt (wall clock) − occurredAt (transaction start, ms resolution). */
  fromOccurredAt: LatencyStats;
  /** Per event: HTTP response − NOTIFY (how long after the commit the writer learned of it). */
  responseAfterNotify: LatencyStats | null;
  /** Per event: mutation round trip (send → response). */
  mutationRoundTrip: LatencyStats;
}

/** Collects commits and receipts; resolves waiters when an event has reached every subscriber. */
export class DeliveryLog {
  private readonly events = new Map<string, EventTrace>();
  private readonly notified = new Map<number, number>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }>();
  /** Deliveries recorded so far (all events). */
  deliveries = 0;
  /** Receipt times of every delivery, in arrival order (for rates over a window). */
  readonly arrivals: number[] = [];

  private trace(id: string): EventTrace {
    let t = this.events.get(id);
    if (!t) {
      t = { receipts: [] };
      this.events.set(id, t);
    }
    return t;
  }

  /** A subscriber received the event about artifact `id`. */
  received(id: string, cursor: number, occurredAt: string, at: number): void {
    const t = this.trace(id);
    t.receipts.push(at);
    t.cursor ??= cursor;
    t.occurredAtEpochMs ??= Date.parse(occurredAt);
    this.deliveries += 1;
    this.arrivals.push(at);
    const waiter = this.waiters.get(id);
    if (waiter && t.receipts.length >= waiter.count) {
      this.waiters.delete(id);
      waiter.resolve();
    }
  }

  /** The writer's mutation for artifact `id` was sent at `sentAt` and answered at `respondedAt`. */
  committed(id: string, sentAt: number, respondedAt: number): void {
    const t = this.trace(id);
    t.sentAt = sentAt;
    t.respondedAt = respondedAt;
  }

  /** The benchmark's LISTEN connection saw the NOTIFY of `cursor` at `at`. */
  notify(cursor: number, at: number): void {
    if (!this.notified.has(cursor)) this.notified.set(cursor, at);
  }

  /** Resolves true once `count` subscribers received the event about `id`, false after `timeoutMs`. */
  waitFor(id: string, count: number, timeoutMs: number): Promise<boolean> {
    if (this.trace(id).receipts.length >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(id, {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }

  /** Receipts so far of the event about `id`. */
  receiptsOf(id: string): number {
    return this.events.get(id)?.receipts.length ?? 0;
  }

  /** Deliveries that arrived in [from, to) (performance.now() times). */
  arrivalsBetween(from: number, to: number): number {
    let n = 0;
    for (const a of this.arrivals) if (a >= from && a < to) n += 1;
    return n;
  }

  /** The latest receipt of any of `ids`. */
  lastReceipt(ids: readonly string[]): number {
    let last = Number.NEGATIVE_INFINITY;
    for (const id of ids) for (const r of this.events.get(id)?.receipts ?? []) if (r > last) last = r;
    return last;
  }

  /** Latency statistics of the events about `ids`, each expected at `subscribers` subscribers. */
  latency(ids: readonly string[], subscribers: number): FanOutLatency {
    const all: number[] = [];
    const last: number[] = [];
    const first: number[] = [];
    const fromNotify: number[] = [];
    const lastNotify: number[] = [];
    const firstNotify: number[] = [];
    const fromOccurred: number[] = [];
    const responseAfterNotify: number[] = [];
    const roundTrip: number[] = [];
    let complete = 0;
    let deliveries = 0;
    const origin = performance.timeOrigin;
    for (const id of ids) {
      const t = this.events.get(id);
      if (!t || t.respondedAt === undefined || t.sentAt === undefined) continue;
      roundTrip.push(t.respondedAt - t.sentAt);
      if (t.receipts.length >= subscribers) complete += 1;
      deliveries += t.receipts.length;
      const notifiedAt = t.cursor === undefined ? undefined : this.notified.get(t.cursor);
      if (notifiedAt !== undefined) responseAfterNotify.push(t.respondedAt - notifiedAt);
      if (t.receipts.length === 0) continue;
      let max = Number.NEGATIVE_INFINITY;
      let min = Number.POSITIVE_INFINITY;
      for (const r of t.receipts) {
        all.push(r - t.respondedAt);
        if (notifiedAt !== undefined) fromNotify.push(r - notifiedAt);
        if (t.occurredAtEpochMs !== undefined) fromOccurred.push(origin + r - t.occurredAtEpochMs);
        if (r > max) max = r;
        if (r < min) min = r;
      }
      last.push(max - t.respondedAt);
      first.push(min - t.respondedAt);
      if (notifiedAt !== undefined) {
        lastNotify.push(max - notifiedAt);
        firstNotify.push(min - notifiedAt);
      }
    }
    const useNotify = fromNotify.length > 0 && fromNotify.length === all.length;
    return {
      commitMarker: useNotify ? 'notify' : 'response',
      fromCommit: summarize(useNotify ? fromNotify : all),
      lastFromCommit: summarize(useNotify ? lastNotify : last),
      firstFromCommit: summarize(useNotify ? firstNotify : first),
      events: ids.length,
      complete,
      deliveries,
      fromResponse: summarize(all),
      lastFromResponse: summarize(last),
      firstFromResponse: summarize(first),
      fromNotify: fromNotify.length > 0 ? summarize(fromNotify) : null,
      lastFromNotify: lastNotify.length > 0 ? summarize(lastNotify) : null,
      fromOccurredAt: summarize(fromOccurred),
      responseAfterNotify: responseAfterNotify.length > 0 ? summarize(responseAfterNotify) : null,
      mutationRoundTrip: summarize(roundTrip),
    };
  }
}

/** `a / b` rounded to 2 decimals (null when either is missing or b is 0). */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b);
}
