/**
 * Authentication: turns a presented API key into a {@link Viewer}. No anonymous access.
 *
 * Once started (the server does), keys that authenticated are remembered for a short time
 * (`cacheTtlMs`, HIVEGRAPH_AUTH_CACHE_TTL_MS), so a request costs no SQL round trip for its
 * key. Revocation still takes effect on the next request: database triggers announce every
 * change to a key or its user on {@link API_KEYS_CHANNEL} when it commits (also changes made by
 * hand in SQL), and every process listening drops what it names. When the
 * listening connection was lost, the whole cache is dropped on reconnection, so a key revoked
 * meanwhile authenticates at most `cacheTtlMs` longer on that instance. Unknown and revoked
 * keys are never remembered.
 */
import { UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { API_KEYS_CHANNEL, findActiveKeyByHash, touchApiKey } from '../store/repositories/identity.repo.ts';
import type { SqlClient } from '../store/types.ts';
import { hashApiKey } from './api-key.ts';
import type { Viewer } from './viewer.ts';

/** Authentication operations. */
export interface AuthService {
  /**
   * Resolves an `Authorization` header value (`Bearer <key>`) to the viewer.
   * @throws UnauthenticatedError when the header is missing, malformed, or names no active key
   */
  authenticate(authorization: string | undefined | null): Promise<Viewer>;
  /** Starts listening for revocations and, when `cacheTtlMs` > 0, caching authenticated keys. */
  start(): Promise<void>;
  /** Stops listening and empties the cache (authentication goes to SQL again). */
  stop(): Promise<void>;
  /** Forgets a key at once (this process revoked it; others hear the NOTIFY). */
  forgetKey(keyId: string): void;
}

/** How often `last_used_at` is written per key, at most. */
const TOUCH_INTERVAL_MS = 60_000;

/** Keys remembered at most (least recently used dropped first). */
const CACHE_ENTRIES = 10_000;

/** Default of HIVEGRAPH_AUTH_CACHE_TTL_MS. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;

/** Creates the auth service. */
export function createAuthService(deps: { sql: SqlClient; logger: Logger; authCacheTtlMs?: number | undefined; now?: () => number }): AuthService {
  const now = deps.now ?? Date.now;
  const ttl = deps.authCacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  const lastTouched = new Map<string, number>();
  /** By key hash; insertion order is recency. Only filled while listening. */
  const cache = new Map<string, { viewer: Viewer; expiresAt: number }>();
  let stopListening: (() => Promise<void>) | undefined;
  let listening = false;
  /** Revocations heard so far: a look-up that overlapped one is not cached (it may predate it). */
  let revocations = 0;

  /** Drops what a notification names: `key:<id>` or `user:<id>` (anything else: everything). */
  const forget = (payload: string) => {
    revocations += 1;
    const [kind, id] = payload.split(':');
    const matches = kind === 'key' ? (v: Viewer) => v.keyId === id : kind === 'user' ? (v: Viewer) => v.userId === id : () => true;
    for (const [hash, entry] of cache) if (matches(entry.viewer)) cache.delete(hash);
  };

  async function lookUp(keyHash: string): Promise<Viewer> {
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now()) {
      cache.delete(keyHash);
      cache.set(keyHash, cached);
      return cached.viewer;
    }
    cache.delete(keyHash);
    const heardBefore = revocations;
    const principal = await findActiveKeyByHash(deps.sql, keyHash);
    if (!principal) throw new UnauthenticatedError('The API key is not valid (unknown or revoked).');
    const viewer: Viewer = {
      userId: principal.user.id,
      orgId: principal.user.orgId,
      handle: principal.user.handle,
      role: principal.user.role,
      keyId: principal.key.id,
      keyPrefix: principal.key.prefix,
      tier: principal.key.tier,
    };
    if (listening && ttl > 0 && revocations === heardBefore) {
      cache.set(keyHash, { viewer, expiresAt: now() + ttl });
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    }
    return viewer;
  }

  return {
    async authenticate(authorization) {
      const key = parseBearer(authorization);
      if (key === undefined) throw new UnauthenticatedError();
      const viewer = await lookUp(hashApiKey(key));
      const at = now();
      if ((lastTouched.get(viewer.keyId) ?? 0) < at - TOUCH_INTERVAL_MS) {
        lastTouched.set(viewer.keyId, at);
        // Off the request path: a slow or failed bookkeeping write must not fail the request.
        touchApiKey(deps.sql, viewer.keyId).catch((error: unknown) => deps.logger.warn('could not record API key use', { keyPrefix: viewer.keyPrefix, error }));
      }
      return { ...viewer };
    },

    forgetKey(keyId) {
      forget(`key:${keyId}`);
    },

    async start() {
      if (stopListening) return;
      stopListening = await deps.sql.listen(API_KEYS_CHANNEL, forget, () => {
        revocations += 1;
        cache.clear();
      });
      listening = true;
    },

    async stop() {
      listening = false;
      cache.clear();
      const stop = stopListening;
      stopListening = undefined;
      await stop?.();
    },
  };
}

/** Extracts the key from `Bearer <key>`; undefined when absent or malformed. */
export function parseBearer(authorization: string | undefined | null): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}
