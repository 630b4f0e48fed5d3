/**
 * Invisible characters for the injection screener: strips them from a text, counts the ones
 * that have no ordinary reason to be there, and recovers text smuggled in Unicode tag
 * characters or in variation selectors (the "ASCII smuggling" and "emoji smuggling" tricks).
 */

/** What {@link stripInvisible} found. */
export interface InvisibleReport {
  /** The text without format characters (zero-width, bidi controls, tags, soft hyphens…). */
  text: string;
  /** Zero-width and filler characters with no legitimate neighbour (not inside an emoji or a non-Latin script). */
  zeroWidth: number;
  /** Bidi embeddings, overrides and isolates (U+202A–E, U+2066–9). */
  bidiControls: number;
  /** Left-to-right / right-to-left / Arabic letter marks. */
  bidiMarks: number;
  /** Whether the text has Hebrew or Arabic letters (where bidi characters are ordinary). */
  hasRtlLetters: boolean;
  /** Tag characters outside an emoji flag sequence. */
  tags: number;
  /** Variation selectors in runs of two or more (one after an emoji or ideograph is ordinary). */
  variationRuns: number;
  /** Text recovered from tag characters and variation-selector runs, one payload per line. */
  smuggled: string;
}

const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x180e, 0x034f, 0x115f, 0x1160, 0x3164, 0xffa0, 0x17b4, 0x17b5, 0xfeff]);
const BIDI_CONTROLS = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const BIDI_MARKS = new Set([0x200e, 0x200f, 0x061c]);
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;

const isTag = (cp: number) => cp >= 0xe0000 && cp <= 0xe007f;
const isVariationSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Emoji_Modifier}/u;
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;
const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}]/u;

/** A joiner between two emoji, or between letters of a script that uses joiners, is ordinary. */
function joinerIsOrdinary(prev: string | undefined, next: string | undefined): boolean {
  const ordinary = (ch: string | undefined) => ch !== undefined && (PICTOGRAPHIC.test(ch) || NON_LATIN_LETTER.test(ch));
  return ordinary(prev) || ordinary(next);
}

/** Variation selector value as a byte (Paul Butler's encoding: FE00–FE0F → 0–15, E0100–E01EF → 16–255). */
const selectorByte = (cp: number) => (cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16);

const decoder = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

/** The whole character (surrogate pair included) that ends just before `index`. */
function charBefore(s: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = s.charCodeAt(index - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return String.fromCodePoint(s.codePointAt(start)!);
}

/** Runs of characters to remove: format characters, separators, fillers, variation selectors. */
const INVISIBLE_RUN = /[\p{Cf}\u2028\u2029\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5\ufe00-\ufe0f\u{e0100}-\u{e01ef}]+/gu;

/**
 * Removes every format character (`\p{Cf}`, which covers zero-width characters, bidi controls,
 * tags and soft hyphens) plus variation selectors and Hangul fillers, and reports what was removed.
 * Line and paragraph separators become newlines. Linear in the length of `raw`.
 */
export function stripInvisible(raw: string): InvisibleReport {
  const parts: string[] = [];
  const smuggled: string[] = [];
  let zeroWidth = 0;
  let bidiControls = 0;
  let bidiMarks = 0;
  let tags = 0;
  let variationRuns = 0;
  let last = 0;
  for (const m of raw.matchAll(INVISIBLE_RUN)) {
    parts.push(raw.slice(last, m.index));
    last = m.index + m[0].length;
    const run = Array.from(m[0]);
    const before = charBefore(raw, m.index);
    const after = last < raw.length ? String.fromCodePoint(raw.codePointAt(last)!) : undefined;
    const prevOf = (i: number) => (i > 0 ? run[i - 1] : before);
    const nextOf = (i: number) => (i + 1 < run.length ? run[i + 1] : after);
    let i = 0;
    while (i < run.length) {
      const cp = run[i]!.codePointAt(0)!;
      if (isTag(cp) || isVariationSelector(cp)) {
        const tag = isTag(cp);
        let j = i;
        while (j < run.length && (tag ? isTag : isVariationSelector)(run[j]!.codePointAt(0)!)) j++;
        const codes = run.slice(i, j).map((c) => c.codePointAt(0)!);
        if (tag) {
          const afterFlag = i === 0 && before?.codePointAt(0) === BLACK_FLAG;
          if (!(afterFlag && codes.at(-1) === CANCEL_TAG && codes.length <= 7)) {
            tags += codes.length;
            const payload = latin1.decode(Uint8Array.from(codes.map((c) => c - 0xe0000).filter((c) => c >= 0x20 && c < 0x7f)));
            if (payload.trim() !== '') smuggled.push(payload);
          }
        } else if (codes.length >= 2) {
          variationRuns++;
          const text = decoder.decode(Uint8Array.from(codes, selectorByte));
          if (/[a-z]{2}/i.test(text)) smuggled.push(text);
        }
        i = j;
        continue;
      }
      if (cp === 0x2028 || cp === 0x2029) parts.push('\n');
      else if (BIDI_CONTROLS.has(cp)) bidiControls++;
      else if (BIDI_MARKS.has(cp)) bidiMarks++;
      else if (cp === 0xfeff && m.index === 0 && i === 0) {
        // A byte-order mark at the start is ordinary.
      } else if (ZERO_WIDTH.has(cp) && !((cp === 0x200d || cp === 0x200c) && joinerIsOrdinary(prevOf(i), nextOf(i)))) {
        zeroWidth++;
      }
      i++;
    }
  }
  parts.push(raw.slice(last));
  const text = parts.join('');
  return { text, zeroWidth, bidiControls, bidiMarks, hasRtlLetters: RTL_LETTER.test(text), tags, variationRuns, smuggled: smuggled.join('\n') };
}

/**
 * Strength in [0, 1] of the HIDDEN_CHARACTERS signal for a report: tag characters and
 * variation-selector runs are almost never innocent; a stray zero-width space (pasted from a
 * web page) is common, so a few count for little; bidi characters are ordinary in RTL text.
 */
export function invisibleStrength(r: InvisibleReport): number {
  let s = 0;
  if (r.tags > 0) s = Math.max(s, r.smuggled.length >= 4 ? 0.9 : 0.6);
  if (r.variationRuns > 0) s = Math.max(s, r.smuggled.length >= 4 ? 0.85 : 0.35);
  if (r.zeroWidth > 0) s = Math.max(s, r.zeroWidth >= 10 ? 0.65 : r.zeroWidth >= 3 ? 0.5 : 0.3);
  if (r.bidiControls > 0) s = Math.max(s, r.hasRtlLetters ? 0.15 : 0.5);
  if (r.bidiMarks > 0 && !r.hasRtlLetters) s = Math.max(s, 0.3);
  return s;
}
