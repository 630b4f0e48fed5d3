import { ApolloServer, HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatError } from '../../src/server/format-error.ts';
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT_TIERS,
  parseRateLimitTiers,
  RateLimitedError,
  rateLimitedGraphQLError,
  type RateLimitTiers,
} from '../../src/server/rate-limit.ts';
import { billingPeriod, createUsageCounter, type UsageRow } from '../../src/server/usage-counter.ts';
import { HivegraphError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';

/** A limiter on a fake clock; `at(seconds)` moves the clock. */
function limiterAt(tiers: RateLimitTiers = { standard: { limit: 3, windowSeconds: 10 } }, maxKeys?: number) {
  let nowMs = 0;
  const limiter = createRateLimiter({ tiers, now: () => nowMs, ...(maxKeys ? { maxKeys } : {}) });
  return {
    limiter,
    at(seconds: number) {
      nowMs = seconds * 1000;
      return limiter;
    },
  };
}

describe('createRateLimiter', () => {
  it('allows `limit` requests per window, counting down `remaining`, then denies', () => {
    const { at } = limiterAt();
    expect([1, 2, 3].map(() => at(0).take('k1', 'standard'))).toEqual([
      { allowed: true, remaining: 2 },
      { allowed: true, remaining: 1 },
      { allowed: true, remaining: 0 },
    ]);
    expect(at(0).take('k1', 'standard')).toEqual({ allowed: false, retryAfterSeconds: 14 });
    expect(at(0).take('k2', 'standard')).toMatchObject({ allowed: true }); // keys are independent
  });

  it('retryAfterSeconds is when the next request fits: denied a second earlier, allowed then', () => {
    const { at } = limiterAt();
    for (let i = 0; i < 3; i += 1) at(5).take('k', 'standard');
    const denied = at(5).take('k', 'standard');
    // 3 requests at 5 s; the next fits once 3 × (1 − e) + 1 ≤ 3 in the next window, e ≥ 1/3: at 13.33 s.
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 9 });
    expect(at(13).take('k', 'standard').allowed).toBe(false);
    expect(at(14).take('k', 'standard').allowed).toBe(true);
  });

  it('weights the previous window by its remaining overlap (sliding window)', () => {
    const { at } = limiterAt();
    for (let i = 0; i < 3; i += 1) at(9).take('k', 'standard');
    expect(at(10).take('k', 'standard')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(at(13).take('k', 'standard').allowed).toBe(false); // 3 × 0.7 + 1 > 3
    expect(at(14).take('k', 'standard')).toEqual({ allowed: true, remaining: 0 }); // 3 × 0.6 + 1 ≤ 3
  });

  it('forgets everything once two windows have rolled by', () => {
    const { at } = limiterAt();
    for (let i = 0; i < 4; i += 1) at(0).take('k', 'standard');
    expect(at(20).take('k', 'standard')).toEqual({ allowed: true, remaining: 2 });
  });

  it('does not count denied requests', () => {
    const { at } = limiterAt();
    for (let i = 0; i < 50; i += 1) at(0).take('k', 'standard');
    expect(at(14).take('k', 'standard').allowed).toBe(true);
  });

  it('never limits an unlimited tier', () => {
    const { at } = limiterAt({ ...DEFAULT_RATE_LIMIT_TIERS, standard: { limit: 1, windowSeconds: 60 } });
    for (let i = 0; i < 1000; i += 1) expect(at(0).take('k', 'unlimited')).toEqual({ allowed: true, remaining: Infinity });
  });

  it('treats an unknown tier as standard, and falls back to the default standard tier', () => {
    const { at } = limiterAt({ standard: { limit: 1, windowSeconds: 60 }, high: 'unlimited' });
    expect(at(0).take('k', 'platinum')).toEqual({ allowed: true, remaining: 0 });
    expect(at(0).take('k', 'platinum').allowed).toBe(false);
    expect(at(0).take('k', 'toString').allowed).toBe(false); // no prototype lookups
    const bare = limiterAt({ internal: 'unlimited' });
    expect(bare.at(0).take('k', 'nope')).toEqual({ allowed: true, remaining: 599 });
  });

  it('bounds memory: evicts idle keys and, beyond maxKeys, the least recently used', () => {
    const idle = limiterAt();
    for (let i = 0; i < 3; i += 1) idle.at(0).take(`k${i}`, 'standard');
    expect(idle.limiter.size()).toBe(3);
    idle.at(20).take('fresh', 'standard');
    expect(idle.limiter.size()).toBe(1);

    const capped = limiterAt(undefined, 2);
    for (const key of ['a', 'b', 'a', 'c']) capped.at(0).take(key, 'standard');
    expect(capped.limiter.size()).toBe(2);
    expect(capped.at(0).take('a', 'standard')).toEqual({ allowed: true, remaining: 0 }); // a survived (recently used)
    expect(capped.at(0).take('b', 'standard')).toEqual({ allowed: true, remaining: 2 }); // b was evicted
  });

  it('reset() forgets every key', () => {
    const { at, limiter } = limiterAt();
    for (let i = 0; i < 3; i += 1) at(0).take('k', 'standard');
    limiter.reset();
    expect(limiter.size()).toBe(0);
    expect(at(0).take('k', 'standard')).toEqual({ allowed: true, remaining: 2 });
  });
});

