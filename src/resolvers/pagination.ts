/**
 * Relay connections: argument checks (`first` ≤ 100), opaque cursors, and building
 * `{ edges, pageInfo }` from a service's page.
 */
import { BadUserInputError } from '../shared/errors.ts';
import type { Page } from '../store/records.ts';

/** Largest `first` a client may ask for. */
export const MAX_PAGE_SIZE = 100;

/** Validated page arguments: `first` and the decoded position after which to continue. */
export interface PageArgs {
  first: number;
  after: number | undefined;
}

/** Encodes a position (a sequence number or revision) as an opaque cursor. */
export function encodeCursor(position: number): string {
  return Buffer.from(`cursor:${position}`, 'utf8').toString('base64url');
}

/**
 * Validates `first` (0–100) and decodes `after`.
 * @throws BadUserInputError for `first` out of range or a malformed cursor
 */
export function pageArgs(first: number | null | undefined, after: string | null | undefined, defaultFirst = 20): PageArgs {
  const size = first ?? defaultFirst;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${size}).`, 'first');
  }
  if (after === null || after === undefined) return { first: size, after: undefined };
  const match = /^cursor:(\d{1,15})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError('after is not a cursor this API returned.', 'after');
  return { first: size, after: Number(match[1]) };
}

/** A Relay connection over `page`, with cursors from `positionOf`. */
export function toConnection<T>(page: Page<T>, positionOf: (item: T) => number) {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(positionOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
