/**
 * The rate limits the transports apply, over a store every API instance shares.
 *
 * - Per-API-key burst limit by tier. In server mode (Postgres) the counts live in the
 *   `rate_limits` table through `rate-limiter-flexible` (one upsert per request, fixed windows
 *   of the tier's length), so N instances together allow the tier's limit, not N times it. When
 *   the store fails, each instance falls back to an in-memory limiter of the same budget (the
 *   insurance limiter) and `/readyz` says `degraded` until the store answers again. On the
 *   embedded default the in-memory sliding-window limiter of rate-limit.ts is used as before.
 * - Per-client-IP limit on failed authentication (HIVEGRAPH_AUTH_FAILURE_LIMIT), in the same
 *   store. An IP over it is answered 429 before its key is even looked up, for the rest of the
 *   window. Blocked IPs are remembered locally, so successful requests cost no store round trip;
 *   another instance learns of a block at that IP's next failure there (so behind N instances
 *   an IP gets at most N − 1 tries more than the limit).
 */
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DEFAULT_RATE_LIMIT_TIERS, FALLBACK_TIER, type AuthFailureLimit, type RateLimitTier, type RateLimitTiers } from '../config/rate-limit-tiers.ts';
import type { Queryable } from '../store/types.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limit.ts';

/** The table (migration 0011) holding shared counters. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** What /readyz reports about rate limiting. */
export interface RateLimitHealth {
  /** `degraded`: the shared store failed at its last use, limits are counted per instance meanwhile. */
  status: 'up' | 'degraded';
  /** Where counts live: `postgres` (shared by all instances) or `memory` (this instance). */
  store: 'postgres' | 'memory';
  /** Why the store is degraded. */
  detail?: string;
}

/** The per-key burst limiter the transports call once per HTTP request or WebSocket operation. */
export interface KeyRateLimiter {
  /** Counts one request of `keyId` against `tier` (unknown tiers use `standard`). Never throws. */
  take(keyId: string, tier: string): Promise<RateLimitDecision>;
  health(): RateLimitHealth;
}

/** The in-memory limiter (embedded default) behind the {@link KeyRateLimiter} surface. */
export function memoryKeyLimiter(limiter: RateLimiter): KeyRateLimiter {
  return {
    take: async (keyId, tier) => limiter.take(keyId, tier),
    health: () => ({ status: 'up', store: 'memory' }),
  };
}

/** A {@link Queryable} that remembers whether its last statement failed (for /readyz). */
export interface TrackedStore {
  /** What rate-limiter-flexible calls: `query({ text, values })`. */
  query(q: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number }>;
  health(): RateLimitHealth;
}

/** Wraps the SQL connection the shared counters use. */
export function trackedStore(sql: Pick<Queryable, 'query'>): TrackedStore {
  let failure: string | undefined;
  return {
    async query(q) {
      try {
        const result = await sql.query(q.text, q.values ?? []);
        failure = undefined;
        return result;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        throw error;
      }
    },
    health: () => (failure === undefined ? { status: 'up', store: 'postgres' } : { status: 'degraded', store: 'postgres', detail: `shared store failed, counting per instance: ${failure}`.slice(0, 200) }),
  };
}

function storeLimiter(store: TrackedStore, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  return new RateLimiterPostgres({
    storeClient: store,
    storeType: 'client',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true, // by the migration, not at run time
    keyPrefix,
    points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

const retrySeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The shared per-key limiter over `store`: one rate-limiter-flexible limiter per tier. */
export function createSharedKeyLimiter(options: { store: TrackedStore; tiers: RateLimitTiers }): KeyRateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const tierOf = (name: string): [string, RateLimitTier] => {
    if (Object.hasOwn(options.tiers, name) && options.tiers[name]) return [name, options.tiers[name]];
    return [FALLBACK_TIER, options.tiers[FALLBACK_TIER] ?? (DEFAULT_RATE_LIMIT_TIERS[FALLBACK_TIER] as RateLimitTier)];
  };
  return {
    async take(keyId, tierName) {
      const [name, tier] = tierOf(tierName);
      if (tier === 'unlimited') return { allowed: true, remaining: Number.POSITIVE_INFINITY };
      let limiter = limiters.get(name);
      if (!limiter) {
        limiter = storeLimiter(options.store, `key:${name}`, tier.limit, tier.windowSeconds);
        limiters.set(name, limiter);
      }
      try {
        const res = await limiter.consume(keyId);
        return { allowed: true, remaining: res.remainingPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: retrySeconds(rejection.msBeforeNext) };
        // The insurance limiter answers store errors; anything else is a bug: do not lock users out over it.
        return { allowed: true, remaining: 0 };
      }
    },
    health: () => options.store.health(),
  };
}

/** The per-IP failed-authentication limiter. */
export interface AuthFailureLimiter {
  /** Seconds until `ip` may try again when it is over the limit, else undefined. Local only: no I/O. */
  blocked(ip: string): number | undefined;
  /** Counts one failed authentication of `ip`; resolves with the retry delay when this put it over the limit. Never throws. */
  fail(ip: string): Promise<number | undefined>;
}

/** Creates the failed-authentication limiter: shared through `store` when given, else in memory. */
export function createAuthFailureLimiter(options: { limit: AuthFailureLimit; store?: TrackedStore | undefined; now?: () => number }): AuthFailureLimiter {
  const now = options.now ?? Date.now;
  if (options.limit === 'unlimited') return { blocked: () => undefined, fail: async () => undefined };
  const { limit, windowSeconds } = options.limit;
  const limiter = options.store
    ? storeLimiter(options.store, 'auth-failures', limit, windowSeconds)
    : new RateLimiterMemory({ keyPrefix: 'auth-failures', points: limit, duration: windowSeconds });
  const blockedUntil = new Map<string, number>();
  const MAX_TRACKED = 100_000;
  return {
    blocked(ip) {
      const until = blockedUntil.get(ip);
      if (until === undefined) return undefined;
      const left = until - now();
      if (left > 0) return retrySeconds(left);
      blockedUntil.delete(ip);
      return undefined;
    },
    async fail(ip) {
      try {
        await limiter.consume(ip);
        return undefined;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) return undefined;
        if (blockedUntil.size >= MAX_TRACKED) blockedUntil.delete(blockedUntil.keys().next().value as string);
        blockedUntil.set(ip, now() + rejection.msBeforeNext);
        return retrySeconds(rejection.msBeforeNext);
      }
    },
  };
}