describe('parseRateLimitTiers', () => {
  it('parses NAME=LIMIT/SECONDS and NAME=unlimited, keeping defaults for tiers not named', () => {
    expect(parseRateLimitTiers('standard=100/10, internal = unlimited,')).toEqual({
      standard: { limit: 100, windowSeconds: 10 },
      high: { limit: 6000, windowSeconds: 60 },
      unlimited: 'unlimited',
      internal: 'unlimited',
    });
    expect(parseRateLimitTiers('standard=600/60,high=6000/60,internal=unlimited')).toMatchObject({ high: { limit: 6000, windowSeconds: 60 } });
    expect(parseRateLimitTiers(' ab = 1 / 1 ')).toMatchObject({ ab: { limit: 1, windowSeconds: 1 } });
  });

  it.each([
    ['', /no tiers given/],
    ['standard=abc', /"standard=abc" is not NAME=LIMIT\/WINDOW_SECONDS/],
    ['standard', /"standard" is not/],
    ['standard=10', /"standard=10" is not/],
    ['standard=0/60', /at least 1/],
    ['standard=10/0', /at least 1/],
    ['standard=1/1,standard=2/2', /tier "standard" is given twice/],
    ['x=-1/60', /"x=-1\/60" is not/],
    ['a b=1/1', /"a b=1\/1" is not/],
    ['a=1/1/1', /"a=1\/1\/1" is not/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseRateLimitTiers(raw)).toThrow(message);
  });

  it('lists every problem in one message', () => {
    expect(() => parseRateLimitTiers('a=1,b=x/1')).toThrow(/"a=1".*; "b=x\/1"/);
  });
});

describe('RateLimitedError', () => {
  const logger = createLogger('silent');

  it('carries RATE_LIMITED and retryAfterSeconds through the error boundary', () => {
    const error = new RateLimitedError(7);
    expect(error).toBeInstanceOf(HivegraphError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', extensions: { retryAfterSeconds: 7 }, retryAfterSeconds: 7 });
    const wrapped = rateLimitedGraphQLError(error);
    expect(wrapped.extensions['http']).toEqual({ status: 429, headers: new Map([['retry-after', '7']]) });
    expect(formatError(wrapped.toJSON(), wrapped, { logger })).toEqual({
      message: 'Rate limit exceeded: retry after 7 s.',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 7 },
    });
  });

  it('thrown from the context factory, Apollo answers 429 with Retry-After (in memory, no network)', async () => {
    const apollo = new ApolloServer({
      schema: makeExecutableSchema({ typeDefs: 'type Query { ok: Boolean }' }),
      formatError: (formatted, error) => formatError(formatted, error, { logger }),
    });
    await apollo.start();
    try {
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query: '{ ok }' } },
        context: async () => {
          throw rateLimitedGraphQLError(new RateLimitedError(3));
        },
      });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(response.body.kind === 'complete' && JSON.parse(response.body.string)).toEqual({
        errors: [{ message: 'Rate limit exceeded: retry after 3 s.', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 } }],
      });
    } finally {
      await apollo.stop();
    }
  });
});

