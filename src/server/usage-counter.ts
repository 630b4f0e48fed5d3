/**
 * Request counts per API key per billing period (calendar month, UTC). Counting is in memory
 * and O(1); every `intervalMs` the accumulated deltas are handed to `flush` (which adds them to
 * durable storage — SQL lives with the caller). A failed flush loses nothing: its rows are put
 * back and go out with the next flush.
 */

/** One delta handed to `flush`: `requests` more requests of `keyId` in `period`. */
export interface UsageRow {
  keyId: string;
  /** Billing period, `YYYY-MM` in UTC. */
  period: string;
  requests: number;
}

/** Options of {@link createUsageCounter}. */
export interface UsageCounterOptions {
  /** Adds the deltas to storage (e.g. an upsert `requests = requests + $n`). Never called with no rows. */
  flush: (rows: UsageRow[]) => Promise<void>;
  /** How often pending counts are flushed, in milliseconds. Default 5000. The timer is `unref()`ed. */
  intervalMs?: number;
  /** Clock in milliseconds; decides the period of each request. Default `Date.now`. */
  now?: () => number;
  /** Told about failures of timed flushes (counts are kept and retried). Default: ignore. */
  onError?: (error: unknown) => void;
}

/** A running usage counter. */
export interface UsageCounter {
  /** Counts one request of `keyId` in the current period. */
  record(keyId: string): void;
  /**
   * Hands every count recorded so far to `flush`; waits for a flush already running first.
   * Rejects with `flush`'s error, after putting the rows back.
   */
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left (rejecting as {@link UsageCounter.flush} does). */
  stop(): Promise<void>;
}

/** `YYYY-MM` of `ms` in UTC. */
export function billingPeriod(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Creates a usage counter and starts its flush timer. */
export function createUsageCounter(options: UsageCounterOptions): UsageCounter {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  let pending = new Map<string, UsageRow>();
  let running: Promise<void> = Promise.resolve();
  let busy = 0;

  const add = (keyId: string, period: string, requests: number) => {
    const id = `${period}\u0000${keyId}`;
    const row = pending.get(id);
    if (row) row.requests += requests;
    else pending.set(id, { keyId, period, requests });
  };

  const flushOnce = async () => {
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending = new Map();
    try {
      await options.flush(rows.map((row) => ({ ...row })));
    } catch (error) {
      for (const row of rows) add(row.keyId, row.period, row.requests);
      throw error;
    }
  };

  const flush = (): Promise<void> => {
    busy += 1;
    const run = running.then(flushOnce).finally(() => {
      busy -= 1;
    });
    running = run.catch(() => undefined);
    return run;
  };

  const timer = setInterval(() => {
    if (busy === 0) flush().catch(onError);
  }, options.intervalMs ?? 5000);
  timer.unref();

  return {
    record(keyId) {
      add(keyId, billingPeriod(now()), 1);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
