/**
 * Rate-limit tiers: their shape, defaults and the HIVEGRAPH_RATE_LIMITS syntax.
 */

/** A tier's budget: `limit` requests per `windowSeconds`, or no limit at all. */
export type RateLimitTier = { limit: number; windowSeconds: number } | 'unlimited';

/** Budgets by tier name (the `tier` column of an API key). */
export type RateLimitTiers = Record<string, RateLimitTier>;

/** Tier used for keys whose tier is not configured. */
export const FALLBACK_TIER = 'standard';

/** The tiers used when none are configured. */
export const DEFAULT_RATE_LIMIT_TIERS: Readonly<RateLimitTiers> = Object.freeze({
  standard: { limit: 600, windowSeconds: 60 },
  high: { limit: 6000, windowSeconds: 60 },
  unlimited: 'unlimited',
});

const TIER_ENTRY = /^([A-Za-z0-9_-]{1,64})\s*=\s*(?:(unlimited)|(\d{1,9})\s*\/\s*(\d{1,6}))$/;

/**
 * Parses a tier list such as `standard=600/60,high=6000/60,internal=unlimited`
 * (`NAME=LIMIT/WINDOW_SECONDS` or `NAME=unlimited`, comma-separated; names are letters, digits,
 * `_` and `-`; white space around names and numbers is ignored).
 * Tiers it does not name keep their {@link DEFAULT_RATE_LIMIT_TIERS} value.
 * @throws Error listing every malformed entry
 */
export function parseRateLimitTiers(raw: string): RateLimitTiers {
  const tiers: RateLimitTiers = {};
  const problems: string[] = [];
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) problems.push('no tiers given');
  for (const entry of entries) {
    if (entry === '') continue;
    const match = TIER_ENTRY.exec(entry);
    if (!match) {
      problems.push(`"${entry}" is not NAME=LIMIT/WINDOW_SECONDS or NAME=unlimited`);
      continue;
    }
    const [, name = '', unlimited, limit, windowSeconds] = match;
    if (Object.hasOwn(tiers, name)) problems.push(`tier "${name}" is given twice`);
    else if (unlimited) tiers[name] = 'unlimited';
    else if (Number(limit) < 1 || Number(windowSeconds) < 1) problems.push(`"${entry}": limit and window must be at least 1`);
    else tiers[name] = { limit: Number(limit), windowSeconds: Number(windowSeconds) };
  }
  if (problems.length > 0) {
    throw new Error(`invalid rate-limit tiers (e.g. "standard=600/60,internal=unlimited"): ${problems.join('; ')}`);
  }
  return { ...DEFAULT_RATE_LIMIT_TIERS, ...tiers };
}


/** Failed authentications allowed per client IP within a window, or `unlimited`. */
export type AuthFailureLimit = { limit: number; windowSeconds: number } | 'unlimited';

/**
 * Parses HIVEGRAPH_AUTH_FAILURE_LIMIT: `FAILURES/SECONDS` (e.g. `20/60`) or `unlimited`.
 * @throws Error saying what is wrong
 */
export function parseAuthFailureLimit(raw: string): AuthFailureLimit {
  const value = raw.trim().toLowerCase();
  if (value === 'unlimited' || value === 'off') return 'unlimited';
  const match = /^(\d{1,9})\/(\d{1,7})$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`FAILURES/SECONDS (e.g. 20/60) or "unlimited", got "${raw}"`);
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
}