describe('createUsageCounter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A counter on a fake clock whose flushes are recorded (and fail while `failing`). */
  function counterAt(iso: string, options: { intervalMs?: number; onError?: (e: unknown) => void } = {}) {
    let nowMs = Date.parse(iso);
    const flushed: UsageRow[][] = [];
    const state = { failing: false };
    const counter = createUsageCounter({
      ...options,
      now: () => nowMs,
      flush: async (rows) => {
        if (state.failing) throw new Error('database down');
        flushed.push(rows);
      },
    });
    return { counter, flushed, state, setNow: (at: string) => (nowMs = Date.parse(at)) };
  }

  const sorted = (rows: UsageRow[] | undefined) => [...(rows ?? [])].sort((a, b) => `${a.period}${a.keyId}`.localeCompare(`${b.period}${b.keyId}`));

  it('hands deltas grouped by key and month to flush, then starts from zero', async () => {
    const { counter, flushed } = counterAt('2026-03-15T12:00:00Z');
    for (const key of ['a', 'b', 'a', 'a']) counter.record(key);
    await counter.flush();
    expect(sorted(flushed[0])).toEqual([
      { keyId: 'a', period: '2026-03', requests: 3 },
      { keyId: 'b', period: '2026-03', requests: 1 },
    ]);
    await counter.flush(); // nothing new: flush is not called
    counter.record('b');
    await counter.stop();
    expect(flushed).toHaveLength(2);
    expect(flushed[1]).toEqual([{ keyId: 'b', period: '2026-03', requests: 1 }]);
  });

  it('splits counts at the month boundary (UTC)', async () => {
    const { counter, flushed, setNow } = counterAt('2026-01-31T23:59:59.999Z');
    counter.record('a');
    setNow('2026-02-01T00:00:00.000Z');
    counter.record('a');
    counter.record('a');
    await counter.stop();
    expect(sorted(flushed[0])).toEqual([
      { keyId: 'a', period: '2026-01', requests: 1 },
      { keyId: 'a', period: '2026-02', requests: 2 },
    ]);
    expect(billingPeriod(Date.parse('2026-12-31T23:30:00-02:00'))).toBe('2027-01');
  });

  it('keeps the counts of a failed flush and sends them with the next one', async () => {
    const { counter, flushed, state } = counterAt('2026-03-15T12:00:00Z');
    counter.record('a');
    counter.record('a');
    state.failing = true;
    await expect(counter.flush()).rejects.toThrow('database down');
    counter.record('a');
    counter.record('b');
    state.failing = false;
    await counter.flush();
    expect(sorted(flushed[0])).toEqual([
      { keyId: 'a', period: '2026-03', requests: 3 },
      { keyId: 'b', period: '2026-03', requests: 1 },
    ]);
  });

  it('flushes on its timer, reporting failures to onError without losing counts', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const errors: unknown[] = [];
    const { counter, flushed, state } = counterAt('2026-03-15T12:00:00Z', { intervalMs: 1000, onError: (e) => errors.push(e) });
    counter.record('a');
    state.failing = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
    state.failing = false;
    counter.record('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(flushed).toEqual([[{ keyId: 'a', period: '2026-03', requests: 2 }]]);
    await counter.stop();
    counter.record('a');
    await vi.advanceTimersByTimeAsync(5000);
    expect(flushed).toHaveLength(1); // stopped: the timer is gone
  });

  it('serialises flushes: counts recorded during a flush go out with the next', async () => {
    let release: () => void = () => undefined;
    const calls: UsageRow[][] = [];
    const counter = createUsageCounter({
      now: () => Date.parse('2026-03-15T12:00:00Z'),
      flush: (rows) => {
        calls.push(rows);
        return calls.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
    });
    counter.record('a');
    const first = counter.flush();
    await Promise.resolve();
    counter.record('a');
    const second = counter.flush();
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    release();
    await Promise.all([first, second]);
    expect(calls).toEqual([[{ keyId: 'a', period: '2026-03', requests: 1 }], [{ keyId: 'a', period: '2026-03', requests: 1 }]]);
    await counter.stop();
  });
});
