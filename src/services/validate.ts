/**
 * Input validation shared by the services. Every failure is a BadUserInputError naming the
 * field, raised before anything is written.
 */
import { createHash } from 'node:crypto';
import { BadUserInputError } from '../shared/errors.ts';
import { JSON_DEPTH_CEILING, jsonDepth } from '../shared/json.ts';

/** Limits on artifact fields. */
export const FIELD_LIMITS = {
  kind: 64,
  name: 200,
  title: 500,
  codebase: 200,
  tag: 64,
  tags: 64,
  /** Serialised metadata, in bytes. */
  metadataBytes: 256 * 1024,
} as const;

const KIND = /^[A-Za-z][A-Za-z0-9_.:-]*$/;
// Control characters other than tab / newline make names and tags unreadable and unsafe in UIs.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/**
 * Invisible characters that make a one-line field display differently from what it holds:
 * the bidirectional embedding, override and isolate controls ("Trojan Source") and the
 * zero-width space, word joiner and BOM. Zero-width (non-)joiners (U+200C, U+200D) and the
 * LRM/RLM marks stay allowed: emoji sequences and several scripts need them.
 */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/;
const INVISIBLE_MESSAGE = 'bidirectional-override or zero-width characters (U+202A–U+202E, U+2066–U+2069, U+200B, U+2060, U+FEFF)';

/** The `sha256:<hex>` digest of content (UTF-8). */
export function contentDigest(content: string): string {
  return `sha256:${createHash('sha256').update(content, 'utf8').digest('hex')}`;
}

/** Validates and returns a kind. */
export function validKind(kind: string): string {
  if (kind.length === 0 || kind.length > FIELD_LIMITS.kind || !KIND.test(kind)) {
    throw new BadUserInputError(
      `kind must be 1–${FIELD_LIMITS.kind} characters: a letter, then letters, digits, _ . : or - (got "${kind.slice(0, 80)}").`,
      'kind',
    );
  }
  return kind;
}

/** Validates an optional single-line text field; empty becomes null when `emptyIsNull`. */
export function validText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new BadUserInputError(`${field} must not be empty (omit it or pass null instead).`, field);
  if (trimmed.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  if (CONTROL.test(trimmed) || /[\n\r]/.test(trimmed)) throw new BadUserInputError(`${field} must be one line without control characters.`, field);
  if (INVISIBLE.test(trimmed)) throw new BadUserInputError(`${field} must not contain ${INVISIBLE_MESSAGE}.`, field);
  return trimmed;
}

/** Validates content against the size limit (bytes of UTF-8). */
export function validContent(content: string, maxBytes: number): { content: string; sizeBytes: number } {
  if (content.includes('\u0000')) throw new BadUserInputError('content must not contain NUL characters.', 'content');
  const sizeBytes = Buffer.byteLength(content, 'utf8');
  if (sizeBytes > maxBytes) {
    throw new BadUserInputError(`content is ${sizeBytes} bytes; the limit is ${maxBytes} bytes.`, 'content');
  }
  return { content, sizeBytes };
}

/** Validates, trims and de-duplicates tags (order kept). */
export function validTags(tags: readonly string[] | null | undefined): string[] {
  if (!tags) return [];
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (tag.length === 0 || tag.length > FIELD_LIMITS.tag || CONTROL.test(tag) || /[\n\r]/.test(tag)) {
      throw new BadUserInputError(`Each tag must be 1–${FIELD_LIMITS.tag} characters on one line (got "${raw.slice(0, 80)}").`, 'tags');
    }
    if (INVISIBLE.test(tag)) throw new BadUserInputError(`Tags must not contain ${INVISIBLE_MESSAGE}.`, 'tags');
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > FIELD_LIMITS.tags) throw new BadUserInputError(`At most ${FIELD_LIMITS.tags} tags.`, 'tags');
  return out;
}

/**
 * Refuses a JSON value nested deeper than `maxDepth` (measured without recursion), so that
 * JSON.stringify and the recursive scrubbers never see one. The API refuses anything over
 * HIVEGRAPH_MAX_JSON_DEPTH before; this bound holds for every other caller too.
 */
export function checkJsonDepth(value: unknown, field: string, maxDepth: number = JSON_DEPTH_CEILING): void {
  if (jsonDepth(value, maxDepth) > maxDepth) throw new BadUserInputError(`${field} may nest at most ${maxDepth} levels deep.`, field);
}

/**
 * Validates metadata (a JSON object) and returns its JSON text, which is stored as sent so
 * it round-trips exactly.
 */
export function validMetadata(metadata: unknown, field = 'metadata'): string {
  if (metadata === null || metadata === undefined) return '{}';
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new BadUserInputError(`${field} must be a JSON object.`, field);
  }
  checkJsonDepth(metadata, field);
  const text = JSON.stringify(metadata);
  if (Buffer.byteLength(text, 'utf8') > FIELD_LIMITS.metadataBytes) {
    throw new BadUserInputError(`${field} must be at most ${FIELD_LIMITS.metadataBytes} bytes as JSON.`, field);
  }
  if (text.includes('\\u0000')) throw new BadUserInputError(`${field} must not contain NUL characters.`, field);
  return text;
}
