/**
 * Small text-scanning helpers shared by the PII detectors. All run in linear time: the digit
 * run scanner is a hand-written loop, so no detector needs a regex with nested quantifiers.
 */

/** A maximal sequence of ASCII digits: `text.slice(start, end)`. */
export interface DigitGroup {
  start: number;
  end: number;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Splits `text` into runs of digit groups, where consecutive groups are joined by 1 to
 * `maxGap` characters from `separators` (e.g. "4242 4242" is one run of two groups with
 * separators " "). A run ends at any other character. Runs spanning fewer than `minLength`
 * characters are dropped. Linear in the length of `text`.
 */
export function digitRuns(text: string, separators: string, maxGap: number, minLength = 1): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  const bounds: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    bounds.length = 0;
    let start = i;
    for (;;) {
      let end = start;
      while (end < n && isDigit(text.charCodeAt(end))) end += 1;
      bounds.push(start, end);
      let gap = end;
      while (gap < n && gap - end < maxGap && separators.includes(text[gap]!)) gap += 1;
      if (gap > end && gap < n && isDigit(text.charCodeAt(gap))) {
        start = gap;
        continue;
      }
      i = end;
      break;
    }
    if (bounds[bounds.length - 1]! - bounds[0]! < minLength) continue;
    const run: DigitGroup[] = [];
    for (let k = 0; k < bounds.length; k += 2) run.push({ start: bounds[k]!, end: bounds[k + 1]! });
    runs.push(run);
  }
  return runs;
}

/** The `length` characters before `index` (fewer at the start of the text). */
export function before(text: string, index: number, length: number): string {
  return text.slice(Math.max(0, index - length), index);
}

/** The `length` characters from `index` on. */
export function after(text: string, index: number, length: number): string {
  return text.slice(index, index + length);
}

/** Every match of a global regex, with `d` indices when the regex has the `d` flag. */
export function* matchesOf(regex: RegExp, text: string): Generator<RegExpExecArray> {
  if (!regex.global) throw new Error('matchesOf needs a global regex');
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0] === '') regex.lastIndex += 1;
    yield m;
  }
}

/** True when `text` looks like a calendar date: 2024-01-15, 2024/1/5, 15.01.2024, 01/15/24. */
export function looksLikeDate(text: string): boolean {
  return /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2}(?:\d{2})?)$/.test(text);
}
