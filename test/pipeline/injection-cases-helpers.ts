/**
 * Helpers for labelled cases that need characters an editor does not show.
 */

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
/** Unicode tag characters spelling `s` (invisible when rendered). */
export const tagSmuggle = (s: string) => Array.from(s, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
/** A zero-width space after every `every`-th character. */
export const zeroWidthEvery = (s: string, every: number) => Array.from(s, (c, i) => (i % every === every - 1 ? `${c}\u200b` : c)).join('');
/** Variation selectors carrying the UTF-8 bytes of `s` after `carrier` (the "emoji smuggling" trick). */
export const selectorSmuggle = (carrier: string, s: string) =>
  carrier + Array.from(Buffer.from(s, 'utf8'), (b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16)).join('');
