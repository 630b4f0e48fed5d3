/**
 * Session visibility overrides (`setSessionVisibility`): held in this process's memory only,
 * never persisted, each gone `ttlMs` after it was set. Keyed by org, user and session id, so
 * an override only ever decides the artifacts of the user who set it. Bounded: beyond
 * `maxEntries` the entry set longest ago is dropped first.
 */
import type { Visibility } from '../store/records.ts';

/** What an override decides: a visibility and, for GROUP, its groups. */
export interface SessionOverride {
  visibility: Visibility;
  groupIds: string[];
}

/** The overrides of one process. */
export interface SessionOverrides {
  /** Sets (or, with null, clears) the override of `userId`'s session `sessionId`. */
  set(orgId: string, userId: string, sessionId: string, override: SessionOverride | null): void;
  /** The live override of that session, if any. */
  get(orgId: string, userId: string, sessionId: string): SessionOverride | undefined;
  /** Live entries (expired ones are dropped first). */
  size(): number;
}

/** Options of {@link createSessionOverrides}. */
export interface SessionOverridesOptions {
  /** How long an override lives after it is set (HIVEGRAPH_SESSION_OVERRIDE_TTL), in ms. */
  ttlMs: number;
  /** Most entries held at once (default 100 000). */
  maxEntries?: number;
  /** The clock, in ms (default `Date.now`); tests inject their own. */
  now?: () => number;
}

/** Creates an in-memory override store. */
export function createSessionOverrides(options: SessionOverridesOptions): SessionOverrides {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order: every set re-inserts, and every entry lives ttlMs.
  const entries = new Map<string, SessionOverride & { expiresAt: number }>();
  const keyOf = (orgId: string, userId: string, sessionId: string) => JSON.stringify([orgId, userId, sessionId]);

  function sweep(): void {
    const at = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at) break;
      entries.delete(key);
    }
  }

  return {
    set(orgId, userId, sessionId, override) {
      const key = keyOf(orgId, userId, sessionId);
      entries.delete(key);
      sweep();
      if (!override) return;
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { visibility: override.visibility, groupIds: [...override.groupIds], expiresAt: now() + ttlMs });
    },
    get(orgId, userId, sessionId) {
      const entry = entries.get(keyOf(orgId, userId, sessionId));
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        sweep();
        return undefined;
      }
      return { visibility: entry.visibility, groupIds: [...entry.groupIds] };
    },
    size() {
      sweep();
      return entries.size;
    },
  };
}
