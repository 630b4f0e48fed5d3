/**
 * Per-API-key burst limiting by tier, with a sliding-window counter: the count of the current
 * fixed window plus the previous window's count weighted by how much of it still overlaps the
 * sliding window. O(1) time and two numbers per key; idle keys are evicted.
 *
 * State lives in memory, so limits apply per API instance: behind N instances a key may send
 * up to N times its limit. Billing-grade counts are the usage counter's job (usage-counter.ts).
 */
import { GraphQLError } from 'graphql';
import { ErrorCode, HivegraphError } from '../shared/errors.ts';

import { DEFAULT_RATE_LIMIT_TIERS, FALLBACK_TIER, type RateLimitTier, type RateLimitTiers } from '../config/rate-limit-tiers.ts';

export { DEFAULT_RATE_LIMIT_TIERS, FALLBACK_TIER, parseRateLimitTiers, type RateLimitTier, type RateLimitTiers } from '../config/rate-limit-tiers.ts';

// --- The limiter ---

/** The caller sent too many requests; `extensions.retryAfterSeconds` says when to try again. */
export class RateLimitedError extends HivegraphError {
  /** Whole seconds after which the next request will be allowed (at least 1). */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Rate limit exceeded: retry after ${retryAfterSeconds} s.`, {
      extensions: { retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Wraps a RateLimitedError for Apollo (thrown from the context factory): HTTP 429 with a
 * `Retry-After` header; the error boundary keeps its code and `retryAfterSeconds`.
 * graphql-ws `onSubscribe` can return it as `[error]`.
 */
export function rateLimitedGraphQLError(error: RateLimitedError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: {
      ...error.extensions,
      code: error.code,
      http: { status: 429, headers: new Map([['retry-after', String(error.retryAfterSeconds)]]) },
    },
  });
}

/** Outcome of {@link RateLimiter.take}. `remaining` is `Infinity` for unlimited tiers. */
export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

/** An in-memory, per-instance rate limiter. */
export interface RateLimiter {
  /** Counts one request of `keyId` against `tier` (unknown tiers use `standard`); denied requests are not counted. */
  take(keyId: string, tier: string): RateLimitDecision;
  /** Forgets every key. */
  reset(): void;
  /** Keys currently tracked (for metrics and tests). */
  size(): number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Budgets by tier; a tier not listed falls back to `standard` (then to the default `standard`). */
  tiers: RateLimitTiers;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Most keys tracked at once; beyond it the least recently used key is forgotten. Default 100 000. */
  maxKeys?: number;
}

interface KeyState {
  windowMs: number;
  /** Index of the current fixed window (`floor(now / windowMs)`). */
  window: number;
  current: number;
  previous: number;
}

/** Idle entries evicted per call at most, which keeps every call O(1). */
const EVICTIONS_PER_CALL = 4;

/** Creates a sliding-window-counter limiter. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  // Map order is least recently used first: every take() moves its key to the end.
  const states = new Map<string, KeyState>();

  const tierOf = (tier: string): RateLimitTier =>
    (Object.hasOwn(options.tiers, tier) ? options.tiers[tier] : undefined) ??
    options.tiers[FALLBACK_TIER] ??
    (DEFAULT_RATE_LIMIT_TIERS[FALLBACK_TIER] as RateLimitTier);

  const evict = (at: number) => {
    let budget = EVICTIONS_PER_CALL;
    for (const [key, state] of states) {
      const idle = Math.floor(at / state.windowMs) > state.window + 1; // both windows have expired
      if (budget-- <= 0 || !(idle || states.size > maxKeys)) break;
      states.delete(key);
    }
  };

  return {
    take(keyId, tierName) {
      const tier = tierOf(tierName);
      if (tier === 'unlimited') return { allowed: true, remaining: Number.POSITIVE_INFINITY };
      const at = now();
      const windowMs = tier.windowSeconds * 1000;
      const window = Math.floor(at / windowMs);
      let state = states.get(keyId);
      if (state) states.delete(keyId);
      if (!state || state.windowMs !== windowMs || window > state.window + 1) {
        state = { windowMs, window, current: 0, previous: 0 };
      } else if (window === state.window + 1) {
        state = { windowMs, window, current: 0, previous: state.current };
      }
      states.set(keyId, state);
      evict(at);

      const elapsed = (at - window * windowMs) / windowMs; // fraction of the current window gone
      const estimate = state.previous * (1 - elapsed) + state.current;
      if (estimate + 1 <= tier.limit) {
        state.current += 1;
        return { allowed: true, remaining: Math.max(0, Math.floor(tier.limit - estimate - 1)) };
      }
      return { allowed: false, retryAfterSeconds: retryAfter(state, tier.limit, elapsed, windowMs) };
    },
    reset() {
      states.clear();
    },
    size: () => states.size,
  };
}

/**
 * Seconds until one more request fits, if no other arrives meanwhile: within this window once
 * enough of the previous window has slid out, else in the next window once enough of this one has.
 */
function retryAfter(state: KeyState, limit: number, elapsed: number, windowMs: number): number {
  let waitFraction: number;
  if (state.current + 1 <= limit) {
    waitFraction = 1 - (limit - 1 - state.current) / state.previous - elapsed;
  } else {
    waitFraction = 1 - elapsed + (1 - (limit - 1) / state.current);
  }
  return Math.max(1, Math.ceil((waitFraction * windowMs) / 1000));
}
