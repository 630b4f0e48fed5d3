/**
 * API key material: generation, hashing and prefixes. A key is shown to its owner once;
 * only its SHA-256 hash and its first 8 characters are ever stored.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Every generated key starts with this, so leaked keys are recognisable by scanners. */
export const API_KEY_PREFIX = 'hg_';

/** Generates a new key: `hg_` followed by 32 random bytes in base64url (46 characters). */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 hex digest under which a key is stored and looked up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The 8-character prefix stored beside the hash, to recognise a key in lists and logs. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 8).padEnd(8, '*');
}
