/**
 * The viewer: who is calling, as established from their API key. Every service call takes it.
 */
import type { Role } from '../store/records.ts';

/** The authenticated caller. */
export interface Viewer {
  userId: string;
  orgId: string;
  handle: string;
  role: Role;
  /** The API key used, by id and prefix (never the key). */
  keyId: string;
  keyPrefix: string;
  /** The key's tier (rate limits). */
  tier: string;
}
