/**
 * Phone number detector. A phone is accepted in one of four shapes:
 *  1. international with `+`: +44 20 7946 0958, +1 (415) 555-2671, +442079460958 (8–15 digits);
 *  2. international with `00`: 0049 30 1234567 (a 00+country group, then more groups);
 *  3. North American: (415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671;
 *  4. any other grouped national form (020 7946 0958, 07700 900123, 555-0100) only right
 *     after a word such as "phone", "tel", "call", "mobile", "fax".
 * Dates, times, ranges, version numbers, thousands-grouped numbers and digit strings glued to
 * letters or to `#`, `-`, `.`, `/` (order numbers, SKUs, paths) are not phones.
 */
import type { PiiMatch } from './pii.ts';
import { after, before, type DigitGroup, digitRuns, looksLikeDate } from './pii-text.ts';

const SEPARATORS = ' -.()\u00a0';
const NANP = [
  /^(?:1[ .\-]?)?\([2-9]\d{2}\)[ \u00a0]?[2-9]\d{2}[ .\-]\d{4}$/,
  /^(?:1([ .\-]))?[2-9]\d{2}([.\-])[2-9]\d{2}\2\d{4}$/,
];
const CONTEXT_WORD =
  /(?:\b(?:phone|telephone|tel|mobile|mob|cell|cellphone|fax|call|ring|whatsapp|sms|text|dial|hotline|helpline|landline|contact|ph)\b\.?|☎|📞)[^\n\d]{0,24}$/i;

/** True when the words right before `index` say a phone number follows ("Tel:", "call me on"). */
function phoneContext(text: string, index: number): boolean {
  let from = index;
  // Only what follows the last digit counts, at most 40 characters back.
  while (from > 0 && index - from < 40 && !isDigit(text.charCodeAt(from - 1))) from -= 1;
  const tail = text.slice(from, index);
  return /[A-Za-z☎📞]/u.test(tail) && CONTEXT_WORD.test(tail);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Group lengths of the North American layouts: 415-555-2671, 1-415-555-2671. */
function nanpLayout(lengths: number[]): boolean {
  const l = lengths.length === 4 && lengths[0] === 1 ? lengths.slice(1) : lengths;
  return l.length === 3 && l[0] === 3 && l[1] === 3 && l[2] === 4;
}

/** Validates one candidate span; `lengths` are its digit-group lengths. */
function phoneValid(span: string, lengths: number[], runStart: boolean, contextual: () => boolean): boolean {
  const digits = lengths.reduce((sum, n) => sum + n, 0);
  if (digits < 7 || digits > 17 || span.split('(').length !== span.split(')').length) return false;
  if (span.startsWith('+')) {
    // The span starts "+<digit>": no country code starts with 0, and +1 numbers have 11 digits.
    if (span[1] === '0' || digits < 8 || digits > 15) return false;
    return span[1] !== '1' || digits === 11;
  }
  // 00+country only opens a run: inside one (an IBAN's tail, a table row) it is just a group.
  if (/^00[1-9]\d{0,2}[ .\-\u00a0]/.test(span)) return runStart && lengths.length >= 2 && digits >= 10;
  if (nanpLayout(lengths) && NANP.some((re) => re.test(span))) return true;
  if (digits > 15 || looksLikeDate(span) || !contextual()) return false;
  if (/^[1-9]\d{0,2}(?:[ .,\u00a0]\d{3})+$/.test(span)) return false; // 1 000 000, 12.345.678
  return /^[0(]/.test(span) || lengths.length >= 2;
}

/** Where the span of a phone starting at `group` begins: at a `+` or `(` right before it. */
function spanStart(text: string, group: DigitGroup): number {
  const prev = text[group.start - 1];
  return prev === '+' || prev === '(' ? group.start - 1 : group.start;
}

function startBoundaryOk(text: string, run: DigitGroup[], i: number, start: number): boolean {
  if (i === 0) return !/[\w.+\-/#$€£@&]/.test(before(text, start, 1));
  return /\s/.test(text.slice(run[i - 1]!.end, start));
}

function endBoundaryOk(text: string, run: DigitGroup[], j: number): boolean {
  const group = run[j]!;
  const next = run[j + 1];
  if (next) return /^\)?\s/.test(text.slice(group.end, next.start));
  return !/^(?:[\w%@]|[.,:/\-]\d)/.test(after(text, group.end, 2));
}

/** Phone numbers in international, North American and (after a phone word) national formats. */
export function detectPhones(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const run of digitRuns(text, SEPARATORS, 2, 7)) {
    for (let i = 0; i < run.length; i += 1) {
      const start = spanStart(text, run[i]!);
      if (!startBoundaryOk(text, run, i, start)) continue;
      let context: boolean | undefined;
      const contextual = () => (context ??= phoneContext(text, start));
      // Without `+`, a leading 00 or a phone word, only the North American layouts (1-)415-555-2671 can match.
      const firstLength = run[i]!.end - run[i]!.start;
      const open = text[start] === '+' || (i === 0 && text.startsWith('00', start)) || contextual();
      if (!open && firstLength !== 1 && firstLength !== 3) continue;
      let best = -1;
      let digitCount = 0;
      const lengths: number[] = [];
      for (let j = i; j < run.length; j += 1) {
        const group = run[j]!;
        digitCount += group.end - group.start;
        lengths.push(group.end - group.start);
        if (digitCount > 17 || (!open && j - i >= 4)) break;
        if (digitCount >= 7 && endBoundaryOk(text, run, j) && phoneValid(text.slice(start, group.end), lengths, i === 0, contextual)) best = j;
      }
      if (best < 0) continue;
      found.push({ type: 'PHONE', start, end: run[best]!.end });
      i = best;
    }
  }
  return found;
}
