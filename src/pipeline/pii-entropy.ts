/**
 * Unprefixed secrets: a high-entropy value in key-like context (`hmac_key = 9f…`,
 * `"client_key": "…"`, `X-Signing-Key: …`) — the detect-secrets idea of Base64/Hex high
 * entropy strings, limited to values a key-like name is assigned, so random-looking ids,
 * hashes and digests elsewhere are left alone. Key names that hold no secrets (public keys,
 * cache keys, hashes, digests, ids) are excluded.
 */
import type { PiiMatch } from './pii.ts';
import { shannonEntropy } from './pii-checksums.ts';
import { matchesOf } from './pii-text.ts';

/** `name = value` / `name: value` / `"name": "value"` where the name ends in a key-like word. */
const KEY_LIKE =
  /(?<![\w.-])([\w.-]{0,40}?(?:key|auth|sig|signature|hmac|cookie|session|credential|cred|pwd|pass|bearer|jwt|otp|seed|secret|token))(["']?)\s{0,3}(?:=|:(?!:))\s{0,3}(?:"([^"\n]{1,300})"|'([^'\n]{1,300})'|([A-Za-z0-9+/_.~%-]{1,300}={0,3}))/gdi;

/** Key names whose values are no secret. */
const NOT_SECRET_NAME =
  /public|pub_?key|cache|idempot|sort|primary|foreign|partition|routing|object|file|map|lookup|index|dedup|group|shard|hash|sha\d*|md5|checksum|digest|integrity|etag|commit|fingerprint|keyboard|hotkey|keyword|keyspace|key_?id$|^kid$|_id$|passthrough|passenger|compass|bypass|session_?(?:timeout|length|ttl|duration)|(?:max|min)_?(?:token|key)s?|tokens?_?(?:count|limit|usage)|sign(?:ed|ing)?_?(?:at|date|time)/i;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` looks random enough to be a key: at least 16 characters with letters and
 * digits, not a UUID, date, version, path or URL, and entropy ≥ 3.0 bits/char for hex
 * (≥ 32 digits), ≥ 3.5 for other alphabets.
 */
export function highEntropyValue(value: string): boolean {
  if (value.length < 16 || UUID.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  if (/:\/\/|^\.{0,2}\/|^sha\d+[-:]|^\d{4}-\d\d-\d\d|^v?\d+\.\d+\.\d+/.test(value)) return false;
  if (/^[0-9a-f]+$/i.test(value)) return value.length >= 32 && shannonEntropy(value) >= 3;
  return shannonEntropy(value) >= 3.5;
}

/** High-entropy values assigned to key-like names; only the value is the match. */
export function detectHighEntropySecrets(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const m of matchesOf(KEY_LIKE, text)) {
    const name = m[1]!;
    if (NOT_SECRET_NAME.test(name)) continue;
    const group = [3, 4, 5].find((g) => m[g] !== undefined) ?? 5;
    const value = group === 5 ? m[5]!.replace(/[.,]$/, '') : m[group]!;
    if (!highEntropyValue(value)) continue;
    const start = m.indices![group]![0];
    found.push({ type: 'SECRET', start, end: start + value.length });
  }
  return found;
}
