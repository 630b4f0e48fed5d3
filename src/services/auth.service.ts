/**
 * Authentication: turns a presented API key into a {@link Viewer}. No anonymous access.
 */
import { UnauthenticatedError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { findActiveKeyByHash, touchApiKey } from '../store/repositories/identity.repo.ts';
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
}

/** How often `last_used_at` is written per key, at most. */
const TOUCH_INTERVAL_MS = 60_000;

/** Creates the auth service. */
export function createAuthService(deps: { sql: SqlClient; logger: Logger }): AuthService {
  const lastTouched = new Map<string, number>();
  return {
    async authenticate(authorization) {
      const key = parseBearer(authorization);
      if (key === undefined) throw new UnauthenticatedError();
      const principal = await findActiveKeyByHash(deps.sql, hashApiKey(key));
      if (!principal) throw new UnauthenticatedError('The API key is not valid (unknown or revoked).');
      const now = Date.now();
      if ((lastTouched.get(principal.key.id) ?? 0) < now - TOUCH_INTERVAL_MS) {
        lastTouched.set(principal.key.id, now);
        // Off the request path: a slow or failed bookkeeping write must not fail the request.
        touchApiKey(deps.sql, principal.key.id).catch((error: unknown) =>
          deps.logger.warn('could not record API key use', { keyPrefix: principal.key.prefix, error }),
        );
      }
      return {
        userId: principal.user.id,
        orgId: principal.user.orgId,
        handle: principal.user.handle,
        role: principal.user.role,
        keyId: principal.key.id,
        keyPrefix: principal.key.prefix,
        tier: principal.key.tier,
      };
    },
  };
}

/** Extracts the key from `Bearer <key>`; undefined when absent or malformed. */
export function parseBearer(authorization: string | undefined | null): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}
